"""The log-kWh degree-day peer (ml/worlds/logdd.py)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from ml.worlds import logdd

TEST_DAY = date(2025, 1, 1)


def _temps(days: int) -> np.ndarray:
    """A northern-like year: 16 °C in January, 31 °C in July."""
    doy = np.arange(days) % 365
    return 23.5 - 7.5 * np.cos(2 * np.pi * doy / 365)


def _household(
    *, name: str, rng: np.random.Generator, step: float = 0.0, step_from: int = 500
) -> pd.DataFrame:
    """Two years of a household whose log use is 2 + 0.1·weekend + 0.05·HDD(18) + 0.08·CDD(24)
    with noise 0.05, plus `step` kWh a day from day `step_from`."""
    n = 730
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(n)]
    temps = _temps(n)
    weekend = np.array([d.weekday() >= 5 for d in days], dtype=float)
    log_use = (
        2.0
        + 0.1 * weekend
        + 0.05 * np.maximum(18 - temps, 0)
        + 0.08 * np.maximum(temps - 24, 0)
        + rng.normal(0, 0.05, n)
    )
    kwh = np.exp(log_use) - logdd.OFFSET
    kwh[step_from:] += step
    return pd.DataFrame({"household_id": name, "date": days, "kwh": kwh, "avg_temp_c": temps})


def test_fit_finds_the_balance_points_and_slopes():
    rng = np.random.default_rng(3)
    frame = _household(name="a", rng=rng)
    temps = frame["avg_temp_c"].to_numpy()
    weekend = np.array([d.weekday() >= 5 for d in frame["date"]], dtype=float)
    model = logdd.fit(kwh=frame["kwh"].to_numpy(), temps=temps, weekend=weekend)
    assert (model.heat_base, model.cool_base) == (18.0, 24.0)
    assert model.coef == pytest.approx([2.0, 0.1, 0.05, 0.08], abs=0.01)
    assert model.spread == pytest.approx(0.05, rel=0.15)


def test_a_lasting_excess_is_flagged_and_a_calm_household_is_not():
    rng = np.random.default_rng(4)
    readings = pd.concat(
        [_household(name="calm", rng=rng), _household(name="leak", rng=rng, step=2.0)],
        ignore_index=True,
    )
    res = logdd.residuals(readings, ["calm", "leak"], test_day=TEST_DAY)
    flags = logdd.flags(res, k=1.5, h=10.0)
    flagged = flags[flags["is_anomaly"]]
    assert set(flagged["household_id"]) == {"leak"}
    first = min(flagged["date"])
    onset = date(2024, 1, 1) + timedelta(days=500)
    assert onset <= first <= onset + timedelta(days=14)


def test_the_capped_sum_ends_the_episode_after_the_excess_stops():
    z = np.zeros((1, 120))
    z[0, 10:60] = 3.0  # 1.5 above k each day: above h = 10 on day 16, at the cap 2h = 20 on day 23
    res = logdd.Residuals(ids=["a"], days=[TEST_DAY + timedelta(days=i) for i in range(120)], z=z)
    on = logdd.flags(res, k=1.5, h=10.0)["is_anomaly"].to_numpy()
    assert not on[:16].any() and on[17:60].all()
    # from 20 the sum falls 1.5 a day: below h = 10 within 7 days of the excess stopping
    assert on[60:66].all() and not on[67:].any()


def test_days_without_evidence_leave_the_sum_as_it_is():
    z = np.full((1, 30), np.nan)
    z[0, :8] = 3.0  # sum 12 after 8 days
    res = logdd.Residuals(ids=["a"], days=[TEST_DAY + timedelta(days=i) for i in range(30)], z=z)
    on = logdd.flags(res, k=1.5, h=10.0)["is_anomaly"].to_numpy()
    assert on[7:].all()
