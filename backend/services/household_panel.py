"""What staff see of a household beside a conversation: recent days (kWh, temperature, the model's
verdict), the latest bills and the model's explanation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import (
    AnomalyEpisode,
    DailyReading,
    Household,
    UsageScore,
    WeatherObservation,
)
from backend.services.anomalies import answered_episodes
from backend.services.budgets import get_budget
from backend.services.guests import as_dict, list_stays
from backend.services.households import province_name
from backend.services.projection import HouseholdProjection, project_household
from backend.services.readings import latest_bills
from backend.services.usage import anomaly_status
from ml.climate import normal_temp
from ml.consumption import ConsumptionModel


@dataclass(frozen=True)
class Day:
    day: date
    kwh: float
    expected_kwh: float | None
    avg_temp_c: float
    observed_temp: bool  # False: the province's climate normal stands in
    is_anomaly: bool


@dataclass(frozen=True)
class HouseholdPanel:
    household: Household
    province: str | None
    days: list[Day]
    bills: list[dict[str, Any]]
    anomaly: dict[str, Any] | None
    projection: HouseholdProjection | None = None
    budget: dict[str, Any] | None = None
    # usage alerts the household answered (a lasting change or not), newest first
    answers: list[AnomalyEpisode] = field(default_factory=list)
    # guest stays the household announced (coming, going on, or ended in the last 30 days):
    # days the model neither learns from nor alerts on (backend/services/guests.py)
    guest_stays: list[dict[str, Any]] = field(default_factory=list)


def daily_series(session: Session, household: Household, today: date, days: int) -> list[Day]:
    start = today - timedelta(days=days)
    readings = session.execute(
        select(DailyReading.day, DailyReading.kwh)
        .where(DailyReading.household_id == household.id, DailyReading.day.between(start, today))
        .order_by(DailyReading.day)
    ).all()
    scores = {
        s.day: s
        for s in session.scalars(
            select(UsageScore).where(
                UsageScore.household_id == household.id, UsageScore.day.between(start, today)
            )
        )
    }
    observed = dict(
        session.execute(
            select(WeatherObservation.day, WeatherObservation.avg_temp_c).where(
                WeatherObservation.province_code == household.province_code,
                WeatherObservation.day.between(start, today),
            )
        ).all()
    )
    series = []
    for day, kwh in readings:
        score = scores.get(day)
        temperature = observed.get(day)
        series.append(
            Day(
                day,
                float(kwh),
                score.expected_kwh if score else None,
                temperature
                if temperature is not None
                else normal_temp(household.province_code, day),
                temperature is not None,
                bool(score and score.is_anomaly),
            )
        )
    return series


def household_panel(
    session: Session,
    household: Household,
    *,
    today: date,
    days: int = 60,
    model: ConsumptionModel | None = None,
) -> HouseholdPanel:
    """`model`: the trained consumption model for the projection (`trained_consumption`)."""
    return HouseholdPanel(
        household,
        province_name(household.province_code) if household.province_code else None,
        daily_series(session, household, today, days),
        [
            {
                "period_start": b.period_start,
                "period_end": b.period_end,
                "kwh": b.kwh,
                "amount": b.amount,
            }
            for b in latest_bills(session, household, 3)
        ],
        anomaly_status(session, household),
        project_household(session, household, today=today, model=model),
        _budget(session, household),
        answered_episodes(session, household=household),
        [as_dict(s) for s in list_stays(session, household=household, today=today)],
    )


def _budget(session: Session, household: Household) -> dict[str, Any] | None:
    budget = get_budget(session, household)
    if budget is None:
        return None
    return {"amount": budget.amount, "kwh": budget.kwh, "source": budget.source}
