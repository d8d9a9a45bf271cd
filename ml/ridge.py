"""Robust per-household ridge fits of daily kWh on the design (ml/design.py).

All households are fitted at once (batched linear algebra over [households, days, N_COEF]).
Each household's balance temperatures come from a grid search with finer steps around its best
point, cooling only and heating only among the candidates; the weather slopes must not be
negative, because more heat or cold never lowers use and a negative slope would predict less on
the coldest days and flag them all. A cooling response that flattens in the heat (a fitted CDD²
below zero: the air conditioners already run all day) is fitted as a straight line instead of
being refused, so the household keeps its cooling. The fit is robust:
it is repeated without the days the first fit cannot explain (vacations, odd days), so a week
away does not bend a household's normal use.
"""

from __future__ import annotations

import numpy as np

from ml.design import (
    BASE_COEFS,
    CALENDAR_COEFS,
    COOL_CURVE,
    N_COEF,
    TREND,
    WEATHER_COEFS,
    Design,
    expected_kwh,
    regressors,
)

# °C; the points below 22 °C are for homes that cool from a milder daily mean (eemeter's Illinois
# samples: from about 16 °C); the simulated Vietnamese worlds score the same with or without them
COOL_GRID = (16.0, 18.0, 20.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0)
HEAT_GRID = (14.0, 15.5, 17.0, 18.5, 20.0)
CURVED_HEAT_GRID = (15.5, 17.0, 18.5, 20.0, 21.5, 23.0)  # °C: balance points of convex heating
# a convex heating curve replaces a straight line only if it lowers the SSE by more than this
# share: one more regressor always fits the noise a little better
CURVE_PENALTY = 0.01
NO_COOLING, NO_HEATING = 60.0, -30.0  # balance points no day reaches: weather plays no part
REFINE_STEPS = (-0.5, -0.25, 0.25, 0.5)  # °C around the best grid point (×1.5 for heating)
# ridge penalty per coefficient (× alpha): none on the intercept, little on Tết and holidays,
# which a year holds only a few days of
PENALTY_SCALE = np.array([1e-6, 1.0, 1.0, 1.0, 1.0, 1.0, 0.02, 0.02, 1.0])
# a household's trend slope is kept only as far as its history shows it: × max(0, 1 − this / t²)
TREND_SHRINK = 4.0
TREND_BLOCK_DAYS = 30  # the trend's standard error comes from residual means over blocks this long
MIN_RELATIVE_SIGMA = 0.04  # a household's day-to-day spread is at least this share of its use
OUTLIER_SIGMAS = 3  # the robust refit leaves out days further than this from the first fit


def penalised_gram(x: np.ndarray, alpha: float) -> np.ndarray:
    """Per household XᵀX + the ridge penalty: [households, N_COEF, N_COEF] (a batched matmul:
    BLAS, about 8 times as fast as the same einsum, and the grid search computes it ~80 times)."""
    return np.matmul(np.swapaxes(x, 1, 2), x) + np.diag(PENALTY_SCALE * alpha)


def batched_ridge(
    x: np.ndarray, y: np.ndarray, alpha: float, *, straight_cooling: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Per-household ridge: coefficients and residual sums of squares. With `straight_cooling`,
    a household whose CDD² coefficient comes out negative (its cooling flattens in the heat) is
    fitted without that regressor: a straight cooling line, its CDD² coefficient 0, solved from
    the same Gram matrix so the days are read once."""
    gram = penalised_gram(x, alpha)
    rhs = np.einsum("hdp,hd->hp", x, y)
    coef = np.linalg.solve(gram, rhs[..., None])[..., 0]
    flattening = coef[:, COOL_CURVE] < -1e-9
    if straight_cooling and flattening.any():
        reduced, target = gram[flattening], rhs[flattening]  # copies (boolean indexing)
        reduced[:, COOL_CURVE, :] = 0.0
        reduced[:, :, COOL_CURVE] = 0.0
        reduced[:, COOL_CURVE, COOL_CURVE] = 1.0
        target[:, COOL_CURVE] = 0.0
        coef[flattening] = np.linalg.solve(reduced, target[..., None])[..., 0]
    residual = y - np.einsum("hdp,hp->hd", x, coef)
    return coef, np.einsum("hd,hd->h", residual, residual)


def multiplicative_calendar(
    x: np.ndarray, *, observed: np.ndarray, mask: np.ndarray, coef: np.ndarray, alpha: float
) -> np.ndarray:
    """Refit an additive fit with weekend, Tết and holiday as shares of the day's other use:
    a Tết at home in a heat wave adds more kWh than a Tết in cool weather. Where the refit
    turns a weather slope negative, the additive fit is kept, its calendar terms as shares of
    the household's mean use."""
    base = np.maximum(np.einsum("hdp,hp->hd", x[..., BASE_COEFS], coef[:, BASE_COEFS]), 0.1)
    scaled = x.copy()
    scaled[..., CALENDAR_COEFS] *= base[..., None]
    refit, _ = batched_ridge(scaled * mask[..., None], observed * mask, alpha)
    keep: np.ndarray = np.any(refit[:, WEATHER_COEFS] < -1e-9, axis=1)
    mean_base = (base * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1)
    additive = coef.copy()
    additive[:, CALENDAR_COEFS] /= mean_base[:, None]
    return np.where(keep[:, None], additive, refit)


def relative_sigma(residuals: np.ndarray, fitted: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Robust spread (scaled MAD) of residual ÷ expected per household: day-to-day noise grows
    with use (hot days), so the spread is a share of the expected kWh."""
    relative = np.where(valid, residuals / np.maximum(fitted, 0.5), np.nan)
    centre = np.nanmedian(relative, axis=1, keepdims=True)
    mad = np.nanmedian(np.abs(relative - centre), axis=1)
    return np.maximum(1.4826 * mad, MIN_RELATIVE_SIGMA)


def fit_grid(
    design: Design, *, observed: np.ndarray, mask: np.ndarray, span: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per household, the balance temperatures, additive coefficients and heating shape
    (`curved`) of least SSE on the `mask`ed days: no weather at all, a coarse grid (cooling only
    and heating only included), then finer steps around each household's best point (cooling
    first, then heating), then convex heating curves at the best cooling point (their SSE × 1 +
    CURVE_PENALTY). Fits with a negative weather slope, or a cooling balance point below the
    heating one, are refused; where the CDD² term is negative, the fit without it (a straight
    cooling line) is considered instead."""
    households = len(design.ids)
    best_sse = np.full(households, np.inf)
    coef = np.zeros((households, N_COEF))
    cool, heat = np.zeros(households), np.zeros(households)
    curved = np.zeros(households, dtype=bool)

    def consider(c: np.ndarray, h: np.ndarray, bend: bool = False) -> None:
        # heating and cooling at once (a cooling balance point below the heating one) would let
        # two slopes cancel on the days between them: not a household's weather
        apart = c >= h
        if not apart.any():
            return
        x = regressors(design, cool=c, heat=h, span=span, curved=bend)
        fitted, sse = batched_ridge(
            x * mask[..., None], observed * mask, alpha, straight_cooling=True
        )
        sse = sse * (1 + CURVE_PENALTY) if bend else sse
        better = (sse < best_sse) & (fitted[:, WEATHER_COEFS] >= -1e-9).all(axis=1) & apart
        best_sse[better] = sse[better]
        coef[better], cool[better], heat[better] = fitted[better], c[better], h[better]
        curved[better] = bend

    for c in (*COOL_GRID, NO_COOLING):
        for h in (*HEAT_GRID, NO_HEATING):
            consider(np.full(households, c), np.full(households, h))
    for step in REFINE_STEPS:
        base_cool, base_heat = cool.copy(), heat.copy()
        consider(base_cool + step, base_heat)
    for step in REFINE_STEPS:
        base_cool, base_heat = cool.copy(), heat.copy()
        consider(base_cool, base_heat + 1.5 * step)
    for h in CURVED_HEAT_GRID:
        consider(cool.copy(), np.full(households, h), bend=True)
    for step in REFINE_STEPS:
        consider(cool.copy(), heat + 1.5 * step, bend=True)
    return coef, cool, heat, curved


def fit_all(
    design: Design, *, observed: np.ndarray, mask: np.ndarray, span: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Balance points, coefficients (calendar as shares), heating shape and the fitted kWh of
    every day."""
    coef, cool, heat, curved = fit_grid(
        design, observed=observed, mask=mask, span=span, alpha=alpha
    )
    x = regressors(design, cool=cool, heat=heat, span=span, curved=curved)
    straight = x.copy()
    straight[coef[:, COOL_CURVE] == 0.0, :, COOL_CURVE] = 0.0  # as fitted: a straight cooling line
    coef = multiplicative_calendar(straight, observed=observed, mask=mask, coef=coef, alpha=alpha)
    return coef, cool, heat, curved, expected_kwh(x, coef)[0]


def shrink_trend(
    design: Design, *, coef: np.ndarray, x: np.ndarray, residuals: np.ndarray
) -> np.ndarray:
    """`coef` with each household's trend slope shrunk by max(0, 1 − TREND_SHRINK / t²), t the
    slope over its standard error from 30-day block means of the residuals: over a year or two a
    month that the weather fit leaves unexplained (school holidays, guests, a fault in the newest
    months) fakes a trend far more often than day-to-day noise does. The intercept moves so the
    training days keep their mean."""
    households = len(coef)
    first = design.day_number[design.valid].min() if design.valid.any() else 0
    block = np.where(design.valid, design.day_number - first, 0) // TREND_BLOCK_DAYS
    blocks = int(block.max(initial=0)) + 1
    cell = (np.arange(households)[:, None] * blocks + block.astype(np.intp))[design.valid]

    def per_block(values: np.ndarray | None = None) -> np.ndarray:
        weights = None if values is None else values[design.valid]
        sums = np.bincount(cell, weights=weights, minlength=households * blocks)
        return sums.reshape(households, blocks)

    count = per_block()
    full = count >= TREND_BLOCK_DAYS / 3
    mean_residual = per_block(residuals) / np.maximum(count, 1)
    trend_sums = per_block(x[..., TREND])  # x is zero on padding cells
    mean_trend = trend_sums / np.maximum(count, 1)
    n = full.sum(axis=1)
    centre = np.where(full, mean_trend, 0.0).sum(axis=1) / np.maximum(n, 1)
    sxx = np.where(full, (mean_trend - centre[:, None]) ** 2, 0.0).sum(axis=1)
    s2 = np.where(full, mean_residual**2, 0.0).sum(axis=1) / np.maximum(n - 2, 1)
    slope = coef[:, TREND]
    t2 = slope**2 * sxx / np.maximum(s2, 1e-12)
    factor = np.clip(1 - TREND_SHRINK / np.maximum(t2, 1e-12), 0.0, 1.0)
    factor = np.where((n >= 4) & (sxx > 0), factor, 1.0)
    training_trend = trend_sums.sum(axis=1) / np.maximum(count.sum(axis=1), 1)
    out = coef.copy()
    out[:, TREND] = slope * factor
    out[:, 0] += (1 - factor) * slope * training_trend
    return out


def fit_robust(
    design: Design, *, observed: np.ndarray, span: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`fit_all` on every valid day, then again without the days the first fit cannot explain
    (further than OUTLIER_SIGMAS robust spreads: vacations, odd days)."""
    fitted = fit_all(design, observed=observed, mask=design.valid, span=span, alpha=alpha)[-1]
    sigma = relative_sigma(observed - fitted, fitted, design.valid)
    scale = OUTLIER_SIGMAS * sigma[:, None] * np.maximum(fitted, 0.5)
    inliers = design.valid & (np.abs(observed - fitted) <= scale)
    return fit_all(design, observed=observed, mask=inliers, span=span, alpha=alpha)
