"""The tracker store and event broker of bot/stores/sql.py on real SQLite files.

Their `save` stores and publishes exactly what Rasa's own SQL stores do (same rows, same order),
without reading the conversation back; their `retrieve` rebuilds the same tracker as Rasa's; and
on SQLite a reader in the middle of a read transaction (the event consumer) never makes a turn's
save wait for the busy timeout."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    FollowupAction,
    LegacyForm,
    LoopInterrupted,
    ReminderCancelled,
    ReminderScheduled,
    Restarted,
    SessionStarted,
    SlotSet,
    StoryExported,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.events import (
    deserialise_events as rasa_deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from stores.sql import ResilientSQLEventBroker, ResilientSQLTrackerStore, deserialise_events

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "ask_bill"],
        "slots": {"kwh": {"type": "float", "mappings": [{"type": "custom"}]}},
        "responses": {"utter_greet": [{"text": "Xin chào"}]},
    }
)
SENDER = "demo-1"


def session_start() -> list[Event]:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]


def turn(text: str, intent: str, kwh: float | None = None) -> list[Event]:
    events: list[Event] = [UserUttered(text, intent={"name": intent, "confidence": 0.9})]
    if kwh is not None:
        events += [SlotSet("kwh", kwh)]
    answer = [
        ActionExecuted("utter_greet"),
        BotUttered("Xin chào"),
        ActionExecuted("action_listen"),
    ]
    return [*events, *answer]


def rows(path: Path, columns: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT {columns} FROM events ORDER BY id").fetchall()


async def converse(store: SQLTrackerStore, turns: list[list[Event]]) -> None:
    """Rasa's round per turn: the tracker from the store, the turn's events added, saved."""
    for events in turns:
        tracker = await store.retrieve(SENDER) or DialogueStateTracker(SENDER, DOMAIN.slots)
        for event in events:
            tracker.update(event)
        await store.save(tracker)


def test_save_stores_and_publishes_what_rasas_own_stores_do(tmp_path):
    turns = [
        session_start() + turn("xin chào", "greet"),
        turn("350 số hết bao nhiêu", "ask_bill", kwh=350.0),
        [],  # a turn that adds nothing publishes nothing
        session_start() + turn("chào", "greet"),  # a new session: counted from its start
        turn("200 số", "ask_bill", kwh=200.0),
    ]
    stock = SQLTrackerStore(
        DOMAIN,
        db=str(tmp_path / "stock_tracker.db"),
        event_broker=SQLEventBroker(db=str(tmp_path / "stock_events.db")),
    )
    ours = ResilientSQLTrackerStore(
        DOMAIN,
        db=str(tmp_path / "tracker.db"),
        event_broker=ResilientSQLEventBroker(db=str(tmp_path / "events.db")),
    )
    asyncio.run(converse(stock, turns))
    asyncio.run(converse(ours, turns))

    tracker_columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
    expected = rows(tmp_path / "stock_tracker.db", tracker_columns)
    assert len(expected) == sum(len(events) for events in turns)
    assert rows(tmp_path / "tracker.db", tracker_columns) == expected
    published = rows(tmp_path / "stock_events.db", "sender_id, data")
    assert len(published) == len(expected)  # each event once
    assert rows(tmp_path / "events.db", "sender_id, data") == published
    retrieved = asyncio.run(ours.retrieve(SENDER))
    assert retrieved is not None and retrieved.get_slot("kwh") == 200.0
    # the same tracker as Rasa's: this session's events, its state, and every session in full
    stock_tracker = asyncio.run(stock.retrieve(SENDER))
    assert stock_tracker is not None
    assert retrieved.current_state(EventVerbosity.ALL) == stock_tracker.current_state(
        EventVerbosity.ALL
    )
    assert list(retrieved.events) == list(stock_tracker.events)
    assert any(
        isinstance(event, UserUttered) and event.text == "chào" for event in retrieved.events
    )
    assert not any(
        isinstance(event, UserUttered) and event.text == "xin chào" for event in retrieved.events
    )
    full = asyncio.run(ours.retrieve_full_tracker(SENDER))
    stock_full = asyncio.run(stock.retrieve_full_tracker(SENDER))
    assert full is not None and stock_full is not None
    assert list(full.events) == list(stock_full.events)
    assert asyncio.run(ours.retrieve("nobody")) is None


def test_events_deserialise_to_the_classes_rasa_picks():
    """Every kind of event Rasa stores comes back as the same event of the same class as through
    Rasa's own lookup (ours looks the class up in a table instead of walking the subclasses)."""
    events: list[Event] = [
        *session_start(),
        UserUttered("350 số", intent={"name": "ask_bill", "confidence": 0.9}, entities=[]),
        DefinePrevUserUtteredFeaturization(False),
        EntitiesAdded([{"entity": "kwh", "value": 350}]),
        ActiveLoop("bill_form"),
        SlotSet("kwh", 350.0),
        LoopInterrupted(True),
        ActionExecutionRejected("bill_form"),
        LegacyForm(None),
        FollowupAction("utter_greet"),
        BotUttered("Xin chào", {"buttons": [{"title": "A", "payload": "/greet"}]}),
        ConversationPaused(),
        ConversationResumed(),
        ReminderScheduled("greet", trigger_date_time=datetime(2026, 5, 10, 8, 0)),
        ReminderCancelled(name="reminder"),
        UserUtteranceReverted(),
        ActionReverted(),
        AllSlotsReset(),
        StoryExported(),
        Restarted(),
    ]
    serialised = [json.loads(json.dumps(event.as_dict())) for event in events]
    ours = deserialise_events(serialised)
    rasas = rasa_deserialise_events(serialised)
    assert [type(event) for event in ours] == [type(event) for event in rasas]
    assert [event.as_dict() for event in ours] == [event.as_dict() for event in rasas]
    assert [event.as_dict() for event in ours] == serialised
    with pytest.raises(ValueError, match="Unknown event name"):
        deserialise_events([{"event": "no_such_event"}])


def test_a_reader_in_a_transaction_does_not_hold_up_a_save(tmp_path):
    """The event consumer reads the broker's file while Rasa saves a turn: in SQLite's default
    journal mode the save would wait for the reader (up to the 5 s busy timeout, then fail);
    in WAL mode it goes through at once and the reader keeps its snapshot."""
    events_db = tmp_path / "events.db"
    store = ResilientSQLTrackerStore(
        DOMAIN,
        db=str(tmp_path / "tracker.db"),
        event_broker=ResilientSQLEventBroker(db=str(events_db)),
    )
    asyncio.run(converse(store, [session_start() + turn("xin chào", "greet")]))
    for path in (events_db, tmp_path / "tracker.db"):
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    # a commit appends to the WAL without syncing the disk (a sync per commit was a sync per event)
    assert store.event_broker is not None
    for engine in (store.engine, store.event_broker.engine):
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL

    reader = sqlite3.connect(events_db, isolation_level=None, timeout=0)
    reader.execute("BEGIN")
    (before,) = reader.execute("SELECT count(*) FROM events").fetchone()
    asyncio.run(converse(store, [turn("350 số", "ask_bill", kwh=350.0)]))  # must not wait
    assert reader.execute("SELECT count(*) FROM events").fetchone() == (before,)
    reader.execute("COMMIT")
    (after,) = reader.execute("SELECT count(*) FROM events").fetchone()
    reader.close()
    assert after == before + 5
