"""Rasa's SQL event broker → conversations and messages, read by the backend's consumer."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import create_engine, func, select, text

from backend.extensions import db
from backend.models import ChatMessage, Conversation, EventCursor
from backend.services.conversation_events import consume
from tests.conftest import make_household

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
