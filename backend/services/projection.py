"""The projected bill of a household's current billing period, with an 80% range and its budget.

Readings so far plus the rest of the period expected from the household's own weather response
(ml/projection.py: the trained consumption model where it knows the household, the light fit
otherwise) under the forecast (backend/services/forecast.py), then the climate normals;
each kWh figure is priced by the bill engine over the household's real period (reading day, price
changes and VAT inside it, meter kind, shared meter, renters). Many households at once for the
nightly alerts (`project_households`), one for the app and the bot (`project_household`).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from backend.billing import BillEstimate, Renters, estimate_bill
from backend.clock import to_utc
from backend.content.dates import day_vi
from backend.models import Budget, DailyReading, Household, WeatherForecast, WeatherObservation
from backend.money import format_vnd
from backend.services.forecast import MAX_AGE
from backend.services.usage import billing_period, household_usage, renters_of
from ml.api import load_model
from ml.climate import normal_temps
from ml.consumption import ConsumptionModel
from ml.projection import TrainedDays, covered, project, trained_days

HISTORY_DAYS = 180
MAX_PERIOD = 31
TRAINED_WINDOW = 60  # recent days the trained model is asked about (level, autocorrelation)


def trained_consumption(path: str | Path) -> ConsumptionModel | None:
    """The consumption model of the skops file the scoring job loads (ANOMALY_MODEL_PATH), kept
    in memory until the file changes; None without a readable one (every household then gets
    the light fit)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _load_consumption(str(path), stat.st_mtime_ns, stat.st_size)


def configured_consumption(config: Mapping[str, Any]) -> ConsumptionModel | None:
    """`trained_consumption` of the file an app's configuration names (ANOMALY_MODEL_PATH): what
    every view, command and task projects with."""
    return trained_consumption(config["ANOMALY_MODEL_PATH"])


@lru_cache(maxsize=2)
def _load_consumption(path: str, mtime_ns: int, size: int) -> ConsumptionModel | None:
    try:
        return load_model(path).consumption_
    except Exception:  # an unreadable or untrusted file: project without it
        return None


@dataclass(frozen=True)
class BudgetStatus:
    amount: int | None
    kwh: int | None
    kwh_limit: int  # the period's kWh the budget allows (an amount's, by the engine)
    over: bool  # the expected figure exceeds the budget
    likely_over: bool  # more likely than not by a margin: what alerts are sent on
    daily_kwh: float | None  # kWh a day for the days left that keeps the period within budget
    already_over: bool = False  # the kWh used so far exceed the budget: no daily allowance left

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "amount" if self.amount is not None else "kwh",
            "amount": self.amount,
            "amount_text": None if self.amount is None else format_vnd(self.amount),
            "kwh": self.kwh,
            "kwh_limit": self.kwh_limit,
            "over": self.over,
            "already_over": self.already_over,
            "daily_kwh_within": None if self.daily_kwh is None else round(self.daily_kwh, 1),
        }


@dataclass(frozen=True)
class HouseholdProjection:
    household_id: str
    start: date
    end: date
    today: date
    kwh_so_far: float
    days_measured: int
    days_left: int  # days from tomorrow to the period's end
    kwh: tuple[float, float, float]  # expected, low, high
    amount: tuple[int, int, int]
    weather_source: str  # forecast | normals
    current_tier: int
    projected_tier: int
    next_price: int | None  # đồng/kWh before VAT of the tier after the current one
    projected_tier_price: int | None
    budget: BudgetStatus | None
    flat_price: int | None = None  # đồng/kWh before VAT when every kWh has one price (no tiers)

    @property
    def days_total(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def days_elapsed(self) -> int:
        return (min(self.today, self.end) - self.start).days + 1

    def as_dict(self) -> dict[str, Any]:
        expected, low, high = self.amount
        return {
            "period": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "start_text": day_vi(self.start),
                "end_text": day_vi(self.end),
                "days_elapsed": self.days_elapsed,
                "days_total": self.days_total,
            },
            "kwh_so_far": round(self.kwh_so_far, 1),
            "days_measured": self.days_measured,
            "kwh": {
                "expected": round(self.kwh[0], 1),
                "low": round(self.kwh[1], 1),
                "high": round(self.kwh[2], 1),
            },
            "amount": {"expected": expected, "low": low, "high": high},
            "amount_text": {
                "expected": format_vnd(expected),
                "low": format_vnd(low),
                "high": format_vnd(high),
            },
            "weather_source": self.weather_source,
            "budget": None if self.budget is None else self.budget.as_dict(),
            "tier": {
                "current": self.current_tier,
                "projected": self.projected_tier,
                "next_price": self.next_price,
                "next_price_text": None
                if self.next_price is None
                else f"{format_vnd(self.next_price)}/kWh",
                "flat_price": self.flat_price,
                "flat_price_text": None
                if self.flat_price is None
                else f"{format_vnd(self.flat_price)}/kWh",
            },
        }


def _meter_of(household: Household) -> tuple[int, str, Renters | None]:
    """What prices this household's kWh besides the period: households on the meter, meter
    kind, renters (hashable, so the caches below can share answers between households)."""
    return max(household.households_on_meter, 1), household.meter_kind, renters_of(household)


@lru_cache(maxsize=65536)
def _priced(
    kwh: int, start: date, end: date, households: int, meter: str, renters: Renters | None
) -> BillEstimate:
    """Cached (a BillEstimate is frozen): the nightly job prices four figures per household,
    and households of a reading day share the period, so most kWh figures recur."""
    return estimate_bill(
        kwh,
        period_start=start,
        period_end=end,
        households=households,
        meter=meter,
        renters=renters,
    )


def _top_tier(bill: BillEstimate) -> tuple[int, int | None, int]:
    """The highest tier reached in the last segment, the next tier's price (None at the top or
    on a flat price) and the reached tier's price."""
    lines = bill.segments[-1].tiers
    reached = [line for line in lines if line.kwh > 0] or [lines[0]]
    top = reached[-1]
    following = [line for line in lines if line.tier == top.tier + 1]
    return top.tier, following[0].price if following else None, top.price


@lru_cache(maxsize=65536)
def _kwh_within(
    amount: int, start: date, end: date, households: int, meter: str, renters: Renters | None
) -> int:
    """The most whole kWh of this period whose bill stays within `amount` (cached: households
    sharing a budget, a period and a meter share the answer)."""

    def total(kwh: int) -> int:
        return _priced(kwh, start, end, households, meter, renters).total

    low, high = 0, 1
    while total(high) <= amount and high < 1_000_000:
        low, high = high, high * 2
    while low < high - 1:
        middle = (low + high) // 2
        if total(middle) <= amount:
            low = middle
        else:
            high = middle
    return low


def _fill_readings(
    session: Session,
    kwh: np.ndarray,
    index: dict[str, int],
    *,
    first: date,
    last: date,
    since: date | None = None,
) -> None:
    """kwh[household, day - first] for the readings from `since` (default `first`) to `last`:
    one Core query whose rows are fetched as the driver's plain tuples (180 a household: Row objects and date
    parsing were most of the nightly job's time), the day as ISO text. The rows are hundreds of
    thousands of tuples that form no cycles, freed when `_read_into` returns: with the cyclic
    collector on, its passes over everything alive took half of the read's time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        _read_into(session, kwh, index, first=first, last=last, since=since or first)
    finally:
        if collecting:
            gc.enable()


def _read_into(
    session: Session,
    kwh: np.ndarray,
    index: dict[str, int],
    *,
    first: date,
    last: date,
    since: date,
) -> None:
    table = DailyReading.__table__
    result = session.connection().execute(
        select(table.c.household_id, cast(table.c.day, String), table.c.kwh).where(
            table.c.household_id.in_(list(index)), table.c.day.between(since, last)
        )
    )
    try:
        rows = result.cursor.fetchall()  # no result processing needed: str, str, number
    finally:
        result.close()
    if not rows:
        return
    households, days, values = zip(*rows, strict=True)
    # the span's few hundred days by their ISO text: a dict lookup a row, no date parsing
    offset = {(first + timedelta(days=i)).isoformat(): i for i in range((last - first).days + 1)}
    row = np.fromiter(map(index.__getitem__, households), dtype=np.intp, count=len(rows))
    day = np.fromiter(map(offset.__getitem__, days), dtype=np.intp, count=len(rows))
    kwh[row, day] = np.fromiter(values, dtype=float, count=len(rows))


def _temperatures(
    session: Session, provinces: set[int | None], first: date, last: date, *, now: datetime
) -> dict[int | None, tuple[np.ndarray, np.ndarray]]:
    """Per province, a day's temperature from `first` to `last` (observed, else a fresh forecast,
    else the normal) and whether it came from a forecast."""
    days = (last - first).days + 1
    doy = np.array([(first + timedelta(days=i)).timetuple().tm_yday for i in range(days)])
    codes = [p for p in provinces if p is not None]
    out: dict[int | None, tuple[np.ndarray, np.ndarray]] = {}
    for code in provinces:
        normals = normal_temps(np.full(days, code or 0), doy)
        out[code] = (normals, np.zeros(days, dtype=bool))
    if not codes:
        return out
    for code, day, mean in session.execute(
        select(
            WeatherForecast.province_code, WeatherForecast.day, WeatherForecast.mean_temp_c
        ).where(
            WeatherForecast.province_code.in_(codes),
            WeatherForecast.day.between(first, last),
            WeatherForecast.fetched_at >= now - MAX_AGE,
        )
    ):
        temps, forecast = out[code]
        temps[(day - first).days] = mean
        forecast[(day - first).days] = True
    for code, day, mean in session.execute(
        select(
            WeatherObservation.province_code, WeatherObservation.day, WeatherObservation.avg_temp_c
        ).where(
            WeatherObservation.province_code.in_(codes), WeatherObservation.day.between(first, last)
        )
    ):
        temps, forecast = out[code]
        temps[(day - first).days] = mean
        forecast[(day - first).days] = False
    return out


def _trained(
    model: ConsumptionModel,
    households: list[Household],
    *,
    first: date,
    temps: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    today_at: int,
) -> tuple[np.ndarray, TrainedDays]:
    """The trained model's expectation on the last TRAINED_WINDOW history days
    ([households, HISTORY_DAYS], nan before) and on each period's days ([households,
    MAX_PERIOD]); nan for the households it does not cover."""
    n = len(households)
    w0 = today_at - TRAINED_WINDOW + 1
    attributes = pd.DataFrame(
        [(h.province_code, h.occupants, h.air_conditioners) for h in households],
        columns=["province_code", "occupants", "air_conditioners"],
    )
    seen = trained_days(
        model,
        household_ids=[h.id for h in households],
        attributes=attributes,
        first=first + timedelta(days=w0),
        temp=temps[:, w0:],
    )
    history = np.full((n, HISTORY_DAYS), np.nan)
    history[:, -TRAINED_WINDOW:] = seen.expected[:, :TRAINED_WINDOW]
    valid = np.arange(MAX_PERIOD)[None, :] < lengths[:, None]
    columns = np.minimum(starts[:, None] - w0 + np.arange(MAX_PERIOD), seen.expected.shape[1] - 1)
    cells = (np.arange(n)[:, None], columns)
    period = TrainedDays(
        *(
            np.where(valid, values[cells], np.nan)
            for values in (seen.expected, seen.sigma, seen.slope)
        )
    )
    return history, period


def project_households(
    session: Session,
    households: list[Household],
    *,
    today: date,
    now: datetime | None = None,
    model: ConsumptionModel | None = None,
) -> list[HouseholdProjection]:
    """Projections of the households' current periods (`today` is Việt Nam's day); `model` (see
    `trained_consumption`) prices the households it knows, the light fit the others."""
    if not households:
        return []
    now = now or to_utc(datetime.combine(today, time(12)))
    periods = [billing_period(today, h.reading_day) for h in households]
    first = today - timedelta(days=HISTORY_DAYS - 1)
    last = max(end for _, end in periods)
    first = min(first, min(start for start, _ in periods))
    span = (last - first).days + 1
    index = {h.id: i for i, h in enumerate(households)}
    kwh = np.full((len(households), span), np.nan)
    # the households the trained model projects need only its window and their period: the
    # light fit's older days would be read for nothing (its figures for them are replaced)
    trained_rows = (
        covered(model, list(index)) if model is not None else np.zeros(len(index), dtype=bool)
    )
    recent = min(
        [today - timedelta(days=TRAINED_WINDOW - 1)]
        + [start for (start, _), take in zip(periods, trained_rows, strict=True) if take]
    )
    for take, since in ((False, first), (True, recent)):
        part = {h: i for h, i in index.items() if trained_rows[i] == take}
        if part:
            _fill_readings(session, kwh, part, first=first, last=today, since=since)
    weather = _temperatures(session, {h.province_code for h in households}, first, last, now=now)
    weekend = np.array([(first + timedelta(days=i)).weekday() >= 5 for i in range(span)])
    today_at = (today - first).days
    history = slice(today_at - HISTORY_DAYS + 1, today_at + 1)

    n = len(households)
    temps = np.stack([weather[h.province_code][0] for h in households])
    from_forecast = np.stack([weather[h.province_code][1] for h in households])
    # each household's period as [households, MAX_PERIOD] (False/nan/0 past a shorter period's end)
    starts = np.array([(start - first).days for start, _ in periods])
    lengths = np.array([(end - start).days + 1 for start, end in periods])
    p_valid = np.arange(MAX_PERIOD)[None, :] < lengths[:, None]
    cells = (np.arange(n)[:, None], np.minimum(starts[:, None] + np.arange(MAX_PERIOD), span - 1))
    p_kwh = np.where(p_valid, kwh[cells], np.nan)
    p_temp = np.where(p_valid, temps[cells], 0.0)
    p_weekend = p_valid & weekend[cells[1]]
    p_forecast = p_valid & from_forecast[cells]
    trained: dict[str, Any] = {}
    if model is not None:
        history_trained, period_trained = _trained(
            model,
            households,
            first=first,
            temps=temps,
            starts=starts,
            lengths=lengths,
            today_at=today_at,
        )
        trained = {"history_trained": history_trained, "period_trained": period_trained}
    result = project(
        **trained,
        history_kwh=kwh[:, history],
        history_temp=temps[:, history],
        history_weekend=np.broadcast_to(weekend[history], (n, HISTORY_DAYS)),
        period_kwh=p_kwh,
        period_temp=p_temp,
        period_weekend=p_weekend,
        period_valid=p_valid,
        period_forecast=p_forecast,
    )
    budgets = {
        b.household_id: b
        for b in session.scalars(select(Budget).where(Budget.household_id.in_(list(index))))
    }
    # per household, from the period matrices at once
    have = ~np.isnan(p_kwh) & p_valid
    missing = p_valid & ~have
    so_far = np.where(have, p_kwh, 0.0).sum(axis=1).tolist()
    measured = have.sum(axis=1).tolist()
    remaining = missing.sum(axis=1).tolist()
    forecast_ahead = (p_forecast & missing).any(axis=1).tolist()
    figures = zip(result.expected.tolist(), result.low.tolist(), result.high.tolist(), strict=True)
    out = []
    for row, (household, (expected, low, high)) in enumerate(zip(households, figures, strict=True)):
        start, end = periods[row]
        meter = _meter_of(household)
        bills = [_priced(round(value), start, end, *meter) for value in (expected, low, high)]
        current, next_price, _ = _top_tier(_priced(round(so_far[row]), start, end, *meter))
        projected, _, projected_price = _top_tier(bills[0])
        days_left = max((end - today).days, 0)
        budget = budgets.get(household.id)
        status = None
        if budget is not None:
            limit = (
                _kwh_within(budget.amount, start, end, *meter)
                if budget.amount is not None
                else int(budget.kwh or 0)
            )
            remaining_days = remaining[row]
            already_over = so_far[row] > limit
            # more likely than not over by a margin: the midpoint of the low end and the
            # expectation is over the limit (about 70% under a normal spread)
            status = BudgetStatus(
                budget.amount,
                budget.kwh,
                limit,
                expected > limit,
                (low + expected) / 2 > limit,
                None
                if already_over or not remaining_days
                else (limit - so_far[row]) / remaining_days,
                already_over,
            )
        out.append(
            HouseholdProjection(
                household.id,
                start,
                end,
                today,
                so_far[row],
                measured[row],
                days_left,
                (expected, low, high),
                (bills[0].total, bills[1].total, bills[2].total),
                "forecast" if forecast_ahead[row] else "normals",
                current,
                projected,
                next_price,
                projected_price,
                status,
                projected_price if len(bills[0].segments[-1].tiers) == 1 else None,
            )
        )
    return out


def project_household(
    session: Session,
    household: Household,
    *,
    today: date,
    now: datetime | None = None,
    model: ConsumptionModel | None = None,
) -> HouseholdProjection:
    return project_households(session, [household], today=today, now=now, model=model)[0]


def usage_with_projection(
    session: Session,
    household: Household,
    *,
    today: date,
    now: datetime | None = None,
    model: ConsumptionModel | None = None,
) -> dict[str, Any]:
    """GET /api/v1/me/usage and the action server's usage: the period so far and its projection.

    `projected_kwh` and `projected_bill` are the projection's expected values, so the chat's usage
    answer, its projected-bill answer, the app and the staff panel all state one figure."""
    projected = project_household(session, household, today=today, now=now, model=model)
    return {
        **household_usage(session, household, today=today).as_dict(),
        "projected_kwh": round(projected.kwh[0], 1),
        "projected_bill": projected.amount[0],
        "projected_bill_text": format_vnd(projected.amount[0]),
        "projection": projected.as_dict(),
    }
