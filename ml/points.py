"""One point per province (its capital's coordinates) for weather lookups by coordinates."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "province_points.csv"


@cache
def province_points() -> dict[int, tuple[float, float]]:
    """province code → (latitude, longitude) of its administrative centre."""
    with DATA.open(encoding="utf-8") as handle:
        return {
            int(row["province_code"]): (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        }
