"""What a household's day-to-day noise looks like beyond its robust spread, as the CUSUM sees it.

The consumption model's spread (`relative_sigma`, a scaled MAD) describes a typical day. A CUSUM
sums days, so two further properties of the residuals decide how fast it drifts on normal use:

- persistence: residuals that come in runs (a meter's noise, a weather response the fit misses
  for a week) add up faster than independent ones. Measured as an AR(1) coefficient φ from how
  often consecutive residuals share their sign (for a Gaussian AR(1), P(same sign) = ½ + asin φ/π),
  which a week away from home barely moves, unlike a correlation of values;
- tails: heavy-tailed noise has a far larger variance than its MAD says. Measured as the upper
  semi-spread of the residuals in units of the spread (√(2·mean(z₊²)), z capped as the detector
  caps it): 1 for Gaussian noise, larger for heavy tails. Only the upper half counts, because a
  CUSUM for excess use only sums upward, and the lower half holds vacations.

Both are estimated in-sample on the training residuals and applied out of sample by the detector
(ml/detect.py): it pre-whitens each standardised residual with φ and divides it by the tail scale.
"""

from __future__ import annotations

import numpy as np

# φ above this is not taken at face value: a year of history cannot tell it from a slow misfit
MAX_PERSISTENCE = 0.8
# the tail scale is capped: a history this wild is mostly faults or one-off events
MAX_TAIL_SCALE = 2.5


def persistence(z: np.ndarray, consecutive: np.ndarray) -> np.ndarray:
    """[households]: φ ∈ [0, MAX_PERSISTENCE] from the sign agreement of residuals `z`
    [households, days] on pairs of days that are `consecutive` [households, days - 1]."""
    same = (np.sign(z[:, 1:]) == np.sign(z[:, :-1])) & consecutive
    pairs = np.maximum(consecutive.sum(axis=1), 1)
    agreement = same.sum(axis=1) / pairs
    phi = np.sin(np.pi * (agreement - 0.5))
    return np.where(consecutive.sum(axis=1) >= 30, np.clip(phi, 0.0, MAX_PERSISTENCE), 0.0)


def tail_scale(z: np.ndarray, valid: np.ndarray, *, cap: float) -> np.ndarray:
    """[households]: √(2·mean(min(z, cap)₊²)) over `valid` days, in [1, MAX_TAIL_SCALE] (never
    narrower than the spread)."""
    upper = np.where(valid, np.clip(z, 0.0, cap), 0.0) ** 2
    counts = np.maximum(valid.sum(axis=1), 1)
    scale = np.sqrt(2 * upper.sum(axis=1) / counts)
    return np.where(valid.sum(axis=1) >= 30, np.clip(scale, 1.0, MAX_TAIL_SCALE), 1.0)


def noise_shape(
    *,
    residuals: np.ndarray,
    fitted: np.ndarray,
    valid: np.ndarray,
    day_number: np.ndarray,
    sigma: np.ndarray,
    cap: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per household (φ, tail scale) of the residuals [households, days] of a fit, in units of
    its relative spread `sigma` [households]; `cap`: the detector's cap on one day's evidence."""
    relative = np.where(valid, residuals / np.maximum(fitted, 0.5), np.nan)
    centre = np.nanmedian(np.where(valid, relative, np.nan), axis=1, keepdims=True)
    z = np.where(valid, (relative - np.nan_to_num(centre)) / sigma[:, None], 0.0)
    consecutive = valid[:, 1:] & valid[:, :-1] & (np.diff(day_number, axis=1) == 1)
    return persistence(z, consecutive), tail_scale(z, valid, cap=cap)
