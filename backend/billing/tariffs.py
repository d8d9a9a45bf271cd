"""Tariff versions and VAT periods, loaded from data/tariffs.toml and validated once."""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
TARIFFS_FILE = DATA_DIR / "tariffs.toml"


class TariffDataError(ValueError):
    """The tariff file is malformed; raised at start-up, never at request time."""


@dataclass(frozen=True)
class Tariff:
    decision: str
    effective_from: date
    tier_sizes: tuple[int, ...]  # monthly kWh of every tier but the last (open-ended)
    prices: tuple[int, ...]  # đồng/kWh before VAT, one per tier
    prepaid_price: int | None = None

    @property
    def tier_count(self) -> int:
        return len(self.prices)

    def tier_bounds(self) -> list[tuple[int, int | None]]:
        """(first kWh, last kWh or None) of each tier in a regular month: (0, 50), (51, 100)…"""
        bounds: list[tuple[int, int | None]] = []
        low = 0
        for size in self.tier_sizes:
            bounds.append((low if low == 0 else low + 1, low + size))
            low += size
        bounds.append((low + 1, None))
        return bounds


@dataclass(frozen=True)
class VatPeriod:
    start: date
    end: date
    rate: Fraction
    basis: str


@dataclass(frozen=True)
class TariffBook:
    tariffs: tuple[Tariff, ...]  # sorted by effective_from
    default_vat: Fraction
    reduced_vat: tuple[VatPeriod, ...]

    def tariff_on(self, day: date) -> Tariff:
        applicable = [t for t in self.tariffs if t.effective_from <= day]
        if not applicable:
            first = self.tariffs[0].effective_from
            # shown to households (bill estimates): Vietnamese, a date as they write it
            raise LookupError(
                f"chưa có biểu giá điện sinh hoạt trước ngày {first.day}/{first.month}/{first.year}"
            )
        return applicable[-1]

    def changes_within(self, start: date, end: date) -> list[Tariff]:
        """Tariffs that take effect after `start` and on or before `end`."""
        if not self.tariffs[0].effective_from <= end or self.tariffs[-1].effective_from <= start:
            return []  # the common case: no change inside the period
        return [t for t in self.tariffs if start < t.effective_from <= end]

    def vat_on(self, day: date) -> Fraction:
        for period in self.reduced_vat:
            if period.start <= day <= period.end:
                return period.rate
        return self.default_vat


def _require(entry: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in entry:
        raise TariffDataError(f"{where}: missing '{key}'")
    value = entry[key]
    # a TOML date-time is a `datetime`, a subclass of `date` that cannot be compared with one
    if not isinstance(value, kind) or isinstance(value, bool | datetime):
        raise TariffDataError(f"{where}: '{key}' has the wrong type")
    return value


def _table(value: Any, allowed: set[str], where: str) -> dict[str, Any]:
    """A TOML table with only known keys: a misspelt key is an error, not silently ignored."""
    if not isinstance(value, dict):
        raise TariffDataError(f"{where}: expected a table")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise TariffDataError(f"{where}: unknown key(s) {', '.join(unknown)}")
    return value


def _tables(value: Any, allowed: set[str], where: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TariffDataError(f"{where}: expected an array of tables")
    return [_table(entry, allowed, f"{where}[{index}]") for index, entry in enumerate(value)]


def _positive_ints(values: Any, key: str, where: str) -> tuple[int, ...]:
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values
    ):
        raise TariffDataError(f"{where}: '{key}' must be a list of positive integers")
    return tuple(values)


def _rate(text: Any, where: str) -> Fraction:
    try:
        rate = Fraction(str(text))
    except (ValueError, ZeroDivisionError) as exc:
        raise TariffDataError(f"{where}: bad VAT rate {text!r}") from exc
    if not 0 <= rate < 1:
        raise TariffDataError(f"{where}: VAT rate {text!r} outside [0, 1)")
    return rate


TARIFF_KEYS = {"decision", "effective_from", "tier_sizes", "prices", "prepaid_price"}


def parse_tariff_book(data: dict[str, Any]) -> TariffBook:
    _table(data, {"schema_version", "tariffs", "vat"}, "file")
    if data.get("schema_version") != 1:
        raise TariffDataError("schema_version must be 1")
    tariffs = []
    for index, entry in enumerate(_tables(data.get("tariffs"), TARIFF_KEYS, "tariffs")):
        where = f"tariffs[{index}]"
        decision = _require(entry, "decision", str, where)
        effective = _require(entry, "effective_from", date, where)
        sizes = _positive_ints(_require(entry, "tier_sizes", list, where), "tier_sizes", where)
        prices = _positive_ints(_require(entry, "prices", list, where), "prices", where)
        if len(prices) != len(sizes) + 1:
            raise TariffDataError(f"{where}: needs one more price than tier sizes (last is open)")
        prepaid = entry.get("prepaid_price")
        if prepaid is not None:
            prepaid = _positive_ints([prepaid], "prepaid_price", where)[0]
        tariffs.append(Tariff(decision, effective, sizes, prices, prepaid))
    if not tariffs:
        raise TariffDataError("no tariffs")
    tariffs.sort(key=lambda t: t.effective_from)
    dates = [t.effective_from for t in tariffs]
    if len(set(dates)) != len(dates):
        raise TariffDataError("two tariffs take effect on the same day")
    decisions = [t.decision for t in tariffs]
    if len(set(decisions)) != len(decisions):
        raise TariffDataError("a decision number appears twice")
    vat = _table(data.get("vat"), {"default", "reduced"}, "vat")
    default = _rate(vat.get("default"), "vat.default")
    reduced = []
    reduced_keys = {"from", "to", "rate", "basis"}
    for index, entry in enumerate(_tables(vat.get("reduced"), reduced_keys, "vat.reduced")):
        where = f"vat.reduced[{index}]"
        start = _require(entry, "from", date, where)
        end = _require(entry, "to", date, where)
        if end < start:
            raise TariffDataError(f"{where}: 'to' before 'from'")
        reduced.append(
            VatPeriod(start, end, _rate(entry.get("rate"), where), entry.get("basis", ""))
        )
    reduced.sort(key=lambda p: p.start)
    for before, after in itertools.pairwise(reduced):
        if after.start <= before.end:
            raise TariffDataError("VAT periods overlap")
    return TariffBook(tuple(tariffs), default, tuple(reduced))


def read_toml(path: Path) -> dict[str, Any]:
    """A shipped data file; unreadable or not TOML is a TariffDataError naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TariffDataError(f"{path}: {exc}") from exc


def load_tariff_book(path: Path) -> TariffBook:
    return parse_tariff_book(read_toml(path))


@cache
def load_tariffs() -> TariffBook:
    """The shipped tariff book, read once per process."""
    return load_tariff_book(TARIFFS_FILE)
