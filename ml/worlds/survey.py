"""A survey-style world: daily household electricity use in Việt Nam, written from first principles.

A second tuning world for the anomaly detector, built only from the assumptions below (no code or
numbers shared with the project's other simulators). 730 days from 2024-01-01; faults in 2025 only.

Households: region north 35 %, centre 20 %, south 45 %, a province drawn uniformly within the
region. Occupants 1–7 (mode 4). Air conditioners Poisson(0.8 north, 0.7 centre, 1.2 south,
+0.2 per occupant above 3), capped at 3. Water heater in 70 % / 40 % / 15 % of homes; an
electric space heater in 25 % of northern and 8 % of central homes. Children in 60 % of homes
of 3+ people. The profile columns are never updated after a lasting change (people rarely edit
their profile), so a `new_ac` shows only in the meter.

Weather (per province, shared by its homes): climate normal + fast AR(1) anomaly (φ 0.7, sd 2.0 /
1.5 / 0.8 °C north/centre/south) + slow regional AR(1) (φ 0.99, sd 0.7 °C) that makes one year
warmer or colder than the other. Cold spells (north Poisson 3, centre 1.5 per winter, Dec–Feb,
3–8 days, −3…−7 °C north, −2…−4.5 °C centre, regional with a per-province strength) and heat
waves (Apr–Jul, north/centre Poisson 2 per year +2…+4 °C, south Poisson 1 +1…+2 °C, 3–10 days).

Daily use (kWh): standby 0.3–0.8; fridge 0.7–1.3 rising 3.5 %/°C; cooking, lighting and
entertainment 0.6 + 0.5 × occupants (weekends +10 %, winter evenings +6 %, June–August +10 % in
homes with children); AC above a comfort temperature N(26.5, 1.2) °C of the daily mean, hours
14 × (1 − e^(−excess/3)), 0.75 kWh per hour, units^0.7, weekends +20 %, school holidays +25 %;
water heater 0.04–0.08 × occupants^0.8 × (24 − T)^1.7 below 24 °C (steep below ~20 °C); space
heater 0.6–1.2 × (16 − T)^1.3 below 16 °C. Drift N(+2 %, 3 %) a year.

Normal events (`changes`): Tết each year — away (25 / 30 / 35 % of homes by region, 5–10 days,
only standby and fridge) or hosting (45 % of the rest, 4–7 days, people-related use ×1.3–1.7);
vacations Poisson(1.2) a year, 3–10 days, half in summer; guests Poisson(0.8) a year, 2–6 days,
+1–3 people; a lasting `new_*` step in 15 % of homes in 2025 (new_ac, new_baby, new_tenant,
new_move_out, new_efficient_fridge, new_e_scooter charging 1–1.8 kWh a day).

Noise: multiplicative, log-scale AR(1) (φ 0.4) with Student-t(4) innovations, sd 0.07–0.16 per home.
Meter: 0.5–3 % of days missing, 20 % of homes with one 3–10 day outage; half of isolated missing
days are caught up in the next reading; Poisson(0.7) zero-then-double glitches per home. Glitches
and catch-ups touch `kwh` and `normal_kwh` alike and are not labelled. `normal_kwh` is the use
without fault and without noise (what the oracle bound is fed).

Faults: half the homes get one, kind uniform among those the home can have, onset uniform in
2025, 20–120 days: water_heater_stuck +(2.5 + 0.3 × (24 − T)⁺) × 0.8–1.3 kWh (70 % of it while
away); failing_ac AC use ×1.2–1.5; level_shift +15–35 % of base use; small_leak +0.6–2 kWh a day.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.climate import normal_temps, province_codes, region_of
from ml.worlds.base import FAULT_KINDS, HOUSEHOLD_COLUMNS, LABEL_COLUMNS, TET, World

START = date(2024, 1, 1)
DAYS = 730
YEAR2025 = (date(2025, 1, 1) - START).days  # index 366 (2024 is a leap year)
REGION_SHARE = {"north": 0.35, "centre": 0.20, "south": 0.45}
FAST_SD = {"north": 2.0, "centre": 1.5, "south": 0.8}
NEW_KINDS = (
    "new_ac",
    "new_baby",
    "new_tenant",
    "new_move_out",
    "new_efficient_fridge",
    "new_e_scooter",
)

Rng = np.random.Generator


def _day(index: int) -> date:
    return START + timedelta(days=int(index))


def _weather(
    *, rng: Rng, codes: list[int], doy: np.ndarray
) -> tuple[np.ndarray, dict[int, set[date]], dict[int, set[date]]]:
    """Daily mean °C per province (rows follow `codes`) and its heat-wave and cold-spell days."""
    p = len(codes)
    regions = [region_of(c) or "south" for c in codes]
    temps = normal_temps(np.repeat(codes, DAYS), np.tile(doy, p)).reshape(p, DAYS)
    sd = np.array([FAST_SD[r] for r in regions])[:, None]
    eps = rng.standard_normal((p, DAYS)) * sd * np.sqrt(1 - 0.7**2)
    slow_eps = rng.standard_normal((3, DAYS)) * 0.7 * np.sqrt(1 - 0.99**2)
    fast, slow = np.zeros((p, DAYS)), np.zeros((3, DAYS))
    fast[:, 0], slow[:, 0] = eps[:, 0] / np.sqrt(1 - 0.7**2), rng.normal(0, 0.7, 3)
    for t in range(1, DAYS):
        fast[:, t] = 0.7 * fast[:, t - 1] + eps[:, t]
        slow[:, t] = 0.99 * slow[:, t - 1] + slow_eps[:, t]
    region_row = {"north": 0, "centre": 1, "south": 2}
    temps = temps + fast + slow[[region_row[r] for r in regions]]
    heat: dict[int, set[date]] = {c: set() for c in codes}
    cold: dict[int, set[date]] = {c: set() for c in codes}

    def spell(region: str, start: int, length: int, size: float, into: dict) -> None:
        profile = np.ones(length)
        profile[0] = 0.6
        profile[-1] = 0.5
        for i, code in enumerate(codes):
            if regions[i] != region:
                continue
            idx = np.arange(start, start + length)
            keep = (idx >= 0) & (idx < DAYS)
            temps[i, idx[keep]] += size * rng.uniform(0.7, 1.2) * profile[keep]
            into[code].update(_day(j) for j in idx[keep])

    for region in ("north", "centre"):
        for year in (2023, 2024, 2025):  # winters Dec(year)–Feb(year+1)
            for _ in range(rng.poisson(3.0 if region == "north" else 1.5)):
                length = int(rng.integers(3, 9))
                start = (date(year, 12, 1) - START).days + int(rng.integers(0, 90 - length))
                depth = rng.uniform(3, 7) if region == "north" else rng.uniform(2, 4.5)
                spell(region, start, length, -depth, cold)
    for region in ("north", "centre", "south"):
        for year in (2024, 2025):
            for _ in range(rng.poisson(1.0 if region == "south" else 2.0)):
                length = int(rng.integers(3, 11))
                start = (date(year, 4, 1) - START).days + int(rng.integers(0, 122 - length))
                size = rng.uniform(1, 2) if region == "south" else rng.uniform(2, 4)
                spell(region, start, length, size, heat)
    return temps, heat, cold


def _households(*, rng: Rng, n: int) -> pd.DataFrame:
    codes = province_codes()
    by_region = {r: [c for c in codes if region_of(c) == r] for r in REGION_SHARE}
    region = rng.choice(list(REGION_SHARE), size=n, p=list(REGION_SHARE.values()))
    province = [int(rng.choice(by_region[r])) for r in region]
    occ = rng.choice(np.arange(1, 8), size=n, p=[0.08, 0.16, 0.22, 0.25, 0.15, 0.09, 0.05])
    ac_rate = np.array([{"north": 0.8, "centre": 0.7, "south": 1.2}[r] for r in region])
    ac = np.minimum(rng.poisson(np.maximum(ac_rate + 0.2 * (occ - 3), 0.1)), 3)
    wh_p = np.array([{"north": 0.7, "centre": 0.4, "south": 0.15}[r] for r in region])
    heater_p = np.array([{"north": 0.25, "centre": 0.08, "south": 0.0}[r] for r in region])
    return pd.DataFrame(
        {
            "household_id": [f"sv-{i + 1:04d}" for i in range(n)],
            "province_code": province,
            "region": region,
            "occupants": occ.astype(int),
            "air_conditioners": ac.astype(int),
            "water_heater": rng.random(n) < wh_p,
            "space_heater": rng.random(n) < heater_p,
            "children": (occ >= 3) & (rng.random(n) < 0.6),
        }
    )


def _events(
    *, rng: Rng, homes: pd.DataFrame, away: np.ndarray, extra_people: np.ndarray
) -> list[dict]:
    """Tết, vacations and guests: fills `away` (bool) and `extra_people` (H×D); returns labels."""
    rows: list[dict] = []

    def mark(h: int, kind: str, start: int, length: int) -> slice:
        """Labels a passing event (clipped to the simulated days) and returns its days."""
        start, stop = max(start, 0), min(start + length, DAYS)
        if stop > start:
            hid = homes.household_id[h]
            rows.append(dict(household_id=hid, kind=kind, onset=_day(start), end=_day(stop - 1)))
        return slice(start, max(start, stop))

    tets = [(t - START).days for t in TET if 0 <= (t - START).days < DAYS]
    for h, region in enumerate(homes.region):
        for tet in tets:
            if rng.random() < {"north": 0.25, "centre": 0.3, "south": 0.35}[region]:
                lead, length = int(rng.integers(1, 4)), int(rng.integers(5, 11))
                away[h, mark(h, "tet_away", tet - lead, length)] = True
            elif rng.random() < 0.45:
                s = mark(h, "tet_home", tet - 1, int(rng.integers(4, 8)))
                extra_people[h, s] += homes.occupants[h] * rng.uniform(0.3, 0.7)
        for y0 in (0, YEAR2025):
            for _ in range(rng.poisson(1.2)):
                summer = y0 + 152 + int(rng.integers(0, 80))
                start = summer if rng.random() < 0.5 else y0 + int(rng.integers(0, 355))
                away[h, mark(h, "vacation", start, int(rng.integers(3, 11)))] = True
            for _ in range(rng.poisson(0.8)):
                s = mark(h, "guests", y0 + int(rng.integers(0, 360)), int(rng.integers(2, 7)))
                extra_people[h, s] += int(rng.integers(1, 4))
    return rows


def _noise(*, rng: Rng, h: int) -> np.ndarray:
    """Multiplicative day noise: AR(1) in logs (φ 0.4) with Student-t(4) innovations."""
    sigma = rng.uniform(0.07, 0.16, (h, 1))
    innov = rng.standard_t(4, (h, DAYS)) / np.sqrt(2) * sigma * np.sqrt(1 - 0.4**2)
    z = np.zeros((h, DAYS))
    z[:, 0] = innov[:, 0] / np.sqrt(1 - 0.4**2)
    for t in range(1, DAYS):
        z[:, t] = 0.4 * z[:, t - 1] + innov[:, t]
    return np.exp(np.clip(z, -1.5, 1.5) - sigma**2 / 2)


def _faults(
    *,
    rng: Rng,
    homes: pd.DataFrame,
    clean: np.ndarray,
    ac: np.ndarray,
    cold_gap: np.ndarray,
    present: np.ndarray,
) -> tuple[np.ndarray, list[dict]]:
    """One fault in about half the homes, onset in 2025: the extra kWh (H×D) and the labels."""
    h = len(homes)
    extra = np.zeros((h, DAYS))
    faults: list[dict] = []
    for i in map(int, np.flatnonzero(rng.random(h) < 0.5)):
        kinds = [
            k
            for k in FAULT_KINDS
            if (k != "water_heater_stuck" or homes.water_heater[i])
            and (k != "failing_ac" or homes.air_conditioners[i] > 0)
        ]
        kind = str(rng.choice(kinds))
        onset = YEAR2025 + int(rng.integers(0, DAYS - YEAR2025))
        end = min(onset + int(rng.integers(20, 121)) - 1, DAYS - 1)
        s = slice(onset, end + 1)
        if kind == "water_heater_stuck":
            add = (2.5 + 0.3 * cold_gap[i, s]) * rng.uniform(0.8, 1.3)
            extra[i, s] = add * np.where(present[i, s], 1.0, 0.7)
        elif kind == "failing_ac":
            extra[i, s] = ac[i, s] * rng.uniform(0.2, 0.5)
        elif kind == "level_shift":
            extra[i, s] = clean[i, s] * rng.uniform(0.15, 0.35)
        else:
            extra[i, s] = rng.uniform(0.6, 2.0)
        faults.append(
            dict(household_id=homes.household_id[i], kind=kind, onset=_day(onset), end=_day(end))
        )
    return extra, faults


def _meter(*, rng: Rng, kwh: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Missing days, catch-up reads and zero-then-double glitches, applied to `kwh` and `normal`
    in place; returns which days were reported (H×D)."""
    h = kwh.shape[0]
    reported = rng.random((h, DAYS)) >= rng.uniform(0.005, 0.03, (h, 1))
    for i in map(int, np.flatnonzero(rng.random(h) < 0.2)):
        start = int(rng.integers(0, DAYS - 10))
        reported[i, start : start + int(rng.integers(3, 11))] = False
    for i in range(h):
        for t in range(1, DAYS - 1):
            if (
                not reported[i, t]
                and reported[i, t - 1]
                and reported[i, t + 1]
                and rng.random() < 0.5
            ):
                for arr in (kwh, normal):
                    arr[i, t + 1] += arr[i, t]
        for _ in range(rng.poisson(0.7)):
            g = int(rng.integers(0, DAYS - 1))
            if reported[i, g] and reported[i, g + 1]:
                for arr in (kwh, normal):
                    arr[i, g + 1] += arr[i, g]
                    arr[i, g] = 0.0
    return reported


def simulate_survey(*, households: int, seed: int) -> World:
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=DAYS, freq="D")
    doy, dow, month = (
        dates.day_of_year.to_numpy(),
        dates.day_of_week.to_numpy(),
        dates.month.to_numpy(),
    )
    day_list = [d.date() for d in dates]
    codes = province_codes()
    temps_p, heat, cold = _weather(rng=rng, codes=codes, doy=doy)
    homes = _households(rng=rng, n=households)
    h = households
    temp = temps_p[[codes.index(c) for c in homes.province_code]]  # H×D

    def col(name: str) -> np.ndarray:
        return homes[name].to_numpy()[:, None]

    occ = col("occupants").astype(float)
    # --- normal events and lasting changes -------------------------------------------------
    away = np.zeros((h, DAYS), dtype=bool)
    extra_people = np.zeros((h, DAYS))
    changes = _events(rng=rng, homes=homes, away=away, extra_people=extra_people)
    ac_units = np.broadcast_to(col("air_conditioners").astype(float), (h, DAYS)).copy()
    fridge_k = np.full((h, DAYS), 1.0) * rng.uniform(0.7, 1.3, (h, 1))
    lasting_add = np.zeros((h, DAYS))
    ac_boost = np.ones((h, DAYS))
    for i in map(int, np.flatnonzero(rng.random(h) < 0.15)):
        options = [k for k in NEW_KINDS if k != "new_move_out" or homes.occupants[i] >= 2]
        kind = str(rng.choice(options))
        start = YEAR2025 + int(rng.integers(0, DAYS - YEAR2025 - 14))
        later = slice(start, DAYS)
        if kind == "new_ac":
            ac_units[i, later] += 1
        elif kind == "new_baby":
            extra_people[i, later] += 0.7
            ac_boost[i, later] = 1.2
        elif kind == "new_tenant":
            extra_people[i, later] += int(rng.integers(1, 3))
        elif kind == "new_move_out":
            extra_people[i, later] -= 1
        elif kind == "new_efficient_fridge":
            fridge_k[i, later] *= 0.55
        else:
            lasting_add[i, later] += rng.uniform(1.0, 1.8)
        changes.append(
            dict(household_id=homes.household_id[i], kind=kind, onset=_day(start), end=None)
        )
    people = occ + extra_people
    present = ~away
    # --- appliance components (noise-free) ------------------------------------------------
    weekend = (dow >= 5)[None, :]
    summer_kids = ((month >= 6) & (month <= 8))[None, :] & col("children")
    winter_light = 1 + 0.06 * np.cos(2 * np.pi * (doy - 355) / 365)[None, :]
    standby = rng.uniform(0.3, 0.8, (h, 1))
    fridge = fridge_k * np.maximum(1 + 0.035 * (temp - 25), 0.5)
    life = (0.6 + 0.5 * people) * rng.lognormal(0, 0.2, (h, 1)) * winter_light
    life *= np.where(weekend, 1.10, 1.0) * np.where(summer_kids, 1.10, 1.0)
    comfort = rng.normal(26.5, 1.2, (h, 1))
    hours = 14 * (1 - np.exp(-np.maximum(temp - comfort, 0) / 3)) * rng.uniform(0.6, 1.3, (h, 1))
    hours *= np.where(weekend, 1.2, 1.0) * np.where(summer_kids, 1.25, 1.0) * ac_boost
    ac = np.minimum(hours, 18) * 0.75 * ac_units**0.7
    cold_gap = np.maximum(24 - temp, 0)
    wh = col("water_heater") * rng.uniform(0.04, 0.08, (h, 1)) * np.maximum(people, 1) ** 0.8
    wh = np.minimum(wh * cold_gap**1.7, 15.0) * np.where(ac_boost > 1, 1.2, 1.0)
    heater = col("space_heater") * rng.uniform(0.6, 1.2, (h, 1)) * np.maximum(16 - temp, 0) ** 1.3
    ac, wh, heater, life = (x * present for x in (ac, wh, heater, life))
    years = np.arange(DAYS)[None, :] / 365.25
    drift = np.exp(rng.normal(0.02, 0.03, (h, 1)) * years)
    clean = (standby + fridge + life + ac + wh + heater + lasting_add * present) * drift
    noise = _noise(rng=rng, h=h)
    extra, faults = _faults(
        rng=rng, homes=homes, clean=clean, ac=ac * drift, cold_gap=cold_gap, present=present
    )
    normal = clean.copy()  # the world's expected use: no fault, no noise
    kwh = (clean + extra) * noise
    reported = _meter(rng=rng, kwh=kwh, normal=normal)
    # --- output ----------------------------------------------------------------------------
    hi, ti = np.nonzero(reported)  # row-major: household then date
    readings = pd.DataFrame(
        {
            "household_id": homes.household_id.to_numpy()[hi],
            "date": np.array(day_list, dtype=object)[ti],
            "kwh": np.round(kwh[hi, ti], 3),
            "avg_temp_c": np.round(temp[hi, ti], 1),
            "province_code": homes.province_code.to_numpy()[hi].astype(int),
            "occupants": homes.occupants.to_numpy()[hi].astype(int),
            "air_conditioners": homes.air_conditioners.to_numpy()[hi].astype(int),
            "water_heater": homes.water_heater.to_numpy()[hi].astype(bool),
        }
    )
    normal_kwh = pd.Series(np.round(normal[hi, ti], 3), index=readings.index, name="normal_kwh")
    return World(
        readings=readings,
        households=homes[HOUSEHOLD_COLUMNS].copy(),
        faults=pd.DataFrame(faults, columns=LABEL_COLUMNS),
        heat_wave_days=heat,
        cold_spell_days=cold,
        changes=pd.DataFrame(changes, columns=LABEL_COLUMNS),
        normal_kwh=normal_kwh,
    )
