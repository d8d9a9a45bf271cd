"""Households that answer the usage alert's question in the worlds evaluation (issue 21)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from ml.api import without_announced
from ml.model import UnusualUsageModel
from ml.simulate import simulate
from ml.told import ConfirmedChange
from ml.worlds.answers import (
    FAULT_GRACE_DAYS,
    SAID_COOLING,
    Answers,
    Revealed,
    alert_starts,
    announced_guests,
    answered_flags,
    change_cost,
    collect,
    lasting_changes,
    revealed,
    said_cooling,
    scored_flags,
    tail_days,
    told_repairs,
)
from ml.worlds.confirmations import change_row
from ml.worlds.first_ac import KIND
from ml.worlds.heldout import FAMILIES, score
from ml.worlds.heldout import TEST_DAY as WORLD_TEST_DAY

START = date(2024, 1, 1)
TEST_DAY = date(2024, 12, 31)


@pytest.fixture(scope="module")
def stepped():
    return simulate(12, start=START, days=730, seed=5, fault_share=0.0, step_share=1.0)


def test_lasting_steps_are_labelled_and_leave_the_rest_of_the_world_as_it_was(stepped):
    plain = simulate(12, start=START, days=730, seed=5, fault_share=0.0)
    changes = lasting_changes(stepped.changes, first_day=TEST_DAY)
    assert len(changes) == 12 and changes["end"].isna().all()
    onset = stepped.readings["household_id"].map(
        dict(zip(changes.household_id, changes.onset, strict=True))
    )
    before = (stepped.readings["date"] < onset).to_numpy()
    assert (stepped.readings["kwh"][before] == plain.readings["kwh"][before]).all()
    kind = stepped.readings["household_id"].map(
        dict(zip(changes.household_id, changes.kind, strict=True))
    )
    assert set(kind) == {"lasting_step", "new_ac"}
    higher = stepped.readings["kwh"] > plain.readings["kwh"]
    hot = stepped.readings["avg_temp_c"] >= 30
    # a step raises every day; one more air conditioner raises the hot days only
    assert higher[~before & (kind == "lasting_step")].mean() > 0.95
    assert higher[~before & (kind == "new_ac") & hot].mean() > 0.95
    assert (
        higher[~before & (kind == "new_ac") & (stepped.readings["avg_temp_c"] < 20)].mean() < 0.05
    )
    assert plain.changes.empty


def test_confirmed_changes_end_their_flag_and_keep_the_alert_that_asked(stepped):
    readings = stepped.readings
    model = UnusualUsageModel().fit(readings[readings["date"] < TEST_DAY])
    test = readings[readings["date"] >= TEST_DAY].reset_index(drop=True)
    changes = lasting_changes(stepped.changes, first_day=TEST_DAY)
    # a step of the same kWh every day; a new air conditioner's rise follows the heat, which a
    # re-learnt level does not (ml/EVALUATION.md)
    changes = changes[changes["kind"] == "lasting_step"]
    test = test[test["household_id"].isin(changes["household_id"])].reset_index(drop=True)
    silent = scored_flags(model, test)
    nobody = answered_flags(model, test, changes=changes, share=0.0, seed=1)
    assert (nobody["is_anomaly"] == silent["is_anomaly"]).all()
    everyone = answered_flags(model, test, changes=changes, share=1.0, seed=1)
    unanswered, answered = change_cost(silent, changes), change_cost(everyone, changes)
    assert unanswered.flagged_days > 60 and answered.flagged_days < 15
    first = {h: days[0] for h, days in alert_starts(silent).items()}
    kept = pd.Series(list(zip(everyone["household_id"], everyone["date"], strict=True)))
    flagged = set(kept[everyone["is_anomaly"].to_numpy()])
    assert set(first.items()) <= flagged  # the alert that asked the question was sent


def test_announced_guests_are_the_worlds_visits_and_training_leaves_them_out():
    changes = pd.DataFrame(
        {
            "household_id": ["a", "a", "b", "c"],
            "kind": ["guests", "vacation", "tet_guests", "new_ac"],
            "onset": [date(2024, 3, 1), date(2024, 5, 1), date(2024, 2, 9), date(2024, 6, 1)],
            "end": [date(2024, 3, 4), date(2024, 5, 9), date(2024, 2, 12), None],
        }
    )
    told = announced_guests(changes, share=1.0, seed=1)
    assert told == {
        "a": [(date(2024, 3, 1), date(2024, 3, 4))],
        "b": [(date(2024, 2, 9), date(2024, 2, 12))],
    }
    assert announced_guests(changes, share=0.0, seed=1) == {}
    days = pd.date_range("2024-02-25", "2024-03-10").date
    readings = pd.DataFrame(
        {"household_id": ["a"] * len(days) + ["b"] * len(days), "date": [*days, *days]}
    )
    kept = without_announced(readings, told)
    assert len(kept) == len(readings) - 4  # a's four days; b's stay is outside these days
    assert not (
        (kept["household_id"] == "a")
        & (kept["date"] >= date(2024, 3, 1))
        & (kept["date"] <= date(2024, 3, 4))
    ).any()


@pytest.fixture(scope="module")
def faulty():
    """A tuning world's households, its model and its scored year, nobody telling a repair."""
    world = FAMILIES[0].make(households=30, seed=3)
    readings = world.readings
    model = UnusualUsageModel().fit(readings[readings["date"] < WORLD_TEST_DAY])
    test = readings[readings["date"] >= WORLD_TEST_DAY].reset_index(drop=True)
    return world, model, test, scored_flags(model, test)


@pytest.mark.parametrize("lag", [1, 3])
def test_repairs_are_told_only_of_alerted_faults_after_their_last_day(faulty, lag):
    world, _, test, silent = faulty
    last = max(test["date"])
    repairs = told_repairs(world.faults, silent, lag=lag, last_day=last)
    starts = alert_starts(silent)
    assert len(repairs.faults) > 5
    for row in world.faults.itertuples():
        alerted = any(row.onset <= d <= row.end for d in starts.get(row.household_id, []))
        day = row.end + timedelta(days=lag)
        told = day in repairs.days.get(row.household_id, [])
        assert told == (alerted and day <= last)


def test_a_told_repair_ends_the_flag_and_keeps_the_alerts_that_found_the_fault(faulty):
    world, model, test, silent = faulty
    repairs = told_repairs(world.faults, silent, lag=1, last_day=max(test["date"]))
    told = scored_flags(model, test, repaired=repairs.days)
    # the flag outlives the fault by weeks unless the household says it repaired it
    before, after = tail_days(silent, repairs.faults), tail_days(told, repairs.faults)
    assert before > 15 * len(repairs.faults) and after < before / 5
    ids = set(world.households["household_id"])
    assert score(told, world, ids).alert_recall == score(silent, world, ids).alert_recall
    # nothing changes before the first repair a household tells
    first = {h: min(days) for h, days in repairs.days.items()}
    cut = test["household_id"].map(first)
    early = (cut.isna() | (test["date"] < cut)).to_numpy()
    assert (silent["is_anomaly"][early] == told["is_anomaly"][early]).all()


def _flags(household: str, flagged: list[tuple[int, int]]) -> pd.DataFrame:
    """Sixty days of `household` from 1 March 2025, flagged on each (first, last) day number."""
    days = [date(2025, 3, 1) + timedelta(days=i) for i in range(60)]
    on = [any(a <= i <= b for a, b in flagged) for i in range(60)]
    return pd.DataFrame({"household_id": household, "date": days, "is_anomaly": on})


def test_revealed_counts_the_alerts_an_answer_adds_and_whether_they_were_flagged_anyway():
    day = [date(2025, 3, 1) + timedelta(days=i) for i in range(60)]
    # silent: one long episode (days 5–50) and an alert at day 55; answered on day 20, the
    # episode ends there and alerts start on days 30 (inside the silent episode) and 53 (not)
    silent = pd.concat([_flags("a", [(5, 50), (55, 57)]), _flags("b", [(2, 4)])])
    answered = pd.concat([_flags("a", [(5, 19), (30, 33), (53, 57)]), _flags("b", [(2, 4)])])
    # a fault of a's ends on day 46: the alert of day 53 is within FAULT_GRACE_DAYS of it
    faults = pd.DataFrame({"household_id": ["a"], "onset": [day[40]], "end": [day[46]]})
    found = revealed(silent, answered, told={"a": [day[20]], "b": [day[1]]}, faults=faults)
    assert found == Revealed(alerts=2, during_fault=1, flagged_anyway=1, days_after=(10, 33))
    assert found.median_days_after == 21.5 and found.cells() == "2 | 1 | 1 | 22"
    no_fault = faults.assign(end=[day[52 - FAULT_GRACE_DAYS]])  # a day too early
    assert revealed(silent, answered, told={"a": [day[20]]}, faults=no_fault).during_fault == 0
    # an alert on the answer's own day came before it; one before the first answer is not its
    assert revealed(silent, answered, told={"a": [day[30]]}, faults=faults).alerts == 1
    assert revealed(silent, answered, told={"a": [day[54]]}, faults=faults) == Revealed()
    assert (found + found).days_after == (10, 33, 10, 33)
    assert Revealed().cells() == "0 | 0 | 0 | –"


def test_a_family_row_confirms_the_changes_that_alerted_and_ends_their_flags():
    row = change_row(FAMILIES[0], seed=2, households=40)
    assert row.family == "simulate" and row.household_years == 40
    assert 0 < row.confirmed <= row.changes
    before, after = row.flagged_days
    assert after < before  # a confirmed change is learnt, not flagged for the rest of the year


@pytest.mark.parametrize(
    ("kind", "cooling"),
    [("new_ac", True), ("step_new_ac", True), ("new_baby", None), ("new_dryer", False)],
)
def test_households_that_say_what_changed_tell_its_cooling_as_the_product_records_it(kind, cooling):
    changes = pd.DataFrame(
        {"household_id": ["h1"], "kind": [kind], "onset": [date(2025, 4, 2)], "end": [None]}
    )
    flags = pd.DataFrame(
        {"household_id": ["h1"] * 3, "date": [date(2025, 4, d) for d in (1, 3, 4)]}
    ).assign(is_anomaly=[False, True, True])
    answers = collect(flags=flags, changes=changes, willing=np.array([True]), known=Answers())
    assert answers.told(say_what=True) == {"h1": [ConfirmedChange(date(2025, 4, 3), cooling)]}
    assert answers.told(say_what=False) == {"h1": [ConfirmedChange(date(2025, 4, 3), None)]}


def test_every_worlds_lasting_change_is_placed_as_a_household_would_say_it():
    """A kind `said_cooling` does not know would be a silent "another appliance"; it raises."""
    kinds = {KIND}
    for family in FAMILIES:
        changes = family.make(households=120, seed=1).changes
        kinds |= set(changes[changes["end"].isna()]["kind"])
    assert kinds <= set(SAID_COOLING)
    assert said_cooling(KIND) is True
    with pytest.raises(KeyError):
        said_cooling("new_aquarium")
