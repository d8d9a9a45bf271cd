"""Forgetting, for real (Nghị định 13): after a deletion by either path (the chat's "xóa dữ liệu
của tôi" → "Có", or DELETE /api/v1/me), nothing of the household is left in any store: every
table of the backend database, Rasa's tracker store and its event broker; and re-reading the
broker from cursor 0 brings nothing back.

Rasa is a loopback fake that stores turns with the real schemas and the real save logic of Rasa
3.6's SQL tracker store and broker (tests/backend/forget_rasa_stores.py): the turn that carries
the deletion is saved after the backend deleted the household, so the whole session is written
to both stores again, as the real server does.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text, update

from backend.clock import utc_now
from backend.extensions import db
from backend.models import (
    AnomalyEpisode,
    AuditRecord,
    Bill,
    ChatMessage,
    Conversation,
    DailyReading,
    Device,
    EventCursor,
    ForgottenSender,
    Household,
    Notification,
    UsageScore,
    ZaloLinkCode,
)
from backend.services import privacy
from backend.services.conversation_events import consume
from backend.services.pii_audit import record_reveal, subject_of
from tests.backend.forget_rasa_stores import (
    RasaStores,
    action,
    bot,
    database_url,
    dump,
    needles,
    slot,
    user,
)
from tests.conftest import bearer, make_household
from tests.fakes import rasa_guard

NAME, PHONE = "Nguyễn Thị Lan", "0912345678"
SECRET_TEXT = "nhà tôi nuôi con mèo tên Mướp-7Q"  # distinctive text the household typed
ASK_DELETE = "Bạn có chắc muốn xóa toàn bộ dữ liệu không?"
CONFIRMATION = "Đã xóa toàn bộ dữ liệu của hộ gia đình bạn và lịch sử trò chuyện."


@pytest.fixture
def tracker_url(tmp_path) -> Iterator[str]:
    yield from database_url(tmp_path, "tracker")


@pytest.fixture
def broker_url(tmp_path) -> Iterator[str]:
    yield from database_url(tmp_path, "broker")


@pytest.fixture
def rasa(app, tracker_url, broker_url) -> Iterator[RasaStores]:
    stores = RasaStores.create(tracker_url, broker_url)
    app.config["RASA_TRACKER_DB_URL"] = tracker_url
    app.config["RASA_EVENTS_DB_URL"] = broker_url
    yield stores
    stores.dispose()


def key(app) -> bytes:
    return app.config["SECRET_KEY"].encode()


def run_consumer(app, rasa: RasaStores) -> int:
    """What `flask chat consume` does once; returns the messages it stored."""
    return consume(db.session(), rasa.broker, forget_key=key(app)).messages


def replay_from_zero(app, rasa: RasaStores) -> int:
    db.session.execute(update(EventCursor).values(last_id=0))
    db.session.commit()
    return run_consumer(app, rasa)


def lan(household_id: str = "hh-1", **fields) -> Household:
    """A household with something in every table keyed by it."""
    household = make_household(household_id, display_name=NAME, phone=PHONE, **fields)
    today = utc_now().date()
    db.session.add_all(
        [
            DailyReading(household_id=household_id, day=today, kwh=9.5),
            Bill(
                household_id=household_id,
                period_start=today - timedelta(days=30),
                period_end=today,
                kwh=300,
                amount=650_000,
            ),
            Device(household_id=household_id, token=f"push-{household_id}"),
            Notification(
                household_id=household_id,
                kind="usage_alert",
                dedupe_key=f"alert-{household_id}",
                title="Điện tăng",
                body=f"Chào {NAME}, điện nhà bạn tăng",
            ),
            ZaloLinkCode(
                code="123456", household_id=household_id, expires_at=utc_now() + timedelta(hours=1)
            ),
            UsageScore(
                household_id=household_id,
                day=today,
                expected_kwh=8.0,
                score=3.1,
                is_anomaly=True,
            ),
            AnomalyEpisode(
                household_id=household_id,
                start_day=today,
                last_day=today,
                expected_kwh=8.0,
                actual_kwh=9.5,
                weather_kwh=0.0,
                excess_days=1,
                explanation=f"{NAME}: máy nước nóng",
            ),
        ]
    )
    db.session.commit()
    return household


def leftovers(app, rasa: RasaStores, *values: str) -> list[str]:
    """Every place in every store where one of the values is still written."""
    db.session.commit()
    stores = {"backend": db.engine, "tracker": rasa.tracker, "broker": rasa.broker}
    found = []
    for name, engine in stores.items():
        for line in dump(engine).splitlines():
            if any(needle in line for needle in needles(*values)):
                found.append(f"{name}: {line[:300]}")
    return found


def rasa_fake(app, rasa: RasaStores, service_auth, sender: str):
    """Rasa's REST channel: stores each turn; the confirmed deletion calls the backend as the
    action server does, then the turn is saved again and a consumer runs meanwhile."""

    def handle(method: str, path: str, body):
        if urlsplit(path).path != "/webhooks/rest/webhook":
            return 404, {}
        message = body["message"]
        if message.startswith("xoá dữ liệu"):
            rasa.turn(
                sender,
                user(message, "delete_my_data"),
                action("action_prepare_deletion"),
                bot(ASK_DELETE),
                action("action_listen"),
            )
            return 200, [{"recipient_id": sender, "text": ASK_DELETE}]
        if message == "Có":
            said = user(message, "affirm")  # logged before the action runs
            with app.test_client() as backend:
                answer = backend.post(
                    f"/api/v1/service/households/{sender}/deletion", headers=service_auth
                )
            assert answer.status_code == 202, answer.get_data(as_text=True)
            rasa.turn(
                sender,
                said,
                action("action_apply_change"),
                bot(CONFIRMATION),
                action("action_listen"),
            )
            with app.app_context():  # `flask chat consume --follow` reads before the proxy returns
                events.append(consume(db.session(), rasa.broker, forget_key=key(app)).events)
            return 200, [{"recipient_id": sender, "text": CONFIRMATION}]
        rasa.turn(
            sender,
            user(message, "inform"),
            slot("display_name", NAME),
            slot("phone", PHONE),
            action("utter_noted"),
            bot(f"Cảm ơn {NAME}, tôi đã ghi nhận số {PHONE}.", "utter_noted"),
            action("action_listen"),
        )
        return 200, [{"recipient_id": sender, "text": f"Cảm ơn {NAME}"}]

    events: list[int] = []
    return handle, events


def test_deleting_through_the_chat_leaves_nothing_in_any_store(
    app, client, rasa, fake_server, service_auth, caplog
):
    caplog.set_level(logging.DEBUG)
    lan("hh-1")
    make_household("hh-2", display_name="Nhà anh Minh")
    record_reveal(db.session(), "hh-1", "binh", f"khách {NAME} gọi tổng đài")
    rasa.turn("hh-2", user("giá điện bậc 1", "ask_tariff"), bot("1.893 đ/kWh"))
    handle, consumer_runs = rasa_fake(app, rasa, service_auth, "hh-1")
    app.config["RASA_URL"] = fake_server(handle, rasa_guard(app.config["RASA_AUTH_TOKEN"])).url
    auth = bearer(db.session.get(Household, "hh-1"))

    assert (
        client.post("/api/v1/chat", headers=auth, json={"message": SECRET_TEXT}).status_code == 200
    )
    assert client.post(
        "/api/v1/chat", headers=auth, json={"message": "xoá dữ liệu của tôi"}
    ).get_json() == {"messages": [{"text": ASK_DELETE}]}
    assert run_consumer(app, rasa) > 0  # the staff console has the conversation
    assert db.session.get(Conversation, "hh-1").message_count == 4
    tracker_before = rasa.count(rasa.tracker, "hh-1")
    where = {line.split(":")[0] for line in leftovers(app, rasa, SECRET_TEXT)}
    assert where == {"backend", "tracker", "broker"}  # the search finds what is there

    answer = client.post("/api/v1/chat", headers=auth, json={"message": "Có"})

    assert answer.status_code == 200
    assert answer.get_json() == {"messages": [{"text": CONFIRMATION}]}  # the household reads it
    assert consumer_runs and consumer_runs[0] > tracker_before  # the session was published again
    assert leftovers(app, rasa, "hh-1", SECRET_TEXT, NAME, PHONE, CONFIRMATION) == []
    assert run_consumer(app, rasa) == 0
    assert replay_from_zero(app, rasa) == 0
    assert db.session.scalar(select(Conversation.sender_id)) == "hh-2"  # others are kept
    assert rasa.count(rasa.tracker, "hh-2") and rasa.count(rasa.broker, "hh-2")
    assert not [r for r in caplog.records if any(n in r.getMessage() for n in needles(SECRET_TEXT))]
    assert client.post("/api/v1/chat", headers=auth, json={"message": "Có"}).status_code == 401


def test_a_zalo_deletion_is_purged_by_the_job_and_a_later_conversation_is_kept(
    app, client, rasa, service_auth
):
    lan("hh-1", zalo_user_id="8123")
    sender = "zalo-8123"
    rasa.turn(sender, user(SECRET_TEXT, "inform"), slot("phone", PHONE), bot(f"Chào {NAME}"))
    rasa.turn(sender, user("xoá dữ liệu của tôi", "delete_my_data"), bot(ASK_DELETE))
    assert run_consumer(app, rasa) == 4
    said = user("Có", "affirm")
    answer = client.post("/api/v1/service/households/hh-1/deletion", headers=service_auth)
    assert answer.status_code == 202 and answer.get_json()["deleted"]["broker_events"] > 0
    assert leftovers(app, rasa, sender, SECRET_TEXT) == []
    # Rasa saves the turn after the action returned: the session goes back to both stores
    rasa.turn(sender, said, action("action_apply_change"), bot(CONFIRMATION))
    assert rasa.count(rasa.tracker, sender) > 0 and rasa.count(rasa.broker, sender) > 0
    assert run_consumer(app, rasa) == 0  # the consumer skips the tombstoned sender...
    assert rasa.count(rasa.broker, sender) == 0  # ...and purges its events from the broker

    counts = privacy.purge_forgotten(
        db.session(), stores=privacy.Stores.from_config(app.config), now=utc_now()
    )

    assert counts["tracker_events"] > 0
    assert leftovers(app, rasa, sender, "8123", SECRET_TEXT, NAME, PHONE, CONFIRMATION) == []
    assert replay_from_zero(app, rasa) == 0
    tombstone = db.session.scalars(select(ForgottenSender)).all()
    assert len(tombstone) == 2 and all(t.settled_at is None for t in tombstone)

    # days later the same Zalo user writes again: a new conversation, kept everywhere
    later = time.time() + 3 * 86400
    rasa.sessions.clear()
    rasa.turn(sender, user("giá điện hôm nay", "ask_tariff", at=later), bot("1.893 đ", at=later))
    privacy.purge_forgotten(
        db.session(),
        stores=privacy.Stores.from_config(app.config),
        now=utc_now() + timedelta(days=3),
    )
    assert run_consumer(app, rasa) == 2
    assert [m.text for m in db.session.scalars(select(ChatMessage))] == [
        "giá điện hôm nay",
        "1.893 đ",
    ]
    assert rasa.count(rasa.tracker, sender) > 0
    assert all(t.settled_at for t in db.session.scalars(select(ForgottenSender)))


def test_delete_me_leaves_nothing_and_a_replay_brings_nothing_back(app, client, rasa):
    lan("hh-1")
    rasa.turn("hh-1", user(SECRET_TEXT, "inform"), slot("phone", PHONE), bot(f"Chào {NAME}"))
    rasa.turn("hh-2", user("giá điện bậc 1", "ask_tariff"), bot("1.893 đ/kWh"))
    assert run_consumer(app, rasa) == 4
    record_reveal(db.session(), "hh-1", "binh", f"khách {NAME} gọi tổng đài")

    response = client.delete("/api/v1/me", headers=bearer(db.session.get(Household, "hh-1")))

    assert response.status_code == 200
    deleted = response.get_json()["deleted"]
    assert deleted["tracker_events"] == 6 and deleted["broker_events"] == 6
    assert leftovers(app, rasa, "hh-1", SECRET_TEXT, NAME, PHONE) == []
    assert replay_from_zero(app, rasa) == 0  # hh-2's messages are stored already
    assert db.session.scalar(select(ChatMessage.sender_id).distinct()) == "hh-2"
    assert db.session.query(ChatMessage).count() == 2
    # the broker's ids are not handed out again (SQLite reuses the ids of deleted last rows):
    # what another household says next is above the cursor, and stored
    rasa.turn("hh-2", user("cảm ơn", "thank"), bot("Không có gì ạ"))
    assert run_consumer(app, rasa) == 2


def test_the_audit_records_hold_keyed_hashes_only(app, client, rasa):
    lan("hh-1")
    record_reveal(db.session(), "hh-1", "binh", f"khách {NAME} gọi tổng đài")
    client.delete("/api/v1/me", headers=bearer(db.session.get(Household, "hh-1")))

    deletion = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "household_deleted")
    ).one()
    reveal = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "pii_revealed")
    ).one()
    unsalted = hashlib.sha256(b"hh-1").hexdigest()
    assert unsalted[:16] not in deletion.subject and deletion.subject != subject_of("hh-1")
    keyed = hmac.new(key(app), b"household\x00hh-1", hashlib.sha256).hexdigest()[:32]
    assert deletion.subject == keyed  # recomputable only with the key
    assert deletion.details["readings"] == 1 and deletion.details["notifications"] == 1
    # the reveal keeps who and when, not whom nor the reason's text
    assert reveal.actor == "binh" and reveal.subject == deletion.subject
    assert NAME not in str(reveal.details)
    tombstones = set(db.session.scalars(select(ForgottenSender.subject)))
    assert tombstones == {privacy.tombstone_of(key(app), "hh-1")}
    assert not any(unsalted.startswith(t[:16]) for t in tombstones)


def test_without_rasa_stores_deletion_still_works(app, client):
    """`make run` before Rasa wrote anything: no tracker or broker file yet (none is created)."""
    lan("hh-1")
    app.config["RASA_TRACKER_DB_URL"] = "sqlite:////nonexistent/forget/tracker.db"
    response = client.delete("/api/v1/me", headers=bearer(db.session.get(Household, "hh-1")))
    assert response.status_code == 200
    assert response.get_json()["deleted"]["tracker_events"] == 0
    assert db.session.get(Household, "hh-1") is None


def test_the_purge_is_a_no_op_without_pending_deletions(app, rasa):
    rasa.turn("hh-2", user("xin chào", "greet"))
    stores = privacy.Stores.from_config(app.config)
    assert privacy.purge_forgotten(db.session(), stores=stores, now=utc_now()) == {
        "tracker_events": 0,
        "broker_events": 0,
        "messages": 0,
    }
    assert rasa.count(rasa.tracker, "hh-2") == 4


def test_a_tombstone_never_covers_another_sender(app):
    tombstone = privacy.tombstone_of(b"k", "hh-1")
    db.session.add(
        ForgottenSender(
            subject=tombstone,
            covers_until=datetime(2030, 1, 1),
            tracker_after=0,
            events_after=0,
        )
    )
    db.session.commit()
    forgotten = privacy.Forgotten(db.session(), b"k")
    assert forgotten.covers("hh-1", '{"timestamp": 1}')
    assert not forgotten.covers("hh-10", '{"timestamp": 1}')
    assert not privacy.Forgotten(db.session(), b"other key").covers("hh-1", '{"timestamp": 1}')
    later = datetime(2031, 1, 1).timestamp()
    assert not forgotten.covers("hh-1", f'{{"timestamp": {later}}}')
    with db.engine.connect() as connection:
        assert "hh-1" not in str(connection.execute(text("SELECT * FROM forgotten_senders")).all())


def test_flask_chat_consume_skips_and_purges_deleted_senders(app, client, rasa):
    lan("hh-1")
    client.delete("/api/v1/me", headers=bearer(db.session.get(Household, "hh-1")))
    rasa.turn("hh-1", user(SECRET_TEXT, "inform"), bot(CONFIRMATION))  # written back late
    rasa.turn("hh-2", user("giá điện bậc 1", "ask_tariff"), bot("1.893 đ/kWh"))

    result = app.test_cli_runner().invoke(args=["chat", "consume"])

    assert result.exit_code == 0, result.output
    assert "stored 2 messages" in result.output  # hh-2's; hh-1's skipped
    assert rasa.count(rasa.broker, "hh-1") == 0
    left = leftovers(app, rasa, SECRET_TEXT, CONFIRMATION)
    assert left and all(line.startswith("tracker") for line in left)  # for the purge job
