"""Rasa's SQL tracker store and SQL event broker: resilient, and cheaper per turn.

Rasa creates their engines without `pool_pre_ping`: after PostgreSQL restarts, every pooled
connection is dead, the next save (which first publishes to the event broker) fails, and Rasa's
fail-safe wrapper quietly keeps the turn in an in-memory tracker of that one server. With two
Rasa servers the other one then sees a conversation without that turn (a form forgets its
question). Checking each connection on checkout replaces dead ones before they are used.

Two servers starting at the same instant both run the broker's CREATE TABLE and PostgreSQL
refuses the second ("already exists"); unlike the tracker store, Rasa's broker does not retry,
so the server died at start-up. The broker here tries again once the other one has created it.

Per turn (docs/benchmarks.md, "make bench-chat"): Rasa's `save` reads the whole conversation
session back and rebuilds a tracker from it only to find which events are new, then publishes
each new event in a transaction of its own (a commit, so a disk sync on SQLite, per event). Here
the new events are the ones past the stored count (Rasa's own rule for what to insert), and they
go to the broker in one transaction. On SQLite (`make run`) both files are in WAL mode: the
event consumer (`flask chat consume`) reads while Rasa writes, nobody waits for SQLite's 5 s busy
timeout, and a commit does not sync the disk (synchronous=NORMAL: a power cut may lose the last
turns, never corrupts the file); the connections stay open, since closing the last one
checkpoints the log with a sync.

Rebuilding the tracker (every turn reads its conversation session back) cost O(session length):
Rasa finds each stored event's class by walking all 26 `Event` subclasses (0.1-0.2 ms an event)
and parses every event's JSON, and the policies featurise the whole history several times a turn
(TED and memoization then keep its last 5 states); the action server gets every event. A bench
household's session of 200 turns cost Rasa 300-500 ms of CPU a turn against ~100 ms for 40.
Here event classes come from a table built once from the same walk, and a session's tracker is
rebuilt from its last `window_turns` user turns (10 by default; `window_turns:` in endpoints),
preceded by the state the earlier turns left: the slots they set and a pause. What the policies
see in their last 5 states is the same; `save` stores what is new past the window, exactly
Rasa's rows. Of the rows before the window only those that can change that state are decoded
(all of them when a rewind or undo among them replays the history). A session with a form
active at the window's start is rebuilt whole (a form's history collapses to its last
execution, which may lie before the window). `retrieve_full_tracker` stays whole.
"""

from __future__ import annotations

import functools
import itertools
import json
import time
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    BotUttered,
    ConversationPaused,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.common import all_subclasses

SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _tuned(engine: sa.engine.Engine) -> sa.engine.Engine:
    """The same database with pool pre-ping; on SQLite in WAL mode, its connections kept open
    (SQLAlchemy 1.4 opens a file database anew per session, and in WAL mode closing the last
    connection checkpoints the log and syncs the disk: twice a turn)."""
    url = engine.url
    engine.dispose()
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
    # Rasa uses its stores from the event loop's thread; the pool hands a connection to one
    # user at a time, so another thread may take it next
    fresh = sa.create_engine(
        url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
    )
    sa.event.listen(fresh, "connect", _sqlite_pragmas)
    fresh.connect().close()  # WAL now (it stays with the file), before any reader opens it
    return fresh


@functools.cache
def _event_classes() -> dict[str, type[Event]]:
    """Event class by type name, as `Event.resolve_by_type` picks it (the first in the walk).
    Built on first use, when Rasa has imported every event class."""
    classes: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)
    return classes


def deserialise_events(serialised: Iterable[dict[str, Any]]) -> list[Event]:
    """`rasa.shared.core.events.deserialise_events` with the classes from the table; a name the
    table lacks goes to Rasa's own lookup (its default and its error)."""
    classes = _event_classes()
    events = []
    for data in serialised:
        name = data.get("event")
        if name is None:
            continue
        cls = classes.get(name)
        event = cls._from_parameters(data) if cls is not None else Event.from_parameters(data)
        if event is not None:
            events.append(event)
    return events


WINDOW_TURNS = 10
# on a windowed tracker: how many stored events of its session it does not hold, minus the events
# standing in for them (its events past `stored count - this` are new)
_SKIPPED = "_stores_sql_skipped"


# events that change nothing of what a window carries over (slots, pause, an active form) when
# applied in order: the bulk of a session, not decoded before the window. Rewinds and undos replay
# the history instead, so a session with one before the window has all of it decoded.
_STATELESS = frozenset(
    {
        UserUttered.type_name,
        BotUttered.type_name,
        ActionExecuted.type_name,
        DefinePrevUserUtteredFeaturization.type_name,
        EntitiesAdded.type_name,
    }
)
_REPLAYING = frozenset({UserUtteranceReverted.type_name, ActionReverted.type_name})


class Row(NamedTuple):
    type_name: str
    action_name: str | None
    data: str


def _decoded(rows: Iterable[Row]) -> list[Event]:
    return deserialise_events(json.loads(row.data) for row in rows)


def windowed_tracker(
    sender_id: str, rows: Sequence[Row], slots: Iterable[Slot], turns: int
) -> DialogueStateTracker:
    """The tracker of a session's stored `rows`, from its last `turns` user turns on (with the
    slots the earlier ones set, and a pause), or whole when that short or a form is active there.
    Of the earlier rows only those that can change that state are decoded."""
    users = [index for index, row in enumerate(rows) if row.type_name == UserUttered.type_name]
    if len(users) <= turns:
        return DialogueStateTracker.from_events(sender_id, _decoded(rows), slots)
    cut = users[-turns]
    previous = rows[cut - 1]
    if (
        previous.type_name == ActionExecuted.type_name
        and previous.action_name == ACTION_LISTEN_NAME
    ):
        cut -= 1
    earlier = rows[:cut]
    if not any(row.type_name in _REPLAYING for row in earlier):
        earlier = [row for row in earlier if row.type_name not in _STATELESS]
    before = DialogueStateTracker.from_events(sender_id, _decoded(earlier), slots)
    if before.active_loop_name is not None:
        return DialogueStateTracker.from_events(sender_id, _decoded(rows), slots)
    window = _decoded(rows[cut:])
    at = window[0].timestamp if window else None
    state: list[Event] = [
        SlotSet(slot.name, slot.value, timestamp=at)
        for slot in before.slots.values()
        if slot.has_been_set
    ]
    if before.is_paused():
        state.append(ConversationPaused(timestamp=at))
    tracker = DialogueStateTracker.from_events(sender_id, [*state, *window], slots)
    setattr(tracker, _SKIPPED, cut - len(state))
    return tracker


class ResilientSQLTrackerStore(SQLTrackerStore):
    """`type: stores.sql.ResilientSQLTrackerStore` in endpoints (same keys as `type: SQL`, and
    `window_turns`)."""

    def __init__(self, *args: Any, window_turns: int = WINDOW_TURNS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.window_turns = int(window_turns)
        self.engine = _tuned(self.engine)  # type: ignore[has-type]
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's `_retrieve` (the same rows, the same tracker), deserialising through the table."""
        with self.session_scope() as session:
            # three columns, no ORM object per row; the type and action names locate the window
            rows = [
                Row(*row)
                for row in self._event_query(
                    session,
                    sender_id,
                    fetch_events_from_all_sessions=fetch_events_from_all_sessions,
                )
                .with_entities(
                    self.SQLEvent.type_name, self.SQLEvent.action_name, self.SQLEvent.data
                )
                .all()
            ]
            if not self.domain or not rows:
                return None
            if fetch_events_from_all_sessions:
                return DialogueStateTracker.from_events(
                    sender_id, _decoded(rows), self.domain.slots
                )
            return windowed_tracker(sender_id, rows, self.domain.slots, self.window_turns)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """What Rasa's save stores and publishes, in the same order (broker first), without
        reading the session back: the new events are those past the stored count (less what
        a windowed tracker left out)."""
        with self.session_scope() as session:
            stored = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
            first_new = max(stored - getattr(tracker, _SKIPPED, 0), 0)
            new = [
                (event.type_name, event.as_dict())
                for event in itertools.islice(tracker.events, first_new, None)
            ]
            if self.event_broker is not None and new:
                bodies = [{"sender_id": tracker.sender_id, **data} for _, data in new]
                publish_all(self.event_broker, bodies)
            for type_name, data in new:
                intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()


def publish_all(broker: EventBroker, bodies: Sequence[dict[str, Any]]) -> None:
    """One transaction for all of a turn's events when the broker is ours, else one by one."""
    if isinstance(broker, ResilientSQLEventBroker):
        broker.publish_all(bodies)
    else:
        for body in bodies:
            broker.publish(body)


CREATE_ATTEMPTS = 5


class ResilientSQLEventBroker(SQLEventBroker):
    """`type: stores.sql.ResilientSQLEventBroker` in endpoints (same keys as `type: SQL`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        for attempt in range(CREATE_ATTEMPTS):
            try:
                super().__init__(*args, **kwargs)
                break
            except (sa.exc.IntegrityError, sa.exc.ProgrammingError) as exc:
                if attempt == CREATE_ATTEMPTS - 1 or "already exists" not in str(exc.orig):
                    raise
                time.sleep(1)  # another server is creating the table right now
        self.engine = _tuned(self.engine)  # type: ignore[has-type]
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    def publish_all(self, bodies: Sequence[dict[str, Any]]) -> None:
        """Rows as Rasa's `publish` writes them, in order, committed together."""
        with self.session_scope() as session:
            session.add_all(
                self.SQLBrokerEvent(sender_id=body.get("sender_id"), data=json.dumps(body))
                for body in bodies
            )
            session.commit()
