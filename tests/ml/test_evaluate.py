"""The evaluation's oracle bound and the simulator's ground truth it rests on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml.api import training_rows
from ml.evaluate import SETTINGS, Metrics, alert_starts, model_flags, oracle
from ml.report import write_report
from ml.simulate import Simulation, simulate, year_split

START = date(2024, 1, 1)


def fault_days(sim: Simulation) -> np.ndarray:
    readings = sim.readings
    inside = np.zeros(len(readings), dtype=bool)
    for fault in sim.faults.itertuples():
        inside |= (
            (readings["household_id"] == fault.household_id)
            & (readings["date"] >= fault.onset)
            & (readings["date"] <= fault.end)
        ).to_numpy()
    return inside


def test_normal_use_is_the_reading_without_noise_or_fault():
    sim = simulate(40, start=START, days=500, seed=3, noise=0.0)
    inside = fault_days(sim)
    kwh, normal = sim.readings["kwh"].to_numpy(), sim.normal_kwh.to_numpy()
    assert len(normal) == len(kwh) and inside.any()
    assert np.allclose(kwh[~inside], np.maximum(normal[~inside], 0.1), atol=0.006)
    assert (kwh[inside] > normal[inside] + 0.5).all()  # every fault adds at least 0.5 kWh a day


def scored_year(noise: float) -> Simulation:
    sim = simulate(80, start=START, days=730, seed=11, noise=noise)
    _, test = year_split(sim, START)
    return Simulation(
        readings=test,
        households=sim.households,
        faults=sim.faults,
        heat_wave_days=sim.heat_wave_days,
        normal_kwh=sim.normal_kwh,
    )


@pytest.mark.parametrize("noise", [0.02, 0.10])
def test_the_oracle_stays_within_the_false_alert_target(noise):
    bound = oracle(scored_year(noise), noise)
    assert bound.faults > 20
    assert bound.false_alerts <= 0.10
    if noise == 0.02:  # knowing normal use, faults are plain once the noise is small
        assert bound.recall == 1.0
        assert bound.median_delay <= 2


def test_the_oracle_judges_readings_against_the_normal_use_it_is_given():
    scored = scored_year(0.02)
    bound = oracle(replace(scored, normal_kwh=scored.readings["kwh"]), 0.02)  # readings as normal
    assert bound.recall == 0.0
    assert bound.false_alerts == 0.0


def test_regenerating_the_report_keeps_its_hand_written_tuning_history(tmp_path: Path):
    metrics = Metrics(
        recall=0.9,
        median_delay=2.0,
        false_alerts=0.05,
        heat_wave_false_alerts=0.0,
        faults=10,
        household_years=20.0,
        detected_by_kind={"small_leak": (9, 10)},
    )
    results = [
        (name, 1, method, metrics) for name, *_ in SETTINGS for method in ("model", "oracle")
    ]
    history = "\n## Tuning history\n\n- **`slow_k`**: chosen on seeds 101–104.\n"
    path = tmp_path / "EVALUATION.md"
    path.write_text("# Evaluation of the consumption model\n\nan old table\n" + history)
    write_report(results, 300, path)
    write_report(results, 300, path)
    text = path.read_text(encoding="utf-8")
    assert "an old table" not in text and "| 0.900 | 2.0 | 0.050 |" in text
    assert text.endswith(history) and text.count("## Tuning history") == 1


def flags_of(days: dict[int, bool]) -> pd.DataFrame:
    """One household's scored days of May 2025 (day of month → flagged)."""
    return pd.DataFrame(
        {
            "household_id": "hh-1",
            "date": [date(2025, 5, d) for d in days],
            "is_anomaly": list(days.values()),
        }
    )


@pytest.mark.parametrize(
    ("days", "starts"),
    [
        # a day without a reading (the 3rd) neither ends the alert nor starts a second one
        ({1: False, 2: True, 4: True, 5: True}, [2]),
        # a scored day that is not flagged ends it: the next flagged day is a new alert
        ({1: True, 2: False, 3: True}, [1, 3]),
        # days missing before the first flag: the first flagged day starts the alert
        ({5: True, 9: True, 10: False}, [5]),
        ({1: False, 2: False}, []),
    ],
)
def test_alerts_start_as_the_scoring_job_opens_episodes(days, starts):
    found = alert_starts(flags_of(days))
    assert found.get("hh-1", []) == [date(2025, 5, d) for d in starts]


@pytest.mark.parametrize(("first", "kept_last"), [(date(2024, 1, 1), 17), (date(2024, 11, 1), 31)])
def test_a_retraining_leaves_out_a_year_long_households_last_two_weeks(first, kept_last):
    """A fault that began in the last two weeks is not learnt as normal use; a household without
    a year of history keeps every day (its recent days teach it its first summer)."""
    days = pd.date_range(first, date(2025, 1, 31)).date
    frame = pd.DataFrame({"household_id": "h", "date": days, "kwh": 1.0})
    kept = training_rows(frame, until=date(2025, 2, 1), holdout_days=14)
    assert kept["date"].max().day == kept_last  # 18 January on is left out of the first
    assert kept["date"].min() == first
    assert training_rows(frame, until=date(2025, 2, 1), holdout_days=0)["date"].max().day == 31


def test_the_monthly_retraining_neither_learns_nor_flags_announced_guests():
    """The product row with guests told: a week's and a month's stay raise no flag, and the
    retrainings after the month do not learn it as normal use: a small fault after it is
    flagged as fast as in a home that had no guests (learnt, it is found two days later)."""
    days = pd.date_range(date(2024, 1, 1), date(2025, 12, 31)).date
    kwh = 8.0 + np.random.default_rng(4).normal(0, 0.4, len(days))
    at = {day: i for i, day in enumerate(days)}
    week = (date(2025, 3, 10), date(2025, 3, 17))
    month = (date(2025, 6, 1), date(2025, 7, 1))
    for first, last in (week, month):
        kwh[at[first] : at[last] + 1] += 4.0  # guests
    onset = date(2025, 8, 5)
    kwh[at[onset] : at[date(2025, 8, 31)] + 1] += 2.0  # a water heater's thermostat fails
    frame = pd.DataFrame(
        {
            "household_id": "h",
            "date": days,
            "kwh": kwh,
            "avg_temp_c": 24.0,
            "province_code": 1,
            "occupants": 3,
            "air_conditioners": 1,
        }
    )

    def flagged(flags: pd.DataFrame, first: date, last: date) -> np.ndarray:
        inside = (flags["date"] >= first) & (flags["date"] <= last)
        return flags.loc[inside].sort_values("date")["is_anomaly"].to_numpy()

    silent = model_flags(frame, date(2025, 1, 1), 30)
    told = model_flags(frame, date(2025, 1, 1), 30, announced={"h": [week, month]})
    assert flagged(silent, *week).any() and flagged(silent, *month).any()
    assert not flagged(told, *week).any() and not flagged(told, *month).any()
    assert not flagged(told, date(2025, 7, 2), date(2025, 8, 4)).any()
    fault = flagged(told, onset, date(2025, 8, 31))
    assert np.flatnonzero(fault)[0] <= 3 and fault[3:].all()  # found within 3 days, kept
