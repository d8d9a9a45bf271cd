"""The sourced facts (facts.toml): hotlines, legal references, fixed statements and saving tips.

Every entry carries its `source` and the day it was `checked`. The file is validated when first
loaded (the facts blueprint loads it at start-up), and texts get today's peak hours filled in.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from backend.billing.peak_hours import peak_hours
from backend.billing.tariffs import TariffDataError, read_toml

FACTS_FILE = Path(__file__).parent / "facts.toml"
SECTIONS = ("hotlines", "references", "statements", "tips")
REGIONS = ("north", "centre", "south")
SEASONS = ("hot", "cool", "any")
DEFAULTS: dict[str, dict[str, Any]] = {
    "hotlines": {"region": None, "province_codes": [], "aliases": [], "serves": ""},
    "tips": {"appliance": None},
}


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TariffDataError(f"{where}: '{key}' must be non-empty text")
    return value


def _entry(entry: Any, section: str, index: int) -> dict[str, Any]:
    where = f"{section}[{index}]"
    if not isinstance(entry, dict):
        raise TariffDataError(f"{where}: expected a table")
    _text(entry, "source", where)
    checked = entry.get("checked")
    if not isinstance(checked, date) or isinstance(checked, datetime):
        raise TariffDataError(f"{where}: 'checked' must be a date")
    if section == "hotlines":
        _text(entry, "utility", where)
        _text(entry, "name", where)
        numbers = entry.get("numbers")
        if not isinstance(numbers, list) or not numbers:
            raise TariffDataError(f"{where}: 'numbers' must be a non-empty list")
        if entry.get("region") is None and not entry.get("province_codes"):
            raise TariffDataError(f"{where}: needs 'region' or 'province_codes'")
        if entry.get("region") is not None and entry["region"] not in REGIONS:
            raise TariffDataError(f"{where}: 'region' must be one of {', '.join(REGIONS)}")
    else:
        _text(entry, "id", where)
        _text(entry, "text", where)
    if section == "tips" and entry.get("season") not in SEASONS:
        raise TariffDataError(f"{where}: 'season' must be one of {', '.join(SEASONS)}")
    return {**DEFAULTS.get(section, {}), **entry}


def parse_facts(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    if data.get("schema_version") != 1:
        raise TariffDataError("facts: schema_version must be 1")
    facts = {}
    for section in SECTIONS:
        raw = data.get(section)
        if not isinstance(raw, list) or not raw:
            raise TariffDataError(f"facts: no [[{section}]]")
        facts[section] = [_entry(entry, section, index) for index, entry in enumerate(raw)]
    regional = {h.get("region") for h in facts["hotlines"]}
    if not set(REGIONS) <= regional:
        raise TariffDataError("facts: every region needs a hotline")
    return facts


def load_facts_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    return parse_facts(read_toml(path))


@cache
def load_facts() -> dict[str, list[dict[str, Any]]]:
    """The shipped facts, read and validated once per process."""
    return load_facts_file(FACTS_FILE)


def hours_text(ranges: list[str]) -> str:
    """["09:30-11:30", "17:00-20:00"] -> "9:30–11:30 và 17:00–20:00" (as households write them)."""

    def clock(text: str) -> str:
        hour, minute = text.split(":")
        return f"{int(hour)}:{minute}"

    def one(span: str) -> str:
        start, end = span.split("-")
        return f"{clock(start)}–{clock(end)}"

    texts = [one(span) for span in ranges]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " và " + texts[-1]


def _fill(text: str, on: date) -> str:
    hours = peak_hours(on)
    current = hours["current"] or {"peak": []}
    return text.format(
        peak_hours=hours_text(current["peak"]) if current["peak"] else "giờ cao điểm",
        save_hours=hours_text(hours["hot_weather"]["save_hours"]),
    )


def facts_on(on: date) -> dict[str, list[dict[str, Any]]]:
    """The facts as served on day `on`: texts with that day's peak hours filled in."""
    facts = load_facts()
    served: dict[str, list[dict[str, Any]]] = {}
    for section, entries in facts.items():
        served[section] = [
            {**entry, "text": _fill(entry["text"], on)} if "text" in entry else dict(entry)
            for entry in entries
        ]
    return served


def statement(facts: dict[str, list[dict[str, Any]]], statement_id: str) -> str:
    return next(s["text"] for s in facts["statements"] if s["id"] == statement_id)
