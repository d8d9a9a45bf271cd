from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ml.climate import province_codes, region_of
from ml.worlds import diary
from ml.worlds.base import FAULT_KINDS, HOUSEHOLD_COLUMNS, LABEL_COLUMNS, READING_COLUMNS, World

HOMES = 200


@pytest.fixture(scope="module")
def world() -> World:
    return diary.simulate_diary(households=HOMES, seed=7)


def test_deterministic_per_seed(world: World) -> None:
    again = diary.simulate_diary(households=HOMES, seed=7)
    pd.testing.assert_frame_equal(world.readings, again.readings)
    pd.testing.assert_frame_equal(world.faults, again.faults)
    pd.testing.assert_frame_equal(world.changes, again.changes)
    pd.testing.assert_series_equal(world.normal_kwh, again.normal_kwh)
    other = diary.simulate_diary(households=HOMES, seed=8)
    assert not other.readings["kwh"].equals(world.readings["kwh"])


def test_columns_and_types(world: World) -> None:
    r = world.readings
    assert list(r.columns) == READING_COLUMNS
    assert r.index.equals(pd.RangeIndex(len(r)))
    assert all(type(d) is date for d in r["date"].iloc[:: len(r) // 50])
    assert r["kwh"].dtype == float and (r["kwh"] >= 0).all()
    assert np.allclose(r["kwh"], r["kwh"].round(2))
    assert r["household_id"].str.fullmatch(r"dy-\d{4}").all()
    for column in ("province_code", "occupants", "air_conditioners"):
        assert pd.api.types.is_integer_dtype(r[column])
    assert r["water_heater"].dtype == bool
    homes = world.households
    assert list(homes.columns) == HOUSEHOLD_COLUMNS
    assert len(homes) == HOMES and homes["household_id"].is_unique
    assert (homes["region"] == homes["province_code"].map(region_of)).all()
    # readings repeat the declared profile
    merged = r.merge(homes, on="household_id", suffixes=("", "_declared"))
    for column in ("province_code", "occupants", "air_conditioners", "water_heater"):
        assert (merged[column] == merged[f"{column}_declared"]).all()
    assert world.normal_kwh.index.equals(r.index)


def test_one_row_per_household_day_with_a_few_missing(world: World) -> None:
    r = world.readings
    assert not r.duplicated(["household_id", "date"]).any()
    assert r["date"].min() == date(2024, 1, 1) and r["date"].max() <= date(2025, 12, 31)
    missing = 1 - len(r) / (HOMES * diary.DAYS)
    assert 0.002 < missing < 0.05


def test_faults_in_2025_and_possible_for_the_home(world: World) -> None:
    faults = world.faults
    assert list(faults.columns) == LABEL_COLUMNS
    assert set(faults["kind"]) <= set(FAULT_KINDS)
    assert faults["household_id"].is_unique
    assert 0.35 < len(faults) / HOMES < 0.65
    assert all(
        date(2025, 1, 1) <= o <= e <= date(2025, 12, 31) for o, e in faults[["onset", "end"]].values
    )
    homes = world.households.set_index("household_id").loc[faults["household_id"]]
    heater = faults["kind"].eq("water_heater_stuck").to_numpy()
    assert homes["water_heater"].to_numpy()[heater].all()
    ac = faults["kind"].eq("failing_ac").to_numpy()
    assert (homes["air_conditioners"].to_numpy()[ac] > 0).all()


def test_changes_are_labelled(world: World) -> None:
    changes = world.changes
    assert list(changes.columns) == LABEL_COLUMNS
    assert {"vacation", "guests", "tet_home", "tet_away"} <= set(changes["kind"])
    lasting = changes[changes["end"].isna()]
    assert len(lasting) > 0
    assert set(lasting["kind"]) <= {"new_ac", "new_baby", "new_tenant", "new_move_out"}
    assert all(o.year == 2025 for o in lasting["onset"])
    spells = changes[changes["end"].notna()]
    assert all(o <= e for o, e in spells[["onset", "end"]].values)


def test_normal_kwh_is_kwh_without_noise_outside_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diary, "NOISE", 0.0)
    quiet = diary.simulate_diary(households=60, seed=3)
    r = quiet.readings
    in_fault = np.zeros(len(r), bool)
    for home, _, onset, end in quiet.faults.itertuples(index=False):
        in_fault |= (
            (r["household_id"] == home).to_numpy()
            & (r["date"] >= onset).to_numpy()
            & (r["date"] <= end).to_numpy()
        )
    gap = (r["kwh"] - quiet.normal_kwh).abs()
    assert (gap[~in_fault] <= 0.05 + 1e-9).all()
    assert (gap[in_fault] > 0.05).mean() > 0.2  # faults show up on top of the normal use
    # the noise does not change the world itself, only the readings
    monkeypatch.setattr(diary, "NOISE", 1.0)
    loud = diary.simulate_diary(households=60, seed=3)
    pd.testing.assert_frame_equal(loud.faults, quiet.faults)
    pd.testing.assert_series_equal(loud.normal_kwh, quiet.normal_kwh)
    ratio = loud.readings["kwh"][~in_fault] / quiet.normal_kwh[~in_fault]
    assert 0.97 < ratio.median() < 1.03 and 0.05 < ratio.std() < 0.3


def test_weather_events(world: World) -> None:
    codes = set(province_codes())
    assert set(world.heat_wave_days) == codes and set(world.cold_spell_days) == codes
    for code, days in world.cold_spell_days.items():
        assert region_of(code) != "south" or not days
        assert all(d.month in (11, 12, 1, 2, 3) for d in days)
    assert sum(len(d) for c, d in world.cold_spell_days.items() if region_of(c) == "north") > 0
    assert sum(len(d) for d in world.heat_wave_days.values()) > 0
    r = world.readings
    cold = r[
        [d in world.cold_spell_days[c] for c, d in zip(r["province_code"], r["date"], strict=True)]
    ]
    winter = r[
        r["date"].map(lambda d: d.month in (1, 2)) & r["province_code"].map(region_of).eq("north")
    ]
    assert cold["avg_temp_c"].mean() < winter["avg_temp_c"].mean()


def test_northern_water_heaters_use_more_in_january_than_april(world: World) -> None:
    r = world.readings
    homes = world.households.set_index("household_id")
    north = r["household_id"].map(homes["region"]).eq("north") & r["water_heater"]
    month = r["date"].map(lambda d: d.month)
    y2024 = r["date"].map(lambda d: d.year).eq(2024)
    january = r.loc[north & y2024 & month.eq(1), "kwh"].mean()
    april = r.loc[north & y2024 & month.eq(4), "kwh"].mean()
    assert january > 1.1 * april
