"""The upper CUSUM both peers alert with (CalTRACK's and the log-kWh degree-day model)."""

from __future__ import annotations

import numpy as np


def cusum(z: np.ndarray, *, k: float, cap: float = np.inf) -> np.ndarray:
    """The upper CUSUM's sum on standardised residuals `z` (days on the last axis; one row per
    household if 2-D), with allowance `k`, held at most at `cap`. It does not reset when it
    crosses a threshold, so the flags at any h are `sum > h`. Days without evidence (NaN) leave
    the sum as it is."""
    z = np.asarray(z, dtype=float)
    total = np.zeros(z.shape[:-1])
    path = np.zeros(z.shape)
    for t in range(z.shape[-1]):
        day = z[..., t]
        ok = np.isfinite(day)
        total = np.where(ok, np.clip(total + np.where(ok, day, 0.0) - k, 0.0, cap), total)
        path[..., t] = total
    return path
