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

import numpy as np

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


@dataclass
class Projection:
    """Per household ([households]) in kWh: the period's expected total and its 80% range."""

    expected: np.ndarray
    low: np.ndarray
    high: np.ndarray
    sd: np.ndarray  # of the part still to come
    rest_expected: np.ndarray  # the days without a reading


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
) -> Projection:
    """`history_*` [households, days] the days before and during the period with a reading
    (kWh nan where none), the last column the latest day; `period_*` [households, period days]:
    the period's kWh (nan where no reading yet), temperature (observed, forecast or normal),
    weekend flags, `period_valid` (False past the period's end for shorter periods) and
    `period_forecast` (True where the temperature is a forecast, not a normal; ignored on days
    with a reading)."""
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
    predicted = np.maximum(np.einsum("hdp,hp->hd", px, coef) + level[:, None], 0.0)
    have = ~np.isnan(period_kwh) & period_valid
    missing = ~have & period_valid
    so_far = np.where(have, period_kwh, 0.0).sum(axis=1)
    rest = np.where(missing, predicted, 0.0).sum(axis=1)
    n_rest = missing.sum(axis=1).astype(float)
    sigma = np.where(n_window > 3, sigma, 0.25 * np.maximum(rest / np.maximum(n_rest, 1), 1.0))

    noise_var = sigma**2 * n_rest * (1 + rho) / (1 - rho)
    level_var = (sigma**2 / np.maximum(n_recent + LEVEL_SHRINK_DAYS, 1.0)) * n_rest**2
    hot = period_temp > COOL_BALANCE_C - 2.0
    slope = coef[:, 1][:, None] * hot + coef[:, 2][:, None] * (period_temp < HEAT_BALANCE_C + 2.0)
    normals_days = missing & ~period_forecast
    forecast_days = missing & period_forecast
    normals_var = (NORMALS_TEMP_SD * np.where(normals_days, slope, 0.0).sum(axis=1)) ** 2
    forecast_var = FORECAST_TEMP_SD**2 * np.where(forecast_days, slope**2, 0.0).sum(axis=1)
    sd = RANGE_SCALE * np.sqrt(noise_var + level_var + normals_var + forecast_var)
    expected = so_far + rest
    return Projection(
        expected=expected,
        low=so_far + np.maximum(rest - Z80 * sd, 0.0),
        high=expected + Z80 * sd,
        sd=sd,
        rest_expected=rest,
    )
