import numpy as np
import pytest

from ml.worlds.cusum import cusum


def _reference(z: list[float], *, k: float, cap: float) -> list[float]:
    """The textbook recursion, one day at a time: S = min(cap, max(0, S + z − k)); no evidence
    (NaN) keeps S."""
    total, out = 0.0, []
    for value in z:
        if not np.isnan(value):
            total = min(cap, max(0.0, total + value - k))
        out.append(total)
    return out


@pytest.mark.parametrize("cap", [np.inf, 4.0])
def test_each_household_follows_the_recursion(cap: float):
    rng = np.random.default_rng(3)
    z = rng.normal(0.4, 1.2, (5, 90))
    z[rng.random(z.shape) < 0.1] = np.nan
    path = cusum(z, k=0.5, cap=cap)
    for row in range(5):
        assert path[row] == pytest.approx(_reference(list(z[row]), k=0.5, cap=cap))
    assert path.min() >= 0 and path.max() <= cap


def test_one_household_is_a_row_of_many():
    z = np.array([[0.0, 3.0, np.nan, 2.0, -4.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
    assert np.array_equal(cusum(z[0], k=0.5), cusum(z, k=0.5)[0])
    assert list(cusum(z[0], k=0.5)) == [0.0, 2.5, 2.5, 4.0, 0.0]
