"""Sequential detection on standardised residuals: a one-sided CUSUM with a slow, causal level."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CusumResult:
    expected: np.ndarray  # model prediction + adapted level
    score: np.ndarray  # CUSUM statistic
    flagged: np.ndarray  # bool
    run_length: np.ndarray  # consecutive flagged days up to each day


def cusum(
    actual: np.ndarray,
    predicted: np.ndarray,
    sigma: np.ndarray,  # [households, days]
    valid: np.ndarray,
    k: float,
    h: float,
    level_halflife: float,
    warmup: np.ndarray | None = None,
    calm_below: float = 1e-9,
    z_cap: float = 5.0,
) -> CusumResult:
    """Matrices [households, days] in date order; day t uses days ≤ t only.

    z = (actual − predicted − level) / sigma; S = max(0, S + z − k); flagged when S > h.
    `level` follows slow drift (EWMA of residuals) only while the evidence is weak
    (S < calm_below), so an abrupt fault is not learnt away. `warmup[i]` days at the start of household i are never flagged.
    """
    households, days = actual.shape
    alpha = 1 - 0.5 ** (1 / level_halflife)
    level = np.zeros(households)
    state = np.zeros(households)
    run = np.zeros(households)
    expected = np.empty_like(actual)
    score = np.zeros_like(actual)
    flagged = np.zeros(actual.shape, dtype=bool)
    run_length = np.zeros_like(actual)
    warm = np.zeros(households) if warmup is None else warmup
    for t in range(days):
        ok = valid[:, t]
        expected[:, t] = predicted[:, t] + level
        residual = np.where(ok, actual[:, t] - expected[:, t], 0.0)
        z = np.minimum(residual / sigma[:, t], z_cap)  # one odd day cannot reach h alone
        state = np.where(ok, np.maximum(0.0, state + z - k), state)
        is_flag = ok & (state > h) & (t >= warm)
        run = np.where(is_flag, run + 1, np.where(ok, 0, run))
        calm = ok & (state < calm_below)
        spread = 2 * sigma[:, t]
        level = np.where(calm, level + alpha * np.clip(residual, -spread, spread), level)
        score[:, t] = state
        flagged[:, t] = is_flag
        run_length[:, t] = run
    return CusumResult(expected, score, flagged, run_length)
