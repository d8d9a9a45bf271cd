"""Provinces and wards named the way people type them: accents optional, prefixes optional,
small typos forgiven. Names and codes are the `vietnam-provinces` ones (the 2025 map)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, Ward

# what people write for a province that is not in its name
PROVINCE_ALIASES = {
    "hn": 1,
    "hcm": 79,
    "tphcm": 79,
    "tp hcm": 79,
    "sai gon": 79,
    "saigon": 79,
    "sg": 79,
}
PREFIXES = re.compile(r"^(?:tinh|thanh pho|tp|phuong|xa|dac khu|thi tran|quan|huyen|p|x|q)\s+")
CUTOFF = 0.8


@dataclass(frozen=True)
class Place:
    code: int
    name: str


@dataclass(frozen=True)
class Match:
    """The place the text names, or the close candidates when it names none for sure."""

    place: Place | None
    candidates: tuple[Place, ...] = ()


def fold(text: str) -> str:
    """'Thành phố Hồ Chí Minh' → 'thanh pho ho chi minh' (no accents, no punctuation)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def bare(name: str) -> str:
    """The folded name without its division ('phường', 'tỉnh', 'TP.')."""
    folded = fold(name)
    while True:
        stripped = PREFIXES.sub("", folded)
        if stripped == folded or not stripped:
            return folded
        folded = stripped


@cache
def _provinces() -> tuple[tuple[str, Place], ...]:
    return tuple((bare(p.name), Place(int(p.code.value), str(p.name))) for p in Province.iter_all())


@cache
def _wards(province_code: int) -> tuple[tuple[str, Place], ...]:
    return tuple(
        (bare(w.name), Place(int(w.code.value), str(w.name)))
        for w in Ward.iter_all()
        if int(w.province_code.value) == province_code
    )


def _match(text: str, names: tuple[tuple[str, Place], ...], aliases: dict[str, int]) -> Match:
    wanted = bare(text)
    if not wanted:
        return Match(None)
    if wanted in aliases:
        code = aliases[wanted]
        return Match(next(place for _, place in names if place.code == code))
    exact = [place for name, place in names if name == wanted]
    if len(exact) == 1:
        return Match(exact[0])
    if len(exact) > 1:
        return Match(None, tuple(exact))
    # the name inside a longer message: "lịch cắt điện ở Cầu Giấy Hà Nội"
    padded = f" {fold(text)} "
    inside = [place for name, place in names if f" {name} " in padded]
    inside += [
        place
        for alias, code in aliases.items()
        if f" {alias} " in padded
        for _, place in names
        if place.code == code
    ]
    inside = list(dict.fromkeys(inside))
    if len(inside) == 1:
        return Match(inside[0])
    if inside:
        longest = max(len(bare(place.name)) for place in inside)
        best = [place for place in inside if len(bare(place.name)) == longest]
        return Match(best[0]) if len(best) == 1 else Match(None, tuple(best))
    close = difflib.get_close_matches(wanted, [name for name, _ in names], n=3, cutoff=CUTOFF)
    found = [place for name, place in names if name in close]
    if len(close) == 1 and len(found) == 1:
        return Match(found[0])
    return Match(None, tuple(found))


def match_province(*, text: str) -> Match:
    """The province `text` names: 'Hà Nội', 'ha noi', 'tp hcm', 'Thanh Hoá', 'da nang'."""
    return _match(text, _provinces(), PROVINCE_ALIASES)


def match_ward(*, province_code: int, text: str) -> Match:
    """The ward (phường, xã, đặc khu) of the province that `text` names."""
    return _match(text, _wards(province_code), {})
