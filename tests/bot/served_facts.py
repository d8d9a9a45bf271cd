"""What the backend serves at /api/v1/facts and /api/v1/peak-hours, built from its data files
(backend/content/facts.toml, backend/billing/data/peak_hours.toml) for fake backends."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import tomli

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomli.load(handle)


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def served_peak_hours() -> dict[str, Any]:
    data = _load(ROOT / "backend" / "billing" / "data" / "peak_hours.toml")
    applied = [s for s in data["schedules"] if s.get("applies_from")]
    announced = [{**s, "applies_from": None} for s in data["schedules"] if s not in applied]
    return _jsonable(
        {"current": applied[-1], "announced": announced, "hot_weather": data["hot_weather"]}
    )


def served_facts() -> dict[str, Any]:
    data = _load(ROOT / "backend" / "content" / "facts.toml")
    served = {k: data[k] for k in ("hotlines", "references", "statements", "tips")}
    for tip in served["tips"]:
        tip["text"] = tip["text"].format(
            peak_hours="9:30–11:30 và 17:00–20:00", save_hours="11:30–14:30 và 20:00–22:00"
        )
    return _jsonable(copy.deepcopy(served))
