"""Peak hours as EVN announces them (data/peak_hours.toml), with the date each applies from."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import cache
from typing import Any

from backend.billing.tariffs import DATA_DIR


@cache
def _schedules() -> dict[str, Any]:
    with (DATA_DIR / "peak_hours.toml").open("rb") as handle:
        return tomllib.load(handle)


def peak_hours(on: date) -> dict[str, Any]:
    """The schedule applied on `on`, plus announced schedules not yet applied."""
    data = _schedules()
    applied = [s for s in data["schedules"] if s.get("applies_from") and s["applies_from"] <= on]
    current = max(applied, key=lambda s: s["applies_from"])
    announced = [
        s for s in data["schedules"] if not s.get("applies_from") or s["applies_from"] > on
    ]
    return {"current": current, "announced": announced, "hot_weather": data["hot_weather"]}
