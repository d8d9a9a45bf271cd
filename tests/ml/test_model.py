from __future__ import annotations

import copy
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from skops.io.exceptions import UntrustedTypesFoundException

from ml.api import back_to_expected, explain_vi, load_model, save_model, score_readings
from ml.card import EVALUATION_FILE, write_card
from ml.climate import region_of
from ml.design import make_design
from ml.detect import Detector, cusum
from ml.evaluate import alert_starts, metrics, monthly_rule
from ml.model import UnusualUsageModel
from ml.peers import household_attributes, peer_share
from ml.ridge import TREND_SHRINK
from ml.simulate import simulate, year_split
from ml.told import ConfirmedChange

START = date(2024, 1, 1)


@pytest.fixture(scope="module")
def sim():
    return simulate(60, start=START, days=730, seed=7)


@pytest.fixture(scope="module")
def model(sim):
    train, _ = year_split(sim, START)
    return UnusualUsageModel().fit(train)


def household(
    days: int = 120,
    level: float = 8.0,
    temps: np.ndarray | None = None,
    hid: str = "h1",
    cooling: float = 1.2,
) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    dates = [START + timedelta(days=i) for i in range(days)]
    temps = np.full(days, 24.0) if temps is None else temps
    kwh = level + cooling * np.maximum(temps - 26, 0) + rng.normal(0, 0.4, days)
    return pd.DataFrame(
        {
            "household_id": hid,
            "date": dates,
            "kwh": kwh,
            "avg_temp_c": temps,
            "province_code": 1,
            "occupants": 3,
            "air_conditioners": 1,
        }
    )


def test_causal_verdicts_do_not_change_when_later_days_change(model, sim):
    _, test = year_split(sim, START)
    test = test.reset_index(drop=True)
    cut = test["date"].min() + timedelta(days=100)
    full = model.score_frame(test)
    altered = test.copy()
    later = altered["date"] > cut
    altered.loc[later, "kwh"] = altered.loc[later, "kwh"] * 3
    early = ~later
    assert np.allclose(model.score_frame(altered)[early]["score"], full[early]["score"])
    truncated = test[early].reset_index(drop=True)
    assert np.allclose(model.score_frame(truncated)["score"], full[early]["score"].to_numpy())


def test_one_odd_day_is_not_flagged_but_a_persisting_excess_is():
    train = household(200)
    model = UnusualUsageModel().fit(train)
    spike = household(60).assign(date=lambda d: d["date"] + timedelta(days=200))
    spike.loc[20, "kwh"] += 12  # one odd day
    assert not model.score_frame(spike)["is_anomaly"].any()
    stuck = spike.copy()
    stuck.loc[30:, "kwh"] += 5  # a water heater left on from day 30
    flags = model.score_frame(stuck)["is_anomaly"].to_numpy()
    assert not flags[:30].any()
    first = int(np.flatnonzero(flags)[0])
    assert 30 <= first <= 34  # within days


def test_a_small_leak_is_caught_by_the_slow_cusum_within_two_weeks():
    train = household(200)
    model = UnusualUsageModel().fit(train)
    leak = household(60).assign(date=lambda d: d["date"] + timedelta(days=200))
    leak.loc[20:, "kwh"] += 0.6  # 7.5% of the household's use, 1.5 noise sd
    flags = model.score_frame(leak)["is_anomaly"].to_numpy()
    assert not flags[:20].any()
    assert flags[20:35].any()
    fast_only = UnusualUsageModel(slow_h=1e9).fit(train)
    assert not fast_only.score_frame(leak)["is_anomaly"].to_numpy()[20:35].any()


def alerts(readings: pd.DataFrame, flags: np.ndarray) -> int:
    """How many alerts the scoring job would open for these flagged days (ml.evaluate)."""
    frame = readings[["household_id", "date"]].assign(is_anomaly=flags.astype(bool))
    return sum(len(days) for days in alert_starts(frame).values())


def test_a_persisting_excess_is_one_episode_not_several():
    model = UnusualUsageModel().fit(household(200))
    stuck = household(60).assign(date=lambda d: d["date"] + timedelta(days=200))
    stuck.loc[10:, "kwh"] += 1.0
    flags = model.score_frame(stuck)["is_anomaly"].to_numpy()
    assert flags.sum() > 20
    assert alerts(stuck, flags) == 1  # one run of flagged days


@pytest.mark.parametrize(
    ("gap", "release", "expected"),
    [
        (26, None, 1),  # the default: a fault that pauses for 26 days stays one alert …
        (26, 0.5, 2),  # … where the earlier release alerted again when it came back
        (30, None, 2),  # an excess gone for a month and back is a new alert
    ],
)
def test_an_excess_that_pauses_for_weeks_stays_one_alert(gap, release, expected):
    settings = {} if release is None else {"release": release}
    model = UnusualUsageModel(**settings).fit(household(200))
    wavering = shifted(household(150), 200)
    wavering.loc[10:29, "kwh"] += 1.0  # an air conditioner failing for 20 days …
    wavering.loc[30 + gap : 49 + gap, "kwh"] += 1.0  # … working for `gap` days, failing again
    flags = model.score_frame(wavering)["is_anomaly"].to_numpy()
    assert alerts(wavering, flags) == expected
    assert not flags[50 + gap + 40 :].any()  # off within 40 days of the last excess


@pytest.mark.parametrize(("evidence_cap", "ends"), [(2.0, True), (1e9, False)])
def test_an_episode_ends_within_weeks_of_the_excess_stopping(evidence_cap, ends):
    model = UnusualUsageModel(evidence_cap=evidence_cap, adopt_days=0).fit(household(200))
    repaired = shifted(household(150), 200)
    repaired.loc[10:69, "kwh"] += 5.0  # a water heater stuck on for 60 days, then repaired
    flags = model.score_frame(repaired)["is_anomaly"].to_numpy()
    assert flags[12:70].all()  # flagged within two days, all through the fault
    assert (not flags[106:].any()) == ends  # off within 36 days of the repair


def test_a_repair_told_ends_the_episode_and_an_excess_that_goes_on_alerts_again():
    model = UnusualUsageModel().fit(household(200))
    stuck = shifted(household(150), 200)
    stuck.loc[10:69, "kwh"] += 5.0  # a water heater stuck on for 60 days, then repaired
    home, fixed_on = stuck["household_id"].iloc[0], stuck["date"].iloc[70]
    untold = model.score_frame(stuck)["is_anomaly"].to_numpy()
    assert untold[80:].any()  # without the answer the flag stays up for weeks
    told = model.score_frame(stuck, repaired={home: [fixed_on]})["is_anomaly"].to_numpy()
    assert (told[:70] == untold[:70]).all()  # causal: the days before are as they were
    assert not told[70:].any()  # the episode ends on the day of the repair
    goes_on = stuck.copy()
    goes_on.loc[70:, "kwh"] += 5.0  # it was not the heater after all
    again = model.score_frame(goes_on, repaired={home: [fixed_on]})["is_anomaly"].to_numpy()
    assert not again[70:72].any() and again[72:78].any()  # a new alert within days
    assert alerts(goes_on, again) == 2


def test_temperatures_never_seen_widen_the_expected_spread():
    model = UnusualUsageModel().fit(household(365, temps=np.full(365, 24.0)))
    cool = household(10, temps=np.full(10, 24.0))
    hot = household(10, temps=np.full(10, 32.0))
    consumption = model.consumption_
    sigma_cool = consumption.predict_design(cool, make_design(cool, consumption.calendar_)).sigma
    sigma_hot = consumption.predict_design(hot, make_design(hot, consumption.calendar_)).sigma
    assert sigma_hot.mean() > 3 * sigma_cool.mean()


def shifted(frame: pd.DataFrame, days: int) -> pd.DataFrame:
    return frame.assign(date=frame["date"] + timedelta(days=days))


@pytest.fixture(scope="module")
def peers_and_winter_newcomer() -> UnusualUsageModel:
    """Three year-long households that cool above 26 °C and one with 60 mild days only."""
    seasons = 24.0 + 10.0 * (np.arange(365) % 30) / 30
    peers = [household(365, temps=seasons, hid=f"peer{i}") for i in range(3)]
    newcomer = household(60, temps=np.full(60, 24.0), hid="new")
    return UnusualUsageModel().fit(pd.concat([*peers, newcomer], ignore_index=True))


def test_heat_a_new_household_never_saw_is_expected_as_its_peers_cool(peers_and_winter_newcomer):
    summer = shifted(household(30, temps=np.full(30, 32.0), hid="new"), 60)
    scored = peers_and_winter_newcomer.score_frame(summer)
    assert not scored["is_anomaly"].any()
    assert scored["expected_kwh"].mean() > 8.0 + 0.5 * 1.2 * 6  # own level + most of the cooling


def test_a_fault_in_heat_a_new_household_never_saw_is_still_flagged(peers_and_winter_newcomer):
    summer = shifted(household(30, temps=np.full(30, 32.0), hid="new"), 60)
    stuck = summer.assign(kwh=summer["kwh"] + np.where(np.arange(30) >= 10, 6.0, 0.0))
    flagged = peers_and_winter_newcomer.score_frame(stuck)["is_anomaly"].to_numpy()
    assert not flagged[:10].any() and flagged[10:24].any()


@pytest.fixture(scope="module")
def cooler_newcomer() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Peers cooling 0.6–1.0 kWh/°C a year long; a newcomer with 60 mild days that cools 2.0."""
    seasons = 24.0 + 10.0 * (np.arange(365) % 30) / 30
    peers = [
        household(365, temps=seasons, hid=f"peer{i}", cooling=c)
        for i, c in enumerate((0.6, 0.8, 1.0))
    ]
    train = pd.concat([*peers, household(60, temps=np.full(60, 24.0), hid="new")])
    warm = np.concatenate([np.full(20, 29.0), np.full(10, 33.0), np.full(10, 29.0)])  # heat wave
    summer = shifted(household(40, temps=warm, hid="new", cooling=2.0), 60)
    return train.reset_index(drop=True), summer


NO_PREDICTION_VARIANCE = {"weather_prior_sd": 0.0, "slope_prior_sd": 0.0, "peer_scale_sd": 0.0}


def test_a_stuck_water_heater_in_a_new_household_s_heat_wave_is_still_flagged(cooler_newcomer):
    train, summer = cooler_newcomer
    model = UnusualUsageModel().fit(train)
    stuck = summer.assign(kwh=summer["kwh"] + np.where(np.arange(40) >= 22, 6.0, 0.0))
    flags = model.score_frame(stuck)["is_anomaly"].to_numpy()
    assert not flags[:22].any()
    assert flags[22:28].any()  # within six days, in the heat wave


@pytest.fixture(scope="module")
def winter_newcomer_in_spring() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Peers cooling 0.6–1.0 kWh/°C a year long; a newcomer trained on 60 winter days (20 °C)
    that cools 3.0 kWh/°C, scored through a spring warming from 21 to 30 °C over 70 days."""
    seasons = 20.0 + 14.0 * (np.arange(365) % 30) / 30
    peers = [
        household(365, temps=seasons, hid=f"peer{i}", cooling=c)
        for i, c in enumerate((0.6, 0.8, 1.0))
    ]
    train = pd.concat([*peers, household(60, temps=np.full(60, 20.0), hid="new")])
    spring = np.linspace(21.0, 30.0, 70)
    return train.reset_index(drop=True), shifted(
        household(70, temps=spring, hid="new", cooling=3.0), 60
    )


# only the scale of the peers' high weather share learnt (no own slope, no scale on the curve)
PEER_SHARE_ONLY = {"slope_prior_sd": 0.0, "peer_scale_sd": 0.0}


@pytest.mark.parametrize(
    "scenario, priors, flagged",
    [
        ("cooler_newcomer", {}, False),  # cools 2× its peers into a heat wave
        ("cooler_newcomer", NO_PREDICTION_VARIANCE, True),
        ("winter_newcomer_in_spring", {}, False),  # learns its cooling as spring warms
        ("winter_newcomer_in_spring", NO_PREDICTION_VARIANCE, True),
        # with its share alone it learns, if it keeps learning until the evidence nears a flag
        ("winter_newcomer_in_spring", PEER_SHARE_ONLY, False),
        # (its 60 days' tail scale, 1.2 by chance, would hide the contrast: tail off)
        ("winter_newcomer_in_spring", {**PEER_SHARE_ONLY, "learn_fraction": 0.5, "tail": 0}, True),
    ],
)
def test_a_new_household_learns_its_own_weather_response(request, scenario, priors, flagged):
    train, later = request.getfixturevalue(scenario)
    model = UnusualUsageModel(**priors).fit(train)
    assert model.score_frame(later)["is_anomaly"].any() == flagged


def test_a_water_heater_stuck_in_the_same_spring_weeks_is_not_learnt_away(
    winter_newcomer_in_spring,
):
    train, spring = winter_newcomer_in_spring
    stuck = spring.assign(kwh=spring["kwh"] + np.where(np.arange(70) >= 50, 5.0, 0.0))
    flags = UnusualUsageModel().fit(train).score_frame(stuck)["is_anomaly"].to_numpy()
    assert not flags[:50].any()
    assert flags[50:57].any()  # within a week, at 27–28 °C


def test_an_uncertain_part_widens_the_standardisation_and_its_scale_is_learnt():
    shape = (1, 40)
    valid = np.ones(shape, dtype=bool)
    predicted, sigma, uncertain = np.full(shape, 8.0), np.full(shape, 0.5), np.full(shape, 4.0)
    actual = predicted + 0.8 * uncertain  # the household's unknown part is 1.8 × what peers add
    learnt = cusum(
        actual=actual,
        predicted=predicted,
        sigma=sigma,
        valid=valid,
        detector=Detector(),
        uncertain=uncertain,
        prior_var=1.0,
    )
    assert not learnt.flagged.any()
    assert abs(learnt.expected[0, -1] - actual[0, -1]) < 0.1
    assert cusum(
        actual=actual, predicted=predicted, sigma=sigma, valid=valid, detector=Detector()
    ).flagged.any()


def test_the_level_learns_drift_only_from_days_the_history_covers():
    shape = (1, 60)
    actual, predicted, sigma = np.full(shape, 10.0), np.full(shape, 8.0), np.full(shape, 5.0)
    valid = np.ones(shape, dtype=bool)
    learns = cusum(
        actual=actual, predicted=predicted, sigma=sigma, valid=valid, detector=Detector()
    )
    frozen = cusum(
        actual=actual,
        predicted=predicted,
        sigma=sigma,
        valid=valid,
        detector=Detector(),
        adapt=np.zeros(shape, dtype=bool),
    )
    assert learns.expected[0, -1] > 8.5
    assert np.allclose(frozen.expected, 8.0)


def test_a_tet_the_history_never_held_needs_more_evidence():
    model = UnusualUsageModel().fit(household(30))  # January 2024: no Tết yet
    around_tet = shifted(household(20), 31)  # 1–20 February, Tết 8–14 February
    consumption = model.consumption_
    spread = consumption.predict_design(
        around_tet, make_design(around_tet, consumption.calendar_)
    ).sigma
    tet = pd.to_datetime(around_tet["date"]).dt.day.between(8, 14).to_numpy()
    assert spread[0, tet].min() > 3 * spread[0, ~tet].max()


def test_a_heat_wave_the_weather_explains_is_not_flagged():
    temps = np.concatenate([np.full(100, 27.0), np.full(100, 31.0)])
    model = UnusualUsageModel().fit(household(200, temps=temps))
    wave = np.concatenate([np.full(20, 28.0), np.full(10, 35.0), np.full(20, 28.0)])
    hot = household(50, temps=wave).assign(date=lambda d: d["date"] + timedelta(days=200))
    assert not model.score_frame(hot)["is_anomaly"].any()


def test_new_household_borrows_from_similar_ones(model, sim):
    newcomer = household(10, level=9.0, hid="brand-new")
    scored = model.score_frame(newcomer)
    assert not scored["is_anomaly"].any()
    assert scored["expected_kwh"].between(3, 30).all()


def test_model_beats_the_30_percent_rule_on_false_alerts(model, sim):
    _, test = year_split(sim, START)
    test = test.reset_index(drop=True)
    scored = model.score_frame(test)
    flags = pd.DataFrame(
        {
            "household_id": test["household_id"],
            "date": test["date"],
            "is_anomaly": scored["is_anomaly"],
        }
    )
    ours = metrics(flags, sim, 365)
    rule = metrics(monthly_rule(test, sim), sim, 365)
    assert ours.false_alerts < rule.false_alerts
    assert ours.recall > rule.recall


def test_skops_round_trip_and_untrusted_types_refused(model, tmp_path: Path, sim):
    path = tmp_path / "model.skops"
    save_model(model, path)
    loaded = load_model(path)
    sample = sim.readings.head(400)
    assert np.allclose(loaded.score_frame(sample)["score"], model.score_frame(sample)["score"])
    sio.dump({"evil": pd.Timestamp("2024-01-01")}, tmp_path / "other.skops")
    with pytest.raises(UntrustedTypesFoundException):
        load_model(tmp_path / "other.skops")


def test_score_readings_keeps_rows_and_explains(model, sim):
    sample = sim.readings.sample(300, random_state=1)
    scored = score_readings(model, sample)
    assert len(scored) == 300
    assert list(scored["household_id"]) == list(sample["household_id"])
    text = explain_vi(86, 64, 20, 6, {"water_heater": True})
    assert "cao hơn mức dự kiến theo thời tiết khoảng 34%" in text and "bình nóng lạnh" in text
    assert "kéo dài 6 ngày" in text


@pytest.mark.parametrize(("actual", "since"), [(60.0, "20/11/2026"), (64.0, None)])
def test_an_alert_whose_last_week_is_back_to_expected_says_so(actual, since):
    """The flag outlives the excess by weeks: its explanation must not call that week higher."""
    text = explain_vi(actual, 64.0, 20.0, 30, {"water_heater": True}, since=since)
    assert back_to_expected(actual, 64.0)
    assert text.startswith(
        f"Tuần qua nhà bạn dùng {actual:.0f} kWh, không cao hơn mức dự kiến theo thời tiết "
        "(dự kiến 64 kWh): mức dùng đã trở lại bình thường."
    )
    assert "khoảng" not in text and "%" not in text
    assert "kéo dài" not in text and "hãy kiểm tra" not in text  # nothing to look for now
    assert text.endswith("sẽ tự tắt nếu mức dùng tiếp tục như vậy thêm ít lâu.")
    assert ("Cảnh báo bắt đầu từ ngày 20/11/2026 sẽ" in text) is bool(since)
    assert not back_to_expected(64.1, 64.0) and back_to_expected(0.0, 0.0)


def test_an_explanation_names_the_days_it_sums():
    assert explain_vi(40, 20, 0, 3, window_days=3).startswith("3 ngày qua nhà bạn dùng 40 kWh")
    assert explain_vi(40, 20, 0, 9).startswith("Tuần qua nhà bạn dùng 40 kWh")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ml", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_train_and_score_round_trip(tmp_path: Path):
    readings = tmp_path / "readings.csv"
    frame = simulate(8, start=START, days=120, seed=2).readings[
        ["household_id", "date", "kwh", "avg_temp_c"]
    ]
    frame.loc[frame.index[::7], "avg_temp_c"] = np.nan  # empty → climate normals
    frame.to_csv(readings, index=False)
    assert (
        run_cli(
            "train", "--readings", str(readings), "--model", str(tmp_path / "m.skops")
        ).returncode
        == 0
    )
    result = run_cli(
        "score",
        "--model",
        str(tmp_path / "m.skops"),
        "--readings",
        str(readings),
        "--out",
        str(tmp_path / "o.csv"),
    )
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "o.csv", dtype={"is_anomaly": str})
    assert list(out.columns) == ["household_id", "date", "expected_kwh", "score", "is_anomaly"]
    assert len(out) == len(frame) and set(out["is_anomaly"]) <= {"true", "false"}
    assert list(out["date"]) == list(frame["date"].astype(str))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("household_id,date,kwh\nh,2025-01-01,3\n", "missing column(s) avg_temp_c"),
        (
            "household_id,date,kwh,avg_temp_c\nh,2025-01-01,abc,20\n",
            "line 2: column kwh is not a number",
        ),
        (
            "household_id,date,kwh,avg_temp_c\nh,2025-01-01,1,20\nh,2025-01-02,-3,20\n",
            "line 3: column kwh is negative",
        ),
        (
            "household_id,date,kwh,avg_temp_c\nh,01/02/2025,1,20\n",
            "column date is not a YYYY-MM-DD date",
        ),
    ],
)
def test_cli_bad_input_exits_2_with_a_message(tmp_path: Path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = run_cli("train", "--readings", str(path), "--model", str(tmp_path / "m.skops"))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_model_card_carries_use_limits_and_the_evaluation_run(model, sim, tmp_path: Path):
    path = tmp_path / "card.md"
    write_card(model, path, sim.readings.head(100))
    text = path.read_text(encoding="utf-8")
    assert "Advice to households" in text and "60 days of history" in text
    assert "| setting | seed | method |" in EVALUATION_FILE.read_text(encoding="utf-8")
    assert "| setting | seed | method |" in text


def test_a_water_heater_stuck_on_in_winter_is_flagged_within_days(model, sim):
    _, test = year_split(sim, START)
    north = sim.households[
        sim.households["province_code"].map(region_of).eq("north")
        & ~sim.households["household_id"].isin(sim.faults["household_id"])
    ]["household_id"]
    onset = date(2025, 1, 10)
    assert len(north) >= 5
    for household_id in north[:5]:
        rows = test[test["household_id"] == household_id].reset_index(drop=True)
        rows = rows[rows["date"] < date(2025, 3, 1)].reset_index(drop=True)
        stuck = rows.assign(kwh=rows["kwh"] + np.where(rows["date"] >= onset, 5.0, 0.0))
        flags = model.score_frame(stuck)["is_anomaly"].to_numpy()
        dates = rows["date"].to_numpy()
        assert not flags[dates < onset].any()
        first = dates[flags][0]
        assert (first - onset).days <= 5, household_id


def test_the_level_learns_drift_from_quiet_days_more_than_from_noisy_hot_ones():
    """Alternate quiet days (use 0.25 kWh above the fit: drift) and hot days (3 kWh below: a
    weather misfit, five times noisier). Weighted by precision, the level follows the drift."""
    days = 200
    hot = np.arange(days) % 2 == 1
    predicted = np.full((1, days), 8.0)
    sigma = np.where(hot, 2.5, 0.5)[None, :]
    actual = predicted + np.where(hot, -3.0, 0.25)[None, :]
    valid = np.ones((1, days), dtype=bool)
    result = cusum(
        actual=actual,
        predicted=predicted,
        sigma=sigma,
        valid=valid,
        detector=Detector(),
        level_sd=np.full((1, days), 0.5),
    )
    assert not result.flagged.any()
    # precision-weighted mean of the residuals: (0.25 / 0.5² − 3 / 2.5²) / (1 / 0.5² + 1 / 2.5²)
    # = 0.125; days weighted alike would have dragged the level to (0.25 − 3) / 2 = −1.375
    assert 0.0 < result.expected[0, -2] - 8.0 < 0.3


def test_a_short_history_needs_a_larger_excess_to_accrue_slow_evidence():
    days = 80
    predicted, sigma = np.full((2, days), 8.0), np.full((2, days), 1.0)
    actual = predicted + 0.7  # 0.7 sd above every day
    valid = np.ones((2, days), dtype=bool)
    allowance = np.array([[0.5], [0.7]])  # a year of history, a short one
    frozen = np.zeros((2, days), dtype=bool)  # the level does not learn the excess away
    flagged = cusum(
        actual=actual,
        predicted=predicted,
        sigma=sigma,
        valid=valid,
        detector=Detector(),
        adapt=frozen,
        slow_k=allowance,
    ).flagged
    assert flagged[0].any() and not flagged[1].any()


@pytest.mark.parametrize(("hot_slow_k", "caught"), [(0.35, True), (0.55, False)])
def test_a_leak_on_days_the_weather_dominates_is_caught_within_two_weeks(hot_slow_k, caught):
    """At 33 °C cooling makes ~80% of this household's use and a day's noise is several times
    its base noise: a 1.2 kWh leak there is caught only with the smaller hot-day allowance."""
    seasons = 22.0 + 12.0 * (np.arange(365) % 60) / 60
    train = household(365, level=3.0, temps=seasons, cooling=1.5)
    # this household's noise is additive (the same kWh on cool and hot days), so its tail scale
    # (ml/noise.py) is 1.6 and would delay the leak past two weeks; and its scored days hold Tết,
    # which adds no evidence by default: both off, to isolate the hot-day allowance
    model = UnusualUsageModel(hot_slow_k=hot_slow_k, tail=0, tet_evidence=True).fit(train)
    summer = shifted(household(60, level=3.0, temps=np.full(60, 33.0), cooling=1.5), 365)
    summer.loc[20:, "kwh"] += 1.2
    flags = model.score_frame(summer)["is_anomaly"].to_numpy()
    assert not flags[:20].any()
    assert flags[20:34].any() == caught


def rising(days: int, per_year: float) -> pd.DataFrame:
    frame = household(days)
    return frame.assign(kwh=frame["kwh"] + per_year * np.arange(days) / 365)


@pytest.mark.parametrize(
    ("history", "carried_share"),
    [(365, 0.5), (60, 0.0)],  # a year's slope goes on at half; a short history's is held
)
def test_drift_beyond_the_training_days(history, carried_share):
    per_year = 1.2  # 15% of the household's use a year
    model = UnusualUsageModel().fit(rising(history, per_year)).consumption_
    later = shifted(household(10), history + 180)
    end_of_training = 8.0 + per_year * (history - 1) / 365
    carried = carried_share * per_year * 180 / 365
    assert model.predict(later).mean() == pytest.approx(end_of_training + carried, abs=0.25)


def swinging(days: int, seed: int) -> pd.DataFrame:
    """A household with no trend whose use swings from month to month (school holidays, guests,
    a warmer month's fans) by about 10%: what a weather fit leaves unexplained."""
    frame = household(days)
    months = np.random.default_rng(seed).normal(0.0, 0.8, days // 30 + 1)
    return frame.assign(kwh=frame["kwh"] + months[np.arange(days) // 30])


@pytest.mark.parametrize("shrink", [0.0, TREND_SHRINK])
def test_a_trend_the_months_cannot_tell_from_their_swings_is_not_carried(monkeypatch, shrink):
    monkeypatch.setattr("ml.ridge.TREND_SHRINK", shrink)
    errors, slopes = [], []
    for seed in range(8):
        history = swinging(365, seed)
        model = UnusualUsageModel().fit(history).consumption_
        slopes.append(abs(model.coef_[0, -1]))
        later = shifted(household(30), 365 + 150)  # no trend: the mean use goes on
        errors.append(abs(model.predict(later).mean() - history["kwh"].mean()))
    if shrink:
        assert max(slopes) < 0.1  # kWh a day per year: nothing carried
        assert np.mean(errors) < 0.1
    else:  # the slope the swings fake, carried half a year on
        assert max(slopes) > 0.5
        assert np.mean(errors) > 0.15


@pytest.mark.parametrize(
    ("max_share", "shrink", "steep"),
    [(0.2, TREND_SHRINK, False), (0.2, 0.0, False), (np.inf, 0.0, True)],
)
def test_a_fault_early_in_the_history_is_not_learnt_as_a_trend(
    monkeypatch, max_share, shrink, steep
):
    monkeypatch.setattr("ml.consumption.MAX_TREND_SHARE", max_share)
    monkeypatch.setattr("ml.ridge.TREND_SHRINK", shrink)
    history = household(300)
    history.loc[:89, "kwh"] += 4.0  # a water heater stuck on for the first three months
    model = UnusualUsageModel().fit(history).consumption_
    assert (abs(model.coef_[0, -1]) > 0.2 * model.coef_[0, 0]) == steep
    later = shifted(household(30), 480)  # the household uses 8 kWh a day
    error = abs(model.predict(later).mean() - 8.0)
    assert error > 2.0 if steep else error < 0.5


def test_a_temperature_the_history_holds_few_days_of_is_expected_with_a_wider_spread():
    temps = np.where(np.arange(200) % 100 == 50, 32.0, 27.0)  # two days at 32 °C in 200
    consumption = UnusualUsageModel().fit(household(200, temps=temps)).consumption_
    later = shifted(household(2, temps=np.array([27.0, 32.0])), 200)
    p = consumption.predict_design(later, make_design(later, consumption.calendar_))
    relative = p.sigma[0] / p.expected[0]
    assert p.seen.all()  # both temperatures are within the history's range
    assert relative[1] > 1.2 * relative[0]


def test_a_tet_the_history_held_needs_more_evidence_but_less_than_an_unseen_one():
    model = UnusualUsageModel().fit(household(365))  # 2024: Tết 8–14 February
    around_tet = shifted(household(20), 385)  # 20 January – 8 February 2025, Tết 27 Jan – 1 Feb
    consumption = model.consumption_
    spread = consumption.predict_design(
        around_tet, make_design(around_tet, consumption.calendar_)
    ).sigma[0]
    tet = around_tet["date"].between(date(2025, 1, 27), date(2025, 2, 1)).to_numpy()
    ratio = spread[tet].mean() / spread[~tet].mean()
    assert 1.5 < ratio < 3.0


def test_a_failed_save_leaves_the_previous_model_in_place(model, tmp_path: Path, monkeypatch):
    path = tmp_path / "model.skops"
    save_model(model, path)
    before = path.read_bytes()

    def broken_dump(obj, file):
        Path(file).write_bytes(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(sio, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        save_model(model, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.skops"]  # no temporary file left


def northern_home(
    *, days: int = 730, colder_second_winter: float = 0.0, seed: int = 11
) -> pd.DataFrame:
    """A northern home whose water heater's use grows with the cube of the cold (convex),
    with multiplicative day-to-day noise; its second winter may be colder than its first."""
    rng = np.random.default_rng(seed)
    dates = [START + timedelta(days=i) for i in range(days)]
    doy = np.array([d.timetuple().tm_yday for d in dates])
    temps = 23.5 - 7.5 * np.cos(2 * np.pi * (doy - 15) / 365) + rng.normal(0, 1.2, days)
    second_winter = (np.arange(days) >= 330) & (np.arange(days) < 425)
    temps = temps - colder_second_winter * second_winter
    cold = np.maximum(20.0 - temps, 0.0)
    kwh = (6.0 + 0.8 * np.maximum(temps - 27, 0) + 0.02 * cold**3) * rng.lognormal(0, 0.08, days)
    return pd.DataFrame(
        {
            "household_id": "north",
            "date": dates,
            "kwh": kwh,
            "avg_temp_c": temps,
            "province_code": 1,
            "occupants": 4,
            "air_conditioners": 1,
        }
    )


@pytest.mark.parametrize("colder", [0.0, 2.5])
def test_a_northern_home_with_convex_heating_is_not_flagged_in_winter(colder):
    readings = northern_home(colder_second_winter=colder)
    model = UnusualUsageModel().fit(readings.iloc[:365])
    flags = model.score_frame(readings.iloc[365:].reset_index(drop=True))["is_anomaly"]
    assert flags.sum() <= 3  # neither its usual winter nor a colder one is flagged


def test_a_confirmed_lasting_step_up_is_one_alert_then_the_new_normal():
    model = UnusualUsageModel().fit(household(365))
    baby = shifted(household(200), 365)
    baby.loc[20:, "kwh"] += 3.0  # a baby: use steps up for good
    flags = model.score_frame(baby)["is_anomaly"].to_numpy().astype(int)
    first = int(np.flatnonzero(flags)[0])
    assert 20 <= first <= 24  # alerted within days
    # the household answers the alert: yes, a lasting change since the alert's first day
    told = {baby["household_id"].iloc[0]: [baby["date"].iloc[first]]}
    answered = model.score_frame(baby, confirmed_changes=told)["is_anomaly"].to_numpy()
    assert (answered[:first] == flags[:first]).all()  # causal: the days before are as they were
    assert not answered[first:].any()  # then learnt as the household's new normal
    earlier = shifted(baby, -165)  # a household with 200 days of history
    told_early = {earlier["household_id"].iloc[0]: [earlier["date"].iloc[first]]}
    short = (
        UnusualUsageModel().fit(household(200)).score_frame(earlier, confirmed_changes=told_early)
    )
    assert not short["is_anomaly"].to_numpy()[first:].any()  # a short history too


def test_announced_guests_raise_no_flag_and_an_earlier_fault_goes_on_over_them():
    model = UnusualUsageModel().fit(household(365))
    visit = shifted(household(120), 365)
    visit.loc[30:39, "kwh"] += 4.0  # guests for ten days
    home = visit["household_id"].iloc[0]
    told = {home: [(visit["date"].iloc[30], visit["date"].iloc[39])]}
    assert model.score_frame(visit)["is_anomaly"].to_numpy()[30:40].any()  # unannounced: flagged
    quiet = model.score_frame(visit, announced=told)["is_anomaly"].to_numpy()
    assert not quiet.any()  # announced: nothing during the stay, nothing after it
    fault = visit.copy()
    fault.loc[20:80, "kwh"] += 3.0  # a water heater stuck on from ten days before the guests
    flags = model.score_frame(fault, announced=told)["is_anomaly"].to_numpy()
    first = int(np.flatnonzero(flags)[0])
    assert 20 <= first < 30 and flags[first:81].all()  # one episode, on over the stay


def spring_and_summer_home() -> pd.DataFrame:
    """Two years of a home that cools above 26 °C, through seasons."""
    days = np.arange(730)
    noise = np.random.default_rng(5).normal(0, 1.0, 730)
    return household(730, temps=26.5 - 6.0 * np.cos(2 * np.pi * (days - 15) / 365) + noise)


def first_alert(model: UnusualUsageModel, scored: pd.DataFrame, *, since: int) -> int:
    """The first flagged day of `scored` on or after day `since`, scored without answers."""
    flags = model.score_frame(scored)["is_anomaly"].to_numpy()
    return int(np.flatnonzero(flags[since:])[0]) + since


def empty_flat(days: int, seed: int, *, kwh: float) -> pd.DataFrame:
    """A flat of about `kwh` a day with 10% multiplicative noise."""
    flat = household(days)
    flat["kwh"] = kwh * np.random.default_rng(seed).lognormal(0, 0.1, days)
    return flat


@pytest.fixture(scope="module")
def second_air_conditioner() -> tuple[UnusualUsageModel, pd.DataFrame, int]:
    """A model of the home's first year; its second year, in which a second air conditioner
    (1 kWh a day, and as much cooling again as the first) arrives in early April; and the first
    day of the alert that followed."""
    home = spring_and_summer_home()
    model = UnusualUsageModel().fit(home.iloc[:365])
    scored = home.iloc[365:].reset_index(drop=True)
    heat = np.maximum(scored["avg_temp_c"].to_numpy() - 26, 0)
    scored.loc[95:, "kwh"] += 1.0 + 1.2 * heat[95:]
    return model, scored, first_alert(model, scored, since=95)


@pytest.mark.parametrize(("confirmed_weather", "quiet"), [(True, True), (False, False)])
def test_a_confirmed_new_air_conditioner_is_learnt_with_the_summer_it_cools(
    second_air_conditioner, confirmed_weather, quiet
):
    """Confirmed in the spring, a new air conditioner's step and its cooling are learnt
    together: the summer's heat, which it cools far more than the spring's, raises no second
    alert. Learnt as a level alone (False), the summer is flagged again."""
    model, scored, first = second_air_conditioner
    assert first <= 95 + 7  # alerted within a week of its arrival
    told = {"h1": [scored["date"].iloc[first]]}
    model = copy.deepcopy(model).set_params(confirmed_weather=confirmed_weather)
    flags = model.score_frame(scored, confirmed_changes=told)["is_anomaly"].to_numpy()
    assert (not flags[first + 1 :].any()) is quiet


# a stuck water heater of 2 kWh on days of about 25 kWh (8%): the noise the confirmed air
# conditioner adds (`Detector.confirmed_spread`) makes it a day slower than on the old use's noise
@pytest.mark.parametrize(("size", "within"), [(2.0, 7), (3.0, 4)])
def test_a_fault_after_a_confirmed_new_air_conditioner_is_still_flagged(
    second_air_conditioner, size, within
):
    model, scored, first = second_air_conditioner
    told = {"h1": [scored["date"].iloc[first]]}
    scored = scored.copy()
    scored.loc[200:260, "kwh"] += size  # a water heater stuck on, in the summer
    flags = model.score_frame(scored, confirmed_changes=told)["is_anomaly"].to_numpy()
    assert not flags[first + 1 : 200].any()
    assert flags[200 : 200 + within].any()


def cooling_home(hid: str, *, cooling: float, air_conditioners: int, seed: int) -> pd.DataFrame:
    """Two years of spring_and_summer_home's weather, use with 5% multiplicative noise."""
    days = np.arange(730)
    temps = 26.5 - 6.0 * np.cos(2 * np.pi * (days - 15) / 365)
    home = household(730, temps=temps + np.random.default_rng(5).normal(0, 1.0, 730), hid=hid)
    home["kwh"] = 8.0 + cooling * np.maximum(home["avg_temp_c"] - 26, 0)
    home["kwh"] *= np.random.default_rng(seed).lognormal(0, 0.05, 730)
    home["air_conditioners"] = air_conditioners
    return home


@pytest.fixture(scope="module")
def first_air_conditioner() -> tuple[UnusualUsageModel, pd.DataFrame, int]:
    """A model of the first year of a home without air conditioning ("h0"), five homes with one
    and three more without; h0's second year, in which its first air conditioner arrives in early
    April (its profile still says none); and the first day of the alert that followed."""
    peers = [
        cooling_home(f"p{i}", cooling=1.2 + 0.1 * i, air_conditioners=1, seed=i) for i in range(5)
    ] + [cooling_home(f"n{i}", cooling=0.0, air_conditioners=0, seed=10 + i) for i in range(3)]
    home = cooling_home("h0", cooling=0.0, air_conditioners=0, seed=99)
    model = UnusualUsageModel().fit(pd.concat([*(p.iloc[:365] for p in peers), home.iloc[:365]]))
    scored = home.iloc[365:].reset_index(drop=True)
    heat = np.maximum(scored["avg_temp_c"].to_numpy() - 26, 0)
    jitter = 1 + 0.1 * np.random.default_rng(1).normal(size=270)
    scored.loc[95:, "kwh"] += 1.5 * heat[95:] * jitter
    return model, scored, first_alert(model, scored, since=95)


@pytest.mark.parametrize(("confirmed_cooling", "quiet"), [(True, True), (False, False)])
def test_a_confirmed_first_air_conditioner_is_learnt_as_its_peers_cool(
    first_air_conditioner, confirmed_cooling, quiet
):
    """A home that never cooled has no weather part to scale: confirmed in the spring, its first
    air conditioner is learnt on the cooling its peers with one more air conditioner show
    (`confirmed_cooling`), so the summer raises no second alert. Scaling its own weather part
    alone (False), the summer stays flagged."""
    model, scored, first = first_air_conditioner
    assert first <= 95 + 14
    told = {"h0": [scored["date"].iloc[first]]}
    model = copy.deepcopy(model).set_params(confirmed_cooling=confirmed_cooling)
    out = model.score_frame(scored, confirmed_changes=told)
    flags = out["is_anomaly"].to_numpy()
    assert (not flags[first + 1 :].any()) is quiet
    summer = slice(180, 220)  # July–August: expected within 5% of the use when learnt
    ratio = out["expected_kwh"][summer].sum() / scored["kwh"][summer].sum()
    assert bool(abs(ratio - 1) < 0.05) is quiet


@pytest.mark.parametrize(("cooling", "quiet"), [(True, True), (None, True), (False, False)])
def test_what_the_household_said_changed_picks_the_shape_it_is_learnt_on(
    first_air_conditioner, cooling, quiet
):
    """Said to be an air conditioner (True), or not said (None), the first air conditioner is
    learnt on its peers' cooling; said to be something that does not cool (False: another
    appliance), on the home's own weather part, which has no summer to scale."""
    model, scored, first = first_air_conditioner
    told = {"h0": [ConfirmedChange(scored["date"].iloc[first], cooling)]}
    flags = model.score_frame(scored, confirmed_changes=told)["is_anomaly"].to_numpy()
    assert (not flags[first + 1 :].any()) is quiet


def test_the_cooling_a_change_may_add_is_the_peers_with_one_more_air_conditioner(
    first_air_conditioner,
):
    model, scored, _ = first_air_conditioner
    design = make_design(scored, model.consumption_.calendar_)
    p = model.consumption_.predict_design(scored, design)
    added = model.consumption_.added_cooling(scored, design, p)[0]
    temps = scored["avg_temp_c"].to_numpy()
    assert added[temps < 22].max() < 0.05 * p.expected[0, temps < 22].min()  # cool days: none
    hot = temps > 30
    # the peers with one air conditioner cool 1.2–1.6 kWh per °C above 26 °C on 8 kWh of base
    # use; h0 itself does not, nor do its own peers (none)
    assert 0.5 < np.median(added[hot] / (temps[hot] - 26)) < 2.5
    assert p.weather[0, hot].max() < 0.5
    attributes = household_attributes(scored, ["h0"])
    own = peer_share(model.consumption_.peer_curves_, attributes, temps[None, :])[0]
    assert own[hot].max() < 0.05


def test_a_confirmed_change_in_log_space_still_sees_a_later_fault():
    """Log space relearns the weather part alone and keeps its noise (the kWh noise growth
    would divide by a log-space expectation near zero in a home using under 0.5 kWh a day)."""

    model = UnusualUsageModel(log_space=True).fit(empty_flat(365, 1, kwh=0.3))
    later = shifted(empty_flat(200, 2, kwh=0.3), 365)
    later.loc[20:, "kwh"] *= 2.0  # a tenant moves in, confirmed two days later
    later.loc[100:160, "kwh"] += 1.0  # then a heater is left on
    told = {"h1": [later["date"].iloc[22]]}
    flags = model.score_frame(later, confirmed_changes=told)["is_anomaly"].to_numpy()
    assert not flags[23:100].any()
    assert flags[100:107].any()


def test_a_confirmed_tenant_in_a_near_empty_flat_leaves_a_later_fault_visible():
    """The noise a confirmed change adds is reckoned on at least 2 kWh of old use, as the day's
    spread is: a flat of 0.5 kWh a day whose tenant adds 8 does not take 16 times its noise."""

    model = UnusualUsageModel().fit(empty_flat(365, 1, kwh=0.5))
    later = shifted(empty_flat(200, 2, kwh=0.5), 365)
    later.loc[20:, "kwh"] += 8.0 * np.random.default_rng(3).lognormal(0, 0.05, 180)
    later.loc[100:160, "kwh"] += 1.5  # a heater left on
    told = {"h1": [later["date"].iloc[22]]}
    flags = model.score_frame(later, confirmed_changes=told)["is_anomaly"].to_numpy()
    assert not flags[23:100].any()
    assert flags[100:108].any()


def test_the_model_hands_its_confirmed_spread_to_its_detector():
    assert UnusualUsageModel(confirmed_spread=False).detector().confirmed_spread is False
    assert UnusualUsageModel().detector().confirmed_spread is True


@pytest.mark.parametrize(("spread", "most_flagged"), [(True, 6), (False, 40)])
def test_a_confirmed_change_s_noise_grows_with_the_use_it_adds(spread, most_flagged):
    """Use doubles for good with the same 10% day-to-day spread, confirmed: with
    `confirmed_spread` the larger days' noise is expected and few homes are flagged again;
    taking it as the old use's noise flags about half of them."""
    rng = np.random.default_rng(4)
    households, days = 40, 240
    predicted, sigma = np.full((households, days), 8.0), np.full((households, days), 0.8)
    use = np.where(np.arange(days) >= 60, 16.0, 8.0)
    actual = use * (1 + 0.1 * rng.standard_normal((households, days)))
    told = np.zeros((households, days), dtype=bool)
    told[:, 62] = True
    result = cusum(
        actual=actual,
        predicted=predicted,
        sigma=sigma,
        valid=np.ones((households, days), dtype=bool),
        detector=Detector(confirmed_spread=spread),
        uncertain=np.zeros((households, days, 1)),
        prior_var=0.25,
        weather=np.zeros((households, days)),
        weather_part=0,
        confirmed=told,
    )
    flagged_again = int(result.flagged[:, 63:].any(axis=1).sum())
    assert flagged_again <= most_flagged
    assert (flagged_again <= 6) is spread


def test_an_unconfirmed_lasting_excess_is_never_taken_as_the_new_normal():
    """A failing air conditioner or a device left on looks like a new appliance: without the
    household's word the excess stays flagged for as long as it lasts."""
    model = UnusualUsageModel().fit(household(365))
    fault = shifted(household(200), 365)
    fault.loc[20:120, "kwh"] += 3.0
    flags = model.score_frame(fault)["is_anomaly"].to_numpy()
    assert flags[25:120].all()
    other = {"someone-else": [fault["date"].iloc[22]]}  # another household's answer
    assert (
        model.score_frame(fault, confirmed_changes=other)["is_anomaly"].to_numpy() == flags
    ).all()


def test_a_model_saved_before_confirmed_changes_still_scores(tmp_path: Path):
    """The nightly scoring loads the saved model: one saved before `rebaseline_days` existed
    must score (and take answers) until the next retraining replaces it."""
    old = UnusualUsageModel().fit(household(365))
    del old.rebaseline_days
    save_model(old, tmp_path / "old.skops")
    loaded = load_model(tmp_path / "old.skops")
    baby = shifted(household(60), 365)
    baby.loc[20:, "kwh"] += 3.0
    told = {"h1": [baby["date"].iloc[24]]}
    flags = loaded.score_frame(baby, confirmed_changes=told)["is_anomaly"].to_numpy()
    assert flags[20:24].any() and not flags[24:].any()


@pytest.mark.parametrize(
    ("after_tet_days", "guests_from", "flagged"),
    [
        (3, date(2025, 2, 2), False),  # guests on the three days after Tết's days off: normal
        (0, date(2025, 2, 2), True),  # the same days scored as ordinary days: an alert
        (3, date(2025, 2, 5), True),  # the season is over: the same excess is an alert
    ],
)
def test_the_days_right_after_tet_are_not_evidence(after_tet_days, guests_from, flagged):
    model = UnusualUsageModel(after_tet_days=after_tet_days).fit(household(365))
    # 20 January – 18 February 2025; Tết's days off 27 January – 1 February
    winter = shifted(household(30), 385)
    guests = winter["date"].between(guests_from, guests_from + timedelta(days=2))
    winter.loc[guests, "kwh"] *= 3
    assert model.score_frame(winter)["is_anomaly"].any() == flagged


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_equal_thresholds_the_slow_cusum_decides_every_flag(seed):
    """ml/detect.py: with k above every slow allowance and equal thresholds and caps the fast
    statistic never exceeds the slow one, so switching it off changes no flag and no score. At
    the defaults (fast threshold 10, slow 12) it never delays a flag and flags a large steady
    excess a day sooner; with a fast threshold far below the slow one, more excesses sooner."""
    rng = np.random.default_rng(seed)
    households, days = 20, 240
    predicted = np.full((households, days), 8.0)
    sigma = np.full((households, days), 1.0)
    during = (np.arange(days) >= 120) & (np.arange(days) < 180)
    excess = np.where(during, rng.uniform(0, 4, (households, 1)), 0.0)
    actual = predicted + rng.standard_t(4, (households, days)) + excess
    valid = rng.random((households, days)) > 0.05
    allowance = np.where(rng.random((households, days)) < 0.3, 0.35, 0.55)

    def run(detector: Detector):
        return cusum(
            actual=actual,
            predicted=predicted,
            sigma=sigma,
            valid=valid,
            detector=detector,
            slow_k=allowance,
        )

    equal = run(Detector(h=12.0, slow_h=12.0))
    equal_slow_only = run(Detector(h=12.0, slow_h=12.0, k=1e9))
    assert equal.flagged.any()
    assert np.array_equal(equal.flagged, equal_slow_only.flagged)
    assert np.allclose(equal.score, equal_slow_only.score)

    def first_flag(result) -> np.ndarray:
        return np.where(result.flagged.any(axis=1), result.flagged.argmax(axis=1), days)

    slow_only = first_flag(run(Detector(k=1e9)))
    assert (first_flag(run(Detector())) <= slow_only).all()
    assert (first_flag(run(Detector(h=5.0))) < slow_only).any()
    # a steady large excess (4.5 sd a day from day 10): the fast CUSUM crosses 10 on its 3rd
    # day (3 × 3.5), the slow one 12 on its 4th (3 × 3.95 < 12)
    steady = np.where(np.arange(30) >= 10, 4.5, 0.0)[None, :]
    ones = np.ones((1, 30))

    def steady_first(detector: Detector) -> int:
        result = cusum(
            actual=8.0 + steady, predicted=8.0 * ones, sigma=ones, valid=ones > 0, detector=detector
        )
        return int(result.flagged[0].argmax())

    assert 10 <= steady_first(Detector()) < steady_first(Detector(k=1e9))
