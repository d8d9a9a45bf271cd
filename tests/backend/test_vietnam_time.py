"""The product at 00:30 and 23:30 in Việt Nam while its servers run in UTC (UTC+7 ahead of them).

Each test runs the whole product (views, services, database) on a frozen clock; at 00:30 in Việt
Nam the UTC date is still the day before, which is where "today" used to go wrong."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from backend.clock import ZONE, frozen, local_now, local_today, to_local, to_utc, utc_start_of
from backend.extensions import db
from backend.models import DailyReading, Outage
from tests.conftest import bearer, make_household

# 00:30 on the 1st of a month (UTC: still the last day of the previous month) and 23:30
AT_0030 = datetime(2027, 3, 1, 0, 30, tzinfo=ZONE)
AT_2330 = datetime(2027, 2, 28, 23, 30, tzinfo=ZONE)
MOMENTS = pytest.mark.parametrize("moment", [AT_0030, AT_2330], ids=["00:30", "23:30"])


@pytest.fixture
def at(request, app) -> Iterator[datetime]:
    """The product's clock frozen at the test's `moment`; yields that moment in Việt Nam time."""
    with frozen(request.getfixturevalue("moment")):
        yield local_now()


def test_the_clock_module_converts_between_stored_utc_and_vietnam_time():
    assert to_local(datetime(2027, 2, 28, 17, 30)) == datetime(2027, 3, 1, 0, 30)
    assert to_utc(datetime(2027, 3, 1, 0, 30)) == datetime(2027, 2, 28, 17, 30)
    assert utc_start_of(AT_0030.date()) == datetime(2027, 2, 28, 17, 0)
    assert local_today(datetime(2027, 2, 28, 17, 30)) == AT_0030.date()
    with frozen(AT_0030) as now:
        assert now == datetime(2027, 2, 28, 17, 30)  # stored instants are naive UTC
        assert local_today() == AT_0030.date()


def post_reading(client, household, day):
    return client.post(
        "/api/v1/me/readings",
        headers=bearer(household),
        json={"readings": [{"date": day.isoformat(), "kwh": 7.5}]},
    )


def post_app_index(client, household, day):
    return client.post(
        "/api/v1/me/meter-index",
        headers=bearer(household),
        json={"reading": 1200, "read_on": day.isoformat()},
    )


def post_bot_index(client, household, day):
    return client.post(
        f"/api/v1/service/households/{household.id}/meter-index",
        headers={"Authorization": f"Bearer {client.application.config['SERVICE_TOKEN']}"},
        json={"reading": 1200, "read_on": day.isoformat()},
    )


@MOMENTS
@pytest.mark.parametrize(
    ("post", "field"),
    [
        (post_reading, "readings.0.date"),
        (post_app_index, "read_on"),
        (post_bot_index, "read_on"),
    ],
    ids=["daily reading", "meter index (app)", "meter index (bot)"],
)
def test_a_reading_dated_today_in_vietnam_is_accepted(client, household, at, moment, post, field):
    accepted = post(client, household, at.date())
    assert accepted.status_code in (200, 201), accepted.get_json()
    refused = post(client, household, at.date() + timedelta(days=1))
    assert refused.status_code == 422
    assert field in str(refused.get_json())


@MOMENTS
def test_a_meter_index_without_a_date_is_dated_today_in_vietnam(client, household, at, moment):
    body = client.post(
        "/api/v1/me/meter-index", headers=bearer(household), json={"reading": 1200}
    ).get_json()
    assert body["read_on"] == at.date().isoformat()


def outages_listed(client, household) -> list[str]:
    response = client.get(
        f"/api/v1/service/households/{household.id}/outages",
        headers={"Authorization": f"Bearer {client.application.config['SERVICE_TOKEN']}"},
    )
    assert response.status_code == 200
    return [o["area_name"] for o in response.get_json()["outages"]]


@MOMENTS
def test_an_outage_that_ended_two_hours_ago_is_not_upcoming(client, household, at, moment):
    """Outages are stored in Việt Nam time: they are compared with Việt Nam's clock."""
    ended, later = at - timedelta(hours=2), at + timedelta(hours=2)
    db.session.add_all(
        [
            Outage(
                province_code=household.province_code,
                area_name="đã xong",
                starts_at=ended - timedelta(hours=3),
                ends_at=ended,
                reason="Bảo trì",
            ),
            Outage(
                province_code=household.province_code,
                area_name="đang cắt",
                starts_at=at - timedelta(hours=1),
                ends_at=later,
                reason="Bảo trì",
            ),
            Outage(
                province_code=household.province_code,
                area_name="sắp tới",
                starts_at=later,
                ends_at=later + timedelta(hours=4),
                reason="Bảo trì",
            ),
        ]
    )
    db.session.commit()
    assert outages_listed(client, household) == ["đang cắt", "sắp tới"]


def usage_of(client, household, via: str) -> dict:
    if via == "app":
        response = client.get("/api/v1/me/usage", headers=bearer(household))
    else:
        response = client.get(
            f"/api/v1/service/households/{household.id}/usage",
            headers={"Authorization": f"Bearer {client.application.config['SERVICE_TOKEN']}"},
        )
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize("via", ["app", "bot"])
@pytest.mark.parametrize(
    ("moment", "month"),
    [(AT_0030, ("2027-03-01", "2027-03-31")), (AT_2330, ("2027-02-01", "2027-02-28"))],
    ids=["00:30 on the 1st", "23:30 on the last day"],
)
def test_this_month_is_vietnams_month(client, app, at, moment, month, via):
    """A household whose meter is read at the end of the month: its period is the calendar
    month, and at 00:30 on the 1st in Việt Nam that is already the new month."""
    household = make_household("hh-month", reading_day=31)
    db.session.add(DailyReading(household_id=household.id, day=at.date(), kwh=9.0))
    db.session.commit()
    usage = usage_of(client, household, via)
    assert (usage["period_start"], usage["period_end"]) == month
    assert usage["kwh_so_far"] == 9.0 and usage["days_measured"] == 1


@pytest.mark.parametrize(
    ("moment", "period"),
    [
        (datetime(2027, 3, 16, 0, 30, tzinfo=ZONE), ("2027-03-16", "2027-04-15")),
        (datetime(2027, 3, 15, 23, 30, tzinfo=ZONE), ("2027-02-16", "2027-03-15")),
    ],
    ids=["00:30 after the reading day", "23:30 on the reading day"],
)
def test_this_billing_period_is_counted_in_vietnam_days(client, app, at, moment, period):
    household = make_household("hh-period", reading_day=15)
    usage = usage_of(client, household, "app")
    assert (usage["period_start"], usage["period_end"]) == period
