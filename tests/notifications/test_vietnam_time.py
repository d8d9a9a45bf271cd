"""Notifications at 00:30 and 23:30 in Việt Nam while the servers (and their jobs) run in UTC.

The commands read the product's clock, frozen here; quiet hours, outage times and weeks are
Việt Nam's."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from backend.clock import ZONE, frozen, to_utc
from backend.extensions import db
from backend.models import DailyReading, Device, Notification, Outage
from notifications.delivery import deliver_due
from notifications.outbox import enqueue, in_quiet_hours
from tests.conftest import make_household
from tests.notifications.conftest import fake_fcm  # noqa: F401  (fixture)

AT_0030 = datetime(2027, 3, 1, 0, 30, tzinfo=ZONE)  # a Monday; in UTC still Sunday 17:30
AT_2330 = datetime(2027, 2, 28, 23, 30, tzinfo=ZONE)  # a Sunday
NOON = datetime(2027, 3, 1, 12, 0, tzinfo=ZONE)


@pytest.fixture
def home(app):
    household = make_household("hh-vn")
    household.quiet_start, household.quiet_end = time(21, 0), time(7, 0)
    db.session.commit()
    return household


def alert(household) -> Notification:
    row = enqueue(db.session, household, "usage_alert", "usage-alert:vn", "Cảnh báo", "Tuần qua…")
    assert row is not None
    return row


@pytest.mark.parametrize(
    ("moment", "morning"),
    [(AT_0030, datetime(2027, 3, 1, 7, 0)), (AT_2330, datetime(2027, 3, 1, 7, 0))],
    ids=["00:30", "23:30"],
)
def test_quiet_hours_are_vietnams_night(app, home, moment, morning):
    """`flask notify send` at night in Việt Nam (afternoon in UTC) defers to 07:00 there."""
    with frozen(moment) as now:
        row = alert(home)
        result = app.test_cli_runner().invoke(args=["notify", "send"])
        assert "deferred for quiet hours 1" in result.output, result.output
        db.session.refresh(row)
        assert row.status == "pending" and row.next_attempt_at == to_utc(morning)
        assert in_quiet_hours(home, now) == to_utc(morning)


def test_at_noon_in_vietnam_nothing_is_deferred(app, home):
    """05:00 in UTC would be the night for a server that took its own clock as the household's."""
    with frozen(NOON) as now:
        row = alert(home)
        result = app.test_cli_runner().invoke(args=["notify", "send"])
        assert "sent 1" in result.output, result.output
        db.session.refresh(row)
        assert row.status == "sent" and row.sent_at == now
        assert in_quiet_hours(home, now) is None


def test_a_retry_is_scheduled_from_the_passs_clock(home, fake_fcm):  # noqa: F811
    """`retry_later` takes `now` like `deliver_due`: the backoff counts from the pass's time,
    not from whatever the wall clock says."""
    fcm, _ = fake_fcm
    db.session.add(Device(household_id=home.id, token="busy-token"))
    db.session.commit()
    row = alert(home)
    now = to_utc(NOON.replace(tzinfo=None))
    assert deliver_due(db.session, fcm, now=now).retried == 1
    db.session.refresh(row)
    assert timedelta(seconds=29) <= row.next_attempt_at - now <= timedelta(minutes=5)


@pytest.mark.parametrize("moment", [AT_0030, AT_2330], ids=["00:30", "23:30"])
def test_no_notice_for_an_outage_that_ended_two_hours_ago(app, home, moment):
    local = moment.replace(tzinfo=None)  # outages are given and stored in Việt Nam time
    for name, start, end in (
        ("đã xong", local - timedelta(hours=5), local - timedelta(hours=2)),
        ("sắp tới", local + timedelta(hours=1), local + timedelta(hours=2)),
    ):
        db.session.add(
            Outage(province_code=home.province_code, area_name=name, starts_at=start, ends_at=end)
        )
    db.session.commit()
    with frozen(moment):
        result = app.test_cli_runner().invoke(args=["notify", "outages"])
    assert "queued 1 outage notices" in result.output, result.output
    notice = db.session.query(Notification).filter_by(kind="outage").one()
    assert notice.data["area"] == "sắp tới" and notice.data["urgent"] is True


@pytest.mark.parametrize(
    ("moment", "week"), [(AT_0030, "2027-W09"), (AT_2330, "2027-W08")], ids=["00:30", "23:30"]
)
def test_the_weekly_tip_is_for_vietnams_week(app, home, moment, week):
    """At 00:30 on Monday in Việt Nam (Sunday in UTC) the tip is the new week's."""
    today = moment.date()
    db.session.add_all(
        DailyReading(household_id=home.id, day=today - timedelta(days=d), kwh=8.0)
        for d in range(1, 8)
    )
    db.session.commit()
    with frozen(moment):
        result = app.test_cli_runner().invoke(args=["notify", "weekly"])
    assert "queued 1 weekly tips" in result.output, result.output
    tip = db.session.query(Notification).filter_by(kind="weekly_tip").one()
    assert tip.dedupe_key == f"weekly-tip:{home.id}:{week}"
