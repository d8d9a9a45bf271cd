"""What every held-out world shares: its output shape, its weather and its faults.

Written apart from ml/simulate.py (only its output format is shared, so that the product's model
and `ml.evaluate` read both alike): readings `household_id, date, kwh, avg_temp_c, province_code,
occupants, air_conditioners, water_heater`, one row per household-day (a day a meter did not
report has no row); fault labels `household_id, kind, onset, end` of the same four kinds.

Weather: the province's climate normals (ml/climate.py) plus an AR(1) day-to-day anomaly whose
spread depends on the region, random cold spells (north and centre, November–March: the
north-east monsoon surges) and heat waves (April–August, stronger inland in the north and
centre), all drawn per province and shared by its households.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.climate import normal_temps, province_codes, region_of

FAULT_KINDS = ("water_heater_stuck", "failing_ac", "level_shift", "small_leak")
LABEL_COLUMNS = ["household_id", "kind", "onset", "end"]  # of faults and of normal changes
# every world's readings and declared households, in this order
READING_COLUMNS = [
    "household_id",
    "date",
    "kwh",
    "avg_temp_c",
    "province_code",
    "occupants",
    "air_conditioners",
    "water_heater",
]
HOUSEHOLD_COLUMNS = [
    "household_id",
    "province_code",
    "region",
    "occupants",
    "air_conditioners",
    "water_heater",
]
ANOMALY_SD = {"north": 2.2, "centre": 1.6, "south": 0.9}  # °C, day-to-day weather spread
TET = (date(2023, 1, 22), date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6))


@dataclass
class World:
    readings: pd.DataFrame
    households: pd.DataFrame  # household_id, province_code, region, occupants, air_conditioners, …
    faults: pd.DataFrame  # household_id, kind, onset, end
    heat_wave_days: dict[int, set[date]] = field(default_factory=dict)
    cold_spell_days: dict[int, set[date]] = field(default_factory=dict)
    # normal changes that are not faults: household_id, kind, onset, end (a lasting change: end None)
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LABEL_COLUMNS))
    normal_kwh: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))


@dataclass(frozen=True)
class Weather:
    temps: np.ndarray  # °C, one per calendar day
    hot: set[date]
    cold: set[date]


def calendar(*, start: date, days: int) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=days, freq="D")


def weather(
    *,
    rng: np.random.Generator,
    province: int,
    days: pd.DatetimeIndex,
    record_cold_year: int | None = None,
) -> Weather:
    """Daily mean temperature of a province. `record_cold_year`: that year's January holds a
    10–16 day cold surge 7–10 °C below normal in the north (5–7 in the centre), colder than
    anything the other years hold (as in January 2016, when Hà Nội fell to 6 °C)."""
    region = region_of(province) or "south"
    n = len(days)
    normal = normal_temps(np.full(n, province), days.day_of_year.to_numpy())
    sd, phi = ANOMALY_SD[region], 0.7
    shocks = rng.standard_t(5, n) * sd * np.sqrt(1 - phi**2) / np.sqrt(5 / 3)
    anomaly = np.zeros(n)
    for i in range(n):
        anomaly[i] = (phi * anomaly[i - 1] if i else 0.0) + shocks[i]
    temps = normal + anomaly
    hot, cold = set(), set()
    months = days.month.to_numpy()
    for year in sorted(set(days.year)):
        in_year = np.flatnonzero(days.year == year)
        if region != "south":
            winter = in_year[np.isin(months[in_year], [11, 12, 1, 2, 3])]
            for _ in range(rng.integers(2, 5)):  # monsoon surges
                first, length = int(rng.choice(winter)), int(rng.integers(3, 9))
                span = np.arange(first, min(first + length, n))
                temps[span] -= rng.uniform(3.0, 6.0) * (1.0 if region == "north" else 0.6)
                cold.update(days[span].date)
        summer = in_year[np.isin(months[in_year], [4, 5, 6, 7, 8])]
        for _ in range(rng.integers(1, 4)):
            first, length = int(rng.choice(summer)), int(rng.integers(3, 11))
            span = np.arange(first, min(first + length, n))
            temps[span] += rng.uniform(2.0, 4.0) * (0.6 if region == "south" else 1.0)
            hot.update(days[span].date)
        if year == record_cold_year and region != "south":
            january = in_year[months[in_year] == 1]
            first, length = int(january[int(rng.integers(5, 15))]), int(rng.integers(10, 17))
            span = np.arange(first, min(first + length, n))
            temps[span] -= rng.uniform(7, 10) if region == "north" else rng.uniform(5, 7)
            cold.update(days[span].date)
    return Weather(temps=np.clip(temps, 2.0, 42.0), hot=hot, cold=cold)


def provinces(*, rng: np.random.Generator, n: int) -> np.ndarray:
    """Households' provinces: half northern (where winter matters), the rest centre and south."""
    codes = np.array(province_codes())
    regions = np.array([region_of(c) for c in codes])
    share = {"north": 0.5, "centre": 0.2, "south": 0.3}
    p = np.array([share[r] / (regions == r).sum() for r in regions])
    return rng.choice(codes, size=n, p=p)


def tet_window(day: date) -> bool:
    """The days households are away or have guests: three days before Tết to five after."""
    return any(t - timedelta(days=3) <= day <= t + timedelta(days=5) for t in TET)


@dataclass(frozen=True)
class Fault:
    kind: str
    onset: int  # day index
    end: int  # exclusive


def draw_fault(
    *, rng: np.random.Generator, first_day: int, days: int, has_heater: bool, acs: int
) -> Fault:
    """A fault starting on a random day of [first_day, days - 20), lasting 20–90 days. A water
    heater or AC fault only where there is one."""
    kinds = [k for k in FAULT_KINDS if (k != "water_heater_stuck" or has_heater)]
    kinds = [k for k in kinds if k != "failing_ac" or acs > 0]
    kind = str(rng.choice(kinds))
    onset = int(rng.integers(first_day, days - 20))
    return Fault(kind=kind, onset=onset, end=min(onset + int(rng.integers(20, 91)), days))


def fault_kwh(
    *, rng: np.random.Generator, fault: Fault, normal: np.ndarray, ac_kwh: np.ndarray
) -> np.ndarray:
    """Extra kWh per day of a fault (zero outside it), from this world's own assumptions:
    a heater whose thermostat sticks heats against its cut-out (3–7 kWh/day more); a failing air
    conditioner (low gas, iced coil) runs 50–120% longer, at least 1 kWh more on days it runs;
    a level shift (a device left on for good) adds 25–45% of the median day; a leak to earth or
    a pump cycling on a leaking pipe adds 0.8–2.0 kWh every day."""
    extra = np.zeros(len(normal))
    span = slice(fault.onset, fault.end)
    if fault.kind == "water_heater_stuck":
        extra[span] = rng.uniform(3.0, 7.0) * rng.uniform(0.85, 1.0, fault.end - fault.onset)
    elif fault.kind == "failing_ac":
        used = ac_kwh[span] > 0.2
        extra[span] = np.where(used, np.maximum(ac_kwh[span] * rng.uniform(0.5, 1.2), 1.0), 0.0)
    elif fault.kind == "level_shift":
        extra[span] = float(np.median(normal)) * rng.uniform(0.25, 0.45)
    else:
        extra[span] = rng.uniform(0.8, 2.0)
    return extra


def frame(
    *,
    household_id: str,
    days: pd.DatetimeIndex,
    kwh: np.ndarray,
    temps: np.ndarray,
    attributes: dict[str, int],
    keep: np.ndarray | None = None,
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "household_id": household_id,
            "date": days.date,
            "kwh": np.round(np.maximum(kwh, 0.0), 2),
            "avg_temp_c": np.round(temps, 1),
            **attributes,
        }
    )
    return out if keep is None else out[keep]


@dataclass
class WorldBuilder:
    """What a world's simulator shares with the others: its households' provinces and their
    weather, the faults it injects, and the World it assembles household by household. The order
    of the random draws is part of a world (the held-out worlds are frozen): provinces, then each
    province's weather in code order, then per household the simulator's own draws."""

    dates: pd.DatetimeIndex
    codes: np.ndarray  # each household's province, in household order
    climate: dict[int, Weather]  # by province
    frames: list[pd.DataFrame] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    faults: list[tuple] = field(default_factory=list)
    changes: list[tuple] = field(default_factory=list)
    normals: list[np.ndarray] = field(default_factory=list)

    @classmethod
    def draw(
        cls,
        *,
        rng: np.random.Generator,
        households: int,
        dates: pd.DatetimeIndex,
        record_cold_year: int | None = None,
    ) -> WorldBuilder:
        """The households' provinces, then each province's weather (see `weather`)."""
        codes = provinces(rng=rng, n=households)
        climate = {
            int(c): weather(rng=rng, province=int(c), days=dates, record_cold_year=record_cold_year)
            for c in np.unique(codes)
        }
        return cls(dates=dates, codes=codes, climate=climate)

    def with_fault(
        self,
        *,
        rng: np.random.Generator,
        household_id: str,
        kwh: np.ndarray,
        normal: np.ndarray,
        ac_kwh: np.ndarray,
        share: float,
        first_day: int,
        has_heater: bool,
        acs: int,
    ) -> np.ndarray:
        """`kwh` with a fault added in a `share` of households (one draw decides; see `draw_fault`
        and `fault_kwh`), its label kept; `kwh` itself when the household has none."""
        if not rng.random() < share:
            return kwh
        days = len(self.dates)
        fault = draw_fault(rng=rng, first_day=first_day, days=days, has_heater=has_heater, acs=acs)
        extra = fault_kwh(rng=rng, fault=fault, normal=normal, ac_kwh=ac_kwh)
        onset, end = self.dates[fault.onset].date(), self.dates[fault.end - 1].date()
        self.faults.append((household_id, fault.kind, onset, end))
        return kwh + extra

    def add(
        self,
        *,
        household_id: str,
        region: str | None,
        attributes: dict[str, int],
        kwh: np.ndarray,
        normal: np.ndarray,
        keep: np.ndarray | None = None,
    ) -> None:
        """One household's readings (the days `keep` marks, every day without it), its row and
        its normal kWh on those days; its province's temperatures are the readings'."""
        temps = self.climate[attributes["province_code"]].temps
        self.frames.append(
            frame(
                household_id=household_id,
                days=self.dates,
                kwh=kwh,
                temps=temps,
                attributes=attributes,
                keep=keep,
            )
        )
        self.rows.append({"household_id": household_id, "region": region, **attributes})
        self.normals.append(normal if keep is None else normal[keep])

    def world(self) -> World:
        return World(
            readings=pd.concat(self.frames, ignore_index=True),
            households=pd.DataFrame(self.rows),
            faults=pd.DataFrame(self.faults, columns=LABEL_COLUMNS),
            heat_wave_days={code: w.hot for code, w in self.climate.items()},
            cold_spell_days={code: w.cold for code, w in self.climate.items()},
            changes=pd.DataFrame(self.changes, columns=LABEL_COLUMNS),
            normal_kwh=pd.Series(np.concatenate(self.normals)),
        )
