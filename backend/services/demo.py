"""Demo data for `make run`: a few households across the country with a year of daily readings."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.billing import estimate_bill
from backend.models import Bill, DailyReading, Household, RenterStatus
from ml.climate import normal_temp


@dataclass(frozen=True)
class DemoHousehold:
    id: str
    display_name: str
    province_code: int
    occupants: int
    appliances: dict[str, Any]
    base_kwh: float
    cooling_kwh_per_degree: float
    heating_kwh_per_degree: float = 0.0
    renter_status: RenterStatus = RenterStatus.OWNER
    stuck_water_heater_days: int = 0  # the last N days carry a water heater left on (≈ +7 kWh/day)
    extra: dict[str, Any] = field(default_factory=dict)


DEMO_HOUSEHOLDS = [
    DemoHousehold(
        "demo-1",
        "Nhà chị Lan",
        1,
        4,
        {
            "air_conditioner": {"count": 2, "inverter": True},
            "water_heater": True,
            "fridge": True,
            "washing_machine": True,
        },
        base_kwh=6.5,
        cooling_kwh_per_degree=1.6,
        heating_kwh_per_degree=0.5,
    ),
    DemoHousehold(
        "demo-2",
        "Nhà anh Minh",
        79,
        3,
        {
            "air_conditioner": {"count": 1, "inverter": False},
            "fridge": True,
            "cooking": "induction",
        },
        base_kwh=5.0,
        cooling_kwh_per_degree=1.1,
    ),
    DemoHousehold(
        "demo-3",
        "Nhà cô Hạnh",
        48,
        5,
        {"air_conditioner": {"count": 3, "inverter": True}, "water_heater": True, "fridge": True},
        base_kwh=8.0,
        cooling_kwh_per_degree=2.0,
    ),
    DemoHousehold(
        "demo-4",
        "Phòng trọ sinh viên",
        92,
        4,
        {"air_conditioner": {"count": 0, "inverter": False}, "fridge": True},
        base_kwh=3.0,
        cooling_kwh_per_degree=0.3,
        renter_status=RenterStatus.RENTERS_REGISTERED,
    ),
    DemoHousehold(
        "demo-5",
        "Nhà bác Tư",
        40,
        2,
        {"air_conditioner": {"count": 1, "inverter": True}, "water_heater": True, "fridge": True},
        base_kwh=4.0,
        cooling_kwh_per_degree=0.9,
        heating_kwh_per_degree=0.4,
        stuck_water_heater_days=9,
    ),
]


def demo_kwh(spec: DemoHousehold, day: date, rng: random.Random, days_to_end: int) -> float:
    temperature = normal_temp(spec.province_code, day) + rng.gauss(0, 1.5)
    kwh = spec.base_kwh
    kwh += spec.cooling_kwh_per_degree * max(0.0, temperature - 25.0)
    kwh += spec.heating_kwh_per_degree * max(0.0, 17.0 - temperature)
    if day.weekday() >= 5:
        kwh *= 1.12
    if days_to_end < spec.stuck_water_heater_days:
        kwh += 7.0
    return round(max(0.5, kwh * rng.lognormvariate(0, 0.08)), 2)


def seed_demo(session: Session, today: date, days: int = 365) -> list[str]:
    """Create the demo households that are missing, each with `days` of readings up to yesterday.

    Idempotent: existing households are left as they are. Returns the ids created.
    """
    existing = set(session.scalars(select(Household.id)))
    created = []
    for index, spec in enumerate(DEMO_HOUSEHOLDS):
        if spec.id in existing:
            continue
        session.add(
            Household(
                id=spec.id,
                display_name=spec.display_name,
                province_code=spec.province_code,
                occupants=spec.occupants,
                appliances=spec.appliances,
                renter_status=spec.renter_status,
            )
        )
        rng = random.Random(index)
        first = today - timedelta(days=days)
        session.add_all(
            DailyReading(
                household_id=spec.id,
                day=first + timedelta(days=offset),
                kwh=demo_kwh(spec, first + timedelta(days=offset), rng, days - 1 - offset),
            )
            for offset in range(days)
        )
        session.flush()
        add_demo_bills(session, spec.id, today)
        created.append(spec.id)
    session.commit()
    return created


def add_demo_bills(session: Session, household_id: str, today: date, periods: int = 6) -> None:
    """Bills of the last complete periods (reading day 15), priced by the bill engine."""
    end = date(today.year, today.month, 15) if today.day > 15 else _previous_15th(today)
    for _ in range(periods):
        start = _previous_15th(end) + timedelta(days=1)
        kwh = session.scalar(
            select(func.sum(DailyReading.kwh)).where(
                DailyReading.household_id == household_id, DailyReading.day.between(start, end)
            )
        )
        if kwh:
            amount = estimate_bill(round(kwh), period_start=start, period_end=end).total
            session.add(
                Bill(
                    household_id=household_id,
                    period_start=start,
                    period_end=end,
                    kwh=round(kwh),
                    amount=amount,
                )
            )
        end = start - timedelta(days=1)


def _previous_15th(day: date) -> date:
    first = day.replace(day=1) - timedelta(days=1)
    return first.replace(day=15) if day.day <= 15 else day.replace(day=15)
