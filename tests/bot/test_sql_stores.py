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


def long_conversation(extra: dict[int, type[Event]]) -> list[list[Event]]:
    """A session of 12 turns (the kwh slot set in turn 2), an event of `extra[n]` after turn n
    (made in order: the session's events are those stamped after its start)."""
    turns = [session_start() + turn("xin chào", "greet")]
    for number in range(2, 13):
        kwh = 350.0 if number == 2 else None
        turns.append(turn(f"câu {number}", "ask_bill" if number % 2 else "greet", kwh=kwh))
        if number in extra:
            kind = extra[number]
            turns[-1].append(ActiveLoop("renter_form") if kind is ActiveLoop else kind())
    return turns


def stores(tmp_path: Path) -> tuple[SQLTrackerStore, ResilientSQLTrackerStore]:
    stock = SQLTrackerStore(
        DOMAIN,
        db=str(tmp_path / "stock_tracker.db"),
        event_broker=SQLEventBroker(db=str(tmp_path / "stock_events.db")),
    )
    ours = ResilientSQLTrackerStore(
        DOMAIN,
        db=str(tmp_path / "tracker.db"),
        event_broker=ResilientSQLEventBroker(db=str(tmp_path / "events.db")),
        window_turns=3,
    )
    return stock, ours


def test_a_long_session_is_rebuilt_from_its_last_turns_in_the_same_state(tmp_path):
    """Past `window_turns` user turns the tracker holds only the last ones, in the state the
    whole session left (slots, pause): the policies' last 5 states and the last message are
    Rasa's; saves after windowed reads store and publish exactly Rasa's rows."""
    stock, ours = stores(tmp_path)
    # paused in turn 4, resumed in 6, paused again in 8: before the window of turns 10-12
    turns = long_conversation(
        {4: ConversationPaused, 6: ConversationResumed, 8: ConversationPaused}
    )
    asyncio.run(converse(stock, turns))
    asyncio.run(converse(ours, turns))

    tracker_columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
    assert rows(tmp_path / "tracker.db", tracker_columns) == rows(
        tmp_path / "stock_tracker.db", tracker_columns
    )
    assert rows(tmp_path / "events.db", "sender_id, data") == rows(
        tmp_path / "stock_events.db", "sender_id, data"
    )
    whole = asyncio.run(stock.retrieve(SENDER))
    windowed = asyncio.run(ours.retrieve(SENDER))
    assert whole is not None and windowed is not None
    users = [event.text for event in windowed.events if isinstance(event, UserUttered)]
    assert users == ["câu 10", "câu 11", "câu 12"]
    assert len(windowed.events) < len(whole.events) / 2
    assert windowed.current_slot_values() == whole.current_slot_values()
    assert windowed.get_slot("kwh") == 350.0  # set in turn 2, before the window
    assert windowed.is_paused() and whole.is_paused()
    assert windowed.latest_message == whole.latest_message
    assert windowed.past_states(DOMAIN)[-5:] == whole.past_states(DOMAIN)[-5:]
    # the pause from turn 4 (resumed in turn 9, before the window) is not carried over
    turns = long_conversation({4: ConversationPaused, 9: ConversationResumed})
    (tmp_path / "resumed").mkdir()
    _, ours = stores(tmp_path / "resumed")
    asyncio.run(converse(ours, turns))
    resumed = asyncio.run(ours.retrieve(SENDER))
    assert resumed is not None and not resumed.is_paused()
    # the whole history, every session, is still there for whoever asks for it
    full = asyncio.run(ours.retrieve_full_tracker(SENDER))
    assert full is not None and len(full.events) == sum(len(events) for events in turns)


def test_a_session_with_a_form_active_before_the_window_is_rebuilt_whole(tmp_path):
    stock, ours = stores(tmp_path)
    turns = long_conversation({3: ActiveLoop})
    asyncio.run(converse(stock, turns))
    asyncio.run(converse(ours, turns))
    whole = asyncio.run(stock.retrieve(SENDER))
    tracker = asyncio.run(ours.retrieve(SENDER))
    assert whole is not None and tracker is not None
    assert tracker.active_loop_name == "renter_form"
    assert list(tracker.events) == list(whole.events)


def test_a_rewind_before_the_window_is_replayed_like_rasa(tmp_path):
    """A rewound turn (the fallback's UserUtteranceReverted) before the window takes back the
    slot it set; the earlier turns are then decoded and replayed whole, not just their slots."""
    stock, ours = stores(tmp_path)
    turns = long_conversation({})
    turns[3] = turn("200 số", "ask_bill", kwh=200.0)
    turns[3].append(UserUtteranceReverted())  # kwh back to 350 from turn 2
    asyncio.run(converse(stock, turns))
    asyncio.run(converse(ours, turns))
    whole = asyncio.run(stock.retrieve(SENDER))
    windowed = asyncio.run(ours.retrieve(SENDER))
    assert whole is not None and windowed is not None
    assert whole.get_slot("kwh") == 350.0
    assert windowed.current_slot_values() == whole.current_slot_values()
    assert windowed.past_states(DOMAIN)[-5:] == whole.past_states(DOMAIN)[-5:]
    assert len(windowed.events) < len(whole.events) / 2
