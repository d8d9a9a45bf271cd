"""Notifications through Zalo: the real OA client against a fake Zalo on loopback."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from backend.extensions import db
from backend.models import Device, Notification, NotificationDelivery
from notifications.delivery import deliver_due
from notifications.outbox import enqueue
from notifications.zalo_channel import ZaloChannel, zns_phone
from tests.conftest import make_household
from tests.fakes import fake_server  # noqa: F401  (fixture)
from zalo.oa import OaClient
from zalo.tokens import TokenStore

NOON_VN = (datetime.utcnow() + timedelta(days=1)).replace(hour=5, minute=0, second=0, microsecond=0)
CS, ZNS = "/v3.0/oa/message/cs", "/message/template"
OUTAGE_DATA = {
    "outage_id": 3,
    "version": 1,
    "area": "Phường Hoàn Kiếm",
    "start": "08:00 27/11/2026",
    "end": "12:00 27/11/2026",
    "reason": "Bảo dưỡng lưới điện",
    "cancelled": False,
    "urgent": False,
}


def answers(*replies: dict[str, Any]):
    """A fake Zalo handler giving `replies` in turn to sends (then success), logging each path."""
    queue = list(replies)

    def handle(method: str, path: str, body: Any) -> tuple[int, Any]:
        if queue:
            return 200, queue.pop(0)
        return 200, {"error": 0, "message": "Success", "data": {"message_id": f"z-{path[-2:]}"}}

    return handle


@pytest.fixture
def zalo(app, fake_server, tmp_path):  # noqa: F811
    def start(*replies: dict[str, Any], templates: dict[str, str] | None = None):
        server = fake_server(answers(*replies))
        store = TokenStore(tmp_path / "zalo_tokens.json")
        store.write({"access_token": "fresh", "refresh_token": "once", "expires_at": 0})
        client = OaClient(server.url, server.url, server.url, "app-1", "secret", store, timeout=2)
        return server, ZaloChannel(
            client, {"outage": "tpl-outage"} if templates is None else templates
        )

    return start


def zalo_home(household_id="hh-z", last_message: timedelta | None = None, **fields):
    defaults = {
        "zalo_user_id": f"u-{household_id}",
        "channel_zalo": True,
        "channel_push": False,
        "phone": "0912345678",
        "zalo_last_message_at": NOON_VN - last_message if last_message is not None else None,
    }
    household = make_household(household_id, **{**defaults, **fields})
    household.quiet_start = household.quiet_end  # no quiet hours in these tests
    db.session.commit()
    return household


def outage_notice(household) -> Notification:
    row = enqueue(
        db.session,
        household,
        "outage",
        f"outage:3:{household.id}:v1",
        "Lịch cắt điện",
        "Cắt điện 8:00–12:00 thứ Sáu 27/11 tại Phường Hoàn Kiếm.",
        OUTAGE_DATA,
    )
    assert row is not None
    return row


def deliveries(row) -> dict[str, NotificationDelivery]:
    return {
        d.channel: d
        for d in db.session.query(NotificationDelivery).filter_by(notification_id=row.id)
    }


def test_inside_the_reply_window_an_oa_message_is_sent(zalo):
    server, channel = zalo()
    row = outage_notice(zalo_home(last_message=timedelta(hours=47)))
    assert deliver_due(db.session, None, now=NOON_VN, zalo=channel).sent == 1
    _, path, body, _ = server.calls[0]
    assert path == CS and body["recipient"] == {"user_id": "u-hh-z"}
    assert body["message"]["text"].startswith("Lịch cắt điện\nCắt điện 8:00–12:00")
    db.session.refresh(row)
    assert (row.status, row.channel, row.provider_message_id) == ("sent", "zalo", "z-cs")
    assert deliveries(row)["zalo"].via == "cs"


@pytest.mark.parametrize(
    ("last_message", "first_reply"),
    [
        (timedelta(hours=49), None),  # outside the window: straight to ZNS
        (timedelta(hours=2), {"error": -230, "message": "User has not interacted in 7 days"}),
    ],
)
def test_outside_the_window_a_zns_template_goes_to_the_phone(zalo, last_message, first_reply):
    server, channel = zalo(*([first_reply] if first_reply else []))
    row = outage_notice(zalo_home(last_message=last_message))
    assert deliver_due(db.session, None, now=NOON_VN, zalo=channel).sent == 1
    _, path, body, _ = server.calls[-1]
    assert path == ZNS
    assert body["phone"] == "84912345678" and body["template_id"] == "tpl-outage"
    assert body["tracking_id"] == f"notification-{row.id}"
    assert body["template_data"] == {
        "title": "Lịch cắt điện",
        "content": row.body,
        "area": "Phường Hoàn Kiếm",
        "start": "08:00 27/11/2026",
        "end": "12:00 27/11/2026",
        "reason": "Bảo dưỡng lưới điện",
        "status": "Lịch mới",
    }
    db.session.refresh(row)
    assert row.status == "sent" and deliveries(row)["zalo"].via == "zns"


@pytest.mark.parametrize(
    ("templates", "phone", "reason"),
    [({}, "0912345678", "no ZNS template for outage"), (None, None, "no phone number")],
)
def test_outside_the_window_without_template_or_phone_nothing_goes_to_zalo(
    zalo, templates, phone, reason
):
    server, channel = zalo(templates=templates)
    row = outage_notice(zalo_home(phone=phone))
    deliver_due(db.session, None, now=NOON_VN, zalo=channel)
    assert server.calls == []
    db.session.refresh(row)
    assert row.status == "skipped" and reason in row.last_error
    assert deliveries(row)["zalo"].status == "skipped"


@pytest.mark.parametrize(
    ("reply", "at_least"),
    [
        ({"error": -100, "message": "Unknown error"}, timedelta(seconds=29)),
        ({"error": -224, "message": "Out of quota"}, timedelta(seconds=59)),
    ],
)
def test_a_zalo_error_is_retried_later_and_nothing_is_lost(zalo, reply, at_least):
    server, channel = zalo(reply)
    row = outage_notice(zalo_home(last_message=timedelta(hours=1)))
    before = datetime.utcnow()
    assert deliver_due(db.session, None, now=NOON_VN, zalo=channel).retried == 1
    db.session.refresh(row)
    assert row.status == "pending" and row.next_attempt_at >= before + at_least
    assert reply["message"] in row.last_error
    later = row.next_attempt_at + timedelta(seconds=1)
    assert deliver_due(db.session, None, now=later, zalo=channel).sent == 1
    db.session.refresh(row)
    assert row.status == "sent" and len(server.calls) == 2


def test_an_unreachable_zalo_is_retried(app, tmp_path):
    store = TokenStore(tmp_path / "zalo_tokens.json")
    client = OaClient("http://127.0.0.1:9", "", "", "app-1", "secret", store, timeout=2)
    row = outage_notice(zalo_home(last_message=timedelta(hours=1)))
    report = deliver_due(db.session, None, now=NOON_VN, zalo=ZaloChannel(client, {}))
    assert report.retried == 1
    db.session.refresh(row)
    assert row.status == "pending" and "ZaloError 0" in row.last_error


def test_a_refused_message_is_recorded_not_retried(zalo):
    _, channel = zalo({"error": -203, "message": "Invalid parameter"})
    row = outage_notice(zalo_home(last_message=timedelta(hours=1)))
    assert deliver_due(db.session, None, now=NOON_VN, zalo=channel).failed == 1
    db.session.refresh(row)
    assert row.status == "failed" and "-203" in row.last_error


def test_both_push_and_zalo_and_a_zalo_retry_never_resends_the_push(zalo, fake_fcm):
    fcm_app, fcm = fake_fcm
    server, channel = zalo({"error": -100, "message": "Unknown error"})
    household = zalo_home(last_message=timedelta(hours=1), channel_push=True)
    db.session.add(Device(household_id=household.id, token="good-token-z"))
    db.session.commit()
    row = outage_notice(household)
    assert deliver_due(db.session, fcm_app, now=NOON_VN, zalo=channel).retried == 1
    db.session.refresh(row)
    assert row.status == "pending" and len(fcm.sent) == 1
    assert {c: d.status for c, d in deliveries(row).items()} == {"push": "sent", "zalo": "retry"}
    later = row.next_attempt_at + timedelta(seconds=1)
    assert deliver_due(db.session, fcm_app, now=later, zalo=channel).sent == 1
    db.session.refresh(row)
    assert (row.status, row.channel) == ("sent", "push+zalo")
    assert len(fcm.sent) == 1 and [c[1] for c in server.calls] == [CS, CS]
    assert {c: d.via for c, d in deliveries(row).items()} == {"push": "fcm", "zalo": "cs"}


def test_zalo_without_an_oa_app_goes_to_the_log_channel(app):
    row = outage_notice(zalo_home(last_message=timedelta(hours=1)))
    assert deliver_due(db.session, None, now=NOON_VN).sent == 1
    db.session.refresh(row)
    assert (row.status, row.channel) == ("sent", "log")


def test_a_household_with_no_usable_channel_is_skipped_with_the_reasons(app):
    household = zalo_home(channel_zalo=False)
    row = outage_notice(household)
    deliver_due(db.session, None, now=NOON_VN)
    db.session.refresh(row)
    assert row.status == "skipped"
    assert "push: turned off" in row.last_error and "zalo: turned off" in row.last_error


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("0912345678", "84912345678"),
        ("+84912345678", "84912345678"),
        ("84912345678", "84912345678"),
    ],
)
def test_zns_phone_numbers(phone, expected):
    assert zns_phone(phone) == expected


def test_after_the_last_attempt_the_row_and_its_channel_are_failed(zalo):
    from notifications.outbox import MAX_ATTEMPTS

    _, channel = zalo(*[{"error": -100, "message": "Unknown error"}] * MAX_ATTEMPTS)
    row = outage_notice(zalo_home(last_message=timedelta(hours=1)))
    now = NOON_VN
    for _ in range(MAX_ATTEMPTS):
        deliver_due(db.session, None, now=now, zalo=channel)
        now += timedelta(days=1)
    db.session.refresh(row)
    assert row.status == "failed" and "gave up after 8 attempts" in row.last_error
    assert deliveries(row)["zalo"].status == "failed"
