"""The "diary" world: daily household electricity use in Việt Nam, built bottom-up from what a
family does each day (a held-out test world for the anomaly detector; its own assumptions).

Calendar: 730 days, 2024-01-01 to 2025-12-30; the detector trains on 2024 and is scored on 2025.

Weather, per province (all 34, shared by its homes). Observed daily mean = climate normal
(ml.climate.normal_temps) + a year offset (2025 is 0.5–1.1 °C warmer or colder than 2024, coin
flip) + an AR(1) anomaly (φ = 0.75; 75% of the shock shared by the region, the rest local;
spread 2.0 / 1.4 / 0.8 °C north / centre / south, 40% wider in the northern winter) + events:
- cold spells (north-east monsoon surges), mid-November to mid-March, about one per 22 winter
  days: a 4–9 °C drop in the north that recovers over 3–9 days, 45% of it in the centre, none in
  the south; a province's day counts as a cold-spell day when the drop there is ≥ 2.5 °C;
- heat waves, about one per 35 season days (north 20 Apr–Aug, +2.5–5 °C; centre Apr–Aug, Lào
  wind, +3–6 °C; south 15 Mar–May, +1.5–3 °C), 3–10 days, each province 70–115% of the event;
  a day counts when it adds ≥ 1.5 °C. The colder year has 1.5 times as many cold spells as
  the warmer one, the warmer year 1.5 times as many heat waves. The normals already hold the
  usual spells, so each season is first lifted (cold: +1.12 °C × the regional share) or lowered
  (heat: 0.13 × the mean amplitude) by the spells' expected effect. Rounded to 0.1 °C.
Mains water follows the air with a lag (10-day exponential mean, +1 °C, at least 8 °C).

Homes (declared at sign-up, never updated; readings repeat these declared values): region 42%
north, 18% centre, 40% south, province uniform within it; 1–7 occupants (mode 4); children
only in homes of ≥ 3; 45% urban; an air conditioner in 45/35/55% of homes north/centre/south
(+15 points urban), 1–3 units; an electric storage water heater in 80/40/12% of homes.
Hidden traits: AC setpoint 24–28 °C, AC switched on when the daily mean exceeds the setpoint
minus 1–3 °C, 1–2 h of AC per °C above that (≤ 11 h at night), 0.6–1.0 kW per running unit
(6%/°C more above the setpoint, one unit then half of each further unit); share of daytime
someone is home 10–90% (adds daytime AC on days off, and on summer weekdays for children);
fridge 0.6–1.4 kWh/day at 25 °C, +3.5%/°C; lighting 0.3–0.9 kWh/day, longer on winter nights
(±20/12/5% north/centre/south); cooking, TV, laundry, pump 0.35–0.7 kWh × people^0.8, +8% on
days off; fans 35 Wh per person per °C above 23 (half in homes with AC); standby 0.15–0.6 kWh.
Water heater: a hot shower per person a day, hot with probability sigmoid((23.5–28 °C − T)/1.8),
25–45 litres, +4% per °C below 22 °C, heated to 40 °C from mains temperature at 85% efficiency,
plus 0.5 kWh standing loss on days it is used, so it grows steeply as it gets colder and with
the number of people. 30% of northern and 10% of central homes run a 1.2 kW fan heater
0.3–0.8 h per °C below 17 °C. Slow drift: use grows by N(1.5%, 3%) a year (ageing, gadgets).

Calendar: weekends, public holidays (30/4, 1/5, 2/9) and the Tết week are days off; the
summer school holiday (June–August) keeps children home (+10% misc. per child). Tết
(base.TET): each home hosts (35%: +2–6 guests from the eve to day 2–4, cooking ×1.5) or goes
away (20% north/centre, 30% south: from 2–4 days before to 3–7 days after, home empty), else
nothing special; a home keeps last year's habit with probability 0.75. Each year, Poisson(0.8)
vacations of 2–9 days (55% in June–August; empty home: fridge and standby only) and
Poisson(0.7) visits of 2–9 days by 1–4 guests; events never overlap. In 2025, 20% of homes have
one lasting change (end None): new_ac (one more unit, from March to mid-July), new_baby (+0.8
kWh laundry and sterilising, 0.4 kWh of warm baths, +2 h of AC on warm days), new_tenant (+1
person), new_move_out (−1 person), the last three from 10 January to 1 December.

Faults (half the homes, one each, of a kind drawn evenly among those the home can have; onset
and end in 2025, end = the last faulty day):
- water_heater_stuck (homes with a heater): a stuck thermostat keeps the tank hot, 0.8–6 kWh/day
  (log-uniform), more when cold and on days it is used, for 7–60 days;
- failing_ac (homes with an AC; onset March to mid-September): low gas or an iced coil, the AC
  draws 20–100% more plus 0.2–1 kWh/day on days it runs (unseen where it hardly runs), for
  20–120 days;
- level_shift: a new always-on load (80%: +8–60% of the home's mean 2024 use) or a dead appliance
  (20%: −10–35%), for 20–200 days;
- small_leak: earth leakage or a pump that never stops, +0.15–1.2 kWh/day, for 30–250 days;
  a fault still running on the last simulated day ends there (2025-12-30).
Meter: kWh = (normal + fault) × a lognormal day-to-day factor of mean 1 and spread 7–18% per
home (2% of days three times wider), rounded to 0.1 (60% of meters) or 0.01 kWh; missing days:
70% of meters lose 0–1% of days, 25% lose 1–4%, 5% also lose one run of 3–15 days.
`normal_kwh` is the use without fault and without the day-to-day factor.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ml.climate import normal_temps, province_codes, region_of
from ml.worlds.base import FAULT_KINDS, LABEL_COLUMNS, TET, World

START, DAYS = date(2024, 1, 1), 730
NOISE = 1.0  # scale of the day-to-day factor (a test may set it to 0)
REGIONS = ("north", "centre", "south")
_DATES = pd.date_range(START, periods=DAYS, freq="D")
DAY = np.array([d.date() for d in _DATES], dtype=object)
DOY, MONTH = _DATES.day_of_year.to_numpy(), _DATES.month.to_numpy()
Y25 = _DATES.year.to_numpy() == 2025
HOLIDAY = np.isin(
    DAY, np.array([date(y, m, d) for y in (2024, 2025) for m, d in ((4, 30), (5, 1), (9, 2))])
)
TET_DAYS = [t for t in ((t - START).days for t in TET) if 0 <= t < DAYS]
TET_WEEK = np.zeros(DAYS, bool)
for _t in TET_DAYS:
    TET_WEEK[_t - 2 : _t + 5] = True
DAY_OFF = (_DATES.day_of_week.to_numpy() >= 5) | HOLIDAY | TET_WEEK
SCHOOL_SUMMER = (MONTH >= 6) & (MONTH <= 8)
ANOM_SD = {"north": 2.0, "centre": 1.4, "south": 0.8}
COLD = {"north": 1.0, "centre": 0.45, "south": 0.0}
HEAT = {
    "north": ((110, 243), 2.5, 5.0),
    "centre": ((91, 243), 3.0, 6.0),
    "south": ((75, 151), 1.5, 3.0),
}
SHARE = {"north": 0.42, "centre": 0.18, "south": 0.40}
AC_P = {"north": 0.45, "centre": 0.35, "south": 0.55}
HEATER_P = {"north": 0.80, "centre": 0.40, "south": 0.12}
SPACE_HEAT_P = {"north": 0.30, "centre": 0.10, "south": 0.0}
LIGHT_AMP = {"north": 0.20, "centre": 0.12, "south": 0.05}
TET_AWAY_P = {"north": 0.20, "centre": 0.20, "south": 0.30}
OCC_P = [0.08, 0.17, 0.22, 0.27, 0.15, 0.07, 0.04]  # 1..7 occupants


def _ix(day: date) -> int:
    return (day - START).days


def _weather(
    *, rng: np.random.Generator, codes: np.ndarray
) -> tuple[np.ndarray, dict[int, set[date]], dict[int, set[date]]]:
    """Observed daily mean °C per province (rows in `codes` order) and its event days."""
    n = len(codes)
    reg = np.array([region_of(int(c)) for c in codes])
    temps = normal_temps(np.repeat(codes, DAYS), np.tile(DOY, n)).reshape(n, DAYS)
    offset = rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.1)  # 2025 minus 2024
    temps += np.where(Y25, offset, 0.0)
    shared = rng.standard_normal((3, DAYS))[[REGIONS.index(r) for r in reg]]
    eps = np.sqrt(0.75) * shared + 0.5 * rng.standard_normal((n, DAYS))
    anomaly, a = np.empty((n, DAYS)), np.zeros(n)
    for d in range(DAYS):
        a = 0.75 * a + np.sqrt(1 - 0.75**2) * eps[:, d]
        anomaly[:, d] = a
    winter_wide = 1 + 0.4 * (reg == "north")[:, None] * np.cos(2 * np.pi * (DOY - 15) / 365)
    temps += anomaly * np.array([ANOM_SD[r] for r in reg])[:, None] * winter_wide
    hot: dict[int, set[date]] = {int(c): set() for c in codes}
    cold: dict[int, set[date]] = {int(c): set() for c in codes}
    colder_2025 = offset < 0

    def events(
        window: np.ndarray, rate: float, favour_2025: bool, longest: int
    ) -> list[tuple[int, int]]:
        boost = np.where(Y25, 1.2, 0.8) if favour_2025 else np.where(Y25, 0.8, 1.2)  # ratio 1.5
        weight = window * rate * boost
        starts = rng.choice(DAYS, size=rng.poisson(weight.sum()), p=weight / weight.sum())
        return [(int(s), int(rng.integers(3, longest + 1))) for s in starts]

    # the normals already contain the usual spells: lift the season by their expected effect first
    cold_season = (DOY >= 320) | (DOY <= 74)
    temps += 1.12 * np.array([COLD[r] for r in reg])[:, None] * cold_season
    for start, length in events(cold_season, 1 / 22, colder_2025, 9):
        depth, k = rng.uniform(4, 9), np.arange(min(length, DAYS - start))
        for p in range(n):
            drop = depth * COLD[reg[p]] * rng.uniform(0.8, 1.1) * (1 - k / length) ** 0.7
            temps[p, start + k] -= drop
            cold[int(codes[p])].update(DAY[start + k[drop >= 2.5]])
    for region, ((lo, hi), a_lo, a_hi) in HEAT.items():
        in_region = np.flatnonzero(reg == region)
        season = np.isin(DOY, np.arange(lo, hi + 1))
        temps[in_region] -= 0.13 * (a_lo + a_hi) / 2 * season
        for start, length in events(season, 1 / 35, not colder_2025, 10):
            amp, k = rng.uniform(a_lo, a_hi), np.arange(min(length, DAYS - start))
            for p in in_region.tolist():
                rise = amp * rng.uniform(0.7, 1.15) * np.sin(np.pi * (k + 0.5) / length) ** 0.5
                temps[p, start + k] += rise
                hot[int(codes[p])].update(DAY[start + k[rise >= 1.5]])
    return np.round(temps, 1), hot, cold


def _water(temps: np.ndarray) -> np.ndarray:
    """Mains water temperature: a 10-day exponential mean of the air, +1 °C, at least 8 °C."""
    out, w = np.empty_like(temps), temps[:, :10].mean(axis=1)
    for d in range(temps.shape[1]):
        w = w + (temps[:, d] - w) / 10
        out[:, d] = w
    return np.maximum(out + 1, 8.0)


def _span(rng: np.random.Generator, busy: np.ndarray, lo: int, hi: int, length: int) -> int | None:
    """A free start day in [lo, hi) for an event of `length` days, or None (events never overlap)."""
    start = int(rng.integers(lo, max(hi, lo + 1)))
    if start + length > DAYS or busy[start : start + length].any():
        return None
    busy[start : start + length] = True
    return start


def simulate_diary(*, households: int, seed: int) -> World:
    """The diary world of `households` homes over 730 days; the same seed gives the same world."""
    rng = np.random.default_rng(seed)
    codes = np.array(province_codes())
    temps_p, hot, cold = _weather(rng=rng, codes=codes)
    water_p = _water(temps_p)
    n = households
    # --- homes: declared profile, then hidden traits
    region = rng.choice(REGIONS, size=n, p=[SHARE[r] for r in REGIONS])
    by_region = {r: np.flatnonzero([region_of(int(c)) == r for c in codes]) for r in REGIONS}
    prov = np.array([rng.choice(by_region[r]) for r in region])
    occ = rng.choice(np.arange(1, 8), size=n, p=OCC_P)
    kids = np.where(occ >= 3, rng.binomial(np.maximum(occ - 2, 0), 0.55), 0)
    urban = rng.random(n) < 0.45
    p_ac = np.array([AC_P[r] for r in region]) + 0.15 * urban
    n_ac = (rng.random(n) < p_ac) * (1 + rng.binomial(2, 0.2 + 0.15 * urban))
    heater = rng.random(n) < np.array([HEATER_P[r] for r in region])
    space = rng.random(n) < np.array([SPACE_HEAT_P[r] for r in region])
    setpoint, gap, k_hours = rng.uniform(24, 28, n), rng.uniform(1, 3, n), rng.uniform(1, 2, n)
    kw, home_day = rng.uniform(0.6, 1.0, n), rng.uniform(0.1, 0.9, n)
    fridge0, light0 = rng.uniform(0.6, 1.4, n), rng.uniform(0.3, 0.9, n)
    misc0, standby = rng.uniform(0.35, 0.7, n), rng.uniform(0.15, 0.6, n)
    hot_thr, litres0 = rng.uniform(23.5, 28, n), rng.uniform(25, 45, n)
    heat_k = rng.uniform(0.3, 0.8, n)
    drift = rng.normal(0.015, 0.03, n)
    tet_habit = rng.random(n)
    # --- normal events and lasting changes, one home at a time
    away, guests = np.ones((n, DAYS)), np.zeros((n, DAYS))
    cook, occ_delta, ac_delta = np.ones((n, DAYS)), np.zeros((n, DAYS)), np.zeros((n, DAYS))
    baby = np.zeros((n, DAYS), bool)
    changes: list[tuple] = []
    ids = [f"dy-{h + 1:04d}" for h in range(n)]
    for h in range(n):
        busy = np.zeros(DAYS, bool)
        for t in TET_DAYS:
            u = tet_habit[h] if rng.random() < 0.75 else rng.random()
            if u < TET_AWAY_P[region[h]]:
                s, e = t - int(rng.integers(2, 5)), t + int(rng.integers(3, 8))
                away[h, s : e + 1] = 0
                changes.append((ids[h], "tet_away", DAY[s], DAY[e]))
            elif u < TET_AWAY_P[region[h]] + 0.35:
                s, e = t - 1, t + int(rng.integers(2, 5))
                guests[h, s : e + 1] += rng.integers(2, 7)
                cook[h, s : e + 1] = 1.5
                changes.append((ids[h], "tet_home", DAY[s], DAY[e]))
            busy[max(t - 5, 0) : t + 9] = True
        for y0 in (0, 366):
            for _ in range(rng.poisson(0.8)):
                length, summer = int(rng.integers(2, 10)), rng.random() < 0.55
                lo, hi = (y0 + 152, y0 + 232) if summer else (y0, y0 + 365 - length)
                if (first := _span(rng, busy, lo, hi, length)) is not None:
                    away[h, first : first + length] = 0
                    changes.append((ids[h], "vacation", DAY[first], DAY[first + length - 1]))
            for _ in range(rng.poisson(0.7)):
                length, extra = int(rng.integers(2, 10)), int(rng.integers(1, 5))
                if (first := _span(rng, busy, y0, y0 + 365 - length, length)) is not None:
                    guests[h, first : first + length] += extra
                    changes.append((ids[h], "guests", DAY[first], DAY[first + length - 1]))
        if rng.random() < 0.2:
            size, owned = int(occ[h]), int(n_ac[h])
            kinds = ["new_tenant"] * (size <= 6) + ["new_move_out"] * (size >= 2)
            kinds += ["new_ac"] * 2 * (owned < 3) + ["new_baby"] * (2 <= size <= 5)
            kind = str(rng.choice(kinds))
            lo, hi = (
                (_ix(date(2025, 3, 1)), _ix(date(2025, 7, 15))) if kind == "new_ac" else (375, 700)
            )
            o = int(rng.integers(lo, hi))
            ac_delta[h, o:] += kind == "new_ac"
            occ_delta[h, o:] += {"new_tenant": 1, "new_move_out": -1}.get(kind, 0)
            baby[h, o:] = kind == "new_baby"
            changes.append((ids[h], kind, DAY[o], None))
    # --- normal use, vectorised over home × day
    T, Tw = temps_p[prov], water_p[prov]
    people = occ[:, None] + occ_delta
    present = people * away + guests
    home = present > 0
    ac_n = n_ac[:, None] + ac_delta
    units = np.where(ac_n > 0, 1 + 0.5 * (ac_n - 1) + 0.5 * (guests > 0), 0.0)
    excess = T - (setpoint - gap)[:, None]
    children_home = (SCHOOL_SUMMER & ~DAY_OFF) * (kids > 0)[:, None]
    daytime = (1 - home_day)[:, None] * (4 * DAY_OFF + 3 * children_home) + 2 * baby
    hours = np.clip(k_hours[:, None] * excess, 0, 11) + daytime * np.clip(excess / 3, 0, 1)
    ac = units * hours * kw[:, None] * np.clip(1 + 0.06 * (T - setpoint[:, None]), 0.6, 1.5) * home
    fans = 0.035 * present * np.clip(T - 23, 0, 9) * np.where(ac_n > 0, 0.5, 1.0)
    fridge = fridge0[:, None] * np.maximum(1 + 0.035 * (T - 25), 0.5)
    on = heater[:, None] / (1 + np.exp(-(hot_thr[:, None] - T) / 1.8))
    litres = litres0[:, None] * (1 + 0.04 * np.clip(22 - T, 0, 15))
    per_shower = litres * np.maximum(40 - Tw, 3) * 0.001163 / 0.85  # kWh at 85% efficiency
    water_heat = on * (present * per_shower + 0.5 * home + 0.4 * baby)
    space_heat = (space * heat_k * 1.2)[:, None] * np.clip(17 - T, 0, 9) * home
    season = np.cos(2 * np.pi * (DOY - 356) / 365.25)
    night = light0[:, None] * (1 + np.array([LIGHT_AMP[r] for r in region])[:, None] * season)
    light = night * home * (0.5 + 0.5 * np.minimum(present / np.maximum(people, 1), 1.5))
    summer_kids = 1 + 0.1 * kids[:, None] * SCHOOL_SUMMER
    misc = misc0[:, None] * present**0.8 * (1 + 0.08 * DAY_OFF) * cook * summer_kids + 0.8 * baby
    normal = ac + fans + fridge + water_heat + space_heat + light + misc + standby[:, None]
    normal *= 1 + drift[:, None] * np.arange(DAYS) / 365  # slow drift
    # --- faults, 2025 only
    fault = np.zeros((n, DAYS))
    faults: list[tuple] = []
    jan1, dec31, mean24 = 366, DAYS - 1, normal[:, :366].mean(axis=1)
    for h in range(n):
        if rng.random() >= 0.5:
            continue
        allowed = [k for k in FAULT_KINDS if (k != "water_heater_stuck" or heater[h])]
        kind = str(rng.choice([k for k in allowed if k != "failing_ac" or n_ac[h] > 0]))
        lo, hi = (425, 623) if kind == "failing_ac" else (jan1, dec31 - 20)  # 1/3–15/9
        o = int(rng.integers(lo, hi))
        span = {
            "water_heater_stuck": (7, 61),
            "failing_ac": (20, 121),
            "level_shift": (20, 201),
        }.get(kind, (30, 251))
        e = min(o + int(rng.integers(*span)) - 1, dec31)
        d = slice(o, e + 1)
        if kind == "water_heater_stuck":
            size = np.exp(rng.uniform(np.log(0.8), np.log(6)))
            cold_tank = np.maximum(1 + 0.03 * (25 - T[h, d]), 0.5)
            fault[h, d] = size * (0.4 + 0.6 * on[h, d]) * cold_tank
        elif kind == "failing_ac":
            fault[h, d] = ac[h, d] * rng.uniform(0.2, 1.0) + (ac[h, d] > 0.5) * rng.uniform(0.2, 1)
        elif kind == "level_shift":
            up = rng.random() < 0.8
            frac = np.exp(rng.uniform(np.log(0.08), np.log(0.6))) if up else -rng.uniform(0.1, 0.35)
            fault[h, d] = frac * mean24[h]
        else:
            fault[h, d] = np.exp(rng.uniform(np.log(0.15), np.log(1.2)))
        faults.append((ids[h], kind, DAY[o], DAY[e]))
    # --- meter: day-to-day factor, resolution, missing days
    sd = NOISE * rng.uniform(0.07, 0.18, n)[:, None]
    z = rng.standard_normal((n, DAYS)) * np.where(rng.random((n, DAYS)) < 0.02, 3.0, 1.0)
    raw = np.maximum(normal + fault, 0) * np.exp(sd * z - sd**2 / 2)
    tenth = rng.random(n) < 0.6
    kwh = np.where(tenth[:, None], np.round(raw, 1), np.round(raw, 2))
    kind_of_meter = rng.random(n)
    rate = np.where(kind_of_meter < 0.7, rng.uniform(0, 0.01, n), rng.uniform(0.01, 0.04, n))
    missing = rng.random((n, DAYS)) < rate[:, None]
    for h in np.flatnonzero(kind_of_meter > 0.95).tolist():
        s = int(rng.integers(0, DAYS - 15))
        missing[h, s : s + int(rng.integers(3, 16))] = True
    hh, dd = np.nonzero(~missing)
    homes = pd.DataFrame(
        {
            "household_id": ids,
            "province_code": codes[prov].astype(int),
            "region": region.astype(object),
            "occupants": occ.astype(int),
            "air_conditioners": n_ac.astype(int),
            "water_heater": heater.astype(bool),
        }
    )
    readings = homes.drop(columns="region").iloc[hh].reset_index(drop=True)
    for at, (column, values) in enumerate(
        (("date", DAY[dd]), ("kwh", kwh[hh, dd]), ("avg_temp_c", T[hh, dd])), start=1
    ):
        readings.insert(at, column, values)
    return World(
        readings=readings,
        households=homes,
        faults=pd.DataFrame(faults, columns=LABEL_COLUMNS),
        heat_wave_days=hot,
        cold_spell_days=cold,
        changes=pd.DataFrame(changes, columns=LABEL_COLUMNS),
        normal_kwh=pd.Series(normal[hh, dd], index=readings.index),
    )
