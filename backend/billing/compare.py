"""Why a bill changed: the difference between two bills split into parts that add up exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from backend.billing.engine import BillEstimate, estimate_bill, round_half_up
from backend.billing.tariffs import TariffBook, load_tariffs
from backend.money import format_vnd


@dataclass(frozen=True)
class PeriodUsage:
    kwh: int
    period_start: date
    period_end: date

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1


@dataclass(frozen=True)
class Part:
    name: str
    label: str
    amount: int


@dataclass(frozen=True)
class BillComparison:
    previous: PeriodUsage
    current: PeriodUsage
    previous_bill: BillEstimate
    current_bill: BillEstimate
    parts: tuple[Part, ...]

    @property
    def previous_total(self) -> int:
        return self.previous_bill.total

    @property
    def current_total(self) -> int:
        return self.current_bill.total

    @property
    def difference(self) -> int:
        return self.current_total - self.previous_total


LABELS = {
    "more_kwh": "Dùng thêm điện (tính theo giá bình quân kỳ trước)",
    "higher_tiers": "Phần điện dùng thêm rơi vào bậc giá cao hơn",
    "period_length": "Kỳ hóa đơn dài hơn hoặc ngắn hơn",
    "price_change": "Giá điện thay đổi",
    "vat": "Thuế GTGT",
}


def compare_bills(
    previous: PeriodUsage, current: PeriodUsage, book: TariffBook | None = None
) -> BillComparison:
    """Walk from the previous bill to the current one, changing one thing at a time:
    kWh (at the previous average price, then the tier effect), period length (at the previous
    prices), prices, and VAT. Each step's cost is one part, so the parts sum to the difference.
    """
    book = book or load_tariffs()
    old_tariff = book.tariff_on(previous.period_end)

    def at_old_prices(day: date):  # every day priced as at the end of the previous period
        return old_tariff

    before = estimate_bill(
        previous.kwh,
        period_start=previous.period_start,
        period_end=previous.period_end,
        book=book,
    )
    more_kwh_same_period = estimate_bill(
        current.kwh,
        period_start=previous.period_start,
        period_end=previous.period_end,
        book=book,
    )
    new_period_old_prices = estimate_bill(
        current.kwh,
        period_start=current.period_start,
        period_end=current.period_end,
        book=book,
        tariff_on=at_old_prices,
    )
    after = estimate_bill(
        current.kwh, period_start=current.period_start, period_end=current.period_end, book=book
    )
    volume = (
        round_half_up(Fraction((current.kwh - previous.kwh) * before.subtotal, previous.kwh))
        if previous.kwh
        else 0
    )
    steps = [
        ("more_kwh", volume),
        ("higher_tiers", more_kwh_same_period.subtotal - before.subtotal - volume),
        ("period_length", new_period_old_prices.subtotal - more_kwh_same_period.subtotal),
        ("price_change", after.subtotal - new_period_old_prices.subtotal),
        ("vat", after.vat - before.vat),
    ]
    parts = tuple(Part(name, LABELS[name], amount) for name, amount in steps)
    return BillComparison(previous, current, before, after, parts)


def _percent(new: int, old: int) -> int:
    return round_half_up(Fraction(100 * (new - old), old)) if old else 0


def _top_tiers(bill: BillEstimate) -> tuple[int, int, int, int, int] | None:
    """(kWh above tier 4, first tier, last tier, lowest price, highest price) of the top tiers."""
    lines = [
        line for segment in bill.segments for line in segment.tiers if line.kwh and line.tier >= 4
    ]
    if not lines:
        return None
    kwh = sum(line.kwh for line in lines)
    tiers = [line.tier for line in lines]
    prices = [line.price for line in lines]
    return kwh, min(tiers), max(tiers), min(prices), max(prices)


def _price_range(low: int, high: int) -> str:
    fmt = format_vnd
    return f"{fmt(low)}/kWh" if low == high else f"{fmt(low)[:-2]}–{fmt(high)}/kWh"


def _change(amount: int) -> str:
    verb = "làm tiền điện tăng" if amount > 0 else "giúp tiền điện giảm"
    return f"{verb} {format_vnd(abs(amount))}"


def explain_comparison_vi(comparison: BillComparison) -> str:
    """Two or three Vietnamese sentences a household understands."""
    prev, cur = comparison.previous, comparison.current
    kwh_change = _percent(cur.kwh, prev.kwh)
    money_change = _percent(comparison.current_total, comparison.previous_total)
    parts = {part.name: part.amount for part in comparison.parts}
    sentences = []
    if comparison.difference == 0:
        return f"Tiền điện kỳ này bằng kỳ trước: {format_vnd(comparison.current_total)}."
    direction = "tăng" if comparison.difference > 0 else "giảm"
    use = "nhiều hơn" if cur.kwh >= prev.kwh else "ít hơn"
    first = (
        f"Kỳ này nhà bạn dùng {cur.kwh} kWh, {use} {abs(kwh_change)}% so với kỳ trước "
        f"({prev.kwh} kWh), còn tiền điện {direction} {abs(money_change)}% "
        f"({format_vnd(comparison.previous_total)} → {format_vnd(comparison.current_total)})"
    )
    top = _top_tiers(comparison.current_bill)
    if parts["higher_tiers"] > 0 and top and money_change > kwh_change:
        kwh, low_tier, high_tier, low_price, high_price = top
        tiers = f"bậc {low_tier}" if low_tier == high_tier else f"bậc {low_tier}–{high_tier}"
        first += (
            f" vì {kwh} kWh cuối tính ở {tiers} ({_price_range(low_price, high_price)}), "
            "đắt hơn giá bình quân"
        )
    sentences.append(first + ".")
    if parts["period_length"] and cur.days != prev.days:
        longer = "dài" if cur.days > prev.days else "ngắn"
        sentences.append(
            f"Kỳ này {longer} hơn ({cur.days} ngày so với {prev.days} ngày) nên các bậc giá "
            f"được tính lại theo số ngày, {_change(parts['period_length'])}."
        )
    if parts["price_change"]:
        sentences.append(f"Giá điện thay đổi trong kỳ, {_change(parts['price_change'])}.")
    elif comparison.difference > 0 and len(sentences) < 3:
        sentences.append(
            "Trời nóng, điều hòa chạy nhiều là nguyên nhân thường gặp: "
            "đặt điều hòa từ 26–27 °C kèm quạt sẽ giúp giảm đáng kể."
        )
    return " ".join(sentences[:3])
