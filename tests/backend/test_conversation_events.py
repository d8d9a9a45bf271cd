"""Rasa's SQL event broker → conversations and messages, read by the backend's consumer."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from backend.app import create_app
from backend.config import ROOT, TestConfig
from backend.extensions import db
from backend.models import ChatMessage, Conversation, DeadLetterEvent, EventCursor
from backend.services import privacy
from backend.services.conversation_events import MAX_ATTEMPTS, consume
from tests.conftest import make_household
from tests.fakes import stop_server

FLASK = str(Path(sys.executable).parent / "flask")
T0 = 1_764_000_000.0  # 2025-11-24 16:00 UTC


def user(sender: str, text_: str, intent: str, confidence: float, t: float, **extra) -> dict:
    """A `user` event as Rasa 3.6 publishes it."""
    return {
        "event": "user",
        "sender_id": sender,
        "timestamp": t,
        "text": text_,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": extra.pop("entities", []),
            "text": text_,
        },
        "input_channel": extra.pop("channel", "rest"),
        "message_id": f"m{t}",
        "metadata": {},
    }


def bot(sender: str, text_: str, t: float, utter: str | None = None) -> dict:
    return {
        "event": "bot",
        "sender_id": sender,
        "timestamp": t,
        "text": text_,
        "data": {},
        "metadata": {"utter_action": utter} if utter else {},
    }


def action(sender: str, name: str, t: float) -> dict:
    return {"event": "action", "sender_id": sender, "timestamp": t, "name": name}


@pytest.fixture
def broker(tmp_path):
    """A file database with the table Rasa's SQLEventBroker writes (id, sender_id, data)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'rasa_events.db'}")
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)")
        )

    def publish(*events: dict | str) -> None:
        with engine.begin() as connection:
            for event in events:
                data = event if isinstance(event, str) else json.dumps(event, ensure_ascii=False)
                sender = None if isinstance(event, str) else event["sender_id"]
                connection.execute(
                    text("INSERT INTO events (sender_id, data) VALUES (:s, :d)"),
                    {"s": sender, "d": data},
                )

    engine.publish = publish  # type: ignore[attr-defined]
    yield engine
    engine.dispose()


def messages(sender: str) -> list[ChatMessage]:
    return list(
        db.session.scalars(
            select(ChatMessage).where(ChatMessage.sender_id == sender).order_by(ChatMessage.id)
        )
    )


def test_user_and_bot_messages_are_stored_with_intent_and_household(app, household, broker):
    broker.publish(
        {"event": "action", "sender_id": household.id, "timestamp": T0, "name": "action_listen"},
        user(
            household.id,
            "350 số hết bao nhiêu tiền",
            "calculate_bill",
            0.93,
            T0 + 1,
            entities=[{"entity": "kwh", "value": "350", "start": 0, "end": 3, "extractor": "DIET"}],
        ),
        action(household.id, "action_estimate_bill", T0 + 2),
        bot(household.id, "350 kWh: 979.560 đ", T0 + 2),
    )
    report = consume(db.session(), broker)
    assert (report.events, report.messages) == (4, 2)
    said, answered = messages(household.id)
    assert (said.role, said.intent, said.confidence) == ("user", "calculate_bill", 0.93)
    assert said.entities == [{"entity": "kwh", "value": "350", "start": 0, "end": 3}]
    assert (answered.role, answered.text) == ("bot", "350 kWh: 979.560 đ")
    assert answered.action == "action_estimate_bill"
    conversation = db.session.get(Conversation, household.id)
    assert conversation.household_id == household.id
    assert conversation.message_count == 2
    assert conversation.min_confidence == 0.93
    assert not conversation.had_fallback and not conversation.human_requested


def test_zalo_senders_are_linked_to_their_household(app, broker):
    make_household("hh-zalo", zalo_user_id="8421")
    broker.publish(
        user("zalo-8421", "tien dien thang nay", "check_my_usage", 0.8, T0, channel="zalo")
    )
    consume(db.session(), broker)
    conversation = db.session.get(Conversation, "zalo-8421")
    assert (conversation.channel, conversation.household_id) == ("zalo", "hh-zalo")


def test_fallback_and_handoff_mark_the_conversation(app, household, broker):
    broker.publish(
        user(household.id, "con mèo nhà tôi", "out_of_scope", 0.31, T0),
        action(household.id, "action_default_fallback", T0 + 1),
        user(household.id, "cho gặp nhân viên", "request_human", 0.97, T0 + 2),
        action(household.id, "action_handoff", T0 + 3),
    )
    consume(db.session(), broker)
    first, second = messages(household.id)
    assert first.is_fallback and not second.is_fallback
    conversation = db.session.get(Conversation, household.id)
    assert conversation.had_fallback and conversation.human_requested
    assert conversation.min_confidence == pytest.approx(0.31)


def test_consuming_again_or_from_an_old_cursor_never_duplicates(app, household, broker):
    broker.publish(
        user(household.id, "giá điện", "ask_tariff", 0.9, T0), bot(household.id, "…", T0)
    )
    consume(db.session(), broker)
    assert consume(db.session(), broker).events == 0
    db.session.get(EventCursor, "rasa").last_id = 0  # e.g. restored from an old backup
    db.session.commit()
    again = consume(db.session(), broker)
    assert (again.events, again.messages) == (2, 0)
    assert len(messages(household.id)) == 2
    assert db.session.get(Conversation, household.id).message_count == 2


def test_new_events_after_a_restart_continue_from_the_cursor(app, household, broker):
    sender = household.id
    broker.publish(user(sender, "a", "greet", 0.99, T0))
    consume(db.session(), broker, batch=1)
    db.session.remove()  # a new process: nothing in memory, only the stored cursor
    broker.publish(user(sender, "b", "thank", 0.98, T0 + 1))
    report = consume(db.session(), broker, batch=1)
    assert (report.events, report.messages) == (1, 1)
    assert [m.text for m in messages(sender)] == ["a", "b"]


def test_an_unreadable_row_is_logged_and_the_rest_still_stored(app, household, broker, caplog):
    broker.publish("{not json", user(household.id, "xin chào", "greet", 0.99, T0))
    with caplog.at_level(logging.WARNING):
        report = consume(db.session(), broker)
    assert (report.events, report.messages) == (2, 1)
    assert "not JSON" in caplog.text


def test_no_events_table_yet_reads_nothing(app, tmp_path):
    empty = create_engine(f"sqlite:///{tmp_path / 'none.db'}")
    assert consume(db.session(), empty).events == 0
    assert db.session.scalar(select(func.count()).select_from(ChatMessage)) == 0


def test_cli_consume_prints_what_it_read(app, household, broker):
    broker.publish(user(household.id, "giờ cao điểm", "ask_peak_hours", 0.95, T0))
    app.config["RASA_EVENTS_DB_URL"] = str(broker.url)
    result = app.test_cli_runner().invoke(args=["chat", "consume"])
    assert result.exit_code == 0, result.output
    assert "read 1 events, stored 1 messages" in result.output


def test_text_the_database_cannot_store_is_kept_readable_and_the_rest_still_stored(
    app, household, broker
):
    """A Zalo message reaches Rasa without passing the backend's request guard: a NUL or a lone
    surrogate in it must not stop the consumer (PostgreSQL refuses NUL in text)."""
    odd = user(household.id, "đèn\u0000 tắt", "greet", 0.9, T0, entities=[{"value": "x\ud800"}])
    broker.publish(json.dumps(odd), user(household.id, "xin chào", "greet", 0.99, T0 + 1))
    report = consume(db.session(), broker)
    assert (report.events, report.messages) == (2, 2)
    stored = messages(household.id)
    assert [m.text for m in stored] == ["đèn\ufffd tắt", "xin chào"]
    assert stored[0].entities == [{"value": "x\ufffd"}]


def publish_row(broker, sender: str | None, data: str) -> None:
    """A broker row exactly as given (a sender id and data Rasa would not normally write)."""
    with broker.begin() as connection:
        connection.execute(
            text("INSERT INTO events (sender_id, data) VALUES (:s, :d)"), {"s": sender, "d": data}
        )


def dead_letters() -> list[DeadLetterEvent]:
    return list(db.session.scalars(select(DeadLetterEvent).order_by(DeadLetterEvent.event_id)))


def test_a_sender_id_longer_than_the_column_is_a_dead_letter_and_the_rest_is_stored(
    app, household, broker
):
    """PostgreSQL refused a 97+ character sender on every retry and the consumer read the same
    batch forever; now it is set aside with its reason and the cursor moves on."""
    long_sender = "rest-" + "x" * 200
    broker.publish(
        user(household.id, "trước", "greet", 0.9, T0),
        user(long_sender, "tin nhắn lạ", "greet", 0.9, T0 + 1),
        user(household.id, "sau", "thank", 0.9, T0 + 2),
    )
    report = consume(db.session(), broker)
    assert (report.events, report.messages, report.dead_letters) == (3, 2, 1)
    assert [m.text for m in messages(household.id)] == ["trước", "sau"]
    (letter,) = dead_letters()
    assert letter.event_id == 2 and letter.source == "rasa" and letter.event_kind == "user"
    assert "205 characters" in letter.reason and "96" in letter.reason
    assert letter.sender_id == long_sender[:200]
    assert db.session.get(Conversation, long_sender[:96]) is None
    assert db.session.get(EventCursor, "rasa").last_id == 3
    # read again (the next poll, or from an old cursor): nothing new, no second dead letter
    assert consume(db.session(), broker).events == 0
    db.session.get(EventCursor, "rasa").last_id = 0
    db.session.commit()
    again = consume(db.session(), broker)
    assert (again.events, again.messages) == (3, 0)
    assert len(dead_letters()) == 1


def test_an_event_that_fails_every_try_is_retried_a_bounded_number_of_times(
    app, household, broker, caplog
):
    """A timestamp no clock can hold fails each time: tried MAX_ATTEMPTS times, then set aside."""
    broker.publish(user(household.id, "xa xưa", "greet", 0.9, 1e20))
    publish_row(broker, household.id, "null")  # JSON, but not an event object
    broker.publish(user(household.id, "hôm nay", "greet", 0.9, T0))
    with caplog.at_level(logging.WARNING):
        report = consume(db.session(), broker, batch=10)
    assert (report.events, report.messages, report.dead_letters) == (3, 1, 2)
    assert [m.text for m in messages(household.id)] == ["hôm nay"]
    far, null = dead_letters()
    assert far.attempts == MAX_ATTEMPTS
    assert far.reason == "OverflowError: timestamp out of range for platform time_t"
    assert null.attempts == 1 and "not an object" in null.reason  # never storable: no retry
    assert caplog.text.count(f"of {MAX_ATTEMPTS}") == MAX_ATTEMPTS


def test_an_event_the_database_refuses_is_a_dead_letter(app, household, broker):
    """An intent name longer than its column: PostgreSQL raises on insert (SQLite stores it)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    broker.publish(
        user(household.id, "lạ", "i" * 300, 0.9, T0), user(household.id, "ổn", "greet", 0.9, T0)
    )
    report = consume(db.session(), broker)
    assert (report.events, report.messages, report.dead_letters) == (2, 1, 1)
    (letter,) = dead_letters()
    assert letter.attempts == MAX_ATTEMPTS and "StringDataRightTruncation" in letter.reason
    assert [m.text for m in messages(household.id)] == ["ổn"]


def test_cli_consume_reports_dead_letters_and_exits_cleanly(app, household, broker):
    broker.publish(
        user("z" * 120, "a", "greet", 0.9, T0), user(household.id, "b", "greet", 0.9, T0)
    )
    app.config["RASA_EVENTS_DB_URL"] = str(broker.url)
    result = app.test_cli_runner().invoke(args=["chat", "consume"])
    assert result.exit_code == 0, result.output
    assert "read 2 events, stored 1 messages, 1 dead letters (cursor 2)" in result.output


def test_deleting_the_household_deletes_its_dead_letters(app, household, broker):
    """A dead letter keeps the event's text: the household's right to be forgotten covers it."""
    broker.publish(user(household.id, "số tôi 0912345678", "greet", 0.9, 1e20))
    broker.publish(user("someone-else", "khác", "greet", 0.9, 1e20))
    assert consume(db.session(), broker).dead_letters == 2
    stores = privacy.Stores(tracker_db_url="", events_db_url="", key=b"test-key")
    privacy.delete_household(
        db.session(), household, stores=stores, actor="household", now=datetime(2026, 12, 1)
    )
    assert [letter.sender_id for letter in dead_letters()] == ["someone-else"]


def test_the_following_consumer_keeps_going_past_bad_events(tmp_path, broker):
    """`flask chat consume --follow` as `make run` starts it: a bad event used to stop it
    (an uncaught error) or hold it on the same batch forever (a database error)."""
    database = tmp_path / "app.db"

    class FileDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    with create_app(FileDatabase).app_context():
        upgrade()
        db.engine.dispose()
    store = create_engine(f"sqlite:///{database}")

    def stored() -> list[str]:
        with store.connect() as connection:
            return list(connection.scalars(text("SELECT text FROM chat_messages ORDER BY id")))

    publish_row(broker, "hh-9", "null")
    broker.publish(
        user("x" * 300, "quá dài", "greet", 0.9, T0), user("hh-9", "một", "greet", 0.9, T0)
    )
    env = {**os.environ, "DATABASE_URL": str(store.url), "RASA_EVENTS_DB_URL": str(broker.url)}
    consumer = subprocess.Popen(
        [FLASK, "--app", "backend", "chat", "consume", "--follow", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert wait_until(lambda: stored() == ["một"] or consumer.poll() is not None)
        assert consumer.poll() is None, consumer.stderr.read().decode()[-2000:]
        broker.publish(user("hh-9", "hai", "greet", 0.9, T0 + 1))
        assert wait_until(lambda: stored() == ["một", "hai"])
        with store.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM dead_letter_events")) == 2
    finally:
        stop_server(consumer)
        store.dispose()


def wait_until(condition, timeout: float = 240.0) -> bool:  # slow imports under load
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
