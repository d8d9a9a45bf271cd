"""The yardstick across worlds (issue 21): every simulator family × seeds, trained on one year and
scored on the next, for the product's model, CalTRACK + CUSUM and the 30% month-over-month rule.

Definitions (as ml/evaluate.py's, restated here so that this file is judged on its own):
- recall: share of faults flagged within 14 days of onset; median delay of those found; the
  alert recall counts only faults for which an alert starts in those 14 days (an episode already
  open when the fault begins sends the household nothing new);
- a false alert is a run of flagged days (a bill for the 30% rule) starting outside every fault's
  onset … end + 7 days; per household-year of the scored year;
- heat-wave / cold-spell false alerts: those starting on a heat-wave / cold-spell day of the
  household's province (for the 30% rule: the billed month held one);
- a lasting rise in normal use (a new air conditioner, a baby) is owed one alert: the issue asks
  for "one alert, then it learns the new normal". The household's first alert outside faults in
  the year after such a change is counted as the change's alert, apart from the false alerts;
  every later one is false. The change may date from the training year: an air conditioner bought
  in the autumn first shows in the next spring's heat;
- every false alert is put down to what the world did near it (a cold spell, a new appliance,
  Tết, a vacation, an estimated read …), so that the next weakness is visible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.api import without_announced
from ml.climate import normal_temps, region_of
from ml.evaluate import alert_starts, model_flags
from ml.model import UnusualUsageModel
from ml.simulate import simulate
from ml.targets import PRODUCT_ANNOUNCED_ROW, PRODUCT_ROW
from ml.worlds.answers import (
    FAULT_GRACE_DAYS,
    ChangeCost,
    announced_guests,
    answered_flags,
    change_cost,
    lasting_changes,
    scored_flags,
)
from ml.worlds.appliances import simulate_appliances
from ml.worlds.base import FAULT_KINDS, World
from ml.worlds.caltrack import CUSUM_H, caltrack_paths, flags_at
from ml.worlds.diary import simulate_diary
from ml.worlds.meters import simulate_meters
from ml.worlds.oracle import best_flags, oracle_input
from ml.worlds.survey import simulate_survey

START = date(2024, 1, 1)
TEST_DAY = START + timedelta(days=365)  # as ml/evaluate.py: day 365, 31 Dec 2024 (leap year)
WINDOW = 14
# share of the tuning world's homes that step up for good in the scored year (a new appliance):
# what the household's answer to the usage alert is for
STEP_SHARE = 0.15
# the model as the product runs it (notifications/tasks.py retrains on everyone's readings every
# month): a year of history, the scored year's months learnt as they come
# the detector's setting before households could confirm a lasting change (a comparison row)
ADOPT_BEFORE = 21
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# lasting changes that lower use: an upper CUSUM has nothing to alert on, so they are owed none
LOWERING = frozenset({"new_move_out", "new_efficient_fridge"})
CHANGE_ALERT_DAYS = 365  # how long after a lasting rise its one alert may come


def _tuning_world(*, households: int, seed: int) -> World:
    """ml/simulate.py's output as a World; it labels heat waves, not cold spells: a cold-spell day
    here is one 3 °C or more below the province's normal."""
    sim = simulate(households, start=START, days=730, seed=seed, step_share=STEP_SHARE)
    temps = sim.readings.groupby(["province_code", "date"])["avg_temp_c"].mean().reset_index()
    doy = pd.to_datetime(temps["date"]).dt.day_of_year.to_numpy()
    cold = temps[temps["avg_temp_c"] <= normal_temps(temps["province_code"].to_numpy(), doy) - 3]
    homes = sim.households.assign(
        region=[region_of(int(c)) for c in sim.households["province_code"]]
    )
    return World(
        readings=sim.readings,
        households=homes,
        faults=sim.faults,
        heat_wave_days=sim.heat_wave_days,
        cold_spell_days={int(c): set(g["date"]) for c, g in cold.groupby("province_code")},
        changes=sim.changes,
        normal_kwh=sim.normal_kwh,
    )


@dataclass(frozen=True)
class Family:
    name: str
    role: str
    make: Callable[..., World]


FAMILIES = (
    Family(
        "simulate", "tuning family (ml/simulate.py: the detector was tuned on it)", _tuning_world
    ),
    Family(
        "survey",
        "second tuning family (ml/worlds/survey.py: written apart from the others, tuned on)",
        simulate_survey,
    ),
    Family("appliances", "held out (bottom-up appliances)", simulate_appliances),
    Family("meters", "held out (meter realism)", simulate_meters),
    Family("diary", "held out (a family's day, bottom-up; written 2026-12-05)", simulate_diary),
)


@dataclass
class Score:
    recall: float  # faults flagged within WINDOW days of onset
    # … by an alert that starts then: what the household is told (a fault that begins while an
    # earlier episode is open sends no new notification)
    alert_recall: float
    median_delay: float
    false_alerts: float
    heat_wave: float
    cold_spell: float
    faults: int
    household_years: float
    found_by_kind: dict[str, tuple[int, int]]
    misses: list[tuple[str, int, str]] = field(default_factory=list)  # kind, month, region
    alarms: list[tuple[str, int, str]] = field(default_factory=list)  # context, month, region
    # the one alert each lasting rise in normal use is owed (kind, month, region); not false
    change_alerts: list[tuple[str, int, str]] = field(default_factory=list)
    # lasting normal changes of the scored year in homes without a fault: alerts, flagged days
    lasting: ChangeCost = field(default_factory=lambda: ChangeCost(0, 0.0, 0.0))
    delays: list[int] = field(default_factory=list)  # of the faults found (to pool seeds)

    @property
    def change_alert_rate(self) -> float:
        """Alerts owed to lasting rises in normal use, per household-year."""
        return len(self.change_alerts) / max(self.household_years, 1.0)


def _context(world: World, household: str, day: date, province: int) -> str:
    """What the world did near a false alert's first day."""
    changes = world.changes[world.changes["household_id"] == household]
    for row in changes.itertuples():
        end = row.end if row.end is not None and not pd.isna(row.end) else row.onset
        if row.onset - timedelta(days=2) <= day <= end + timedelta(days=WINDOW):
            return str(row.kind).split("_")[0] if row.kind.startswith("tet") else str(row.kind)
    if day in world.cold_spell_days.get(province, ()):
        return "cold_spell"
    if day in world.heat_wave_days.get(province, ()):
        return "heat_wave"
    faults = world.faults[world.faults["household_id"] == household]
    if any(f.end < day for f in faults.itertuples()):
        return "after_fault"
    return "other"


def _rises(world: World, ids: set[str]) -> dict[str, list[tuple[date, str]]]:
    """Each household's lasting rises in normal use (onset, kind), in date order."""
    changes = world.changes
    lasting = changes[
        changes["end"].isna() & changes["household_id"].isin(ids) & ~changes["kind"].isin(LOWERING)
    ]
    return {
        str(h): sorted(zip(g["onset"], g["kind"], strict=True))
        for h, g in lasting.groupby("household_id")
    }


def _owed(rises: list[tuple[date, str]], start: date, claimed: set[date]) -> str | None:
    """The kind of the latest rise before `start` still owed its alert (None: no such rise)."""
    before = [(onset, kind) for onset, kind in rises if onset <= start]
    if not before:
        return None
    onset, kind = before[-1]
    if onset in claimed or (start - onset).days > CHANGE_ALERT_DAYS:
        return None
    claimed.add(onset)
    return kind


def score(flags: pd.DataFrame, world: World, ids: set[str], *, monthly: bool = False) -> Score:
    """`flags`: household_id, date, is_anomaly of the scored year; `ids`: households scored."""
    flags = flags[flags["household_id"].isin(ids)]
    starts_of = alert_starts(flags)  # a monthly rule alerts on every flagged bill
    flags = flags[flags["is_anomaly"]]
    flagged = {h: sorted(g["date"]) for h, g in flags.groupby("household_id")}
    homes = world.households.set_index("household_id")
    faults = world.faults[world.faults["household_id"].isin(ids)]
    found, alerted, delays, misses = 0, 0, [], []
    by_kind: Counter[str] = Counter()
    totals = Counter(faults["kind"])
    opened = flagged if monthly else starts_of  # the days an alert is sent
    for row in faults.itertuples():
        days = [
            d
            for d in flagged.get(row.household_id, [])
            if row.onset <= d <= row.onset + timedelta(days=WINDOW)
        ]
        alerted += any(
            row.onset <= d <= row.onset + timedelta(days=WINDOW)
            for d in opened.get(row.household_id, [])
        )
        if days:
            found += 1
            by_kind[row.kind] += 1
            delays.append((days[0] - row.onset).days)
        else:
            misses.append((row.kind, row.onset.month, homes.at[row.household_id, "region"]))
    alarms, owed, heat, cold = [], [], 0, 0
    rises = _rises(world, ids)
    for household, days in flagged.items():
        province = int(homes.at[household, "province_code"])
        spans = [f for f in faults.itertuples() if f.household_id == household]
        claimed: set[date] = set()
        for start in days if monthly else starts_of.get(household, []):
            if any(f.onset <= start <= f.end + timedelta(days=FAULT_GRACE_DAYS) for f in spans):
                continue
            kind = _owed(rises.get(household, []), start, claimed)
            if kind is not None:
                owed.append((kind, start.month, homes.at[household, "region"]))
                continue
            month = (
                {start} if not monthly else {start - timedelta(days=k) for k in range(start.day)}
            )
            is_heat = bool(month & world.heat_wave_days.get(province, set()))
            is_cold = bool(month & world.cold_spell_days.get(province, set()))
            heat, cold = heat + is_heat, cold + is_cold
            context = _context(world, household, start, province)
            if monthly:
                context = "cold_spell" if is_cold else "heat_wave" if is_heat else context
            alarms.append((context, start.month, homes.at[household, "region"]))
    years = float(len(ids))  # the scored year is 365 days
    changes = lasting_changes(world.changes, first_day=TEST_DAY)
    calm = changes["household_id"].isin(ids) & ~changes["household_id"].isin(faults["household_id"])
    return Score(
        recall=found / max(len(faults), 1),
        alert_recall=alerted / max(len(faults), 1),
        median_delay=float(np.median(delays)) if delays else float("nan"),
        false_alerts=len(alarms) / years,
        heat_wave=heat / years,
        cold_spell=cold / years,
        faults=len(faults),
        household_years=years,
        found_by_kind={k: (by_kind[k], totals[k]) for k in FAULT_KINDS},
        misses=misses,
        alarms=alarms,
        change_alerts=owed,
        lasting=change_cost(flags, changes[calm]),
        delays=delays,
    )


def rule_30pct(readings: pd.DataFrame) -> pd.DataFrame:
    """A calendar month's kWh over 1.3 × the previous month's, alerted on its last day; bills of
    the scored months only (January 2025 is compared with December 2024)."""
    month = pd.to_datetime(readings["date"]).dt.to_period("M")
    frame = readings.assign(month=month)
    monthly = frame.groupby(["household_id", "month"])["kwh"].sum().reset_index()
    previous = monthly.groupby("household_id")["kwh"].shift()
    bills = pd.DataFrame(
        {
            "household_id": monthly["household_id"],
            "date": monthly["month"].dt.end_time.dt.date,
            "is_anomaly": monthly["kwh"] > 1.3 * previous,
        }
    )
    return bills[bills["date"] > TEST_DAY]


def caltrack_cusum(readings: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """CalTRACK + CUSUM's flags at the textbook threshold, from `TEST_DAY` on."""
    return flags_at(caltrack_paths(readings, ids, test_day=TEST_DAY), CUSUM_H)


def history_fit(world: World) -> tuple[UnusualUsageModel, pd.DataFrame]:
    """The model trained on the world's history year, and the scored year's readings."""
    readings = world.readings
    model = UnusualUsageModel().fit(readings[readings["date"] < TEST_DAY])
    return model, readings[readings["date"] >= TEST_DAY].reset_index(drop=True)


def answer_rows(world: World, *, seed: int) -> dict[str, pd.DataFrame]:
    """Flags of the scored year for one model trained on the year before: as the detector was
    (unconfirmed steps adopted after ADOPT_BEFORE days), with no answers, and with households
    confirming every / half of their lasting normal changes (ml/worlds/answers.py)."""
    readings = world.readings
    model, test = history_fit(world)
    changes = lasting_changes(world.changes, first_day=TEST_DAY)
    out = {"model": scored_flags(model, test)}
    for name, share in (("all", 1.0), ("half", 0.5)):
        out[f"model, households confirm {name} of lasting changes"] = answered_flags(
            model, test, changes=changes, share=share, seed=seed, silent=out["model"]
        )
    for name, share in (("all", 1.0), ("half", 0.5)):
        told = announced_guests(world.changes, share=share, seed=seed)
        learnt = UnusualUsageModel().fit(
            without_announced(readings[readings["date"] < TEST_DAY], told)
        )
        out[f"model, households announce {name} of their guests"] = scored_flags(
            learnt, test, announced=told
        )
    out[f"model before: steps adopted after {ADOPT_BEFORE} days"] = scored_flags(
        model.set_params(adopt_days=ADOPT_BEFORE), test
    )
    return out


def oracle_score(world: World, ids: set[str]) -> Score:
    """The oracle bound (ml/worlds/oracle.py) on the scored year, its grid judged by `score`."""

    def judge(flags: pd.DataFrame) -> tuple[float, float]:
        s = score(flags, world, ids)
        return s.recall, s.false_alerts

    flags, _ = best_flags(oracle_input(world, first_day=TEST_DAY), judge=judge)
    return score(flags, world, ids)


def run_world(
    family: Family, *, seed: int, households: int, caltrack_households: int, short: bool = True
) -> list[tuple[str, str, Score]]:
    """(method, households scored, Score) rows for one family and seed (`short`: also the rows
    retrained monthly: a year of history, as the product runs, and 60 days of history)."""
    world = family.make(households=households, seed=seed)
    readings = world.readings
    ids = set(world.households["household_id"])
    sample = sorted(ids)[:caltrack_households]
    variants = answer_rows(world, seed=seed)
    year = variants["model"]
    out = [(method, "all", score(flags, world, ids)) for method, flags in variants.items()]
    if short:
        monthly = model_flags(readings, TEST_DAY, 30)
        out.append((PRODUCT_ROW, "all", score(monthly, world, ids)))
        told = announced_guests(world.changes, share=0.5, seed=seed)
        if told:  # worlds without guests would repeat the row above
            monthly_told = model_flags(readings, TEST_DAY, 30, announced=told)
            out.append((PRODUCT_ANNOUNCED_ROW, "all", score(monthly_told, world, ids)))
        recent = readings[readings["date"] >= TEST_DAY - timedelta(days=60)]
        sixty = model_flags(recent, TEST_DAY, 30)
        out.append(("model, 60-day history, retrained monthly", "all", score(sixty, world, ids)))
    out.append(("rule_30pct", "all", score(rule_30pct(readings), world, ids, monthly=True)))
    out.append(("oracle bound", "all", oracle_score(world, ids)))
    if sample:
        out += [
            ("model", "CalTRACK sample", score(year, world, set(sample))),
            (
                "caltrack_cusum",
                "CalTRACK sample",
                score(caltrack_cusum(readings, sample), world, set(sample)),
            ),
            (
                "rule_30pct",
                "CalTRACK sample",
                score(rule_30pct(readings), world, set(sample), monthly=True),
            ),
        ]
    return out
