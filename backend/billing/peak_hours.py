"""Peak hours as EVN announces them (data/peak_hours.toml), with the date each applies from.

Households pay no time-of-use price; the hours matter as EVN's appeal to shift use. The file is
validated when first loaded (the bills blueprint loads it at start-up).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from backend.billing.tariffs import DATA_DIR, TariffDataError, read_toml

PEAK_HOURS_FILE = DATA_DIR / "peak_hours.toml"
RANGE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$")
SCHEDULE_KEYS = {"basis", "applies_from", "peak", "normal", "off_peak", "peak_days"}


def _ranges(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and RANGE.match(v) for v in value):
        raise TariffDataError(f"{where}: expected a list of 'HH:MM-HH:MM' ranges")
    return list(value)


def _schedule(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise TariffDataError(f"{where}: expected a table")
    unknown = sorted(set(entry) - SCHEDULE_KEYS)
    if unknown:
        raise TariffDataError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if not isinstance(entry.get("basis"), str) or not isinstance(entry.get("peak_days"), str):
        raise TariffDataError(f"{where}: 'basis' and 'peak_days' must be text")
    applies_from = entry.get("applies_from")
    if applies_from is not None and (
        not isinstance(applies_from, date) or isinstance(applies_from, datetime)
    ):
        raise TariffDataError(f"{where}: 'applies_from' must be a date")
    return {
        "basis": entry["basis"],
        "applies_from": applies_from,  # None: announced, not applied yet
        "peak": _ranges(entry.get("peak"), f"{where}.peak"),
        "normal": _ranges(entry.get("normal"), f"{where}.normal"),
        "off_peak": _ranges(entry.get("off_peak"), f"{where}.off_peak"),
        "peak_days": entry["peak_days"],
    }


def parse_peak_hours(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("schema_version") != 1:
        raise TariffDataError("peak hours: schema_version must be 1")
    raw = data.get("schedules")
    if not isinstance(raw, list) or not raw:
        raise TariffDataError("peak hours: no schedules")
    schedules = [_schedule(entry, f"schedules[{index}]") for index, entry in enumerate(raw)]
    if not any(s["applies_from"] for s in schedules):
        raise TariffDataError("peak hours: no schedule has an 'applies_from' date")
    hot = data.get("hot_weather")
    if not isinstance(hot, dict):
        raise TariffDataError("peak hours: missing [hot_weather]")
    return {
        "schedules": schedules,
        "hot_weather": {"save_hours": _ranges(hot.get("save_hours"), "hot_weather.save_hours")},
    }


def load_peak_hours_file(path: Path) -> dict[str, Any]:
    return parse_peak_hours(read_toml(path))


@cache
def load_peak_hours() -> dict[str, Any]:
    """The shipped schedules, read and validated once per process."""
    return load_peak_hours_file(PEAK_HOURS_FILE)


def peak_hours(on: date) -> dict[str, Any]:
    """{"current": the schedule applied on `on` (None before the first one), "announced":
    schedules not applied yet on that day, "hot_weather": {"save_hours": [...]}}."""
    data = load_peak_hours()
    applied = [s for s in data["schedules"] if s["applies_from"] and s["applies_from"] <= on]
    announced = [s for s in data["schedules"] if s not in applied]
    current = max(applied, key=lambda s: s["applies_from"]) if applied else None
    return {"current": current, "announced": announced, "hot_weather": data["hot_weather"]}
