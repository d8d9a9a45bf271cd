"""Climate normals (monthly mean °C) of Vietnam's 34 provinces, keyed by vietnam-provinces codes.

Approximate 1991–2020 climatology of each province's main station (data/climate_normals.csv);
used when a day has no observed temperature.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "climate_normals.csv"
NATIONAL = 0  # pseudo-province: mean of all provinces


@cache
def _table() -> tuple[dict[int, np.ndarray], dict[int, str]]:
    """Monthly normals and region (north/central/south) per province code; names come from
    `vietnam-provinces` in the backend, not from here."""
    normals: dict[int, np.ndarray] = {}
    regions: dict[int, str] = {}
    with DATA.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = int(row["province_code"])
            normals[code] = np.array([float(row[f"m{m:02d}"]) for m in range(1, 13)])
            regions[code] = row["region"]
    normals[NATIONAL] = np.mean(list(normals.values()), axis=0)
    return normals, regions


def province_codes() -> list[int]:
    return sorted(code for code in _table()[0] if code != NATIONAL)


def region_of(province_code: int | None) -> str | None:
    return _table()[1].get(province_code) if province_code is not None else None


def _day_of_year_curve(monthly: np.ndarray) -> np.ndarray:
    """366 daily values, linear between mid-month points (wrapping December → January)."""
    mids = np.array([15, 45, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349], dtype=float)
    days = np.arange(1, 367, dtype=float)
    return np.interp(days, np.concatenate([mids - 365, mids, mids + 365]), np.tile(monthly, 3))


@cache
def _curves() -> dict[int, np.ndarray]:
    return {code: _day_of_year_curve(values) for code, values in _table()[0].items()}


def normal_temps(province_codes: np.ndarray, days_of_year: np.ndarray) -> np.ndarray:
    """Vectorised normals: one temperature per (province code, day of year 1–366) pair."""
    curves = _curves()
    out = np.empty(len(days_of_year), dtype=float)
    codes = np.asarray(province_codes)
    for code in np.unique(codes):
        mask = codes == code
        curve = curves.get(int(code), curves[NATIONAL])
        out[mask] = curve[np.asarray(days_of_year)[mask] - 1]
    return out


def normal_temp(province_code: int | None, day: date) -> float:
    curve = _curves().get(province_code or NATIONAL, _curves()[NATIONAL])
    return float(curve[day.timetuple().tm_yday - 1])
