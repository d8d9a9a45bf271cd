"""What the consumption model (ml/consumption.py) knows of each household, and what it predicts
for the detector (ml/detect.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# the index in `Prediction.uncertain` of the scale on the weather part of `expected`
WEATHER_PART = 2
# kWh: a day's spread (`Prediction.sigma`) is a share of its expected use, of at least this much
MIN_EXPECTED_KWH = 2.0


@dataclass
class Prediction:
    """Per household and day ([households, days]) what the detector needs."""

    expected: np.ndarray  # kWh
    weather: np.ndarray  # the part of `expected` due to the weather
    sigma: np.ndarray  # kWh: the day-to-day spread around `expected`
    warmup: np.ndarray  # [households]: days never flagged at the start
    seen: np.ndarray  # bool: conditions the household's own history covers
    # [households, days, 3] kWh shapes whose scales the detector learns, household by household,
    # on days a short history does not cover: the peers' high weather share × base use (hotter
    # days only), base use × °C beyond the hottest day of the history (the household's own
    # cooling slope there), and the weather part of `expected` (how far the peers' curve is off;
    # index WEATHER_PART)
    uncertain: np.ndarray
    level_sd: np.ndarray  # kWh: the day-to-day spread of the household's base use
    short: np.ndarray  # [households]: history shorter than a year
    persistence: np.ndarray  # [households]: AR(1) φ of the residuals (ml/noise.py)
    tail_scale: np.ndarray  # [households]: their upper semi-spread in spreads (≥ 1)


@dataclass
class HouseholdParameters:
    """What the model knows of each household of a design ([households, …]): its own fit, or
    its peers' medians when it has too little history (`borrowed`)."""

    coef: np.ndarray  # [households, N_COEF] (ml/design.py)
    cool: np.ndarray  # °C: cooling balance temperature
    heat: np.ndarray  # °C: heating balance temperature
    curved: np.ndarray  # bool: convex heating (HDD²)
    span: np.ndarray  # [households, 2]: first and last training day (days since 1970)
    sigma: np.ndarray  # relative day-to-day spread (share of expected use)
    temp_range: np.ndarray  # [households, 2]: coolest and hottest temperature of the history
    borrowed: np.ndarray  # bool: parameters borrowed from similar households
    seen_tet: np.ndarray  # bool: the history held a Tết (True when borrowed)
    history_days: np.ndarray  # days of training history (0 when borrowed)
    xtx_inverse: np.ndarray  # [households, N_COEF, N_COEF]: (XᵀX + penalty)⁻¹ (0 when borrowed)
    noise: np.ndarray  # [households, 2]: φ and tail scale (ml/noise.py; peers' medians if borrowed)
