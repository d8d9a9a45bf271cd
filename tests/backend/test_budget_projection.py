"""Budgets (/api/v1/me/budget) and the projected bill of the current period (`projection` in
GET /api/v1/me/usage): the real database, the bill engine, the clock frozen on chosen days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from backend.billing import estimate_bill
from backend.clock import frozen
from backend.extensions import db
from backend.models import Budget, DailyReading, WeatherForecast, WeatherObservation
from backend.services.projection import (
    configured_consumption,
    project_household,
    trained_consumption,
)
from ml.api import save_model
from ml.model import UnusualUsageModel
from tests.conftest import make_household


def add_days(household_id: str, first: date, last: date, kwh) -> None:
    day = first
    while day <= last:
        value = kwh(day) if callable(kwh) else kwh
        db.session.add(DailyReading(household_id=household_id, day=day, kwh=value))
        day += timedelta(days=1)
    db.session.commit()


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)  # 12:00 in Việt Nam


def test_budget_put_get_delete(client, auth):
    assert client.get("/api/v1/me/budget", headers=auth).get_json() == {"budget": None}
    put = client.put("/api/v1/me/budget", json={"amount": 800_000}, headers=auth)
    assert put.status_code == 200
    budget = put.get_json()["budget"]
    assert budget["kind"] == "amount" and budget["amount"] == 800_000
    assert budget["amount_text"] == "800.000 đ"
    assert client.get("/api/v1/me/budget", headers=auth).get_json()["budget"]["amount"] == 800_000
    # a kWh limit replaces the amount
    put = client.put("/api/v1/me/budget", json={"kwh": 250}, headers=auth)
    assert put.get_json()["budget"] | {"updated_at": None} == {
        "kind": "kwh",
        "amount": None,
        "amount_text": None,
        "kwh": 250,
        "source": "app",
        "updated_at": None,
    }
    deleted = client.delete("/api/v1/me/budget", headers=auth)
    assert deleted.get_json() == {"budget": None, "removed": True}
    assert db.session.get(Budget, "hh-1") is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "amount"),
        ({"amount": 500_000, "kwh": 200}, "amount"),
        ({"amount": 5}, "amount"),
        ({"amount": "800k"}, "amount"),
        ({"kwh": 0}, "kwh"),
        ({"kwh": 2.5}, "kwh"),
        ({"kwh": True}, "kwh"),
    ],
)
def test_bad_budgets_are_422_naming_the_field_in_vietnamese(client, auth, body, field):
    response = client.put("/api/v1/me/budget", json=body, headers=auth)
    assert response.status_code == 422
    error = response.get_json()
    assert error["field"] == field
    assert any(ch in error["message"] for ch in "ảạốớệềươ"), error["message"]
    assert db.session.get(Budget, "hh-1") is None


def test_usage_keeps_its_fields_and_adds_the_projection(client, auth, household):
    today = date(2025, 7, 25)  # period 16/7–15/8 (reading day 15)
    add_days("hh-1", today - timedelta(days=120), today, 10.0)
    client.put("/api/v1/me/budget", json={"amount": 300_000}, headers=auth)
    with frozen(noon(today)):
        body = client.get("/api/v1/me/usage", headers=auth).get_json()
    assert {"period_start", "projected_bill", "projected_bill_text", "anomaly"} <= set(body)
    assert (body["period_start_text"], body["period_end_text"]) == ("16/7", "15/8")
    p = body["projection"]
    assert p["period"] == {
        "start": "2025-07-16",
        "end": "2025-08-15",
        "start_text": "16/7",
        "end_text": "15/8",
        "days_elapsed": 10,
        "days_total": 31,
    }
    assert p["kwh_so_far"] == 100.0
    # a flat 10 kWh a day: 310 kWh expected, a narrow range around it
    assert p["kwh"]["expected"] == pytest.approx(310, abs=3)
    assert p["kwh"]["low"] <= p["kwh"]["expected"] <= p["kwh"]["high"]
    expected_bill = estimate_bill(
        round(p["kwh"]["expected"]), period_start=date(2025, 7, 16), period_end=date(2025, 8, 15)
    ).total
    assert p["amount"]["expected"] == expected_bill
    assert p["amount_text"]["expected"] == f"{expected_bill:,} đ".replace(",", ".")
    assert p["weather_source"] == "normals"
    assert p["tier"]["current"] == 2  # 100 kWh so far: tiers 50 + 50
    assert p["tier"]["next_price_text"] == "2.380 đ/kWh"
    assert p["budget"]["over"] is True  # 310 kWh ≈ 770.000 đ > 300.000 đ
    assert p["budget"]["kwh_limit"] < 300
    assert p["budget"]["daily_kwh_within"] == pytest.approx(
        (p["budget"]["kwh_limit"] - 100) / 21, abs=0.1
    )


def test_forecast_heat_raises_the_projection_and_says_forecast(app, household):
    today = date(2025, 6, 5)  # period 16/5–15/6
    # an air-conditioned home: 8 kWh + 2 kWh per degree above 24 °C
    temps = {}
    day = today - timedelta(days=179)
    while day <= today:
        temps[day] = 22.0 + 10.0 * ((day.toordinal() * 7919) % 11) / 10.0
        db.session.add(WeatherObservation(province_code=1, day=day, avg_temp_c=temps[day]))
        day += timedelta(days=1)
    add_days("hh-1", today - timedelta(days=179), today, lambda d: 8 + 2 * max(temps[d] - 24, 0))
    cool = project_household(db.session, household, today=today, now=noon(today))
    day = today + timedelta(days=1)
    while day <= date(2025, 6, 15):
        db.session.add(
            WeatherForecast(
                province_code=1,
                day=day,
                mean_temp_c=34.0,
                fetched_at=noon(today).replace(tzinfo=None),
            )
        )
        day += timedelta(days=1)
    db.session.commit()
    hot = project_household(
        db.session, household, today=today, now=noon(today).replace(tzinfo=None)
    )
    assert cool.weather_source == "normals" and hot.weather_source == "forecast"
    # 10 days at 34 °C: about 8 + 2 × 10 = 28 kWh a day
    so_far = hot.kwh_so_far
    assert (hot.kwh[0] - so_far) / 10 == pytest.approx(28, rel=0.1)
    assert hot.amount[0] > cool.amount[0]


def test_a_period_across_a_price_change_is_priced_by_the_engine(app, household):
    # reading day 15: period 16/4–15/5/2025 crosses 1279/QĐ-BCT (10/5/2025)
    today = date(2025, 5, 1)
    add_days("hh-1", today - timedelta(days=100), today, 12.0)
    p = project_household(db.session, household, today=today, now=noon(today))
    assert (p.start, p.end) == (date(2025, 4, 16), date(2025, 5, 15))
    bill = estimate_bill(round(p.kwh[0]), period_start=p.start, period_end=p.end)
    assert [s.tariff for s in bill.segments] == ["2699/QĐ-BCT", "1279/QĐ-BCT"]
    assert p.amount[0] == bill.total


def test_shared_meter_and_prepaid_use_their_own_pricing(app):
    today = date(2025, 9, 1)
    shared = make_household("shared", households_on_meter=2)
    prepaid = make_household("prepaid", meter_kind="prepaid")
    alone = make_household("alone")
    for h in ("shared", "prepaid", "alone"):
        add_days(h, today - timedelta(days=90), today, 15.0)
    by_id = {
        h.id: project_household(db.session, h, today=today, now=noon(today))
        for h in (shared, prepaid, alone)
    }
    kwh = round(by_id["alone"].kwh[0])
    assert all(round(p.kwh[0]) == kwh for p in by_id.values())
    start, end = by_id["alone"].start, by_id["alone"].end
    assert (
        by_id["shared"].amount[0]
        == estimate_bill(kwh, period_start=start, period_end=end, households=2).total
    )
    assert (
        by_id["prepaid"].amount[0]
        == estimate_bill(kwh, period_start=start, period_end=end, meter="prepaid").total
    )
    assert by_id["shared"].amount[0] < by_id["alone"].amount[0]
    # a flat price: no next tier to warn about, and the page says so instead of a tier
    assert by_id["prepaid"].next_price is None
    prepaid_bill = estimate_bill(kwh, period_start=start, period_end=end, meter="prepaid")
    assert by_id["prepaid"].flat_price == prepaid_bill.segments[-1].tiers[0].price
    tier = by_id["prepaid"].as_dict()["tier"]
    assert tier["flat_price_text"] == f"{tier['flat_price']:,} đ/kWh".replace(",", ".")
    assert by_id["alone"].flat_price is None and by_id["shared"].flat_price is None


def test_unregistered_renters_pay_one_price_and_no_tier_is_named(app):
    today = date(2025, 9, 1)
    rented = make_household("rented", renter_status="renters_unregistered", occupants=6)
    add_days("rented", today - timedelta(days=90), today, 15.0)
    tier = project_household(db.session, rented, today=today, now=noon(today)).as_dict()["tier"]
    assert tier["flat_price_text"] == "2.380 đ/kWh"  # tier 3's price, for every kWh
    assert tier["next_price_text"] is None


def test_a_budget_already_used_up_is_said_so_with_no_daily_allowance(client, auth, household):
    today = date(2025, 7, 25)  # period 16/7–15/8: 100 kWh used by the 25th
    add_days("hh-1", today - timedelta(days=120), today, 10.0)
    client.put("/api/v1/me/budget", json={"kwh": 80}, headers=auth)
    with frozen(noon(today)):
        budget = client.get("/api/v1/me/usage", headers=auth).get_json()["projection"]["budget"]
    assert budget["already_over"] is True and budget["over"] is True
    assert budget["daily_kwh_within"] is None
    client.put("/api/v1/me/budget", json={"kwh": 400}, headers=auth)
    with frozen(noon(today)):
        budget = client.get("/api/v1/me/usage", headers=auth).get_json()["projection"]["budget"]
    assert budget["already_over"] is False and budget["daily_kwh_within"] == pytest.approx(
        300 / 21, abs=0.1
    )


def test_service_budget_and_projection_endpoints(client, service_auth, household):
    put = client.put(
        "/api/v1/service/households/hh-1/budget", json={"kwh": 250}, headers=service_auth
    )
    assert put.status_code == 200 and put.get_json()["budget"]["source"] == "chat"
    projection = client.get("/api/v1/service/households/hh-1/projection", headers=service_auth)
    assert projection.status_code == 200
    assert projection.get_json()["budget"]["kwh_limit"] == 250
    cleared = client.delete("/api/v1/service/households/hh-1/budget", headers=service_auth)
    assert cleared.get_json()["removed"] is True
    missing = client.get("/api/v1/service/households/nobody/projection", headers=service_auth)
    assert missing.status_code == 404


def test_a_budget_preview_is_checked_and_written_but_not_stored(client, service_auth, household):
    """What the bot states before the household says yes: the backend's amount_text."""
    url = "/api/v1/service/households/hh-1/budget/preview"
    preview = client.post(url, json={"amount": 800_000}, headers=service_auth)
    assert preview.get_json() == {
        "budget": {"kind": "amount", "amount": 800_000, "amount_text": "800.000 đ", "kwh": None}
    }
    kwh = client.post(url, json={"kwh": 250}, headers=service_auth).get_json()["budget"]
    assert kwh == {"kind": "kwh", "amount": None, "amount_text": None, "kwh": 250}
    too_small = client.post(url, json={"amount": 5_000}, headers=service_auth)
    assert too_small.status_code == 422 and too_small.get_json()["field"] == "amount"
    projection = client.get("/api/v1/service/households/hh-1/projection", headers=service_auth)
    assert projection.get_json()["budget"] is None  # previewed, never stored
    assert client.post(url, json={"amount": 800_000}).status_code == 401
    missing = client.post(
        "/api/v1/service/households/nobody/budget/preview",
        json={"amount": 800_000},
        headers=service_auth,
    )
    assert missing.status_code == 404


def test_the_budget_is_exported_and_deleted_with_the_household(client, auth):
    client.put("/api/v1/me/budget", json={"amount": 800_000}, headers=auth)
    exported = client.get("/api/v1/me/export", headers=auth).get_json()
    assert [b["amount"] for b in exported["budget"]] == [800_000]
    assert client.delete("/api/v1/me", headers=auth).status_code == 200
    assert db.session.query(Budget).count() == 0


def cool_then_hot_history(today: date) -> tuple[pd.DataFrame, dict[date, float]]:
    """hh-1 over 14 months: 8 kWh + 2 kWh per °C above 24 °C; the last summer was hot, the
    last 180 days cool (20–23 °C), so those days alone show no cooling at all."""
    first = today - timedelta(days=420)
    temps = {}
    day = first
    while day <= today:
        cool = (today - day).days < 180
        swing = ((day.toordinal() * 7919) % 11) / 10.0
        temps[day] = 20.0 + 3.0 * swing if cool else 24.0 + 10.0 * swing
        day += timedelta(days=1)
    frame = pd.DataFrame(
        {
            "household_id": "hh-1",
            "date": list(temps),
            "kwh": [8 + 2 * max(t - 24, 0) for t in temps.values()],
            "avg_temp_c": list(temps.values()),
            "province_code": 1,
            "occupants": 4,
            "air_conditioners": 2,
        }
    )
    return frame, temps


def hot_forecast(today: date, end: date, mean: float) -> None:
    day = today + timedelta(days=1)
    while day <= end:
        db.session.add(
            WeatherForecast(
                province_code=1,
                day=day,
                mean_temp_c=mean,
                fetched_at=noon(today).replace(tzinfo=None),
            )
        )
        day += timedelta(days=1)
    db.session.commit()


def test_the_trained_model_prices_heat_the_last_180_days_never_saw(
    app, client, auth, household, tmp_path
):
    today = date(2025, 6, 5)  # period 16/5–15/6, 10 days left
    frame, temps = cool_then_hot_history(today)
    for day, temp in temps.items():
        db.session.add(WeatherObservation(province_code=1, day=day, avg_temp_c=temp))
    add_days("hh-1", today - timedelta(days=179), today, lambda d: 8 + 2 * max(temps[d] - 24, 0))
    hot_forecast(today, date(2025, 6, 15), 34.0)
    # a newcomer the model has never seen: the cold start keeps the light fit
    newcomer = make_household("hh-new")
    add_days("hh-new", today - timedelta(days=179), today, 8.0)
    light = project_household(db.session, household, today=today, now=noon(today))
    path = tmp_path / "anomaly.skops"
    save_model(UnusualUsageModel().fit(frame), path)
    app.config["ANOMALY_MODEL_PATH"] = str(path)
    model = trained_consumption(path)
    assert model is not None
    assert configured_consumption(app.config) is model  # what views, commands and tasks use
    trained = project_household(db.session, household, today=today, now=noon(today), model=model)
    # the light fit sees only cool days: 8 kWh a day; the trained model knows last summer's
    # 2 kWh per °C: about 8 + 2 × 10 = 28 kWh a day at 34 °C
    assert (light.kwh[0] - light.kwh_so_far) / 10 == pytest.approx(8, abs=1)
    assert (trained.kwh[0] - trained.kwh_so_far) / 10 == pytest.approx(28, rel=0.1)
    assert trained.kwh[1] < trained.kwh[0] < trained.kwh[2]
    assert trained.amount[0] > light.amount[0]
    # the app and the action server answer with the trained model's figure
    with frozen(noon(today)):
        body = client.get("/api/v1/me/usage", headers=auth).get_json()
    assert body["projection"]["kwh"]["expected"] == pytest.approx(trained.kwh[0], abs=0.1)
    fresh = project_household(db.session, newcomer, today=today, now=noon(today), model=model)
    assert (fresh.kwh[0] - fresh.kwh_so_far) / 10 == pytest.approx(8, abs=1)


def test_without_a_readable_model_every_household_gets_the_light_fit(tmp_path):
    assert trained_consumption(tmp_path / "missing.skops") is None
    (tmp_path / "broken.skops").write_bytes(b"not a model")
    assert trained_consumption(tmp_path / "broken.skops") is None
