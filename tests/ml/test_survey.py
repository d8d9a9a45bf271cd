"""The survey world (ml/worlds/survey.py): output shape, labels and a few of its assumptions."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from ml.climate import normal_temps
from ml.worlds.base import (
    FAULT_KINDS,
    HOUSEHOLD_COLUMNS,
    LABEL_COLUMNS,
    READING_COLUMNS,
    TET,
    World,
)
from ml.worlds.survey import DAYS, START, simulate_survey

LAST = date(2025, 12, 30)


@pytest.fixture(scope="module")
def world() -> World:
    return simulate_survey(households=160, seed=7)


def test_readings_shape(world: World) -> None:
    r = world.readings
    assert list(r.columns) == READING_COLUMNS
    assert list(r.index) == list(range(len(r)))
    assert (r.kwh >= 0).all()
    assert r.date.min() >= START and r.date.max() <= LAST
    assert isinstance(r.date.iloc[0], date)
    assert not r.duplicated(["household_id", "date"]).any()
    ordered = r.sort_values(["household_id", "date"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(r, ordered)
    assert set(r.household_id) == set(world.households.household_id)
    assert list(world.households.columns) == HOUSEHOLD_COLUMNS
    assert world.normal_kwh.index.equals(r.index)


def test_missing_days_have_no_rows(world: World) -> None:
    share = 1 - len(world.readings) / (len(world.households) * DAYS)
    assert 0.005 < share < 0.06
    assert not world.readings.kwh.isna().any()


def test_regions_and_appliances(world: World) -> None:
    homes = world.households
    share = homes.region.value_counts(normalize=True)
    assert 0.2 < share["north"] < 0.5 and 0.3 < share["south"] < 0.6
    heater = homes.groupby("region").water_heater.mean()
    assert heater["north"] > heater["south"]
    ac = homes.groupby("region").air_conditioners.mean()
    assert ac["south"] > ac["north"]
    assert homes.occupants.between(1, 7).all() and homes.air_conditioners.between(0, 3).all()


def test_faults_only_in_2025_and_fitting_the_home(world: World) -> None:
    f = world.faults
    assert list(f.columns) == LABEL_COLUMNS
    assert set(f.kind) <= set(FAULT_KINDS)
    assert f.household_id.is_unique
    assert 0.35 < len(f) / len(world.households) < 0.65
    assert (f.onset >= date(2025, 1, 1)).all() and (f.end <= LAST).all()
    assert (f.end >= f.onset).all()
    homes = world.households.set_index("household_id")
    heater = f[f.kind == "water_heater_stuck"].household_id
    assert homes.loc[heater, "water_heater"].all()
    ac = f[f.kind == "failing_ac"].household_id
    assert (homes.loc[ac, "air_conditioners"] > 0).all()


def test_normal_kwh_is_the_use_without_fault_or_noise(world: World) -> None:
    """Outside faults a reading is its normal use times noise (median ratio 1, spread of the
    households' 7–16 %); inside faults it is higher."""
    r = world.readings
    inside = np.zeros(len(r), dtype=bool)
    for fault in world.faults.itertuples():
        inside |= (
            (r.household_id == fault.household_id)
            & (r.date >= fault.onset)
            & (r.date <= fault.end + timedelta(days=1))  # a catch-up may carry the last day over
        ).to_numpy()
    usable = (r.kwh > 0).to_numpy() & (world.normal_kwh > 0).to_numpy()
    ratio = np.log(r.kwh.to_numpy()[usable] / world.normal_kwh.to_numpy()[usable])
    calm, faulty = ratio[~inside[usable]], ratio[inside[usable]]
    assert abs(np.median(calm)) < 0.02
    assert 0.05 < np.subtract(*np.percentile(calm, [75, 25])) / 1.349 < 0.2
    assert np.median(faulty) > np.median(calm) + 0.05


def test_changes(world: World) -> None:
    c = world.changes
    assert list(c.columns) == LABEL_COLUMNS
    lasting = c[c.end.isna()]
    assert lasting.kind.str.startswith("new_").all() and len(lasting) > 0
    assert (lasting.onset >= date(2025, 1, 1)).all()
    passing = c[c.end.notna()]
    assert not passing.kind.str.startswith("new_").any()
    tet = passing[passing.kind.str.startswith("tet")]
    assert set(tet.kind) == {"tet_away", "tet_home"}
    for row in tet.itertuples():
        assert any(abs((row.onset - t).days) <= 5 for t in TET)


def test_tet_away_drops_use(world: World) -> None:
    r = world.readings.set_index(["household_id", "date"]).kwh
    ratios = []
    for row in world.changes[world.changes.kind == "tet_away"].itertuples():
        home = r.loc[row.household_id]
        during = home[(home.index >= row.onset) & (home.index <= row.end)]
        before = home[(home.index < row.onset)].tail(30)
        if len(during) and len(before):
            ratios.append(during.median() / before.median())
    assert np.median(ratios) < 0.75


def test_northern_winter_higher_with_water_heater(world: World) -> None:
    r = world.readings.merge(world.households[["household_id", "region"]])
    month = pd.to_datetime(r.date).dt.month
    north_winter = r[(r.region == "north") & month.isin([12, 1, 2])]
    per_person = north_winter.kwh / north_winter.occupants
    by_heater = per_person.groupby(north_winter.water_heater).mean()
    assert by_heater[True] > by_heater[False] * 1.2


def test_weather_events(world: World) -> None:
    regions = world.households.set_index("province_code").region.to_dict()
    temps = world.readings.drop_duplicates(["province_code", "date"]).set_index(
        ["province_code", "date"]
    )
    colder = []
    for code, days in world.cold_spell_days.items():
        assert all(d.month in (12, 1, 2) for d in days)
        if regions.get(code) == "south":
            assert not days
        for d in days:
            if (code, d) in temps.index:
                normal = normal_temps(np.array([code]), np.array([d.timetuple().tm_yday]))[0]
                colder.append(temps.loc[(code, d), "avg_temp_c"] - normal)
    for days in world.heat_wave_days.values():
        assert all(4 <= d.month <= 7 for d in days)
    assert colder and np.mean(colder) < -1.5


def test_deterministic_per_seed() -> None:
    a = simulate_survey(households=20, seed=11)
    b = simulate_survey(households=20, seed=11)
    c = simulate_survey(households=20, seed=12)
    pd.testing.assert_frame_equal(a.readings, b.readings)
    pd.testing.assert_frame_equal(a.faults, b.faults)
    pd.testing.assert_frame_equal(a.changes, b.changes)
    pd.testing.assert_series_equal(a.normal_kwh, b.normal_kwh)
    assert not a.readings.kwh.equals(c.readings.kwh)
