from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from backend.extensions import db
from backend.models import Device, Notification
from notifications.delivery import deliver_due
from notifications.outbox import enqueue, lease
from tests.conftest import make_household

TOMORROW = (datetime.utcnow() + timedelta(days=1)).replace(
    hour=0, minute=0, second=0, microsecond=0
)
NOON_VN = TOMORROW.replace(hour=5)  # 12:00 in Asia/Ho_Chi_Minh, in UTC: later than any enqueue


@pytest.fixture
def home(app):
    household = make_household("hh-n")
    household.quiet_start, household.quiet_end = time(21, 0), time(7, 0)
    db.session.commit()
    return household


def add_device(household, token):
    db.session.add(Device(household_id=household.id, token=token))
    db.session.commit()


def alert(household, key="usage-alert:1"):
    return enqueue(
        db.session,
        household,
        "usage_alert",
        key,
        "Cảnh báo dùng điện",
        "Tuần qua nhà bạn dùng cao hơn dự kiến 35%.",
    )


def test_enqueue_is_idempotent_and_respects_opt_out(home):
    first, second = alert(home), alert(home)
    assert first is not None and second is None
    assert db.session.query(Notification).count() == 1
    home.notify_usage_alerts = False
    db.session.commit()
    assert alert(home, "usage-alert:2") is None


def test_sent_through_fcm_with_vietnamese_payload(home, fake_fcm):
    app, fake = fake_fcm
    add_device(home, "good-token-1")
    row = alert(home)
    report = deliver_due(db.session, app, now=NOON_VN)
    assert report.sent == 1
    db.session.refresh(row)
    assert row.status == "sent" and row.provider_message_id.startswith("projects/")
    message = fake.sent[0]
    assert message["notification"]["title"] == "Cảnh báo dùng điện"
    assert message["android"]["notification"]["channel_id"] == "usage_alert"
    assert message["data"]["kind"] == "usage_alert"
    assert deliver_due(db.session, app, now=NOON_VN).sent == 0  # never twice


def test_dead_tokens_are_pruned_and_never_used_again(home, fake_fcm):
    app, fake = fake_fcm
    add_device(home, "dead-token-1")
    add_device(home, "good-token-2")
    row = alert(home)
    report = deliver_due(db.session, app, now=NOON_VN)
    assert report.dead_tokens == ["dead-token-1"]
    dead = db.session.query(Device).filter_by(token="dead-token-1").one()
    assert dead.dead_at is not None and dead.dead_reason == "UnregisteredError"
    db.session.refresh(row)
    assert row.status == "sent"
    alert(home, "usage-alert:2")
    deliver_due(db.session, app, now=NOON_VN)
    assert [m["token"] for m in fake.sent] == ["good-token-2", "good-token-2"]


@pytest.mark.parametrize(
    ("token", "at_least", "error"),
    [("quota-token", 59, "QuotaExceededError"), ("busy-token", 29, "UnavailableError")],
)
def test_transient_errors_retry_later_with_backoff(home, fake_fcm, token, at_least, error):
    app, _ = fake_fcm
    add_device(home, token)
    row = alert(home)
    before = datetime.utcnow()
    assert deliver_due(db.session, app, now=NOON_VN).retried == 1
    db.session.refresh(row)
    assert row.status == "pending" and row.next_attempt_at >= before + timedelta(seconds=at_least)
    assert error in row.last_error


def test_without_credentials_rows_go_to_the_log_channel(home):
    row = alert(home)
    assert deliver_due(db.session, None, now=NOON_VN).sent == 1
    db.session.refresh(row)
    assert (row.status, row.channel, row.provider_message_id) == ("sent", "log", f"log-{row.id}")


def test_quiet_hours_defer_until_morning_unless_urgent(home):
    night = TOMORROW.replace(hour=16)  # 23:00 in Việt Nam
    row = alert(home)
    assert deliver_due(db.session, None, now=night).deferred == 1
    db.session.refresh(row)
    assert row.status == "pending" and row.next_attempt_at == TOMORROW + timedelta(
        days=1
    )  # 07:00 VN
    urgent = enqueue(
        db.session,
        home,
        "outage",
        "outage:1:hh-n:v1",
        "Cắt điện",
        "Từ 6:00 sáng mai",
        {"urgent": True},
    )
    assert deliver_due(db.session, None, now=night).sent == 1
    db.session.refresh(urgent)
    assert urgent.status == "sent"


def test_an_expired_lease_is_taken_over(home):
    row = alert(home)
    assert [r.id for r in lease(db.session, NOON_VN)] == [row.id]
    assert lease(db.session, NOON_VN) == []  # leased: nobody else takes it
    later = NOON_VN + timedelta(minutes=6)  # the first worker died; its lease ran out
    assert [r.id for r in lease(db.session, later)] == [row.id]


def test_a_tuned_session_keeps_sending(home, fake_fcm):
    from firebase_admin import messaging

    from notifications.delivery import tune_fcm_session

    app, fake = fake_fcm
    add_device(home, "good-token-3")
    tune_fcm_session(app, 64)
    tune_fcm_session(app, 64)  # a second call keeps the same adapters
    session = messaging._get_messaging_service(app)._client.session
    assert min(a._pool_maxsize for a in session.adapters.values()) >= 64
    assert session.trust_env is False  # no ~/.netrc or proxy lookup per request
    alert(home)
    assert deliver_due(db.session, app, now=NOON_VN).sent == 1 and len(fake.sent) == 1


def test_sending_to_registration_tokens_warns_nothing(home, fake_fcm, recwarn):
    app, _ = fake_fcm
    add_device(home, "good-token-5")
    alert(home)
    assert deliver_due(db.session, app, now=NOON_VN).sent == 1
    assert [str(w.message) for w in recwarn if w.category is DeprecationWarning] == []


def test_a_ca_bundle_from_the_environment_is_kept(fake_fcm, monkeypatch, tmp_path):
    from firebase_admin import messaging

    from notifications.delivery import tune_fcm_session

    app, _ = fake_fcm
    bundle = tmp_path / "corporate-ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    tune_fcm_session(app, 8)
    assert messaging._get_messaging_service(app)._client.session.verify == str(bundle)


UNREACHABLE = "http://fcm.invalid/v1/projects/demo/messages:send"  # resolves only via a proxy


@pytest.mark.parametrize("through", ["none", "FCM_PROXY", "HTTP_PROXY"])
def test_fcm_proxy_is_fixed_when_the_worker_starts(home, fake_fcm, monkeypatch, through):
    """The fake FCM doubles as an HTTP proxy (it answers absolute-form requests): a message to an
    unresolvable host arrives only if it went through the configured proxy; the environment is
    read once, when the session is tuned."""
    from firebase_admin import messaging

    from notifications.delivery import tune_fcm_session

    app, fake = fake_fcm
    add_device(home, "good-token-4")
    monkeypatch.setattr(messaging._get_messaging_service(app), "_fcm_url", UNREACHABLE)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # the token endpoint stays direct
    if through == "HTTP_PROXY":
        monkeypatch.setenv("HTTP_PROXY", fake.base)
    tune_fcm_session(app, 8, proxy=fake.base if through == "FCM_PROXY" else None)
    monkeypatch.delenv("HTTP_PROXY", raising=False)  # later changes are not seen
    row = alert(home)
    report = deliver_due(db.session, app, now=NOON_VN)
    db.session.refresh(row)
    if through == "none":
        assert (report.sent, row.status, len(fake.sent)) == (0, "pending", 0)
    else:
        assert (report.sent, row.status, len(fake.sent)) == (1, "sent", 1)


def test_a_leased_row_already_in_the_session_shows_the_claim(home):
    row = alert(home)
    assert (row.status, row.attempts) == ("pending", 0)  # loaded, not expired
    (leased,) = lease(db.session, NOON_VN)
    assert leased is row
    assert (row.status, row.attempts, row.lease_until) == (
        "leased",
        1,
        NOON_VN + timedelta(minutes=5),
    )
