"""The noise beyond a household's spread (ml/noise.py), estimated reads (ml/design.py), Tết, and
how the detector uses them: persistence, heavy tails, the out-of-sample spread."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from ml.design import estimated_reads
from ml.detect import Detector, cusum
from ml.model import UnusualUsageModel
from ml.noise import noise_shape, persistence, tail_scale

START = date(2024, 1, 1)


def ar1(rng: np.random.Generator, n: int, phi: float, *, shocks: np.ndarray | None = None):
    e = rng.normal(0, 1, n) if shocks is None else shocks
    out = np.zeros(n)
    for i in range(n):
        out[i] = (phi * out[i - 1] if i else 0.0) + e[i] * np.sqrt(1 - phi**2)
    return out


def test_persistence_measures_runs_and_a_week_away_barely_moves_it():
    rng = np.random.default_rng(1)
    z = np.stack([ar1(rng, 730, 0.0), ar1(rng, 730, 0.5)])
    consecutive = np.ones((2, 729), dtype=bool)
    independent, persistent = persistence(z, consecutive)
    assert independent < 0.12
    assert 0.38 < persistent < 0.62
    away = z[:1].copy()
    away[0, 100:107] = -5.0  # a week away from home
    assert persistence(away, consecutive[:1])[0] < independent + 0.05


def test_tail_scale_is_one_for_gaussian_noise_and_larger_for_heavy_tails():
    rng = np.random.default_rng(2)
    gaussian = rng.normal(0, 1, (1, 2000))
    heavy = rng.standard_t(3, (1, 2000))
    heavy = heavy / (1.4826 * np.median(np.abs(heavy)))  # in units of its robust spread
    valid = np.ones((1, 2000), dtype=bool)
    assert tail_scale(gaussian, valid, cap=5.0)[0] == pytest.approx(1.0, abs=0.06)
    assert tail_scale(heavy, valid, cap=5.0)[0] > 1.25
    vacations = gaussian.copy()
    vacations[0, :60] = -8.0  # days away lower use: they are not the tail an alert fears
    assert tail_scale(vacations, valid, cap=5.0)[0] == pytest.approx(1.0, abs=0.06)


def test_noise_shape_reads_relative_residuals_of_a_fit():
    rng = np.random.default_rng(3)
    fitted = np.full((1, 365), 10.0)
    residuals = 10.0 * 0.1 * ar1(rng, 365, 0.5)[None, :]
    phi, scale = noise_shape(
        residuals=residuals,
        fitted=fitted,
        valid=np.ones((1, 365), dtype=bool),
        day_number=np.arange(365.0)[None, :],
        sigma=np.array([0.1]),
        cap=5.0,
    )
    assert 0.3 < phi[0] < 0.7
    assert scale[0] < 1.2


def detector_false_alarms(z: np.ndarray, **kwargs) -> int:
    """Alarm episodes of the default detector on standardised noise `z` [households, days]."""
    result = cusum(
        actual=z,
        predicted=np.zeros_like(z),
        sigma=np.ones_like(z),
        valid=np.ones(z.shape, dtype=bool),
        detector=Detector(level_halflife=1e9),
        adapt=np.zeros(z.shape, dtype=bool),
        **kwargs,
    )
    starts = result.flagged[:, 1:] & ~result.flagged[:, :-1]
    return int(starts.sum() + result.flagged[:, 0].sum())


def test_pre_whitening_stops_runs_of_noise_from_raising_alerts_but_not_a_step():
    rng = np.random.default_rng(4)
    noise = np.stack([ar1(rng, 365, 0.5) for _ in range(40)])
    phi = np.full(40, 0.5)
    assert detector_false_alarms(noise) > 3 * max(detector_false_alarms(noise, persistence=phi), 1)
    step = noise.copy()
    step[:, 200:] += 3.0  # a lasting excess of three spreads
    result = cusum(
        actual=step,
        predicted=np.zeros_like(step),
        sigma=np.ones_like(step),
        valid=np.ones(step.shape, dtype=bool),
        detector=Detector(level_halflife=1e9),
        adapt=np.zeros(step.shape, dtype=bool),
        persistence=phi,
    )
    assert result.flagged[:, 200:214].any(axis=1).mean() > 0.95


def test_heavy_tails_need_more_evidence():
    rng = np.random.default_rng(5)
    heavy = rng.standard_t(3, (40, 365))
    heavy = heavy / (1.4826 * np.median(np.abs(heavy)))
    scale = tail_scale(heavy, np.ones(heavy.shape, dtype=bool), cap=5.0)
    assert detector_false_alarms(heavy, tail_scale=scale) < detector_false_alarms(heavy)


def test_the_out_of_sample_spread_widens_only_from_scored_days_and_causally():
    rng = np.random.default_rng(6)
    noisier = 1.6 * rng.normal(0, 1, (40, 365))  # noisier than the history said

    def run(z: np.ndarray, halflife: float) -> np.ndarray:
        return cusum(
            actual=z,
            predicted=np.zeros_like(z),
            sigma=np.ones_like(z),
            valid=np.ones(z.shape, dtype=bool),
            detector=Detector(level_halflife=1e9, spread_halflife=halflife),
            adapt=np.zeros(z.shape, dtype=bool),
        ).score

    before, after = run(noisier, 0.0), run(noisier, 30.0)
    assert (after[:, 60:] > 10).sum() < (before[:, 60:] > 10).sum() / 2
    assert np.allclose(after[:, 0], before[:, 0])  # day one knows nothing of the scored days
    changed = noisier.copy()
    changed[:, 200:] *= 3
    assert np.allclose(run(changed, 30.0)[:, :200], after[:, :200])  # causal


def test_estimated_reads_are_a_repeated_figure_and_the_catch_up_after_it():
    kwh = np.array([[5.1, 6.0, 6.0, 6.0, 21.3, 5.5, 5.5, 5.7, 5.2]])
    valid = np.ones(kwh.shape, dtype=bool)
    days = np.arange(kwh.shape[1], dtype=float)[None, :]
    expected = [False, True, True, True, True, True, True, True, False]
    assert estimated_reads(kwh, valid=valid, day_number=days)[0].tolist() == expected
    gap = days.copy()
    gap[0, 2:] += 1  # a missing day between two equal reads: not a repeated estimate
    assert not estimated_reads(kwh, valid=valid, day_number=gap)[0, 1]


def readings(kwh: np.ndarray, first: date) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_id": "h1",
            "date": [first + timedelta(days=i) for i in range(len(kwh))],
            "kwh": np.round(kwh, 2),
            "avg_temp_c": 24.0,
        }
    )


def test_a_catch_up_read_after_an_estimate_is_not_an_alert_and_an_episode_spans_it():
    rng = np.random.default_rng(7)
    model = UnusualUsageModel().fit(readings(8 + rng.normal(0, 0.4, 200), START))
    use = 8 + rng.normal(0, 0.4, 80)
    reads = use.copy()
    reads[30:36] = 8.0  # the utility estimates six days …
    reads[36] = use[30:37].sum() - 8.0 * 6 + 20.0  # … and bills 20 kWh it missed on the next
    scored = model.score_frame(readings(reads, START + timedelta(days=200)))
    assert not scored["is_anomaly"].any()
    assert (scored["expected_kwh"] > 0).all()  # still expected on estimated days
    stuck = reads.copy()
    stuck[10:] += 5.0  # a water heater stuck on from day 10, estimated days among it
    stuck[30:36] = 13.0
    flags = model.score_frame(readings(stuck, START + timedelta(days=200)))["is_anomaly"]
    first = int(np.flatnonzero(flags.to_numpy())[0])
    assert flags.to_numpy()[first:].all()  # one episode over the estimated days


def test_tet_days_add_no_evidence_and_an_episode_starting_then_is_flagged_after():
    rng = np.random.default_rng(8)
    model = UnusualUsageModel().fit(readings(8 + rng.normal(0, 0.4, 365), START))
    first = date(2025, 1, 10)  # Tết 27 January – 1 February 2025
    use = 8 + rng.normal(0, 0.4, 50)
    tet = np.array(
        [date(2025, 1, 27) <= first + timedelta(days=i) <= date(2025, 2, 1) for i in range(50)]
    )
    guests = np.where(tet, use * 1.8, use)  # a house full of guests this Tết
    assert not model.score_frame(readings(guests, first))["is_anomaly"].any()
    counted = UnusualUsageModel(tet_evidence=True).fit(readings(8 + rng.normal(0, 0.4, 365), START))
    assert counted.score_frame(readings(guests, first))["is_anomaly"].any()
    stuck = use + np.where(np.arange(50) >= 17, 5.0, 0.0)  # a heater stuck on from 27 January
    flags = model.score_frame(readings(stuck, first))["is_anomaly"].to_numpy()
    # found within days after the Tết season (its days off and the three days after, to 4 February)
    assert not flags[:26].any() and flags[26:30].any()
