"""A household's consumption this billing period: so far, projected bill, comparisons, anomaly."""

from __future__ import annotations

import calendar
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.billing import Renters
from backend.content.dates import day_vi
from backend.models import (
    AnomalyEpisode,
    DailyReading,
    Household,
    RenterStatus,
    UsageScore,
    WeatherObservation,
)
from backend.services import anomalies, guests
from backend.services.readings import latest_bills

NEIGHBOUR_WINDOW_DAYS = 30


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def billing_period(today: date, reading_day: int) -> tuple[date, date]:
    """From the day after the previous reading day to the next reading day (inclusive)."""
    this_month = _clamped(today.year, today.month, reading_day)
    if today <= this_month:
        end = this_month
        previous = _clamped(*(_shift(today.year, today.month, -1)), reading_day)
    else:
        end = _clamped(*(_shift(today.year, today.month, 1)), reading_day)
        previous = this_month
    return previous + timedelta(days=1), end


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _sum_kwh(session: Session, household_id: str, start: date, end: date) -> tuple[float, int]:
    total, days = session.execute(
        select(func.coalesce(func.sum(DailyReading.kwh), 0.0), func.count()).where(
            DailyReading.household_id == household_id, DailyReading.day.between(start, end)
        )
    ).one()
    return float(total), int(days)


def neighbours_daily_median(
    session: Session, household: Household, today: date, window_days: int = NEIGHBOUR_WINDOW_DAYS
) -> float | None:
    """Median daily kWh over the last `window_days` days of households in the same province with
    a similar number of occupants (±1): the "efficient neighbours" comparison."""
    if household.province_code is None:
        return None
    return similar_daily_median(
        session, household.province_code, household.occupants, today, window_days, household.id
    )


def similar_daily_median(
    session: Session,
    province_code: int,
    occupants: int,
    today: date,
    window_days: int,
    exclude_id: str | None = None,
) -> float | None:
    """Median daily kWh of the province's households with occupants ± 1 (≥ 3 households)."""
    start = today - timedelta(days=window_days)
    conditions = [
        Household.province_code == province_code,
        Household.occupants.between(occupants - 1, occupants + 1),
        DailyReading.day.between(start, today - timedelta(days=1)),
    ]
    if exclude_id is not None:
        conditions.append(Household.id != exclude_id)
    rows = (
        session.execute(
            select(func.sum(DailyReading.kwh) / func.count())
            .join(Household, Household.id == DailyReading.household_id)
            .where(*conditions)
            .group_by(DailyReading.household_id)
        )
        .scalars()
        .all()
    )
    return statistics.median(float(r) for r in rows) if len(rows) >= 3 else None


def anomaly_status(session: Session, household: Household) -> dict[str, Any] | None:
    latest = session.scalar(
        select(UsageScore)
        .where(UsageScore.household_id == household.id)
        .order_by(UsageScore.day.desc())
        .limit(1)
    )
    if latest is None:
        return None
    episode = session.scalar(
        select(AnomalyEpisode)
        .where(AnomalyEpisode.household_id == household.id, AnomalyEpisode.is_open)
        .order_by(AnomalyEpisode.start_day.desc())
        .limit(1)
    )
    if episode is None:
        return {
            "is_anomaly": False,
            "explanation": "Mức dùng điện phù hợp với thời tiết, chưa thấy bất thường.",
            "excess_days": 0,
            "expected_kwh": round(latest.expected_kwh, 1),
            "actual_kwh": None,
            "scored_through": latest.day.isoformat(),
        }
    stay = guests.stay_covering(
        session, household=household, first=episode.start_day, last=episode.last_day
    )
    return {
        "is_anomaly": True,
        "anomaly_id": episode.id,
        # the first unusual day: where a stay of guests the household names would begin
        "start_day": episode.start_day.isoformat(),
        # the household's answer to the alert's question (None: not answered)
        "lasting_change": episode.lasting_change,
        # … and what changed, as the household said it (None: not said)
        "change_text": anomalies.change_text(episode.change_kind),
        "feedback_note": episode.feedback_note,
        # the day the household said it put the cause right (None: not said)
        "repaired_on": episode.repaired_on.isoformat() if episode.repaired_on else None,
        # a stay of guests told for every unusual day: the alert was the guests' (the page
        # says so, and offers no repair)
        "guest_stay": guests.as_dict(stay) if stay is not None else None,
        # whether a repair of the alert's cause can be told (the app's button, the bot's hint):
        # not once told, nor when the household said its use changed for good or had guests
        "repair_offered": episode.lasting_change is not True
        and episode.repaired_on is None
        and stay is None,
        "explanation": episode.explanation,
        # the last week was not above the expected use: the alert stays open until the evidence
        # decays, and the explanation says use is back to normal (the bot then says nothing of
        # use being higher)
        "easing": anomalies.easing(episode),
        "excess_days": episode.excess_days,
        "expected_kwh": round(episode.expected_kwh, 1),
        "actual_kwh": round(episode.actual_kwh, 1),
        "scored_through": latest.day.isoformat(),
    }


def renters_of(household: Household) -> Renters | None:
    if household.renter_status == RenterStatus.RENTERS_REGISTERED:
        return Renters(household.occupants, True)
    if household.renter_status == RenterStatus.RENTERS_UNREGISTERED:
        return Renters(household.occupants, False)
    return None


@dataclass(frozen=True)
class Usage:
    period_start: date
    period_end: date
    kwh_so_far: float
    days_measured: int
    last_year_kwh: float | None
    neighbours_median_kwh: float | None
    anomaly: dict[str, Any] | None
    last_bills: list[dict[str, Any]]
    air_conditioners: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "period_start_text": day_vi(self.period_start),
            "period_end_text": day_vi(self.period_end),
            "kwh_so_far": round(self.kwh_so_far, 1),
            "days_measured": self.days_measured,
            "last_year_kwh": None if self.last_year_kwh is None else round(self.last_year_kwh, 1),
            "neighbours_median_kwh": None
            if self.neighbours_median_kwh is None
            else round(self.neighbours_median_kwh, 1),
            "anomaly": self.anomaly,
            "last_bills": self.last_bills,
            "air_conditioners": self.air_conditioners,
        }


def household_usage(session: Session, household: Household, *, today: date) -> Usage:
    """`today` is Việt Nam's calendar day (the billing period and "so far" are counted in it)."""
    start, end = billing_period(today, household.reading_day)
    until = min(today, end)
    so_far, measured = _sum_kwh(session, household.id, start, until)
    period_days = (end - start).days + 1
    last_year_start, last_year_end = _year_before(start), _year_before(end)
    last_year, last_year_days = _sum_kwh(session, household.id, last_year_start, last_year_end)
    complete = last_year_days >= 0.9 * ((last_year_end - last_year_start).days + 1)
    neighbours = neighbours_daily_median(session, household, today)
    return Usage(
        start,
        end,
        so_far,
        measured,
        last_year if complete else None,
        neighbours * period_days if neighbours is not None else None,
        anomaly_status(session, household),
        [
            {
                "period_start": b.period_start.isoformat(),
                "period_end": b.period_end.isoformat(),
                "kwh": b.kwh,
                "amount": b.amount,
                "avg_temp_c": observed_mean_temp(
                    session, household.province_code, b.period_start, b.period_end
                ),
            }
            for b in latest_bills(session, household, 3)
        ],
        household.air_conditioners,
    )


def observed_mean_temp(
    session: Session, province_code: int | None, start: date, end: date
) -> float | None:
    """Mean observed temperature of the province over the period, when at least half its days
    were observed (explanations of a bill rise speak of weather only when it was seen)."""
    if province_code is None:
        return None
    mean, days = session.execute(
        select(func.avg(WeatherObservation.avg_temp_c), func.count()).where(
            WeatherObservation.province_code == province_code,
            WeatherObservation.day.between(start, end),
        )
    ).one()
    if mean is None or days * 2 < (end - start).days + 1:
        return None
    return round(float(mean), 1)


def _year_before(day: date) -> date:
    return _clamped(day.year - 1, day.month, day.day)
