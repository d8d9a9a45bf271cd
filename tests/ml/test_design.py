"""The grid design (households asked about the same days, the nightly projection's case) is the
design make_design builds from the frame of every household × day, cell for cell; and one
prediction with its slope is the two predictions it replaced."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.design import grid_design, make_design
from ml.features import after_tet
from ml.model import UnusualUsageModel
from ml.peers import household_attributes
from ml.simulate import simulate


def world(households: int, days: int, *, seed: int) -> pd.DataFrame:
    return simulate(households, days=days, fault_share=0.0, seed=seed).readings


FIRST = date(2025, 1, 20)  # Tết 2025 (29/1) and a weekend inside
DAYS = 40


def frame_and_temps() -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    ids = ["b-2", "a-1", "c-3"]  # not sorted: the grid keeps this order, make_design sorts
    rng = np.random.default_rng(3)
    temps = 18 + 8 * rng.random((len(ids), DAYS))
    temps[1, 5:9] = np.nan  # no observation: the province's normal
    temps[2, 0] = np.nan  # no province: the national normal
    dates = pd.date_range(pd.Timestamp(FIRST), periods=DAYS, freq="D")
    frame = pd.DataFrame(
        {
            "household_id": np.repeat(ids, DAYS),
            "date": np.tile(dates, len(ids)),
            "kwh": np.nan,
            "avg_temp_c": temps.ravel(),
            "province_code": np.repeat([1.0, 79.0, np.nan], DAYS),
        }
    )
    return frame, temps, ids


def test_the_grid_design_is_make_designs_cell_for_cell():
    frame, temps, ids = frame_and_temps()
    model = UnusualUsageModel().fit(world(3, 60, seed=1)).consumption_
    built = make_design(frame, model.calendar_)
    grid = grid_design(
        ids,
        first=FIRST,
        temp=temps,
        calendar=model.calendar_,
        provinces=np.array([1.0, 79.0, np.nan]),
    )
    assert grid.ids == ids
    order = [built.ids.index(h) for h in ids]
    for name in ("valid", "temp", "calendar", "day_number", "kwh"):
        np.testing.assert_array_equal(getattr(grid, name), getattr(built, name)[order], name)
    assert grid.calendar[:, (date(2025, 1, 29) - FIRST).days, 1].all()  # Tết


def test_one_prediction_with_its_slope_is_the_two_it_replaced():
    readings = world(6, 200, seed=2)
    model = UnusualUsageModel().fit(readings).consumption_
    last = pd.to_datetime(readings["date"]).max().date()
    ids = sorted(readings["household_id"].unique())
    attributes = readings.groupby("household_id").first().reindex(ids).reset_index()
    rng = np.random.default_rng(5)
    temps = 15 + 20 * rng.random((len(ids), 30))  # beyond the history's range too
    design = grid_design(
        ids,
        first=last + timedelta(days=1),
        temp=temps,
        calendar=model.calendar_,
        provinces=attributes["province_code"].to_numpy(),
    )
    prediction, slope = model.predict_with_slope(attributes, design)
    alone = model.predict_design(attributes, design)
    warmer = model.predict_design(attributes, replace(design, temp=design.temp + 1.0))
    for field in fields(alone):
        np.testing.assert_array_equal(
            getattr(prediction, field.name), getattr(alone, field.name), field.name
        )
    np.testing.assert_array_equal(slope, np.abs(warmer.expected - alone.expected))
    assert (slope > 0).any()


def test_parameters_are_each_households_own_and_follow_a_refit():
    """Known households take their own fitted rows, a stranger its group's; the model's lookup
    is built once per fit and follows a refit of the same model."""
    readings = world(6, 120, seed=4)
    model = UnusualUsageModel().fit(readings).consumption_
    ids = sorted(readings["household_id"].unique())
    asked = [ids[3], "stranger", ids[0]]
    attributes = readings.groupby("household_id").first().reindex(asked).reset_index()
    attributes["household_id"] = asked
    design = grid_design(asked, first=FIRST, temp=np.full((3, 10), 30.0), calendar=model.calendar_)

    def own_rows(m):
        p = m.parameters_for(design, household_attributes(attributes, asked))
        known = [list(m.household_ids_).index(h) for h in (ids[3], ids[0])]
        for name in ("coef", "cool", "heat", "span", "sigma", "xtx_inverse", "noise"):
            np.testing.assert_array_equal(
                getattr(p, name)[[0, 2]], getattr(m, f"{name}_")[known], name
            )
        assert list(p.borrowed) == [False, True, False]
        return p

    first = own_rows(model)
    assert own_rows(model).coef.tobytes() == first.coef.tobytes()  # the cached lookup
    model.fit(readings.assign(kwh=readings["kwh"] * 1.5))  # the same object, other readings
    assert not np.array_equal(own_rows(model).coef[[0, 2]], first.coef[[0, 2]])


def test_the_tet_season_runs_three_days_past_the_days_off():
    days = np.arange(np.datetime64("2024-02-10"), np.datetime64("2025-02-10"))
    numbers = days.astype(np.int64).astype(float)[None]
    season = after_tet(numbers, valid=np.ones(numbers.shape, dtype=bool), days=3)[0]
    # the days off end on mùng 5 in 2024 (14 February), on mùng 4 in 2025 (1 February)
    assert [str(d) for d in days[season]] == [
        "2024-02-15",
        "2024-02-16",
        "2024-02-17",
        "2025-02-02",
        "2025-02-03",
        "2025-02-04",
    ]
    assert not after_tet(numbers, valid=np.ones(numbers.shape, dtype=bool), days=0).any()
