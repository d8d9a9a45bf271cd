"""The console's page of broker events the consumer set aside (dead letters)."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from backend.extensions import db
from backend.services.conversation_events import consume
from tests.backend.staff.conftest import sign_in


def bad_event_consumed(tmp_path) -> None:
    """A real broker row with a sender id too long for the conversations table, consumed."""
    broker = create_engine(f"sqlite:///{tmp_path / 'events.db'}")
    event = {
        "event": "user",
        "sender_id": "s" * 150,
        "timestamp": 1_764_000_000.0,
        "text": "số tôi 0912345678 gọi lại nhé",
        "parse_data": {"intent": {"name": "greet", "confidence": 0.9}, "entities": []},
    }
    with broker.begin() as connection:
        connection.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)")
        )
        connection.execute(
            text("INSERT INTO events (sender_id, data) VALUES (:s, :d)"),
            {"s": event["sender_id"], "d": json.dumps(event, ensure_ascii=False)},
        )
    assert consume(db.session(), broker).dead_letters == 1
    broker.dispose()


def test_supervisors_see_each_dead_letter_with_its_reason_and_personal_data_masked(
    supervisor, tmp_path
):
    bad_event_consumed(tmp_path)
    page = supervisor.get("/staff/dead-letters")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sự kiện không lưu được" in html
    assert 'id="dead-letter-total">1<' in html
    assert "rasa:1" in html and "150 characters, at most 96" in html
    assert "0912345678" not in html and "091*****78" in html


def test_the_page_is_for_staff_only(client, staff):
    assert client.get("/staff/dead-letters").status_code == 302  # to the login page
    sign_in(client, "an")  # an agent: conversations yes, the consumer's internals no
    assert client.get("/staff/dead-letters").status_code == 403


def test_the_menu_links_to_it_for_supervisors(supervisor):
    html = supervisor.get("/staff/conversations").get_data(as_text=True)
    assert "/staff/dead-letters" in html
