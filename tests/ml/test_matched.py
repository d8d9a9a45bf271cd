"""CalTRACK + CUSUM's threshold matched to a false-alert target (ml/worlds/matched.py)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ml.evaluate import alert_starts
from ml.worlds.caltrack import cusum_path
from ml.worlds.matched import Paths, flags_at, match_threshold

GRID = [float(h) for h in range(1, 13)]


def _paths() -> Paths:
    """Two households' residuals (sigma 1, k 0.5): A's CUSUM peaks once at 10; B's at 4, then,
    after it has fallen back to 0, at 7. So there are 3 episodes for h < 4, 2 for 4 ≤ h < 7, 1 for
    7 ≤ h < 10 and none from 10 on."""
    a = np.zeros(60)
    a[5:7] = 5.5  # sum 5, 10, then −0.5 a day
    b = np.zeros(60)
    b[5] = 4.5  # sum 4, back at 0 eight days later
    b[30] = 7.5  # sum 7
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(60)]
    predicted = np.full(60, 10.0)
    return {
        household: (days, cusum_path(observed=predicted + r, predicted=predicted, sigma=1.0))
        for household, r in (("A", a), ("B", b))
    }


def _per_household(flags: pd.DataFrame) -> float:
    """False alerts per household as the scorer counts them: episodes (no faults here)."""
    return sum(len(s) for s in alert_starts(flags).values()) / flags["household_id"].nunique()


def test_chosen_threshold_is_the_smallest_within_the_target():
    paths = _paths()
    counts = {h: _per_household(flags_at(paths, h)) for h in GRID}
    assert counts[3.0] == 1.5 and counts[4.0] == 1.0 and counts[7.0] == 0.5 and counts[10.0] == 0
    for target, expected in ((1.0, 4.0), (0.5, 7.0), (0.7, 7.0), (0.0, 10.0), (2.0, 1.0)):
        match = match_threshold(
            lambda h: flags_at(paths, h), target=target, false_alerts=_per_household, grid=GRID
        )
        assert match.reached and match.h == expected
        assert match.false_alerts == counts[expected] <= target
        if expected > GRID[0]:
            # the next lower threshold of the grid would have alerted more than the target
            assert match.lower_h == expected - 1.0
            assert match.lower_false_alerts is not None and match.lower_false_alerts > target
        else:
            assert match.lower_h is None


def test_grid_order_does_not_matter_and_an_unreachable_target_is_reported():
    paths = _paths()
    shuffled = list(reversed(GRID))
    match = match_threshold(
        lambda h: flags_at(paths, h), target=0.5, false_alerts=_per_household, grid=shuffled
    )
    assert match.h == 7.0
    low = match_threshold(
        lambda h: flags_at(paths, h), target=0.0, false_alerts=_per_household, grid=[1.0, 2.0, 5.0]
    )
    assert not low.reached and low.h == 5.0 and low.false_alerts == 1.0
