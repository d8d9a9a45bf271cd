"""The detector in log space (ml/logspace.py): multiplicative use, one spread whatever the weather."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml.api import load_model, save_model
from ml.design import make_design
from ml.logspace import fit_log
from ml.model import UnusualUsageModel

START = date(2024, 1, 1)
DAYS = 730
TEST_DAY = START + timedelta(days=365)


def northern_home(
    household_id: str, *, seed: int, extra: float = 0.0, onset: int = 500
) -> pd.DataFrame:
    """A northern home whose water heater's use grows multiplicatively as it gets colder (below
    19 °C), weekends 10% higher, multiplicative noise of 12%; the scored January holds a cold
    spell 4 °C colder than the history's coldest days; `extra` kWh a day from day `onset` on."""
    rng = np.random.default_rng(seed)
    days = np.arange(DAYS)
    temps = 23 + 7 * np.sin(2 * np.pi * (days - 105) / 365) + rng.normal(0, 1.0, DAYS)
    temps[372:382] = temps[:365].min() - 4  # a cold spell colder than anything in the history
    dates = [START + timedelta(days=int(d)) for d in days]
    weekend = np.array([d.weekday() >= 5 for d in dates])
    log_kwh = np.log(6.0) + 0.06 * np.maximum(19 - temps, 0) + 0.1 * weekend
    kwh = np.exp(log_kwh + rng.normal(0, 0.12, DAYS))
    kwh[onset:] += extra
    return pd.DataFrame(
        {
            "household_id": household_id,
            "date": dates,
            "kwh": kwh.round(2),
            "avg_temp_c": temps.round(1),
            "province_code": 1,
            "occupants": 4,
            "air_conditioners": 1,
        }
    )


@pytest.fixture(scope="module")
def homes() -> pd.DataFrame:
    calm = [northern_home(f"calm-{i}", seed=i) for i in range(6)]
    faulty = [
        northern_home("heater", seed=40, extra=4.0),
        northern_home("leak", seed=41, extra=1.2),
    ]
    return pd.concat([*calm, *faulty], ignore_index=True)


@pytest.fixture(scope="module")
def model(homes: pd.DataFrame) -> UnusualUsageModel:
    return UnusualUsageModel(log_space=True).fit(homes[homes["date"] < TEST_DAY])


def test_the_log_fit_recovers_the_multiplicative_weather_and_weekend(homes):
    calm = homes[homes["household_id"].str.startswith("calm") & (homes["date"] < TEST_DAY)]
    design = make_design(calm, UnusualUsageModel().fit(calm).consumption_.calendar_).measured()
    fit = fit_log(design, alpha=3.0)
    assert len(fit.ids) == 6
    assert np.allclose(fit.sigma, 0.12, atol=0.025)  # the noise's spread, in log units
    assert (fit.noise[:, 1] < 1.25).all()  # however cold: a heavier winter is no heavy tail
    assert np.allclose(fit.coef[:, 5], 0.1, atol=0.04)  # weekend: +10%, a share
    assert (fit.heat >= 17.0).all()  # heats below ≈ 19 °C
    cooling_at_30 = (
        fit.coef[:, 1] * np.maximum(30 - fit.cool, 0)
        + fit.coef[:, 2] * np.maximum(30 - fit.cool, 0) ** 2 / 10
    )
    assert (cooling_at_30 < 0.05).all()  # and cools hardly at all


def flagged(model: UnusualUsageModel, frame: pd.DataFrame) -> pd.DataFrame:
    test = frame[frame["date"] >= TEST_DAY].reset_index(drop=True)
    return test.assign(**model.score_frame(test))


def test_a_cold_spell_colder_than_the_history_is_not_flagged(model, homes):
    scored = flagged(model, homes[homes["household_id"].str.startswith("calm")])
    spell = scored[
        (scored["date"] >= START + timedelta(days=372))
        & (scored["date"] < START + timedelta(days=390))
    ]
    assert not spell["is_anomaly"].any()
    assert scored["is_anomaly"].mean() < 0.01


@pytest.mark.parametrize(("household", "within"), [("heater", 4), ("leak", 14)])
def test_a_fault_is_flagged_soon_after_it_starts(model, homes, household, within):
    scored = flagged(model, homes[homes["household_id"] == household])
    onset = START + timedelta(days=500)
    early = scored[(scored["date"] >= onset) & (scored["date"] <= onset + timedelta(days=within))]
    assert early["is_anomaly"].any()
    assert not scored[scored["date"] < onset - timedelta(days=7)]["is_anomaly"].any()


def test_expected_use_is_reported_in_kwh(model, homes):
    scored = flagged(model, homes[homes["household_id"] == "calm-0"])
    ratio = scored["kwh"].sum() / scored["expected_kwh"].sum()
    assert 0.9 < ratio < 1.1


def test_a_newcomer_is_scored_from_its_peers_and_the_model_survives_skops(
    model, homes, tmp_path: Path
):
    newcomer = northern_home("new", seed=77)
    newcomer = newcomer[newcomer["date"] >= TEST_DAY - timedelta(days=20)].reset_index(drop=True)
    scored = model.score_frame(newcomer)
    assert (scored["expected_kwh"] > 0).all() and not scored["is_anomaly"].any()
    path = tmp_path / "model.skops"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.log_fit() is not None
    pd.testing.assert_frame_equal(loaded.score_frame(newcomer), scored)
