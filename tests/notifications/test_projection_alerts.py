"""Projected-bill alerts through the outbox: the budget crossed, a higher tier ahead; once per
period and kind, again only when the projection worsens materially; opt-outs and quiet hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from backend.clock import frozen
from backend.extensions import db
from backend.models import (
    DailyReading,
    Device,
    Notification,
    ProjectionAlert,
    WeatherForecast,
    WeatherObservation,
)
from backend.services.budgets import set_budget
from backend.services.projection import trained_consumption
from ml.api import save_model
from ml.model import UnusualUsageModel
from notifications.delivery import deliver_due
from notifications.projection import alert_projections
from notifications.weekly import enqueue_weekly_tips
from tests.backend.test_budget_projection import add_days, cool_then_hot_history, hot_forecast
from tests.conftest import make_household

TODAY = date(2025, 7, 25)  # period 16/7–15/8 for reading day 15
NOON = datetime(2025, 7, 25, 5, 0)  # 12:00 in Việt Nam, naive UTC
NIGHT = datetime(2025, 7, 25, 16, 0)  # 23:00 in Việt Nam


def readings(household_id: str, kwh: float, first: date, last: date) -> None:
    day = first
    while day <= last:
        db.session.merge(DailyReading(household_id=household_id, day=day, kwh=kwh))
        day += timedelta(days=1)
    db.session.commit()


def notices(kind: str | None = None) -> list[Notification]:
    query = db.session.query(Notification).order_by(Notification.id)
    return query.filter_by(kind=kind).all() if kind else query.all()


def test_budget_alert_once_then_again_only_when_materially_worse(app):
    home = make_household("hh-b", appliances={"air_conditioner": {"count": 2}})
    readings("hh-b", 10.0, TODAY - timedelta(days=120), TODAY)
    set_budget(db.session, home, amount=600_000)
    summary = alert_projections(db.session, today=TODAY, now=NOON)
    assert summary.budget_alerts == 1
    (notice,) = notices("budget_alert")
    assert notice.title == "Tiền điện kỳ này có thể vượt hạn mức"
    body = notice.body
    assert "Còn 21 ngày nữa là đến ngày chốt chỉ số (15/8)" in body
    assert "600.000 đ" in body and "nhiều khả năng từ" in body
    assert "Mỗi ngày dùng dưới" in body and "kWh thì vẫn dưới 600.000 đ" in body
    assert "điều hòa" in body  # the action for this home: its air conditioners in July
    # the next night, the same projection: nothing new
    assert (
        alert_projections(db.session, today=TODAY + timedelta(days=1), now=NOON).budget_alerts == 0
    )
    # a little worse: still nothing
    readings("hh-b", 11.0, TODAY + timedelta(days=1), TODAY + timedelta(days=1))
    assert (
        alert_projections(db.session, today=TODAY + timedelta(days=1), now=NOON).budget_alerts == 0
    )
    # much worse (a heat wave at home): a second alert with its own key
    readings("hh-b", 25.0, TODAY - timedelta(days=8), TODAY + timedelta(days=2))
    assert (
        alert_projections(db.session, today=TODAY + timedelta(days=2), now=NOON).budget_alerts == 1
    )
    assert [n.dedupe_key for n in notices("budget_alert")] == [
        "budget:hh-b:2025-07-16:1",
        "budget:hh-b:2025-07-16:2",
    ]
    state = db.session.get(ProjectionAlert, ("hh-b", date(2025, 7, 16), "budget"))
    assert state.count == 2


def test_no_budget_alert_while_within_budget_or_without_one(app):
    home = make_household("hh-ok")
    readings("hh-ok", 5.0, TODAY - timedelta(days=60), TODAY)
    make_household("hh-none")
    readings("hh-none", 30.0, TODAY - timedelta(days=60), TODAY)
    set_budget(db.session, home, amount=800_000)
    assert alert_projections(db.session, today=TODAY, now=NOON).budget_alerts == 0
    assert notices("budget_alert") == []


def test_kwh_budget_alert_says_the_limit_in_kwh(app):
    home = make_household("hh-k", appliances={})
    readings("hh-k", 12.0, TODAY - timedelta(days=60), TODAY)
    set_budget(db.session, home, kwh=250)
    alert_projections(db.session, today=TODAY, now=NOON)
    (notice,) = notices("budget_alert")
    assert "vượt hạn mức 250 kWh" in notice.body
    assert "kWh thì vẫn dưới 250 kWh" in notice.body


def test_a_budget_already_used_up_is_said_so_not_near(app):
    home = make_household("hh-u", appliances={})
    readings("hh-u", 12.0, TODAY - timedelta(days=60), TODAY)  # 120 kWh used by the 25th
    set_budget(db.session, home, kwh=100)
    alert_projections(db.session, today=TODAY, now=NOON)
    (notice,) = notices("budget_alert")
    assert "Số điện đã dùng kỳ này (120 kWh) đã vượt 100 kWh" in notice.body
    assert "gần chạm" not in notice.body and "Mỗi ngày dùng dưới" not in notice.body


def test_tier_alert_from_tier_4_up_with_the_tier_price(app):
    make_household("hh-t")
    # 40 kWh a day: 400 kWh after 10 days (tier 5), about 1,240 kWh by the end (tier 6)
    readings("hh-t", 13.0, TODAY - timedelta(days=60), TODAY)  # ≈ 403 kWh: tier 5 ahead
    summary = alert_projections(db.session, today=TODAY, now=NOON)
    assert summary.tier_alerts == 1
    (notice,) = notices("tier_alert")
    assert "sẽ sang bậc 6" in notice.body or "sẽ sang bậc 5" in notice.body
    assert "3.350 đ" in notice.body or "3.460 đ" in notice.body
    assert alert_projections(db.session, today=TODAY, now=NOON).tier_alerts == 0


def test_no_tier_alert_below_tier_5_or_on_a_prepaid_meter(app):
    make_household("hh-low")
    readings("hh-low", 8.0, TODAY - timedelta(days=60), TODAY)  # ≈ 250 kWh: tier 4
    make_household("hh-pre", meter_kind="prepaid")
    readings("hh-pre", 20.0, TODAY - timedelta(days=60), TODAY)
    assert alert_projections(db.session, today=TODAY, now=NOON).tier_alerts == 0


def test_opted_out_households_get_nothing_and_quiet_hours_hold_the_rest(app):
    quiet = make_household("hh-q")
    quiet.quiet_start, quiet.quiet_end = time(21, 0), time(7, 0)
    out = make_household("hh-out", notify_usage_alerts=False)
    for home in (quiet, out):
        readings(home.id, 15.0, TODAY - timedelta(days=60), TODAY)
        set_budget(db.session, home, amount=400_000)
    db.session.add(Device(household_id="hh-q", token="good-token-q"))
    db.session.commit()
    with frozen(NIGHT):  # the outbox stamps rows with the product's clock
        alert_projections(db.session, today=TODAY, now=NIGHT)
    assert [n.household_id for n in notices("budget_alert")] == ["hh-q"]
    assert {n.household_id for n in notices()} == {"hh-q"}  # the tier alert too, not hh-out's
    report = deliver_due(db.session, None, now=NIGHT)
    assert report.sent == 0 and report.deferred == len(notices())
    for notice in notices():  # 07:00 in Việt Nam
        assert notice.status == "pending" and notice.next_attempt_at == datetime(2025, 7, 26, 0, 0)


def test_the_weekly_tip_speaks_of_the_forecast_heat_when_there_is_one(app):
    monday = date(2026, 1, 12)  # January in Hà Nội: the normals are cool
    make_household("hh-w", appliances={"air_conditioner": {"count": 1}})
    make_household("hh-w2", province_code=79, appliances={"air_conditioner": {"count": 1}})
    for home in ("hh-w", "hh-w2"):
        readings(home, 9.0, monday - timedelta(days=14), monday - timedelta(days=1))
    fetched = datetime(2026, 1, 12, 0, 0)
    for d in range(7):  # an (imagined) January heat wave in Hà Nội only
        db.session.add(
            WeatherForecast(
                province_code=1,
                day=monday + timedelta(days=d),
                mean_temp_c=31.0,
                fetched_at=fetched,
            )
        )
    db.session.commit()
    assert enqueue_weekly_tips(db.session, today=monday) == 2
    tips = {n.household_id: n.body for n in notices("weekly_tip")}
    assert "Theo dự báo thời tiết" in tips["hh-w"] and "31 °C" in tips["hh-w"]
    assert "dự báo" not in tips["hh-w2"]  # no forecast for TP.HCM: the normals speak


def test_the_trained_model_warns_of_forecast_heat_the_light_fit_cannot_see(app, tmp_path):
    """The last 180 days were cool; last summer showed 2 kWh per °C above 24 °C. Under a 34 °C
    forecast only the trained model sees the budget crossed."""
    today = date(2025, 6, 5)  # period 16/5–15/6, 10 days left
    home = make_household("hh-1", notify_usage_alerts=True)
    frame, temps = cool_then_hot_history(today)
    for day, temp in temps.items():
        db.session.add(WeatherObservation(province_code=1, day=day, avg_temp_c=temp))
    db.session.commit()
    add_days("hh-1", today - timedelta(days=179), today, lambda d: 8 + 2 * max(temps[d] - 24, 0))
    hot_forecast(today, date(2025, 6, 15), 34.0)
    # 20 days × 8 kWh so far; the light fit expects 8 more a day (240), the trained model 28 (440)
    set_budget(db.session, home, kwh=320)
    noon = datetime.combine(today, time(5))
    assert alert_projections(db.session, today=today, now=noon).budget_alerts == 0
    path = tmp_path / "anomaly.skops"
    save_model(UnusualUsageModel().fit(frame), path)
    model = trained_consumption(path)
    summary = alert_projections(db.session, today=today, now=noon, model=model)
    assert summary.budget_alerts == 1
    (notice,) = notices("budget_alert")
    assert "thời tiết dự báo" in notice.body and "320 kWh" in notice.body
