"""EVN residential bill calculation in whole đồng (rules: shared/reference/tariff.md).

Only ints and Fractions: no float touches money. Three roundings, all half up (x.5 -> x+1), in
integer arithmetic (div_half_up):
- kWh at the old price across a price change: round(S × Nc ÷ D), the rest to the new price;
  with several changes, cumulative kWh up to each change are rounded, so segments add up to S;
- each tier size: monthly size × segment days ÷ T × households, rounded on its own;
- VAT: subtotal × rate, once on the whole bill.
The published checks (EVN Hà Nội 2019: 117 kWh old, tiers 11/11/23/23/23 and 39/39/77/77/77;
the 57-day period's 92/184) agree with this, but none of them contains an exact .5, so half-up
versus half-to-even is a choice, pinned by tests, not something the examples prove.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache

from backend.billing.tariffs import Tariff, TariffBook, load_tariffs
from backend.clock import local_today
from backend.money import group_digits
from backend.services.errors import InvalidInput

MAX_KWH = 10_000_000  # far above any household; keeps every amount well below 2**53
MAX_PERIOD_DAYS = 100
MAX_HOUSEHOLDS = 1000
METER_KINDS = ("postpaid", "prepaid")


@dataclass(frozen=True)
class Renters:
    people: int
    registered: bool


@dataclass(frozen=True)
class TierLine:
    tier: int
    kwh: int
    price: int
    amount: int


@dataclass(frozen=True)
class Segment:
    tariff: str
    start: date
    end: date
    kwh: int
    tiers: tuple[TierLine, ...]

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.tiers)


@dataclass(frozen=True)
class BillEstimate:
    subtotal: int
    vat: int
    vat_rate: Fraction
    total: int
    segments: tuple[Segment, ...]


def round_half_up(value: Fraction) -> int:
    return div_half_up(value.numerator, value.denominator)


def div_half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up, in integers (denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _check_int(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("phải là số nguyên", field)
    if not low <= value <= high:
        raise InvalidInput(f"phải từ {group_digits(low)} đến {group_digits(high)}", field)
    return value


def household_factor(households: Fraction | int, renters: Renters | None) -> Fraction:
    """How many households' tiers the meter gets: shared meters, registered renters (4 = 1)."""
    factor = households if isinstance(households, Fraction) else Fraction(households)
    if factor <= 0 or factor > MAX_HOUSEHOLDS:
        raise InvalidInput(f"phải lớn hơn 0 và không quá {MAX_HOUSEHOLDS}", "households")
    if renters is not None:
        _check_int(renters.people, "renters.people", 1, 4 * MAX_HOUSEHOLDS)
        if renters.registered:
            factor = Fraction(renters.people, 4)
    return factor


def split_tiers(kwh: int, sizes: tuple[int, ...], prices: tuple[int, ...]) -> tuple[TierLine, ...]:
    """Fill the tiers in order (sizes: every tier but the last); the last tier takes the rest."""
    lines = []
    remaining = kwh
    tier = 0
    for size, price in zip(sizes, prices, strict=False):  # prices has one more: the open tier
        tier += 1
        take = size if remaining > size else remaining
        lines.append(TierLine(tier, take, price, take * price))
        remaining -= take
    last = prices[-1]
    lines.append(TierLine(tier + 1, remaining, last, remaining * last))
    return tuple(lines)


def price_segment(
    tariff: Tariff,
    kwh: int,
    scale: tuple[int, int],
    meter: str,
    renters: Renters | None,
) -> tuple[TierLine, ...]:
    """Tier lines of one segment. `scale` = (numerator, denominator) of days ÷ T × households."""
    if meter == "prepaid":
        if tariff.prepaid_price is None:
            raise InvalidInput(
                f"Quyết định {tariff.decision} không có giá công tơ trả trước", "meter"
            )
        return (TierLine(1, kwh, tariff.prepaid_price, kwh * tariff.prepaid_price),)
    if renters is not None and not renters.registered:
        price = tariff.prices[2]  # unregistered occupants: every kWh at tier 3 (101–200 kWh)
        return (TierLine(3, kwh, price, kwh * price),)
    return split_tiers(kwh, scaled_sizes(tariff.tier_sizes, scale), tariff.prices)


@lru_cache(maxsize=4096)
def scaled_sizes(sizes: tuple[int, ...], scale: tuple[int, int]) -> tuple[int, ...]:
    """Each tier size × scale, rounded half up on its own (a few distinct scales recur: cached,
    hence a tuple)."""
    numerator, denominator = scale
    return tuple(div_half_up(size * numerator, denominator) for size in sizes)


def validate_period(period_start: date | None, period_end: date | None) -> None:
    if (period_start is None) != (period_end is None):
        field = "period_end" if period_end is None else "period_start"
        raise InvalidInput("cần cả ngày đầu kỳ và ngày cuối kỳ, hoặc bỏ trống cả hai", field)
    if period_start is not None and period_end is not None:
        if period_end < period_start:
            raise InvalidInput("ngày cuối kỳ phải sau ngày đầu kỳ", "period_end")
        if (period_end - period_start).days + 1 > MAX_PERIOD_DAYS:
            raise InvalidInput(f"một kỳ hóa đơn dài tối đa {MAX_PERIOD_DAYS} ngày", "period_end")


def _segments(
    book: TariffBook,
    kwh: int,
    start: date,
    end: date,
    factor: Fraction,
    meter: str,
    renters: Renters | None,
    tariff_on: Callable[[date], Tariff],
) -> tuple[Segment, ...]:
    """Split the period at price changes; old kWh = round(S × days before ÷ D), the rest after."""
    total_days = (end - start).days + 1
    month_days = calendar.monthrange(start.year, start.month)[1]
    boundaries = [start] + [t.effective_from for t in book.changes_within(start, end)]
    segments = []
    allocated = 0
    for index, seg_start in enumerate(boundaries):
        last = index == len(boundaries) - 1
        seg_end = end if last else boundaries[index + 1] - timedelta(days=1)
        days_through = (seg_end - start).days + 1
        cumulative = kwh if last else div_half_up(kwh * days_through, total_days)
        seg_kwh = cumulative - allocated
        allocated = cumulative
        days = (seg_end - seg_start).days + 1
        tariff = tariff_on(seg_start)
        scale = (days * factor.numerator, month_days * factor.denominator)
        lines = price_segment(tariff, seg_kwh, scale, meter, renters)
        segments.append(Segment(tariff.decision, seg_start, seg_end, seg_kwh, lines))
    return tuple(segments)


def estimate_bill(
    kwh: int,
    *,
    period_start: date | None = None,
    period_end: date | None = None,
    households: Fraction | int = 1,
    meter: str = "postpaid",
    renters: Renters | None = None,
    today: date | None = None,
    book: TariffBook | None = None,
    tariff_on: Callable[[date], Tariff] | None = None,
) -> BillEstimate:
    """The bill EVN would issue. Without a period: today's tariff and VAT, tiers unscaled.

    `tariff_on` overrides which tariff prices a day (used by bill comparison to price a period
    at another period's prices).
    """
    book = book or load_tariffs()
    _check_int(kwh, "kwh", 0, MAX_KWH)
    if meter not in METER_KINDS:
        raise InvalidInput(f"phải là một trong các giá trị: {', '.join(METER_KINDS)}", "meter")
    validate_period(period_start, period_end)
    factor = household_factor(households, renters)
    day = today or local_today()
    try:
        tariff_on = tariff_on or book.tariff_on
        if period_start is None or period_end is None:
            tariff = tariff_on(day)
            scale = (factor.numerator, factor.denominator)
            lines = price_segment(tariff, kwh, scale, meter, renters)
            segments: tuple[Segment, ...] = (Segment(tariff.decision, day, day, kwh, lines),)
            vat_day = day
        else:
            segments = _segments(
                book, kwh, period_start, period_end, factor, meter, renters, tariff_on
            )
            vat_day = period_end
    except LookupError as exc:
        raise InvalidInput(str(exc), "period_start") from exc
    subtotal = sum(segment.amount for segment in segments)
    rate = book.vat_on(vat_day)
    vat = div_half_up(subtotal * rate.numerator, rate.denominator)
    return BillEstimate(subtotal, vat, rate, subtotal + vat, segments)


def kwh_for_budget(
    amount: int,
    today: date | None = None,
    book: TariffBook | None = None,
    *,
    households: Fraction | int = 1,
    meter: str = "postpaid",
    renters: Renters | None = None,
) -> tuple[int, int]:
    """The most whole kWh whose bill (today's tariff, VAT included, unscaled) fits in `amount`,
    for the meter's situation as `estimate_bill` prices it (a shared or prepaid meter, renters)."""
    _check_int(amount, "amount", 0, 10**13)

    def total(kwh: int) -> int:
        return estimate_bill(
            kwh, today=today, book=book, households=households, meter=meter, renters=renters
        ).total

    low, high = 0, MAX_KWH
    most = total(high)
    if most < amount:  # no capped answer: the most kWh is not what the amount buys
        raise InvalidInput(
            f"quá lớn: {group_digits(MAX_KWH)} kWh, mức lớn nhất tính được, chỉ hết "
            f"{group_digits(most)} đ",
            "amount",
        )
    if most == amount:
        return high, amount
    while low < high:  # invariant: total(low) <= amount < total(high + 1) somewhere above
        middle = (low + high + 1) // 2
        if total(middle) <= amount:
            low = middle
        else:
            high = middle - 1
    return low, total(low)
