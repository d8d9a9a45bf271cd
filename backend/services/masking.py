"""Masking of personal data in what staff read: phone numbers, EVN customer codes, addresses and
names people type into the chat. Masked by default; a supervisor may reveal one conversation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# 0xxx / 84xxx / +84xxx with optional spaces, dots or dashes between digits (9–10 digits after).
_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)(?:[ .-]?\d){8,10}(?![\w])")
# EVN customer code: 2 letters + 11 digits, e.g. PE01000123456.
_CUSTOMER_CODE = re.compile(r"(?<![^\W_])[A-Za-z]{2}\d{11}(?!\w)")
_CLAUSE = r"[^.;!?\n]+"
_ADDRESS_AFTER = re.compile(
    rf"(?i)\b(?:địa chỉ|dia chi|đ/c|số nhà|so nha|nhà số|nha so)\s*(?:là|la|:)?\s*({_CLAUSE})"
)
# "12 Lê Lợi", "số 5 ngõ 34 phố Huế", "hẻm 51 Nguyễn Trãi": a street word followed by a name that
# starts with a capital or a number (so "đường dây" or "thành phố" are left alone).
_STREET = re.compile(
    r"(?<![Tt]hành )(?<![Tt]hanh )(?:(?:số\s*)?\d+[\w/]*\s+)?(?:đường|phố|ngõ|ngách|hẻm|kiệt|duong|pho|ngo|hem)\s+"
    r"(?=\d|[A-ZĐÂĂÊÔƠƯÀ-ỸẠ-Ỹ])[^,.;!?\n]+",
)
_NAME_INTRO = re.compile(
    r"(?i)\b(?:tên (?:tôi|em|mình|con|cháu|tui|t|e) là|tên (?:tôi|em|mình|tui) là|"
    r"ten (?:toi|em|minh|t|e) la|(?:tôi|em|mình|tui|toi|minh) tên(?: là)?|"
    r"(?:toi|em|minh) ten(?: la)?)\s+((?:[^\W\d_]+\s*){1,4})"
)
_NOT_NAME = {
    "ở",
    "o",
    "nhà",
    "nha",
    "và",
    "va",
    "số",
    "so",
    "muốn",
    "muon",
    "cần",
    "can",
    "hỏi",
    "hoi",
    "ạ",
    "a",
    "nhé",
    "nhe",
    "đây",
    "day",
    "sống",
    "song",
    "địa",
    "dia",
    "thì",
    "thi",
}

MASK_NAME = "[tên đã ẩn]"
MASK_ADDRESS = "[địa chỉ đã ẩn]"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # phone, customer_code, address, name


def _keep_ends(value: str, head: int, tail: int) -> str:
    chars = [c for c in value if c.isalnum() or c == "+"]
    hidden = max(len(chars) - head - tail, 0)
    return "".join(chars[:head]) + "*" * hidden + "".join(chars[len(chars) - tail :])


def _name_end(match: re.Match[str]) -> int:
    """The intro names up to four words; stop at the first word that is not part of a name."""
    start = match.start(1)
    end = start
    for word in re.finditer(r"[^\W\d_]+", match.group(1)):
        if word.group().lower() in _NOT_NAME:
            break
        end = start + word.end()
    return end


def find_personal_data(text: str) -> list[Span]:
    """Non-overlapping spans of personal data, in text order."""
    spans: list[Span] = []
    spans += [Span(m.start(), m.end(), "phone") for m in _PHONE.finditer(text)]
    spans += [Span(m.start(), m.end(), "customer_code") for m in _CUSTOMER_CODE.finditer(text)]
    spans += [Span(m.start(1), m.end(1), "address") for m in _ADDRESS_AFTER.finditer(text)]
    spans += [Span(m.start(), m.end(), "address") for m in _STREET.finditer(text)]
    for match in _NAME_INTRO.finditer(text):
        end = _name_end(match)
        if end > match.start(1):
            spans.append(Span(match.start(1), end, "name"))
    return list(_without_overlaps(spans))


def _without_overlaps(spans: list[Span]) -> Iterator[Span]:
    """Longest first wins, then text order."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if chosen and span.start < chosen[-1].end:
            if span.end > chosen[-1].end:
                last = chosen.pop()
                chosen.append(Span(last.start, span.end, last.kind))
            continue
        chosen.append(span)
    yield from chosen


def masked_value(value: str, kind: str) -> str:
    if kind == "phone":
        return _keep_ends(value, 3, 2)
    if kind == "customer_code":
        return _keep_ends(value, 2, 2)
    if kind == "name":
        return MASK_NAME
    return MASK_ADDRESS


def mask_text(text: str | None) -> str:
    """The text with each piece of personal data replaced by its mask."""
    if not text:
        return text or ""
    out: list[str] = []
    position = 0
    for span in find_personal_data(text):
        out.append(text[position : span.start])
        out.append(masked_value(text[span.start : span.end], span.kind))
        position = span.end
    out.append(text[position:])
    return "".join(out)


def mask_phone(phone: str | None) -> str:
    return _keep_ends(phone, 3, 2) if phone else ""


def mask_customer_code(code: str | None) -> str:
    return _keep_ends(code, 2, 2) if code else ""


def mask_name(name: str | None) -> str:
    """Initials only: "Nguyễn Thị Lan" → "N. T. L."."""
    return " ".join(f"{word[0]}." for word in (name or "").split()) if name else ""
