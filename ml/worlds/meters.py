"""Meter-realism world: what a utility's daily reads look like, not what a home does.

- normal use: a base load with a weekly shape, cooling that starts at a household's own balance
  point and grows faster than linearly, heating (northern homes with a water heater or a room
  heater) that grows as (balance − T)^1.5 — steeper the colder it gets;
- noise: multiplicative, exp(ε) with ε an AR(1) (φ 0.3–0.6) of Student-t innovations (3 degrees
  of freedom, scaled to 6–14% spread): heavy tails and runs of high or low days;
- slow drift: ±10%/year linear plus a slow random walk on the log level;
- meter gaps: days with no read (no row), and estimated days — the read carried forward as the
  average of the last 30 days, then a catch-up day that bills what the estimate missed;
- the scored year's January holds a cold surge colder than anything in the training year;
- a lasting step-up in a quarter of homes (a baby: +15–30% and more hot water; a new AC: cooling
  roughly doubles) — a normal change, not a fault.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ml.climate import region_of
from ml.worlds.base import World, WorldBuilder, calendar, tet_window


def _ar1_t(rng: np.random.Generator, n: int, *, phi: float, spread: float) -> np.ndarray:
    shocks = rng.standard_t(3, n) / np.sqrt(3.0) * spread * np.sqrt(1 - phi**2)
    out = np.zeros(n)
    for i in range(n):
        out[i] = (phi * out[i - 1] if i else 0.0) + shocks[i]
    return np.clip(out, -1.2, 1.2)


def _estimated(
    rng: np.random.Generator, kwh: np.ndarray, *, gap_rate: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Meter reads as billed: returns (reads, present, estimated). Some days have no read at all;
    in some gaps the utility estimates each day as the mean of the last 30 reads and bills the
    difference on the first day it reads the meter again (not below zero)."""
    n = len(kwh)
    reads, present, estimated = kwh.copy(), np.ones(n, bool), np.zeros(n, bool)
    i = 30
    while i < n - 10:
        if rng.random() < gap_rate:
            length = int(rng.integers(1, 8))
            gap = slice(i, min(i + length, n - 1))
            if rng.random() < 0.5:
                present[gap] = False
            else:
                guess = float(np.mean(reads[max(i - 30, 0) : i][present[max(i - 30, 0) : i]]))
                owed = kwh[gap].sum() + kwh[gap.stop] - guess * (gap.stop - gap.start)
                reads[gap] = guess
                estimated[gap] = True
                reads[gap.stop] = max(owed, 0.0)
            i += length + 1
        i += 1
    return reads, present, estimated


def simulate_meters(
    *,
    households: int,
    start: date = date(2024, 1, 1),
    days: int = 730,
    fault_share: float = 0.5,
    fault_from_day: int = 365,
    seed: int = 0,
) -> World:
    rng = np.random.default_rng([seed, 3])
    dates = calendar(start=start, days=days)
    # the scored period's first January (its first day is 31 December when the first year is a
    # leap year, as 2024 is: day 365)
    cold_year = (
        (dates[fault_from_day] + pd.Timedelta(days=7)).year if fault_from_day < days else None
    )
    world = WorldBuilder.draw(
        rng=rng, households=households, dates=dates, record_cold_year=cold_year
    )
    weekday = dates.dayofweek.to_numpy()
    tet = np.array([tet_window(d) for d in dates.date])
    for i, province in enumerate(world.codes):
        hid = f"mr{seed}-{i:04d}"
        region = region_of(int(province)) or "south"
        temps = world.climate[int(province)].temps
        occupants = int(rng.integers(1, 7))
        acs = int(rng.choice([0, 1, 2, 3], p=[0.25, 0.45, 0.22, 0.08]))
        heater = rng.random() < {"north": 0.8, "centre": 0.45, "south": 0.2}[region]
        base = rng.uniform(1.5, 3.5) + 0.9 * occupants
        week = 1 + rng.uniform(0.0, 0.2) * (weekday >= 5)
        cool_bp = rng.uniform(25.0, 28.0)
        cooling = acs * rng.uniform(0.5, 0.9) * np.clip(temps - cool_bp, 0, None) ** 1.3
        heat_bp = rng.uniform(19.0, 22.0)
        heat_rate = (0.05 + 0.03 * occupants) * heater + (region == "north") * rng.uniform(0, 0.1)
        heating = heat_rate * np.clip(heat_bp - temps, 0, None) ** 1.5
        tet_factor = rng.choice([0.45, 1.0, 1.35])
        level = np.exp(
            rng.uniform(-0.1, 0.1) * np.arange(days) / 365 + np.cumsum(rng.normal(0, 0.004, days))
        )
        normal = (base * week + cooling + heating) * level * np.where(tet, tet_factor, 1.0)
        if rng.random() < 0.25:  # a lasting step-up, not a fault
            first = int(rng.integers(90, days - 30))
            kind = str(rng.choice(["baby", "new_ac"]))
            if kind == "baby":
                normal[first:] *= rng.uniform(1.15, 1.30)
                normal[first:] += heating[first:] * 0.4 * level[first:]
            else:
                normal[first:] += (
                    rng.uniform(0.7, 1.0) * np.clip(temps[first:] - cool_bp, 0, None) ** 1.3 + 0.3
                )
                acs += 1
            world.changes.append((hid, f"step_{kind}", dates[first].date(), None))
        kwh = normal * np.exp(
            _ar1_t(rng, days, phi=rng.uniform(0.3, 0.6), spread=rng.uniform(0.06, 0.14))
        )
        kwh = world.with_fault(
            rng=rng,
            household_id=hid,
            kwh=kwh,
            normal=normal,
            ac_kwh=cooling * level,
            share=fault_share,
            first_day=fault_from_day,
            has_heater=heater,
            acs=acs,
        )
        gap_rate = float(rng.choice([0.0, 0.01, 0.03], p=[0.4, 0.4, 0.2]))
        reads, present, estimated = _estimated(rng, kwh, gap_rate=gap_rate)
        for day in np.flatnonzero(estimated):
            world.changes.append((hid, "estimated_read", dates[day].date(), dates[day].date()))
        attributes = {
            "province_code": int(province),
            "occupants": occupants,
            "air_conditioners": acs,
            "water_heater": int(heater),
        }
        world.add(
            household_id=hid,
            region=region,
            attributes=attributes,
            kwh=reads,
            normal=normal,
            keep=present,
        )
    return world.world()
