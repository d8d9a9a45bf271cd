"""The rest of a billing period's kWh, with an 80% range, for many households at once.

Each household's own daily use is fitted, weighted towards recent weeks, against the day's
temperature: kWh ≈ a + b·CDD + c·HDD (+ a weekend share), with cooling degrees above
`COOL_BALANCE_C` and heating degrees below `HEAT_BALANCE_C` (the same form as the consumption
model's, ml/design.py, with fixed balance temperatures so that the fit is one small linear solve
per household and 100,000 households take seconds). The period's days without a reading (the rest
of the period, and any gaps) are predicted from their temperatures: the forecast where there is
one, the province's climate normals beyond it.

The range: the day-to-day spread of the household's recent residuals, summed over the days left
with their autocorrelation (a hot spell or a guest week moves many days together), plus the fit's
own uncertainty about the level, plus what unknown weather may add on the days priced from
normals (and less on forecast days). `RANGE_SCALE` calibrates the whole so that about 80% of final
bills fall inside (ml/EVALUATION.md, "Projected bill").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ml.consumption import ConsumptionModel
from ml.design import grid_design

COOL_BALANCE_C = 24.0
HEAT_BALANCE_C = 18.0
HALFLIFE_DAYS = 45.0  # weight of a past day halves every this many days
RIDGE = 1.0  # penalty on the weather slopes (kWh per degree², weighted days)
RECENT_DAYS = 14  # residuals of these days correct the level
LEVEL_SHRINK_DAYS = 5.0  # the level correction is mean residual × n ÷ (n + this)
Z80 = 1.2816  # the standard normal quantile of 90%: an 80% two-sided range
NORMALS_TEMP_SD = 1.2  # °C: sd of a stretch's mean temperature around the normals
FORECAST_TEMP_SD = 0.8  # °C: sd of a forecast day's error (taken as independent days)
MAX_AUTOCORRELATION = 0.8
RANGE_SCALE = 1.3
TRAINED_RANGE_SCALE = 1.3  # the same, for households priced by the trained model


@dataclass
class Projection:
    """Per household ([households]) in kWh: the period's expected total and its 80% range."""

    expected: np.ndarray
    low: np.ndarray
    high: np.ndarray
    sd: np.ndarray  # of the part still to come
    rest_expected: np.ndarray  # the days without a reading


@dataclass
class TrainedDays:
    """The trained consumption model's view of some households over consecutive days
    ([households, days], nan for households it does not cover): expected kWh, its day-to-day
    spread (kWh) and how much one more °C changes it (kWh per °C, absolute)."""

    expected: np.ndarray
    sigma: np.ndarray
    slope: np.ndarray

    def days(self, at: slice) -> TrainedDays:
        return TrainedDays(self.expected[:, at], self.sigma[:, at], self.slope[:, at])


def covered(model: ConsumptionModel, household_ids: list[str]) -> np.ndarray:
    """[households] bool: the households the trained model projects (those with
    `min_history_days` of its own training history); the others keep the light fit."""
    known = _history_days(model)
    return np.array([known.get(h, 0) >= model.min_history_days for h in household_ids], dtype=bool)


@lru_cache(maxsize=4)
def _history_days(model: ConsumptionModel) -> dict[str, int]:
    """The model's households and their training days, built once per model (not per page)."""
    return dict(zip(model.household_ids_, model.history_days_, strict=True))


def trained_days(
    model: ConsumptionModel,
    *,
    household_ids: list[str],
    attributes: pd.DataFrame,
    first: object,
    temp: np.ndarray,
) -> TrainedDays:
    """The consumption model's expectation for `household_ids` on the days from `first` (a date)
    at temperatures `temp` [households, days]; `attributes` (province_code, occupants,
    air_conditioners) in the same order. Households without `min_history_days` of the model's
    own training history are not covered (nan): their projection keeps the light fit."""
    n, days = temp.shape
    out = TrainedDays(*(np.full((n, days), np.nan) for _ in range(3)))
    rows = covered(model, household_ids)
    if not rows.any() or days == 0:
        return out
    ids = np.asarray(household_ids, dtype=object)[rows]
    # one row per household for its attributes; the days as one grid design (every household is
    # asked about the same days), predicted once with the slope
    frame = pd.DataFrame({"household_id": ids})
    for column in ("province_code", "occupants", "air_conditioners"):
        if column in attributes:
            frame[column] = attributes[column].to_numpy()[rows]
    design = grid_design(
        [str(i) for i in ids],
        first=first,
        temp=temp[rows],
        calendar=model.calendar_,
        provinces=frame["province_code"].to_numpy() if "province_code" in frame else None,
    )
    prediction, slope = model.predict_with_slope(frame, design)
    order = np.flatnonzero(rows)
    out.expected[order] = prediction.expected
    out.sigma[order] = prediction.sigma
    out.slope[order] = slope
    return out


def _regressors(temp: np.ndarray, weekend: np.ndarray) -> np.ndarray:
    cdd = np.maximum(temp - COOL_BALANCE_C, 0.0)
    hdd = np.maximum(HEAT_BALANCE_C - temp, 0.0)
    return np.stack([np.ones_like(temp), cdd, hdd, weekend.astype(float)], axis=-1)


def project(
    *,
    history_kwh: np.ndarray,
    history_temp: np.ndarray,
    history_weekend: np.ndarray,
    period_kwh: np.ndarray,
    period_temp: np.ndarray,
    period_weekend: np.ndarray,
    period_valid: np.ndarray,
    period_forecast: np.ndarray,
    history_trained: np.ndarray | None = None,
    period_trained: TrainedDays | None = None,
) -> Projection:
    """`history_*` [households, days] the days before and during the period with a reading
    (kWh nan where none), the last column the latest day; `period_*` [households, period days]:
    the period's kWh (nan where no reading yet), temperature (observed, forecast or normal),
    weekend flags, `period_valid` (False past the period's end for shorter periods) and
    `period_forecast` (True where the temperature is a forecast, not a normal; ignored on days
    with a reading). `history_trained` [households, history days] and `period_trained`
    [households, period days]: the trained model's expectation (`trained_days`), nan for the
    households it does not cover (and for history days it was not asked about); covered
    households are projected from it instead of the light fit."""
    d = history_kwh.shape[1]
    observed = ~np.isnan(history_kwh)
    y = np.where(observed, history_kwh, 0.0)
    age = (d - 1) - np.arange(d)
    weight = np.where(observed, 0.5 ** (age / HALFLIFE_DAYS)[None, :], 0.0)
    x = _regressors(history_temp, history_weekend)
    gram = np.einsum("hd,hdp,hdq->hpq", weight, x, x)
    gram[:, [1, 2, 3], [1, 2, 3]] += RIDGE
    gram[:, 0, 0] += 1e-6
    target = np.einsum("hd,hdp,hd->hp", weight, x, y)
    coef = np.linalg.solve(gram, target[..., None])[..., 0]
    coef[:, 1:3] = np.maximum(coef[:, 1:3], 0.0)  # weather never lowers use here
    fitted = np.einsum("hdp,hp->hd", x, coef)
    covered = np.zeros(len(history_kwh), dtype=bool)
    if history_trained is not None and period_trained is not None:
        covered = ~np.isnan(period_trained.expected).all(axis=1)
        fitted = np.where(covered[:, None], history_trained, fitted)
    residual = np.where(observed, y - fitted, np.nan)

    # the level: the mean residual of the latest days with a reading, shrunk towards none
    recent = residual[:, -RECENT_DAYS:]
    n_recent = np.sum(~np.isnan(recent), axis=1)
    level = np.where(
        n_recent > 0,
        np.nansum(recent, axis=1)
        / np.maximum(n_recent, 1)
        * n_recent
        / (n_recent + LEVEL_SHRINK_DAYS),
        0.0,
    )
    # day-to-day spread and lag-1 autocorrelation of the last 60 days' residuals
    window = residual[:, -60:]
    n_window = np.maximum(np.sum(~np.isnan(window), axis=1), 1)
    mean = np.where(np.isnan(window), 0.0, window).sum(axis=1) / n_window
    centred = np.where(np.isnan(window), 0.0, window - mean[:, None])
    sigma = np.sqrt(np.sum(centred**2, axis=1) / np.maximum(n_window - 1, 1))
    pairs = np.sum(centred[:, 1:] * centred[:, :-1], axis=1)
    rho = np.clip(pairs / np.maximum(np.sum(centred**2, axis=1), 1e-9), 0.0, MAX_AUTOCORRELATION)

    px = _regressors(period_temp, period_weekend)
    own = np.einsum("hdp,hp->hd", px, coef)
    hot = period_temp > COOL_BALANCE_C - 2.0
    slope = coef[:, 1][:, None] * hot + coef[:, 2][:, None] * (period_temp < HEAT_BALANCE_C + 2.0)
    if period_trained is not None and covered.any():
        own = np.where(covered[:, None], np.nan_to_num(period_trained.expected), own)
        slope = np.where(covered[:, None], np.nan_to_num(period_trained.slope), slope)
    predicted = np.maximum(own + level[:, None], 0.0)
    have = ~np.isnan(period_kwh) & period_valid
    missing = ~have & period_valid
    so_far = np.where(have, period_kwh, 0.0).sum(axis=1)
    rest = np.where(missing, predicted, 0.0).sum(axis=1)
    n_rest = missing.sum(axis=1).astype(float)
    sigma = np.where(n_window > 3, sigma, 0.25 * np.maximum(rest / np.maximum(n_rest, 1), 1.0))

    day_var = sigma**2 * n_rest  # the days left's summed variance, independent days
    if period_trained is not None and covered.any():
        # the trained model's own spread of each day left
        trained_var = np.where(missing, np.nan_to_num(period_trained.sigma) ** 2, 0.0).sum(axis=1)
        day_var = np.where(covered, trained_var, day_var)
    noise_var = day_var * (1 + rho) / (1 - rho)
    mean_day_var = day_var / np.maximum(n_rest, 1.0)
    level_var = (mean_day_var / np.maximum(n_recent + LEVEL_SHRINK_DAYS, 1.0)) * n_rest**2
    normals_days = missing & ~period_forecast
    forecast_days = missing & period_forecast
    normals_var = (NORMALS_TEMP_SD * np.where(normals_days, slope, 0.0).sum(axis=1)) ** 2
    forecast_var = FORECAST_TEMP_SD**2 * np.where(forecast_days, slope**2, 0.0).sum(axis=1)
    scale = np.where(covered, TRAINED_RANGE_SCALE, RANGE_SCALE)
    sd = scale * np.sqrt(noise_var + level_var + normals_var + forecast_var)
    expected = so_far + rest
    return Projection(
        expected=expected,
        low=so_far + np.maximum(rest - Z80 * sd, 0.0),
        high=expected + Z80 * sd,
        sd=sd,
        rest_expected=rest,
    )
