"""Bottom-up appliance world: a household's day is the sum of its appliances.

- water heater (most northern homes, few southern): kW × minutes, minutes from the hot water the
  people at home draw — the share of showers taken hot rises steeply below ~24 °C and each takes
  more energy as the mains water (a lagged air temperature) gets colder, plus standing losses;
- air conditioners: each unit runs hours that grow with how far the day is above its setpoint,
  at a duty cycle that grows too; more hours on weekends and, with children, in school holidays;
- a room heater or reversible AC in heat mode in a third of northern homes below ~16 °C;
- fridge: rated kWh/day scaled by the kitchen's temperature (2.5%/°C);
- cooking (rice cooker, induction hob, kettle) by people at home, lighting/TV/fans, standby;
- occupancy: vacations (3–9 days, only fridge and standby), Tết (some homes away, some hosting
  guests, the rest as usual), school holidays (June–August) for homes with children;
- normal changes that are not faults: a new appliance bought mid-year (a second AC, a second
  fridge, a dryer, an electric scooter), lasting.
Day-to-day variation is per appliance (a multiplicative gamma on each discretionary load), not one
noise on the total.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ml.climate import region_of
from ml.worlds.base import World, WorldBuilder, calendar, tet_window

HEATER_SHARE = {"north": 0.85, "centre": 0.5, "south": 0.25}
NEW_APPLIANCES = {  # kind → kWh/day it adds (AC: scaled by the day's cooling need)
    "second_ac": None,
    "second_fridge": 1.0,
    "dryer": 1.3,
    "electric_scooter": 1.2,
}


def _vary(rng: np.random.Generator, n: int, cv: float) -> np.ndarray:
    """Multiplicative day-to-day variation with mean 1 and coefficient of variation `cv`."""
    shape = 1 / cv**2
    return rng.gamma(shape, 1 / shape, n)


def _household(
    *, rng: np.random.Generator, hid: str, province: int, days: pd.DatetimeIndex, temps: np.ndarray
) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray, list[tuple]]:
    """Attributes, normal kWh (with the appliances' day-to-day variation), its expectation
    (without it), AC kWh and the normal changes of one household."""
    n = len(days)
    region = region_of(province) or "south"
    occupants = int(rng.choice([1, 2, 3, 4, 5, 6], p=[0.08, 0.17, 0.25, 0.28, 0.14, 0.08]))
    children = occupants >= 3 and rng.random() < 0.6
    acs = int(
        rng.choice(
            [0, 1, 2, 3], p=[0.2, 0.45, 0.25, 0.1] if region != "north" else [0.3, 0.45, 0.2, 0.05]
        )
    )
    has_heater = rng.random() < HEATER_SHARE[region]
    heats_room = region == "north" and rng.random() < 0.33
    weekday = days.dayofweek.to_numpy()
    weekend = weekday >= 5
    doy_month = days.month.to_numpy()

    # who is home: 1 normally; vacations and Tết change it
    present = np.full(n, float(occupants))
    tet = np.array([tet_window(d) for d in days.date])
    changes: list[tuple] = []
    for year in sorted(set(days.year)):
        in_year = np.flatnonzero((days.year == year) & tet)
        mood = rng.choice(["away", "guests", "home"], p=[0.35, 0.35, 0.30])
        if mood == "away":
            present[in_year] = 0.0
        elif mood == "guests":
            present[in_year] += rng.integers(2, 6)
        if len(in_year):
            changes.append((hid, f"tet_{mood}", days[in_year[0]].date(), days[in_year[-1]].date()))
        for _ in range(rng.integers(0, 3)):
            first = int(rng.choice(np.flatnonzero(days.year == year)))
            span = slice(first, min(first + int(rng.integers(3, 10)), n))
            present[span] = 0.0
            changes.append((hid, "vacation", days[span.start].date(), days[span.stop - 1].date()))
    holidays = children & np.isin(doy_month, [6, 7, 8])
    away = present == 0

    # water heater: hot showers and their energy, the mains water lagging the air by ~10 days
    mains = pd.Series(temps).ewm(span=20).mean().to_numpy() + 1.0
    hot_share = 1 / (1 + np.exp((temps - rng.uniform(22.5, 25.5)) / 1.6))
    litres = rng.uniform(30, 50)
    shower_kwh = litres * np.clip(40 - mains, 0, None) * 4.186 / 3600  # per hot shower
    heater = heater_mean = np.zeros(n)
    if has_heater:
        showers = present * hot_share * shower_kwh
        heater = showers * _vary(rng, n, 0.25)
        standing = np.where(hot_share > 0.15, rng.uniform(0.3, 0.6), 0.05) * ~away
        heater, heater_mean = heater + standing, showers + standing

    # air conditioners
    setpoint = rng.uniform(24.5, 28.0)
    excess = temps - setpoint
    hours = np.clip(2.0 + 1.8 * excess, 0, 14) * np.where(weekend | holidays, 1.3, 1.0)
    duty = np.clip(0.35 + 0.08 * excess, 0.2, 1.0)
    per_unit = rng.uniform(0.8, 1.2) * hours * duty * (excess > -2)
    units_on = np.minimum(acs, np.ceil(np.minimum(present, occupants) / 2))
    ac_mean = per_unit * units_on
    ac = ac_mean * _vary(rng, n, 0.3)

    room_heat = room_mean = np.zeros(n)
    if heats_room:
        room_mean = 1.5 * np.clip((16.0 - temps) * 0.9, 0, 10) * ~away
        room_heat = room_mean * _vary(rng, n, 0.35)

    fridge = rng.uniform(0.8, 1.5) * (1 + 0.025 * (np.maximum(temps + 2.0, 16.0) - 25.0))
    cooking = (0.3 + rng.uniform(0.2, 0.35) * present) * np.where(weekend, 1.15, 1.0)
    cooking_mean = cooking * ~away
    cooking = cooking_mean * _vary(rng, n, 0.25)
    fans = np.clip(temps - 26.0, 0, None) * 0.05 * present
    per_person = rng.uniform(0.25, 0.5)
    lights_tv = per_person * present * _vary(rng, n, 0.2) * (1 + 0.15 * holidays)
    lights_mean = per_person * present * (1 + 0.15 * holidays)
    standby = rng.uniform(0.2, 0.6)
    normal = heater + ac + room_heat + fridge + cooking + fans + lights_tv + standby
    # the same day without the appliances' day-to-day variation: what a perfect model expects
    expected = heater_mean + ac_mean + room_mean + fridge + cooking_mean + fans + lights_mean
    expected += standby

    # a new appliance bought mid-year: lasting, normal (not a fault)
    if rng.random() < 0.3:
        kind = str(rng.choice(list(NEW_APPLIANCES)))
        first = int(rng.integers(60, n - 30))
        extra = NEW_APPLIANCES[kind]
        if extra is None:
            added_mean = per_unit[first:] * ~away[first:]
            added = added_mean * _vary(rng, n - first, 0.3)
            acs += 1
        elif kind == "electric_scooter":
            added = added_mean = extra * (weekday[first:] < 5) * ~away[first:]
        else:
            added = added_mean = np.full(n - first, extra)
        normal[first:] += added
        expected[first:] += added_mean
        changes.append((hid, f"new_{kind}", days[first].date(), None))
    attributes = {
        "province_code": province,
        "occupants": occupants,
        "air_conditioners": acs,
        "water_heater": int(has_heater),
    }
    return attributes, normal, expected, ac, changes


def simulate_appliances(
    *,
    households: int,
    start: date = date(2024, 1, 1),
    days: int = 730,
    fault_share: float = 0.5,
    fault_from_day: int = 365,
    seed: int = 0,
) -> World:
    """`households` homes over `days` days from `start`; faults in a `fault_share` of homes, on
    random days from `fault_from_day` on."""
    rng = np.random.default_rng([seed, 2])
    world = WorldBuilder.draw(
        rng=rng, households=households, dates=calendar(start=start, days=days)
    )
    for i, province in enumerate(world.codes):
        hid = f"ap{seed}-{i:04d}"
        attributes, normal, expected, ac, changed = _household(
            rng=rng,
            hid=hid,
            province=int(province),
            days=world.dates,
            temps=world.climate[int(province)].temps,
        )
        kwh = world.with_fault(
            rng=rng,
            household_id=hid,
            kwh=normal,
            normal=normal,
            ac_kwh=ac,
            share=fault_share,
            first_day=fault_from_day,
            has_heater=bool(attributes["water_heater"]),
            acs=attributes["air_conditioners"],
        )
        meter = kwh * _vary(rng, days, 0.03)  # what the meter and the reading rounding add
        world.add(
            household_id=hid,
            region=region_of(int(province)),
            attributes=attributes,
            kwh=meter,
            normal=expected,
        )
        world.changes.extend(changed)
    return world.world()
