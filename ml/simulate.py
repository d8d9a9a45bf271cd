"""Simulated households across Vietnam, for training, evaluation and demo data.

Each household has a province (North, Centre, South climates), occupants, air conditioners, a water
heater, a base load, a personal balance temperature, weekly rhythm, Tết, a vacation or two, slow
drift and day-to-day noise. Weather adds heat waves and, in the North, cold spells. Faults start on
random days of the scoring year: a water heater stuck on, a failing air conditioner, an unexplained
level shift, a small continuous leak. Everything is seeded and vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
import numpy as np
import pandas as pd

from ml.climate import normal_temps, province_codes, region_of

FAULT_KINDS = ("water_heater_stuck", "failing_ac", "level_shift", "small_leak")
AC_STEPS = 0.5  # share of the lasting steps that are one more air conditioner


@dataclass
class Simulation:
    readings: (
        pd.DataFrame
    )  # household_id, date, kwh, avg_temp_c, province_code, occupants, air_conditioners
    households: pd.DataFrame  # one row per household with its parameters
    faults: pd.DataFrame  # household_id, kind, onset (date), end (date)
    heat_wave_days: dict[int, set[date]] = field(default_factory=dict)  # province → days
    # each reading's normal use, without fault or noise (indexed like `readings`): what no model
    # sees, for the evaluation's oracle bound
    normal_kwh: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    # lasting normal changes (not faults): household_id, kind, onset, end (None: lasting)
    changes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["household_id", "kind", "onset", "end"])
    )


def _weather(
    rng: np.random.Generator, province: int, days: pd.DatetimeIndex
) -> tuple[np.ndarray, set[date]]:
    doy = days.day_of_year.to_numpy()
    temps = normal_temps(np.full(len(days), province), doy)
    noise = np.zeros(len(days))
    for i in range(1, len(days)):  # AR(1) day-to-day weather
        noise[i] = 0.75 * noise[i - 1] + rng.normal(0, 1.1)
    temps = temps + noise
    hot: set[date] = set()
    region = region_of(province)
    for year in sorted(set(days.year)):
        for _ in range(int(rng.integers(1, 4))):  # heat waves, April–August
            start = pd.Timestamp(year, int(rng.integers(4, 9)), int(rng.integers(1, 28)))
            length = int(rng.integers(4, 11))
            mask = (days >= start) & (days < start + pd.Timedelta(days=length))
            temps[mask] += rng.uniform(3.0, 5.5)
            hot.update(d.date() for d in days[mask])
        if region == "north":
            for _ in range(int(rng.integers(1, 3))):  # cold spells, December–February
                month = int(rng.choice([12, 1, 2]))
                start = pd.Timestamp(year, month, int(rng.integers(1, 25)))
                mask = (days >= start) & (days < start + pd.Timedelta(days=int(rng.integers(4, 9))))
                temps[mask] -= rng.uniform(4.0, 7.0)
    return temps, hot


def simulate(
    n_households: int = 200,
    *,
    start: date = date(2024, 1, 1),
    days: int = 730,
    fault_share: float = 0.5,
    fault_from_day: int = 365,
    noise: float = 0.10,
    seed: int = 0,
    step_share: float = 0.0,
) -> Simulation:
    """`days` of readings; faults start at or after `fault_from_day` for `fault_share` of homes.
    `step_share` of homes (drawn apart, so that the rest of the world is the same) step up for
    good on a day of the faults' span: half by 30–50% of their base use (a baby, a dryer), half
    by one more air conditioner, whose use follows the heat (a rise that shows only in the hot
    season, the product's own example)."""
    rng = np.random.default_rng(seed)
    step_rng = np.random.default_rng([seed, 7])
    calendar = pd.date_range(start, periods=days, freq="D")
    tet = {
        d
        for d, name in holidays.Vietnam(years=sorted(set(calendar.year))).items()
        if "Lunar" in name or "Tết" in name
    }
    codes = province_codes()
    weather = {code: _weather(rng, code, calendar) for code in codes}
    frames, rows, faults, normals, changes = [], [], [], [], []
    for index in range(n_households):
        household_id = f"sim-{seed}-{index:05d}"
        province = int(rng.choice(codes))
        occupants = int(rng.integers(1, 7))
        acs = int(rng.choice([0, 1, 1, 2, 2, 3]))
        water_heater = bool(rng.random() < (0.8 if region_of(province) == "north" else 0.35))
        base = rng.uniform(1.5, 3.0) + 0.9 * occupants
        balance_cool = rng.uniform(24.0, 28.0)
        cooling = acs * rng.uniform(0.9, 1.6) + 0.15 * occupants
        balance_heat = rng.uniform(15.0, 19.0)
        heating = (0.5 if water_heater else 0.15) * rng.uniform(0.5, 1.5)
        drift = rng.normal(0, 0.06)  # relative change per year
        temps, _ = weather[province]
        cdd = np.maximum(temps - balance_cool, 0)
        kwh = base * (1 + drift * np.arange(days) / 365)
        kwh = kwh + cooling * cdd * (1 + 0.04 * cdd) + heating * np.maximum(balance_heat - temps, 0)
        weekend = calendar.day_of_week >= 5
        kwh = kwh * np.where(weekend, rng.uniform(1.03, 1.15), 1.0)
        is_tet = np.array([d.date() in tet for d in calendar])
        kwh = kwh * np.where(is_tet, rng.uniform(0.6, 1.3), 1.0)
        for _ in range(int(rng.integers(0, 3))):  # vacations: the home is nearly empty
            away = int(rng.integers(0, days - 10))
            kwh[away : away + int(rng.integers(3, 10))] *= rng.uniform(0.2, 0.4)
        if step_rng.random() < step_share and fault_from_day + 50 < days:
            first = int(step_rng.integers(fault_from_day + 20, days - 30))
            more: np.ndarray | float
            if step_rng.random() < AC_STEPS:  # one more air conditioner: cools on hot days only
                more = step_rng.uniform(0.9, 1.6) * cdd[first:] * (1 + 0.04 * cdd[first:])
                kind = "new_ac"
            else:
                more, kind = base * step_rng.uniform(0.3, 0.5), "lasting_step"
            kwh[first:] += more
            changes.append((household_id, kind, calendar[first].date(), None))
        normals.append(kwh.copy())
        if rng.random() < fault_share and fault_from_day + 50 < days:
            kind = str(rng.choice(FAULT_KINDS))
            onset = int(rng.integers(fault_from_day + 20, days - 30))
            end = min(days, onset + int(rng.integers(30, 90)))
            span = slice(onset, end)
            if kind == "water_heater_stuck":
                kwh[span] += rng.uniform(4.0, 7.0)
            elif kind == "failing_ac":
                kwh[span] += 0.5 * cooling * cdd[span] * (1 + 0.04 * cdd[span]) + rng.uniform(
                    1.0, 2.0
                ) * max(acs, 1)
            elif kind == "level_shift":
                kwh[span] += base * rng.uniform(0.3, 0.5)
            else:
                kwh[span] += rng.uniform(1.5, 2.5)
            faults.append((household_id, kind, calendar[onset].date(), calendar[end - 1].date()))
        kwh = np.maximum(kwh * rng.lognormal(0, noise, days), 0.1)
        frames.append(
            pd.DataFrame(
                {
                    "household_id": household_id,
                    "date": calendar.date,
                    "kwh": np.round(kwh, 2),
                    "avg_temp_c": np.round(temps, 1),
                    "province_code": province,
                    "occupants": occupants,
                    "air_conditioners": acs,
                }
            )
        )
        rows.append((household_id, province, occupants, acs, water_heater, base, drift))
    return Simulation(
        readings=pd.concat(frames, ignore_index=True),
        households=pd.DataFrame(
            rows,
            columns=[
                "household_id",
                "province_code",
                "occupants",
                "air_conditioners",
                "water_heater",
                "base_kwh",
                "drift",
            ],
        ),
        faults=pd.DataFrame(faults, columns=["household_id", "kind", "onset", "end"]),
        heat_wave_days={code: hot for code, (_, hot) in weather.items()},
        changes=pd.DataFrame(changes, columns=["household_id", "kind", "onset", "end"]),
        normal_kwh=pd.Series(np.concatenate(normals)),
    )


def year_split(sim: Simulation, start: date, days: int = 365) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = start + timedelta(days=days)
    train = sim.readings[sim.readings["date"] < cut]
    test = sim.readings[sim.readings["date"] >= cut]
    return train, test
