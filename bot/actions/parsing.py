"""Numbers as Vietnamese households write them: "350 số", "500k", "1tr2", "nửa triệu", "2 củ"."""

from __future__ import annotations

import re

from components.text import strip_diacritics

_NUMBER = r"\d+(?:[.,]\d+)*"
_MILLION_WORDS = r"(?:trieu|tr|cu|m)"
_THOUSAND_WORDS = r"(?:nghin|ngan|k|ng)"


def _plain(text: str) -> str:
    return strip_diacritics(text).lower().strip()


def _to_number(text: str) -> float:
    """'1.200.000' → 1200000, '1,5' → 1.5, '1.5' → 1.5."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        return float(re.sub(r"[.,]", "", text))
    return float(text.replace(",", "."))


def parse_money(text: str | float | int | None) -> int | None:
    """Amount in đồng, or None when the text holds no amount."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return int(text) if text >= 0 else None
    plain = _plain(text)
    if re.search(r"\bnua\s*(?:trieu|tr|cu)\b", plain):
        return 500_000
    match = re.search(rf"({_NUMBER})\s*{_MILLION_WORDS}\s*(ruoi|\d)?\b", plain)
    if match:
        amount = _to_number(match.group(1)) * 1_000_000
        tail = match.group(2)
        if tail == "ruoi":
            amount += 500_000
        elif tail:
            amount += int(tail) * 100_000
        return round(amount)
    match = re.search(rf"({_NUMBER})\s*{_THOUSAND_WORDS}\b", plain)
    if match:
        return round(_to_number(match.group(1)) * 1000)
    match = re.search(rf"({_NUMBER})\s*(?:d|dong|vnd)?\b", plain)
    if match:
        value = _to_number(match.group(1))
        return int(value) if value >= 1000 else None  # "500" alone is not an amount of money
    return None


def parse_whole_number(text: str | float | int | None) -> int | None:
    """A whole non-negative number (kWh or a meter index) in the text; None when absent/invalid."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return int(text) if text >= 0 and float(text).is_integer() else None
    plain = _plain(text)
    if re.search(r"-\s*\d", plain):
        return None
    match = re.search(r"\d+(?:[.,]\d+)*", plain)
    if not match:
        return None
    raw = match.group(0)
    if re.fullmatch(r"\d{1,3}(?:[.]\d{3})+", raw):  # "12.345" written with a thousands dot
        return int(raw.replace(".", ""))
    if re.search(r"[.,]", raw):
        return None  # a fraction of a kWh is not accepted
    return int(raw)
