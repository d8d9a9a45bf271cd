"""An oracle bound on any world (issue 21): can recall and false alerts both reach their targets?

Not a method: the product's two CUSUMs (ml/detect.py) fed each household's true normal use
(`World.normal_kwh`, which no model sees) and its true noise. The worlds' noise is
multiplicative, so the evidence is the log ratio of the reading to the normal use, in units of
the household's spread of that ratio on its days without a fault (measured on the scored year
itself, with the faults' labels), pre-whitened by its persistence φ and divided by its tail scale
as the detector does (ml/noise.py). Both thresholds and the slow CUSUM's allowance are picked on
the scored data itself for the highest recall at the false-alert target. A fault the bound misses is
beyond any detector of this kind that sees only the readings, however good its model of normal
use; false alerts it cannot avoid come from the noise, not from a model's misfit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.design import estimated_reads
from ml.detect import Detector, cusum
from ml.model import carried
from ml.noise import persistence, tail_scale
from ml.worlds.base import World

SLOW_ALLOWANCES = (0.3, 0.4, 0.5, 0.6)
SLOW_THRESHOLDS = (6.0, 8.0, 10.0, 12.0, 16.0)
FAST_THRESHOLDS = (10.0, 15.0, 20.0)
FALSE_ALERT_TARGET = 0.10  # per household-year (issue 21)
OFFSET_KWH = 0.1  # log(kWh + this): a day near zero is not infinitely unlikely
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class OracleInput:
    """The scored year as matrices [households, days] (date order), with what the oracle knows."""

    ids: list[str]
    dates: np.ndarray
    z: np.ndarray  # log(reading / normal use) over the household's true spread
    valid: np.ndarray  # a reading that is a day's use (no gap, no estimated read nor the
    # catch-up after one)
    phi: np.ndarray  # [households]
    tails: np.ndarray  # [households]


def oracle_input(world: World, *, first_day: date) -> OracleInput:
    """`world`'s days from `first_day` on, standardised by each household's true noise."""
    frame = world.readings.assign(normal=world.normal_kwh.to_numpy())
    frame = frame[frame["date"] >= first_day]
    actual = frame.pivot(index="household_id", columns="date", values="kwh").sort_index(axis=1)
    normal = frame.pivot(index="household_id", columns="date", values="normal")
    normal = normal.reindex_like(actual)
    dates = actual.columns.to_numpy()
    valid = actual.notna().to_numpy().copy()
    kwh = actual.fillna(0).to_numpy()
    day_number = np.tile(np.arange(len(dates), dtype=float), (len(actual), 1))
    valid &= ~estimated_reads(kwh, valid=valid, day_number=day_number)
    position = {h: i for i, h in enumerate(actual.index)}
    # the world's own labels of estimated reads, and the catch-up read after each
    estimated = world.changes[world.changes["kind"] == "estimated_read"]
    for row in estimated.itertuples():
        if row.household_id in position:
            span = (dates >= row.onset) & (dates <= row.onset + timedelta(days=1))
            valid[position[row.household_id]] &= ~span
    ratio = np.log((kwh + OFFSET_KWH) / (normal.fillna(0).to_numpy() + OFFSET_KWH))
    ratio = np.where(valid, ratio, 0.0)
    faulty = np.zeros(valid.shape, dtype=bool)
    for f in world.faults.itertuples():
        if f.household_id in position:
            span = (dates >= f.onset) & (dates <= f.end + timedelta(days=7))
            faulty[position[f.household_id]] |= span
    calm = valid & ~faulty
    centre = np.nanmedian(np.where(calm, ratio, np.nan), axis=1, keepdims=True)
    spread = MAD_TO_SD * np.nanmedian(np.abs(np.where(calm, ratio, np.nan) - centre), axis=1)
    spread = np.maximum(np.nan_to_num(spread, nan=0.1), 0.01)[:, None]
    z = np.where(valid, (ratio - np.nan_to_num(centre)) / spread, 0.0)
    z_calm = np.where(calm, z, 0.0)
    consecutive = calm[:, 1:] & calm[:, :-1]
    return OracleInput(
        ids=[str(h) for h in actual.index],
        dates=dates,
        z=z,
        valid=valid,
        phi=persistence(z_calm, consecutive),
        tails=tail_scale(z_calm, calm, cap=Detector().z_cap),
    )


def oracle_flags(data: OracleInput, *, detector: Detector) -> pd.DataFrame:
    """household_id, date, is_anomaly of the detector run on the oracle's evidence, every day of
    the scored year: a day without a usable read takes the verdict of the day before it, so an
    episode is not split in two by a gap in the reads."""
    result = cusum(
        actual=data.z,
        predicted=np.zeros_like(data.z),
        sigma=np.ones_like(data.z),
        valid=data.valid,
        detector=detector,
        adapt=np.zeros_like(data.valid),
        persistence=data.phi,
        tail_scale=data.tails,
    )
    return pd.DataFrame(
        {
            "household_id": np.repeat(data.ids, len(data.dates)),
            "date": np.tile(data.dates, len(data.ids)),
            "is_anomaly": carried(result.flagged, ~data.valid).ravel(),
        }
    )


def best_flags(
    data: OracleInput,
    *,
    judge: Callable[[pd.DataFrame], tuple[float, float]],
    target: float = FALSE_ALERT_TARGET,
) -> tuple[pd.DataFrame, Detector]:
    """The grid's flags with the highest recall at ≤ `target` false alerts per household-year
    (the fewest false alerts if none is within); `judge(flags)` → (recall, false alerts)."""
    tried = []
    for h in FAST_THRESHOLDS:
        for slow_k in SLOW_ALLOWANCES:
            for slow_h in SLOW_THRESHOLDS:
                detector = Detector(h=h, slow_k=slow_k, slow_h=slow_h)
                flags = oracle_flags(data, detector=detector)
                recall, alerts = judge(flags)
                tried.append((recall, alerts, flags, detector))
    within = [t for t in tried if t[1] <= target]
    pick = max(within, key=lambda t: (t[0], -t[1])) if within else min(tried, key=lambda t: t[1])
    return pick[2], pick[3]
