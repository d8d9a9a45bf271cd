"""Facts the bot repeats, read from the backend (GET /api/v1/facts and /api/v1/peak-hours).

Nothing here is typed into the bot: hotlines, tips, statements and peak hours come from the
backend's data files (backend/content/facts.toml, backend/billing/data/peak_hours.toml), so a
changed fact reaches the bot without a bot release. The last good answer is kept in memory for
when the backend is briefly unreachable.
"""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

from actions.backend_client import BackendClient, BackendError, BackendUnavailable

_last_good: dict[str, Any] = {}
NO_FACTS_HOTLINE = "tổng đài điện lực nơi bạn ở (số in trên hóa đơn tiền điện, 24/7)"
ASK_PROVINCE = (
    "Hà Nội và TP.HCM có tổng đài riêng: bạn cho tôi biết tỉnh/thành phố nơi bạn ở "
    "(hoặc liên kết tài khoản) để tôi đưa đúng số."
)


def _fetch(backend: BackendClient, path: str) -> dict[str, Any] | None:
    try:
        body = backend.get(path)
    except (BackendUnavailable, BackendError):
        return _last_good.get(path)
    _last_good[path] = body
    return body


def facts(backend: BackendClient) -> dict[str, Any] | None:
    """{"hotlines", "references", "statements", "tips"}, or None when never reachable."""
    return _fetch(backend, "/api/v1/facts")


def peak_hours(backend: BackendClient) -> dict[str, Any] | None:
    """{"current", "announced", "hot_weather"}, or None when never reachable."""
    return _fetch(backend, "/api/v1/peak-hours")


def statement(data: dict[str, Any], statement_id: str) -> str:
    return next(s["text"] for s in data["statements"] if s["id"] == statement_id)


def reference(data: dict[str, Any], reference_id: str) -> str:
    return next(r["text"] for r in data["references"] if r["id"] == reference_id)


def hours_text(ranges: list[str]) -> str:
    """["09:30-11:30", "17:00-20:00"] -> "9:30–11:30 và 17:00–20:00"."""

    def clock(text: str) -> str:
        hour, minute = text.split(":")
        return f"{int(hour)}:{minute}"

    texts = [f"{clock(a)}–{clock(b)}" for a, b in (span.split("-") for span in ranges)]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " và " + texts[-1]


def _numbers(entry: dict[str, Any]) -> str:
    return " hoặc ".join(entry["numbers"])


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def utility_for(
    data: dict[str, Any], region: str | None, province_code: int | None, text: str = ""
) -> dict[str, Any] | None:
    """The utility serving a province (by code, else by a place named in `text`, else by region)."""
    hotlines = data["hotlines"]
    for entry in hotlines:
        if province_code is not None and province_code in (entry.get("province_codes") or []):
            return entry
    said = _folded(text)
    for entry in hotlines:
        for alias in entry.get("aliases") or []:
            if re.search(rf"(?<!\w){re.escape(_folded(alias))}(?!\w)", said):
                return entry
    if province_code is not None and region:
        return next((e for e in hotlines if e.get("region") == region), None)
    return None


def hotline(
    data: dict[str, Any] | None,
    region: str | None,
    province_code: int | None = None,
    text: str = "",
) -> tuple[str, str]:
    """(what to call, as the object of "gọi"/"báo": "tổng đài 1900 545454 (EVN TP.HCM, 24/7)";
    a sentence to end the reply with). A household whose province is unknown gets the three
    regional numbers and is asked for its province (never Hà Nội's or TP.HCM's by default)."""
    if data is None:
        return NO_FACTS_HOTLINE, ""
    entry = utility_for(data, region, province_code, text)
    if entry is not None:
        return f"tổng đài {_numbers(entry)} ({entry['name']}, 24/7)", ""
    regional = [e for e in data["hotlines"] if e.get("region")]
    listed = ", ".join(f"{e['name']} {_numbers(e)}" for e in regional)
    return f"tổng đài điện lực nơi bạn ở (24/7): {listed}", ASK_PROVINCE


def tips_for(
    data: dict[str, Any], appliance: str | None, rng: random.Random | None = None
) -> list[str]:
    """Tips for the appliance asked about, else the general ones (no appliance), shuffled."""
    tips = data["tips"]
    chosen = [t["text"] for t in tips if appliance and t.get("appliance") == appliance]
    chosen = chosen or [t["text"] for t in tips if not t.get("appliance")]
    (rng or random).shuffle(chosen)
    return chosen
