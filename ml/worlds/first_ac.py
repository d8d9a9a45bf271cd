"""A first air conditioner, confirmed in the spring (issue 21): the tuning scenario of the model's
`confirmed_cooling` and `confirmed_spread`.

On the tuning family (simulate), homes without air conditioning and without a lasting change of
their own get a first air conditioner on a day of March–May of the scored year. From then on it
cools U(1.0, 2.5) × cdd × (1 + 0.04 cdd) kWh a day (cdd: °C above 25), the form of simulate's own
`new_ac`, larger; the home's profile still says it has none. Every lasting change is confirmed on
its first alert (`answer_changes`, share 1: a first alert within 30 days of the onset, so a
purchase that alerts later is not confirmed and not counted among the summers), and the scored
year is compared across the model's variants (one fit per seed): false alerts, faults found, how
many first air conditioners' summers are under- or over-learnt, and the false alerts those homes
raise after their answer. Written to tune on; the held-out families' figures come from
`python -m ml confirmations` and `python -m ml worlds`.

`python -m ml first-ac` prints the table; ml/EVALUATION.md, "A first air conditioner", holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.evaluate import alert_starts
from ml.worlds.answers import FAULT_GRACE_DAYS, answer_changes, lasting_changes, scored_flags
from ml.worlds.base import World
from ml.worlds.heldout import FAMILIES, TEST_DAY, history_fit, score

KIND = "first_ac"
FIRST_ONSET, ONSET_DAYS = date(2025, 3, 1), 92  # onsets: 1/3 to 31/5
BALANCE_C = 25.0
SUMMER = (6, 7)  # the months a summer is judged on
# a summer is under-learnt when its use is at least this many times the expectation, over-learnt
# when the expectation is at least this many times its use (a fault there is harder to see)
MISS = 1.10
# model settings of each variant (`UnusualUsageModel` parameters)
VARIANTS: dict[str, dict[str, bool]] = {
    "weather part alone": {"confirmed_cooling": False, "confirmed_spread": False},
    "+ peers' cooling": {"confirmed_cooling": True, "confirmed_spread": False},
    "+ peers' cooling + the noise it adds": {"confirmed_cooling": True, "confirmed_spread": True},
}


@dataclass(frozen=True)
class FirstAcRow:
    """One variant over the seeds: every lasting change confirmed on its first alert."""

    variant: str
    household_years: int
    first_acs: int
    confirmed: int  # first air conditioners confirmed (those that alerted)
    false_alerts: int
    faults_found: int  # within 14 days of onset
    faults: int
    summers: int  # confirmed first air conditioners with summer days after their relearning
    under_learnt: int  # … whose summer use is MISS times the expectation or more
    over_learnt: int  # … whose expectation is MISS times their summer use or more
    after_answer: int  # false alerts in first-air-conditioner homes after their answer


def with_first_acs(world: World, *, seed: int, count: int = 40) -> tuple[World, list[str]]:
    """`world` with a first air conditioner in `count` homes that have none and no lasting
    change (drawn with `seed`), added to its readings, its normal use and its changes."""
    rng = np.random.default_rng(1000 + seed)
    lasting = set(world.changes[world.changes["end"].isna()]["household_id"])
    homes = world.households
    pool = sorted(set(homes[homes["air_conditioners"] == 0]["household_id"]) - lasting)
    chosen = [str(h) for h in rng.choice(pool, size=min(count, len(pool)), replace=False)]
    readings, normal = world.readings.copy(), world.normal_kwh.copy()
    rows = []
    for household in chosen:
        onset = FIRST_ONSET + timedelta(days=int(rng.integers(0, ONSET_DAYS)))
        on = ((readings["household_id"] == household) & (readings["date"] >= onset)).to_numpy()
        cdd = np.maximum(readings.loc[on, "avg_temp_c"].to_numpy() - BALANCE_C, 0.0)
        cooling = rng.uniform(1.0, 2.5) * cdd * (1 + 0.04 * cdd)
        readings.loc[on, "kwh"] += cooling
        normal[on] += cooling
        rows.append((household, KIND, onset, None))
    added = pd.DataFrame(rows, columns=world.changes.columns)
    changes = pd.concat([world.changes, added], ignore_index=True)
    return replace(world, readings=readings, normal_kwh=normal, changes=changes), chosen


def first_ac_rows(*, seed: int, households: int) -> list[FirstAcRow]:
    """One row per variant for one seed's world (one fit on its history year)."""
    world, chosen = with_first_acs(FAMILIES[0].make(households=households, seed=seed), seed=seed)
    ids = set(world.households["household_id"])
    model, test = history_fit(world)
    changes = lasting_changes(world.changes, first_day=TEST_DAY)
    normal = world.normal_kwh[(world.readings["date"] >= TEST_DAY).to_numpy()].to_numpy()
    # without answers the variants score alike (they differ only after a confirmation)
    silent = scored_flags(model, test)
    rows = []
    for variant, settings in VARIANTS.items():
        model.set_params(**settings)
        answers, flags = answer_changes(
            model, test, changes=changes, share=1.0, seed=seed, silent=silent
        )
        scored = score(flags, world, ids)
        expected = model.score_frame(test, confirmed_changes=answers.dates)["expected_kwh"]
        frame = test.assign(expected=expected.to_numpy(), normal=normal)
        summers = _summers(frame, chosen=chosen, told=answers.dates, days=model.rebaseline_days)
        rows.append(
            FirstAcRow(
                variant=variant,
                household_years=len(ids),
                first_acs=len(chosen),
                confirmed=sum(1 for h in chosen if answers.dates.get(h)),
                false_alerts=len(scored.alarms),
                faults_found=round(scored.recall * scored.faults),
                faults=scored.faults,
                summers=len(summers),
                under_learnt=sum(use >= MISS * exp for use, exp in summers),
                over_learnt=sum(exp >= MISS * use for use, exp in summers),
                after_answer=_false_after(flags, world, chosen=chosen, told=answers.dates),
            )
        )
    return rows


def _summers(
    frame: pd.DataFrame, *, chosen: list[str], told: dict[str, list[date]], days: int
) -> list[tuple[float, float]]:
    """(true normal use, expectation) summed over SUMMER days after each confirmed first air
    conditioner's relearning (`days` after its answer)."""
    months = pd.to_datetime(frame["date"]).dt.month.isin(SUMMER).to_numpy()
    out = []
    for household in chosen:
        if not told.get(household):
            continue
        relearnt = told[household][0] + timedelta(days=days)
        own = frame[(frame["household_id"] == household).to_numpy() & months]
        own = own[own["date"] >= relearnt]
        if len(own):
            out.append((float(own["normal"].sum()), float(own["expected"].sum())))
    return out


def _false_after(
    flags: pd.DataFrame, world: World, *, chosen: list[str], told: dict[str, list[date]]
) -> int:
    """Alerts that start after a first air conditioner's answer, not within a fault."""
    starts, count = alert_starts(flags), 0
    for household in chosen:
        if not told.get(household):
            continue
        faults = world.faults[world.faults["household_id"] == household]
        count += sum(
            start > told[household][0]
            and not any(
                f.onset <= start <= f.end + timedelta(days=FAULT_GRACE_DAYS)
                for f in faults.itertuples()
            )
            for start in starts.get(household, [])
        )
    return count


def evaluate(*, seeds: Iterable[int], households: int) -> list[FirstAcRow]:
    """One row per variant, summed over `seeds`."""
    seeded = [first_ac_rows(seed=s, households=households) for s in seeds]
    summed = {name: 0 for name in FirstAcRow.__dataclass_fields__ if name != "variant"}
    rows = []
    for variant in VARIANTS:
        mine = [r for rows_of_seed in seeded for r in rows_of_seed if r.variant == variant]
        rows.append(
            FirstAcRow(variant=variant, **{n: sum(getattr(r, n) for r in mine) for n in summed})
        )
    return rows


def table(rows: list[FirstAcRow]) -> str:
    """Markdown: one row per variant."""
    lines = [
        "| after a confirmed change, relearn | first air conditioners (confirmed) | false alerts "
        "| faults found ≤ 14 d | summers under-learnt / over-learnt (≥ 10%) | false alerts after "
        "the answer in those homes | household-years |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.variant} | {r.first_acs} ({r.confirmed}) | {r.false_alerts} | "
            f"{r.faults_found} of {r.faults} | {r.under_learnt} / {r.over_learnt} of {r.summers} | "
            f"{r.after_answer} | {r.household_years} |"
        )
    return "\n".join(lines)
