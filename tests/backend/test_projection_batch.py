"""The nightly job projects a page of households at once (`project_households`); the app, the bot
and staff project one (`project_household`). Both must give every household the same figures, to
the last bit, with the light fit and with the trained consumption model."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from backend.billing import estimate_bill
from backend.extensions import db
from backend.models import Budget, DailyReading, RenterStatus, WeatherForecast, WeatherObservation
from backend.services.projection import project_household, project_households, trained_consumption
from ml.api import save_model
from ml.model import UnusualUsageModel
from tests.conftest import make_household

TODAY = date(2025, 5, 12)  # reading day 15: the period 16/4–15/5 crosses 1279/QĐ-BCT (10/5/2025)
NOW = datetime(2025, 5, 12, 5, 0, tzinfo=UTC)  # 12:00 in Việt Nam
FIRST = TODAY - timedelta(days=400)


def temp_of(day: date, province: int) -> float:
    """A warm season and a cool one, a little different per province."""
    season = math.sin((day.timetuple().tm_yday - 100) / 365 * 2 * math.pi)
    return 25.0 + 6.0 * season + (province % 7) * 0.3 + ((day.toordinal() * 7919) % 5) / 5


def kwh_of(day: date, base: float, cooling: float, province: int) -> float:
    weekend = 1.5 if day.weekday() >= 5 else 0.0
    return round(base + weekend + cooling * max(temp_of(day, province) - 24.0, 0.0), 2)


HOMES = [
    # id, fields, base kWh, kWh per °C above 24, first day of readings, days without a reading
    ("price-change", {"reading_day": 15}, 9.0, 1.5, FIRST, ()),
    ("shared", {"households_on_meter": 2, "reading_day": 15}, 16.0, 2.0, FIRST, ()),
    # prepaid prices start with 1279/QĐ-BCT: its period 10/5–9/6 is the first it prices
    (
        "prepaid",
        {"meter_kind": "prepaid", "reading_day": 9, "province_code": 79},
        7.0,
        1.0,
        FIRST,
        (),
    ),
    (
        "renters",
        {"renter_status": RenterStatus.RENTERS_REGISTERED, "occupants": 6, "reading_day": 28},
        12.0,
        0.5,
        FIRST,
        (3, 4, 10),
    ),
    (
        "newcomer",
        {"reading_day": 20, "province_code": 48},
        6.0,
        0.8,
        TODAY - timedelta(days=20),
        (),
    ),
    ("budget-kwh", {"reading_day": 10, "province_code": 48}, 11.0, 1.2, FIRST, (1,)),
]
TRAINED_UNTIL = TODAY - timedelta(days=30)


@pytest.fixture
def homes(app):
    rows, households = [], []
    for household_id, fields, base, cooling, first, gaps in HOMES:
        household = make_household(household_id, **fields)
        households.append(household)
        day = first
        while day <= TODAY:
            if (TODAY - day).days not in gaps:
                rows.append(
                    DailyReading(
                        household_id=household_id,
                        day=day,
                        kwh=kwh_of(day, base, cooling, household.province_code),
                    )
                )
            day += timedelta(days=1)
    db.session.add_all(rows)
    for province in (1, 48, 79):
        day = FIRST
        while day <= TODAY:
            db.session.add(
                WeatherObservation(
                    province_code=province, day=day, avg_temp_c=temp_of(day, province)
                )
            )
            day += timedelta(days=1)
    # a fresh forecast for the next week in two provinces (normals beyond it and elsewhere)
    for province in (1, 79):
        for ahead in range(1, 8):
            day = TODAY + timedelta(days=ahead)
            db.session.add(
                WeatherForecast(
                    province_code=province,
                    day=day,
                    mean_temp_c=temp_of(day, province) + 2.0,
                    fetched_at=NOW.replace(tzinfo=None),
                )
            )
    db.session.add_all(
        [
            Budget(household_id="price-change", amount=400_000),
            Budget(household_id="shared", amount=900_000),
            Budget(household_id="budget-kwh", kwh=250),
        ]
    )
    db.session.commit()
    return households


def trained_model(tmp_path, homes):
    """The consumption model trained on every home's readings up to a month ago (the newcomer
    has too little history for it: it keeps the light fit)."""
    frame = pd.DataFrame(
        [
            {
                "household_id": r.household_id,
                "date": r.day,
                "kwh": r.kwh,
                "avg_temp_c": temp_of(r.day, h.province_code),
                "province_code": h.province_code,
                "occupants": h.occupants,
                "air_conditioners": h.air_conditioners,
            }
            for h in homes
            for r in db.session.query(DailyReading)
            .filter(DailyReading.household_id == h.id, DailyReading.day <= TRAINED_UNTIL)
            .order_by(DailyReading.day)
        ]
    )
    path = tmp_path / "anomaly.skops"
    save_model(UnusualUsageModel().fit(frame), path)
    model = trained_consumption(path)
    assert model is not None
    return model


@pytest.mark.parametrize("trained", [False, True], ids=["light fit", "trained model"])
def test_a_page_gives_each_household_what_it_gets_alone(homes, tmp_path, trained):
    model = trained_model(tmp_path, homes) if trained else None
    page = project_households(db.session, homes, today=TODAY, now=NOW, model=model)
    alone = [project_household(db.session, h, today=TODAY, now=NOW, model=model) for h in homes]
    assert [p.household_id for p in page] == [household_id for household_id, *_ in HOMES]
    for batched, single in zip(page, alone, strict=True):
        assert batched == single, batched.household_id  # every float to the last bit
        assert batched.as_dict() == single.as_dict()
    # and the page's figures are what they claim to be: the engine's bills of its periods
    by_id = {p.household_id: p for p in page}
    change = by_id["price-change"]
    assert (change.start, change.end) == (date(2025, 4, 16), date(2025, 5, 15))
    bill = estimate_bill(round(change.kwh[0]), period_start=change.start, period_end=change.end)
    assert [s.tariff for s in bill.segments] == ["2699/QĐ-BCT", "1279/QĐ-BCT"]
    assert change.amount[0] == bill.total and change.budget is not None
    shared = by_id["shared"]
    assert (
        shared.amount[0]
        == estimate_bill(
            round(shared.kwh[0]), period_start=shared.start, period_end=shared.end, households=2
        ).total
    )
    prepaid = by_id["prepaid"]
    assert prepaid.next_price is None and prepaid.weather_source == "forecast"
    assert by_id["budget-kwh"].budget.kwh_limit == 250


def test_the_trained_model_prices_the_households_it_knows(homes, tmp_path):
    """The equality above is not two light fits: the trained model changes the figures of the
    households it was trained on, and only theirs."""
    light = project_households(db.session, homes, today=TODAY, now=NOW)
    trained = project_households(
        db.session, homes, today=TODAY, now=NOW, model=trained_model(tmp_path, homes)
    )
    changed = {a.household_id for a, b in zip(light, trained, strict=True) if a.kwh != b.kwh}
    assert changed == {h for h, *_ in HOMES} - {"newcomer"}
