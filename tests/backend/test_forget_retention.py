"""Retention (Nghị định 13): conversation events older than CONVERSATION_RETENTION_MONTHS are
purged from the backend's conversation log, Rasa's tracker store and its event broker; recent
ones are kept; staff see the policy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select

from backend.config import Config
from backend.extensions import db
from backend.models import ChatMessage, Conversation, ForgottenSender
from backend.services import privacy
from backend.services.conversation_events import consume
from backend.services.errors import InvalidInput
from backend.services.staff_users import create_staff
from tests.backend.forget_rasa_stores import RasaStores, bot, database_url, dump, user

NOW = datetime(2026, 12, 1, 12, 0)
OLD = datetime(2024, 10, 20, 9, 0).timestamp()  # 25 months before NOW
RECENT = datetime(2026, 11, 1, 9, 0).timestamp()


@pytest.fixture
def rasa(app, tmp_path) -> Iterator[RasaStores]:
    tracker_urls, broker_urls = database_url(tmp_path, "tracker"), database_url(tmp_path, "broker")
    stores = RasaStores.create(next(tracker_urls), next(broker_urls))
    app.config["RASA_TRACKER_DB_URL"] = stores.tracker.url.render_as_string(hide_password=False)
    app.config["RASA_EVENTS_DB_URL"] = stores.broker.url.render_as_string(hide_password=False)
    yield stores
    stores.dispose()
    for urls in (tracker_urls, broker_urls):
        next(urls, None)  # drops the PostgreSQL databases


def test_old_conversations_are_purged_from_every_store_and_recent_ones_kept(app, rasa):
    # "old-1" spoke only 25 months ago, "both-1" then and last month, "new-1" last month
    rasa.turn("old-1", user("chuyện cũ-OLD1", "greet", at=OLD), bot("chào-OLD1", at=OLD))
    rasa.turn("both-1", user("hồi đó-OLD2", "greet", at=OLD), bot("vâng-OLD2", at=OLD))
    rasa.turn("both-1", user("bây giờ-NEW2", "thank", at=RECENT), bot("dạ-NEW2", at=RECENT))
    rasa.turn("new-1", user("mới đây-NEW3", "greet", at=RECENT), bot("chào-NEW3", at=RECENT))
    consume(db.session(), rasa.broker)
    assert db.session.query(ChatMessage).count() == 8

    for subject, settled in (("a" * 64, datetime(2024, 1, 1)), ("b" * 64, datetime(2026, 1, 1))):
        db.session.add(ForgottenSender(subject=subject, covers_until=settled, settled_at=settled))
    db.session.commit()

    counts = privacy.purge_expired(
        db.session(), stores=privacy.Stores.from_config(app.config), now=NOW, months=24
    )

    assert counts["messages"] == 4 and counts["conversations"] == 1
    assert counts["tombstones"] == 1
    assert db.session.scalars(select(ForgottenSender.subject)).all() == ["b" * 64]
    assert counts["tracker_events"] > 0 and counts["broker_events"] > 0
    for engine in (db.engine, rasa.tracker, rasa.broker):
        everything = dump(engine)
        assert not any(f"OLD{n}" in everything for n in (1, 2))
        assert all(f"NEW{n}" in everything for n in (2, 3))
    assert db.session.get(Conversation, "old-1") is None
    both = db.session.get(Conversation, "both-1")
    assert both.message_count == 2 and both.started_at == datetime.fromtimestamp(
        RECENT, UTC
    ).replace(tzinfo=None)
    # a replay of the broker from cursor 0 brings nothing old back
    db.session.execute(delete(ChatMessage))
    db.session.commit()
    consume(db.session(), rasa.broker, source="replay")
    texts = set(db.session.scalars(select(ChatMessage.text)))
    assert texts == {"bây giờ-NEW2", "dạ-NEW2", "mới đây-NEW3", "chào-NEW3"}


def test_the_cutoff_is_in_calendar_months():
    assert privacy.retention_cutoff(NOW, 24) == datetime(2024, 12, 1, 12, 0)
    assert privacy.retention_cutoff(datetime(2026, 3, 31), 1) == datetime(2026, 2, 28)
    assert privacy.retention_cutoff(datetime(2026, 1, 15), 13) == datetime(2024, 12, 15)
    with pytest.raises(InvalidInput):
        privacy.retention_cutoff(NOW, 0)


def test_the_default_is_24_months_and_staff_see_the_policy(app, client):
    assert Config.CONVERSATION_RETENTION_MONTHS == 24
    app.config["CONVERSATION_RETENTION_MONTHS"] = 18
    create_staff(db.session(), "binh", "correct horse battery", "supervisor")
    client.post("/staff/login", data={"login": "binh", "password": "correct horse battery"})
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "hội thoại cũ hơn 18 tháng được tự động xóa" in page
