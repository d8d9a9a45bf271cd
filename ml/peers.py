"""Peers: what similar households tell about a household its own history says too little of.

Households are grouped by region, air conditioners and occupants. A household with too little
history borrows its group's median parameters (`group_medians`). A household whose history does
not cover a temperature (no summer yet) is compared with its peers' weather response there: the
peers' weather use as a share of their base use, on a temperature grid, from the peers whose own
history covers that temperature (`peer_curves`), falling back to households with as many air
conditioners, then to everyone.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ml.climate import region_of

PEER_GRID = np.arange(-5.0, 45.5, 0.5)  # °C: where the peers' weather share is tabulated
PEER_QUANTILE = 0.25  # the peers' typical share: this quantile over those who saw a temperature
# on days hotter than a short history covers, what the weather may add is scaled from this
# quantile of the peers' weather share (the prior spread of the household's unknown cooling)
PEER_HIGH_QUANTILE = 0.9
MIN_PEERS = 3  # fewer peers than this at a temperature: fall back to a wider group
# the peers' typical curve never falls with more heat from here on (°C): beyond it few peers
# with a short history saw the heat and the curve is stitched from fallbacks, which could
# expect less on a 34 °C day than on a 31 °C one
RISE_FROM = 30.0
MIN_GROUP = 3  # households a group needs for its own median parameters (else all households')


class HouseholdAttributes(NamedTuple):
    """What makes households peers (missing values take the defaults below)."""

    region: str | None  # "north", "centre", "south" (ml/climate.py), None without a province
    air_conditioners: float
    occupants: float


def ac_key(air_conditioners: float) -> str:
    """The air-conditioner group ("0", "1", "2+"): what shapes a household's cooling most."""
    return "0" if not air_conditioners else ("1" if air_conditioners < 2 else "2+")


def group_key(region: str | None, air_conditioners: float, occupants: float) -> str:
    """The peer group, e.g. "north|1|3-4"."""
    people = "1-2" if occupants <= 2 else ("3-4" if occupants <= 4 else "5+")
    return f"{region or 'any'}|{ac_key(air_conditioners)}|{people}"


def household_attributes(X: pd.DataFrame, ids: list[str]) -> list[HouseholdAttributes]:
    """Each household's attributes from its first row in `X` (optional columns province_code,
    air_conditioners, occupants; without them: no region, one air conditioner, three people)."""
    columns = [c for c in ("province_code", "air_conditioners", "occupants") if c in X]
    first = X.groupby("household_id")[columns].first() if columns else pd.DataFrame(index=ids)
    # whole columns at once (a row lookup per household was most of a projection's time)
    present = first.index.get_indexer(pd.Index(ids, dtype=object)) >= 0 if len(ids) else []
    table = first.reindex(pd.Index(ids, dtype=object)) if columns else first

    def column(name: str) -> list:
        return table[name].tolist() if name in columns else [None] * len(ids)

    out = []
    for known, province, acs, people in zip(
        present,
        column("province_code"),
        column("air_conditioners"),
        column("occupants"),
        strict=True,
    ):
        if not known:
            out.append(HouseholdAttributes(None, 1.0, 3.0))
            continue
        region = (
            region_of(int(province)) if province is not None and not pd.isna(province) else None
        )
        acs = 1.0 if acs is None and "air_conditioners" not in columns else acs
        people = 3.0 if people is None and "occupants" not in columns else people
        out.append(
            HouseholdAttributes(
                region,
                0.0 if acs is None or pd.isna(acs) else float(acs),
                3.0 if people is None or pd.isna(people) else float(people),
            )
        )
    return out


def group_medians(
    attributes: list[HouseholdAttributes],
    *,
    table: np.ndarray,
    history: np.ndarray,
    min_history_days: int,
) -> dict[str, np.ndarray]:
    """Median rows of `table` ([households, columns]: a household's fitted parameters) over the
    households with at least `min_history_days` of history, per group of at least MIN_GROUP
    such households and overall ("*")."""
    keys = np.array([group_key(*a) for a in attributes])
    enough = history >= min_history_days
    groups = {"*": np.median(table[enough] if enough.any() else table, axis=0)}
    for key in set(keys[enough]):
        members = table[enough & (keys == key)]
        if len(members) >= MIN_GROUP:
            groups[str(key)] = np.median(members, axis=0)
    return groups


def relative_weather(coef: np.ndarray, cool: np.ndarray, heat: np.ndarray) -> np.ndarray:
    """[households, PEER_GRID]: weather use as a share of base use at each grid temperature."""
    cdd = np.maximum(PEER_GRID - cool[:, None], 0.0)
    hdd = np.maximum(heat[:, None] - PEER_GRID, 0.0)
    weather = coef[:, 1:2] * cdd + coef[:, 2:3] * cdd**2 / 10
    weather = weather + coef[:, 3:4] * hdd + coef[:, 4:5] * hdd**2 / 10
    return weather / np.maximum(coef[:, :1], 0.5)


def peer_curves(
    attributes: list[HouseholdAttributes],
    *,
    relative: np.ndarray,
    temp_range: np.ndarray,
    enough: np.ndarray,
    quantile: float = PEER_QUANTILE,
) -> dict[str, np.ndarray]:
    """Per group ("region|ac|people") and per air-conditioner group ("ac:…"), the `quantile` of
    the peers' weather share (`relative`) at each grid temperature, over the peers with `enough`
    history whose `temp_range` covers it: the household's group, else households with as many
    air conditioners, else all; where no peer saw a temperature, the air-conditioner group's
    fits extrapolated."""
    covered = (temp_range[:, :1] <= PEER_GRID) & (temp_range[:, 1:] >= PEER_GRID) & enough[:, None]
    observed = np.where(covered, relative, np.nan)
    levels = {
        "group": np.array([group_key(*a) for a in attributes]),
        "ac": np.array([ac_key(a[1]) for a in attributes]),
    }

    def curve(members: np.ndarray, values: np.ndarray) -> np.ndarray:
        picked = values[members]
        count = (~np.isnan(picked)).sum(axis=0)
        out = np.full(len(PEER_GRID), np.nan)
        enough_peers = count >= MIN_PEERS
        if enough_peers.any():
            out[enough_peers] = np.nanquantile(picked[:, enough_peers], quantile, axis=0)
        return out

    everyone = curve(np.ones(len(attributes), dtype=bool), observed)
    curves: dict[str, np.ndarray] = {}
    for ac in set(levels["ac"]):
        in_ac = levels["ac"] == ac
        extrapolated = curve(in_ac & enough, np.where(enough[:, None], relative, np.nan))
        by_ac = _fill(_fill(curve(in_ac, observed), everyone), extrapolated)
        curves[f"ac:{ac}"] = by_ac
        for key in set(levels["group"][in_ac]):
            curves[str(key)] = _fill(curve(levels["group"] == key, observed), by_ac)
    return curves


def rising(share: np.ndarray, start: float = -np.inf) -> np.ndarray:
    """Above the curve's lowest point (and from `start` °C), more heat never lowers what the
    weather may add: the fallbacks a curve is stitched from must not make the hottest days the
    least uncertain."""
    low = int(np.nanargmin(share)) if not np.isnan(share).all() else 0
    low = max(low, int(np.searchsorted(PEER_GRID, start)))
    out = share.copy()
    out[low:] = np.fmax.accumulate(share[low:])
    return out


def peer_share(
    curves: dict[str, np.ndarray], attributes: list[HouseholdAttributes], temps: np.ndarray
) -> np.ndarray:
    """[households, days]: each household's peers' weather share at each day's temperature
    (its group's curve, else its air-conditioner group's, else any; 0 where none). The
    households sharing a curve are interpolated in one call (a call per household was a tenth of
    a trained projection's time); each cell is the same interpolation either way."""
    anyone = next(iter(curves.values()))
    temps = np.asarray(temps, dtype=float)
    if len(attributes) != len(temps):
        raise ValueError(f"{len(attributes)} households' attributes for {len(temps)} rows")
    alike: dict[HouseholdAttributes, list[int]] = {}
    for row, a in enumerate(attributes):
        alike.setdefault(a, []).append(row)
    chosen: dict[int, tuple[np.ndarray, list[int]]] = {}
    for a, rows in alike.items():
        curve = curves.get(group_key(*a), curves.get(f"ac:{ac_key(a[1])}", anyone))
        chosen.setdefault(id(curve), (curve, []))[1].extend(rows)
    out = np.empty(temps.shape)
    for curve, rows in chosen.values():
        out[rows] = np.interp(temps[rows], PEER_GRID, curve)
    return np.nan_to_num(out)


def _fill(values: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), fallback, values)
