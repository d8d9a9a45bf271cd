"""The issue's second peer: a per-household degree-day regression on log kWh with a CUSUM — what a
utility analyst writes in an afternoon (issue 21 reports it at recall 0.92 / 0.08 false alerts a
household-year on the issue's own simulator, "tuned on another seed of that simulator").

Per household, on the training days: log(kWh + OFFSET) = a + b·weekend + c·HDD(Th) + d·CDD(Tc),
the balance points Th and Tc picked from a grid by least squares, refitted once without the days
beyond OUTLIER robust spreads; the spread is the scaled MAD of the residuals. From the test day
on, each day's standardised residual feeds an upper CUSUM S = min(max(0, S + z − k), CAP·h),
flagged while S > h (capped so that an episode ends within weeks of the excess stopping). The
official Tết days carry no evidence (the product's model skips them too), so the peer is not
charged for a holiday it was never told of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ml.features import CalendarFeatures
from ml.worlds.cusum import cusum

OFFSET = 0.5  # kWh added before the log: a day with no use stays finite
HEAT_BASES = (14.0, 16.0, 18.0, 20.0, 22.0, 99.0)  # °C; 99: no heating term (the column is 0)
COOL_BASES = (20.0, 22.0, 24.0, 26.0, 28.0, 99.0)  # °C; 99: no cooling term
OUTLIER = 3.0  # robust spreads: days beyond are left out of the refit
CAP = 2.0  # the CUSUM stops at CAP × h
MAD_SCALE = 1.4826


@dataclass(frozen=True)
class LogDegreeDay:
    coef: np.ndarray  # intercept, weekend, HDD, CDD
    heat_base: float
    cool_base: float
    spread: float  # robust spread of the log residuals on the training days


def _design(
    temps: np.ndarray, weekend: np.ndarray, heat_base: float, cool_base: float
) -> np.ndarray:
    heat = np.maximum(heat_base - temps, 0.0) if heat_base < 99 else np.zeros_like(temps)
    cool = np.maximum(temps - cool_base, 0.0) if cool_base < 99 else np.zeros_like(temps)
    return np.column_stack([np.ones_like(temps), weekend, heat, cool])


def _spread(residual: np.ndarray) -> float:
    return max(float(MAD_SCALE * np.median(np.abs(residual - np.median(residual)))), 0.01)


def fit(*, kwh: np.ndarray, temps: np.ndarray, weekend: np.ndarray) -> LogDegreeDay:
    """The balance points and coefficients of least squares on log(kWh + OFFSET), then one refit
    without the days beyond OUTLIER robust spreads."""
    y = np.log(kwh + OFFSET)
    best: tuple[float, float, float] | None = None
    for heat_base in HEAT_BASES:
        for cool_base in COOL_BASES:
            x = _design(temps, weekend, heat_base, cool_base)
            coef, *_ = np.linalg.lstsq(x, y, rcond=None)
            sse = float(np.sum((y - x @ coef) ** 2))
            if best is None or sse < best[0] - 1e-12:
                best = (sse, heat_base, cool_base)
    assert best is not None
    _, heat_base, cool_base = best
    x = _design(temps, weekend, heat_base, cool_base)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ coef
    keep = np.abs(residual - np.median(residual)) <= OUTLIER * _spread(residual)
    if keep.sum() > x.shape[1] * 3:
        coef, *_ = np.linalg.lstsq(x[keep], y[keep], rcond=None)
        residual = y - x @ coef
    return LogDegreeDay(
        coef=coef, heat_base=heat_base, cool_base=cool_base, spread=_spread(residual)
    )


def standardised(
    model: LogDegreeDay, *, kwh: np.ndarray, temps: np.ndarray, weekend: np.ndarray
) -> np.ndarray:
    x = _design(temps, weekend, model.heat_base, model.cool_base)
    return (np.log(kwh + OFFSET) - x @ model.coef) / model.spread


@dataclass(frozen=True)
class Residuals:
    """Standardised residuals [households, days] of the scored days (NaN: no read, or Tết)."""

    ids: list[str]
    days: list[date]
    z: np.ndarray


def residuals(readings: pd.DataFrame, ids: Sequence[str], *, test_day: date) -> Residuals:
    """Each household of `ids` fitted on its readings before `test_day`, standardised from it on."""
    scored = readings[readings["date"] >= test_day]
    days = sorted(set(scored["date"]))
    column = {d: i for i, d in enumerate(days)}
    z = np.full((len(ids), len(days)), np.nan)
    calendar = CalendarFeatures()
    by_household = dict(tuple(readings.groupby("household_id")))
    for row, household in enumerate(ids):
        rows = by_household[household]
        rows = rows[rows["kwh"].notna() & rows["avg_temp_c"].notna()]
        features = calendar.transform(rows)
        weekend, tet = features[:, 0], features[:, 1] > 0
        kwh, temps = rows["kwh"].to_numpy(float), rows["avg_temp_c"].to_numpy(float)
        train = (rows["date"] < test_day).to_numpy() & ~tet
        test = (rows["date"] >= test_day).to_numpy() & ~tet
        model = fit(kwh=kwh[train], temps=temps[train], weekend=weekend[train])
        values = standardised(model, kwh=kwh[test], temps=temps[test], weekend=weekend[test])
        z[row, [column[d] for d in rows["date"][test]]] = values
    return Residuals(ids=list(ids), days=days, z=z)


def flags(res: Residuals, *, k: float, h: float) -> pd.DataFrame:
    """household_id, date, is_anomaly: the capped upper CUSUM (allowance k) above h. A day
    without evidence leaves the sum as it is."""
    on = cusum(res.z, k=k, cap=CAP * h) > h
    n = len(res.days)
    return pd.DataFrame(
        {
            "household_id": np.repeat(res.ids, n),
            "date": res.days * len(res.ids),
            "is_anomaly": on.ravel(),
        }
    )
