"""Expected use in log space: a per-household degree-day regression on log kWh (issue 21).

Day-to-day variation in homes is multiplicative (an appliance runs longer, more people are home,
the meter's noise is a share of the day's use), and so are the weather's interactions with the
household (a water heater's winter use grows with the cold and with the number of people). On
log kWh they are additive and the residuals have one spread however much the weather adds, so
a cold month is not under-predicted by a straight line fitted mostly to mild days, and a hot day's
spread is not mistaken for heavy tails.

`LogFit` holds, for every household with a year of history, log(kWh + OFFSET) ≈ x·coef on the
consumption model's regressors (ml/design.py: base, CDD, CDD², HDD, HDD², weekend, Tết,
holiday, trend) with its own balance temperatures (a grid, as ml/ridge.py), fitted robustly (a
refit without the days beyond OUTLIER_SIGMAS); its residuals' spread, persistence and tail scale
(ml/noise.py) in log units. `to_log` turns the consumption model's prediction (kWh) into the
detector's log-space inputs: a household with a `LogFit` is expected by it, any other (a short
history, a newcomer on its peers' parameters) by the log of the consumption model's expectation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ml.design import Design, regressors
from ml.noise import persistence, tail_scale
from ml.parameters import Prediction
from ml.ridge import COOL_GRID, HEAT_GRID, NO_COOLING, NO_HEATING, batched_ridge

OFFSET_KWH = 0.5  # log(kWh + this): a nearly empty day is not infinitely unlikely
MIN_DAYS = 300  # a household is fitted in log space from this much history (its own seasons)
OUTLIER_SIGMAS = 3.0
MAD_TO_SD = 1.4826
MIN_LOG_SIGMA = 0.04
TREND_CARRY = 0.5  # as ml/consumption.py: a year-long trend goes on at half its slope
EXTRAPOLATION_WIDENING = 0.05  # log spread added per °C beyond the history's temperatures
COOL = (*COOL_GRID, NO_COOLING)
HEAT = (*HEAT_GRID, NO_HEATING)


@dataclass
class LogFit:
    """Per fitted household ([households, …]), in the order of `ids`."""

    ids: np.ndarray
    coef: np.ndarray
    cool: np.ndarray
    heat: np.ndarray
    span: np.ndarray  # first and last training day (days since 1970)
    sigma: np.ndarray  # robust spread of the log residuals
    noise: np.ndarray  # [households, 2]: φ and tail scale of the standardised log residuals
    temp_range: np.ndarray  # [households, 2]


def _robust_sigma(residual: np.ndarray, valid: np.ndarray) -> np.ndarray:
    masked = np.where(valid, residual, np.nan)
    centre = np.nanmedian(masked, axis=1, keepdims=True)
    mad = np.nanmedian(np.abs(masked - centre), axis=1)
    return np.maximum(np.nan_to_num(MAD_TO_SD * mad, nan=1.0), MIN_LOG_SIGMA)


def _best(design: Design, y: np.ndarray, valid: np.ndarray, span: np.ndarray, alpha: float):
    """Each household's balance temperatures with the least squared error, and its fit there."""
    n = len(design.ids)
    best = (np.full(n, np.inf), np.zeros((n, 9)), np.zeros(n), np.zeros(n))
    masked = replace(design, valid=valid)
    for cool_at in COOL:
        for heat_at in HEAT:
            if cool_at < heat_at:
                continue  # as ml/ridge.py: no household heats and cools on the same days
            cool, heat = np.full(n, cool_at), np.full(n, heat_at)
            x = regressors(masked, cool=cool, heat=heat, span=span)
            coef, sse = batched_ridge(x, y * valid, alpha)
            # more heat or cold never lowers use
            sse = np.where((coef[:, 1] < 0) | (coef[:, 3] < 0), np.inf, sse)
            better = sse < best[0]
            for held, new in zip(best, (sse, coef, cool, heat), strict=True):
                held[better] = new[better]
    return best[1], best[2], best[3]


def fit_log(design: Design, *, alpha: float) -> LogFit:
    """Fit every household of `design` (estimated reads already left out) with ≥ MIN_DAYS."""
    enough = design.valid.sum(axis=1) >= MIN_DAYS
    d = design.subset(enough)
    valid = d.valid
    y = np.log(np.maximum(d.kwh, 0.0) + OFFSET_KWH)
    span = np.column_stack(
        [
            np.where(valid, d.day_number, np.inf).min(axis=1),
            np.where(valid, d.day_number, -np.inf).max(axis=1),
        ]
    )
    coef, cool, heat = _best(d, y, valid, span, alpha)
    x = regressors(d, cool=cool, heat=heat, span=span)
    residual = y - np.einsum("hdp,hp->hd", x, coef)
    sigma = _robust_sigma(residual, valid)
    kept = valid & (np.abs(residual) <= OUTLIER_SIGMAS * sigma[:, None])
    coef, cool, heat = _best(d, y, kept, span, alpha)
    x = regressors(d, cool=cool, heat=heat, span=span)
    residual = y - np.einsum("hdp,hp->hd", x, coef)
    sigma = _robust_sigma(residual, kept)
    z = np.where(valid, residual / sigma[:, None], 0.0)
    consecutive = valid[:, 1:] & valid[:, :-1] & (np.diff(d.day_number, axis=1) == 1)
    noise = np.column_stack(
        [persistence(z, consecutive), tail_scale(z, valid, cap=OUTLIER_SIGMAS + 2.0)]
    )
    temps = np.column_stack(
        [
            np.where(valid, d.temp, np.inf).min(axis=1),
            np.where(valid, d.temp, -np.inf).max(axis=1),
        ]
    )
    return LogFit(np.array(d.ids), coef, cool, heat, span, sigma, noise, temps)


@dataclass(frozen=True)
class LogInputs:
    """The detector's inputs in log space ([households, days] unless noted)."""

    actual: np.ndarray
    prediction: Prediction  # expected, weather, sigma, uncertain, level_sd in log units
    own: np.ndarray  # [households]: expected by its LogFit


def to_log(design: Design, p: Prediction, fit: LogFit) -> LogInputs:
    """`p` (kWh) in log units by the delta method, and the households `fit` holds expected by
    it (its spread, persistence and tail scale replace the kWh model's)."""
    scale = np.maximum(p.expected, 0.0) + OFFSET_KWH
    expected = np.log(scale)
    sigma, level_sd = p.sigma / scale, p.level_sd / scale
    phi, tails = p.persistence.copy(), p.tail_scale.copy()
    index = {h: i for i, h in enumerate(fit.ids)}
    rows = np.array([index.get(h, -1) for h in design.ids])
    own = rows >= 0
    if own.any():
        d, at = design.subset(own), rows[own]
        x = regressors(
            d, cool=fit.cool[at], heat=fit.heat[at], span=fit.span[at], carry=TREND_CARRY
        )
        low, high = fit.temp_range[at, :1], fit.temp_range[at, 1:]
        beyond = np.maximum(np.maximum(d.temp - high, low - d.temp), 0.0)
        # beyond the history's temperatures a curve in log space may bend back down: expect
        # the larger of it and the kWh model's expectation (which holds its peers' curves)
        fitted = np.einsum("hdp,hp->hd", x, fit.coef[at])
        expected[own] = np.where(beyond > 0, np.maximum(fitted, expected[own]), fitted)
        sigma[own] = fit.sigma[at, None] + EXTRAPOLATION_WIDENING * beyond
        level_sd[own] = np.broadcast_to(fit.sigma[at, None], level_sd[own].shape)
        phi[own], tails[own] = fit.noise[at, 0], fit.noise[at, 1]
    prediction = replace(
        p,
        expected=expected,
        weather=p.weather / scale,
        sigma=sigma,
        uncertain=p.uncertain / scale[..., None],
        level_sd=level_sd,
        persistence=phi,
        tail_scale=tails,
    )
    actual = np.log(np.maximum(design.kwh, 0.0) + OFFSET_KWH)
    return LogInputs(actual=actual, prediction=prediction, own=own)
