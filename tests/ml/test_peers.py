"""The peers' weather share of many households at once: each household's curve is chosen as
before (its group, else its air-conditioner group, else anyone's) and every cell is that curve's
interpolation at the day's temperature."""

from __future__ import annotations

import numpy as np
import pytest

from ml.peers import PEER_GRID, HouseholdAttributes, ac_key, group_key, peer_share

CURVES = {
    "north|1|3-4": np.linspace(0.0, 1.0, len(PEER_GRID)),
    "ac:2+": np.linspace(0.0, 2.0, len(PEER_GRID)),
    "any": np.where(PEER_GRID > 25, 0.3, np.nan),  # nan where nobody saw the temperature
}
HOUSEHOLDS = [
    HouseholdAttributes("north", 1.0, 3.0),  # its own group
    HouseholdAttributes("south", 2.0, 5.0),  # no group: its air conditioners'
    HouseholdAttributes(None, 0.0, 1.0),  # neither: anyone's
    HouseholdAttributes("north", 1.0, 4.0),  # its own group again
    HouseholdAttributes("centre", 3.0, 2.0),  # air conditioners' again
]


def one_by_one(attributes: list[HouseholdAttributes], temps: np.ndarray) -> np.ndarray:
    """What a household alone gets: its curve, interpolated at its days' temperatures."""
    anyone = next(iter(CURVES.values()))
    rows = [
        np.interp(t, PEER_GRID, CURVES.get(group_key(*a), CURVES.get(f"ac:{ac_key(a[1])}", anyone)))
        for a, t in zip(attributes, temps, strict=True)
    ]
    return np.nan_to_num(np.stack(rows))


@pytest.mark.parametrize("days", [1, 40])
def test_households_sharing_a_curve_get_what_each_gets_alone(days):
    rng = np.random.default_rng(days)
    temps = rng.uniform(10.0, 40.0, (len(HOUSEHOLDS), days))
    shares = peer_share(CURVES, HOUSEHOLDS, temps)
    assert np.array_equal(shares, one_by_one(HOUSEHOLDS, temps))
    # the households really took different curves, and days nobody saw are 0, not nan
    assert not np.array_equal(shares[0], shares[1])
    assert np.isfinite(shares).all()


def test_attributes_and_rows_must_agree():
    with pytest.raises(ValueError, match="4 households"):
        peer_share(CURVES, HOUSEHOLDS[:4], np.full((5, 3), 30.0))
