"""Why a bill changed: the difference between two bills split into parts that add up exactly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from backend.billing.engine import BillEstimate, div_half_up, estimate_bill
from backend.billing.tariffs import Tariff, TariffBook, load_tariffs
from backend.money import format_vnd
from backend.services.errors import InvalidInput


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


@dataclass(frozen=True)
class HouseholdContext:
    """What is known of the household for the explanation: its air conditioners and the mean
    temperature observed in each period (None: not known, then weather is not mentioned)."""

    air_conditioners: int | None = None
    previous_avg_temp_c: float | None = None
    current_avg_temp_c: float | None = None

    def hotter_with_cooling(self) -> bool:
        """Weather explains a rise only when the current period was seen to be hot and clearly
        hotter than the previous one, and the home has an air conditioner."""
        before, now = self.previous_avg_temp_c, self.current_avg_temp_c
        if not self.air_conditioners or before is None or now is None:
            return False
        return now >= HOT_PERIOD_C and now - before >= WARMER_BY_C


HOT_PERIOD_C = 26.0
WARMER_BY_C = 1.5

LABELS = {
    "more_kwh": "Dùng thêm điện (tính theo giá bình quân kỳ trước)",
    "higher_tiers": "Phần điện dùng thêm rơi vào bậc giá cao hơn",
    "period_length": "Kỳ hóa đơn dài hơn hoặc ngắn hơn",
    "price_change": "Giá điện thay đổi",
    "vat": "Thuế GTGT",
}


def _bill(
    usage: PeriodUsage,
    which: str,
    book: TariffBook,
    tariff_on: Callable[[date], Tariff] | None = None,
) -> BillEstimate:
    """The bill of one period; a bad input names its field inside `which` ("previous.kwh")."""
    try:
        return estimate_bill(
            usage.kwh,
            period_start=usage.period_start,
            period_end=usage.period_end,
            book=book,
            tariff_on=tariff_on,
        )
    except InvalidInput as exc:
        field = f"{which}.{exc.field}" if exc.field else which
        raise InvalidInput(exc.message, field) from exc


def compare_bills(
    previous: PeriodUsage, current: PeriodUsage, book: TariffBook | None = None
) -> BillComparison:
    """Walk from the previous bill to the current one, changing one thing at a time, every
    intermediate bill priced at one tariff (the one in force at the previous period's end):

    - more_kwh: the kWh difference at the previous bill's average price (for a previous bill of
      0 kWh, the price of its first kWh);
    - higher_tiers: the rest of the cost of the current kWh over the previous period (the extra
      kWh reaching dearer tiers, or leaving them);
    - period_length: the current kWh over the current period (tiers scaled to its days);
    - price_change: real prices instead of that one tariff, in both periods;
    - vat: the difference in VAT.
    Each part is a difference of whole-đồng bills, so the parts add up exactly.
    """
    book = book or load_tariffs()
    before = _bill(previous, "previous", book)
    after = _bill(current, "current", book)
    old_tariff = book.tariff_on(previous.period_end)  # exists: `before` was priced

    def at_old_prices(day: date) -> Tariff:
        return old_tariff

    previous_old = _bill(previous, "previous", book, at_old_prices)
    same_period = PeriodUsage(current.kwh, previous.period_start, previous.period_end)
    more_kwh_same_period = _bill(same_period, "current", book, at_old_prices)
    current_old = _bill(current, "current", book, at_old_prices)
    extra_kwh = current.kwh - previous.kwh
    if previous.kwh:
        volume = _div_half_up_signed(extra_kwh * previous_old.subtotal, previous.kwh)
    else:
        one = PeriodUsage(1, previous.period_start, previous.period_end)
        volume = extra_kwh * _bill(one, "previous", book, at_old_prices).subtotal
    price_change = (previous_old.subtotal - before.subtotal) + (
        after.subtotal - current_old.subtotal
    )
    steps = [
        ("more_kwh", volume),
        ("higher_tiers", more_kwh_same_period.subtotal - previous_old.subtotal - volume),
        ("period_length", current_old.subtotal - more_kwh_same_period.subtotal),
        ("price_change", price_change),
        ("vat", after.vat - before.vat),
    ]
    parts = tuple(Part(name, LABELS[name], amount) for name, amount in steps)
    return BillComparison(previous, current, before, after, parts)


def _div_half_up_signed(numerator: int, denominator: int) -> int:
    """Round half away from zero, so a drop mirrors the same rise (denominator > 0)."""
    if numerator < 0:
        return -div_half_up(-numerator, denominator)
    return div_half_up(numerator, denominator)


def _percent(new: int, old: int) -> int:
    """Whole-percent change from old to new (old > 0)."""
    return _div_half_up_signed(100 * (new - old), old)


def _last_kwh_tiers(bill: BillEstimate, kwh: int) -> tuple[int, int, int, int]:
    """Tiers and prices of the bill's last `kwh` kWh (the top of its tiers, every segment):
    (first tier, last tier, lowest price, highest price)."""
    lines = sorted(
        (line for segment in bill.segments for line in segment.tiers if line.kwh),
        key=lambda line: (line.tier, line.price),
        reverse=True,
    )
    taken = []
    remaining = kwh
    for line in lines:
        if remaining <= 0:
            break
        taken.append(line)
        remaining -= line.kwh
    tiers = [line.tier for line in taken]
    prices = [line.price for line in taken]
    return min(tiers), max(tiers), min(prices), max(prices)


def _price_range(low: int, high: int) -> str:
    if low == high:
        return f"{format_vnd(low)}/kWh"
    return f"{format_vnd(low).removesuffix(' đ')}–{format_vnd(high)}/kWh"


def _rate_text(rate: Fraction) -> str:
    """8/100 -> '8%', 55/1000 -> '5,5%' (Vietnamese decimal comma)."""
    percent = Decimal(rate.numerator * 100) / Decimal(rate.denominator)
    return f"{percent.normalize():f}".replace(".", ",") + "%"


def _change(amount: int) -> str:
    verb = "làm tiền điện tăng" if amount > 0 else "giúp tiền điện giảm"
    return f"{verb} {format_vnd(abs(amount))}"


def _temp(value: float) -> str:
    """A whole degree, half up as people round (28.5 -> "29"), not Python's half-to-even."""
    return str(int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _usage_sentence(comparison: BillComparison) -> tuple[str, int | None, int | None]:
    """The first sentence without its final stop, and the kWh and money changes in %.

    A change that rounds to 0% is said in kWh or đồng instead ("0%" reads as no change)."""
    prev, cur = comparison.previous, comparison.current
    totals = f"({format_vnd(comparison.previous_total)} → {format_vnd(comparison.current_total)})"
    direction = "tăng" if comparison.difference > 0 else "giảm"
    if prev.kwh == 0:
        return (
            f"Kỳ trước nhà bạn không dùng điện (0 kWh), kỳ này dùng {cur.kwh} kWh "
            f"nên tiền điện {direction} {totals}",
            None,
            None,
        )
    kwh_change = _percent(cur.kwh, prev.kwh)
    money_change = _percent(comparison.current_total, comparison.previous_total)
    if cur.kwh == prev.kwh:
        use = f"Kỳ này nhà bạn dùng {cur.kwh} kWh, bằng kỳ trước,"
        link = "nhưng"
    else:
        more = "nhiều hơn" if cur.kwh > prev.kwh else "ít hơn"
        by = f"{abs(kwh_change)}%" if kwh_change else f"{abs(cur.kwh - prev.kwh)} kWh"
        use = f"Kỳ này nhà bạn dùng {cur.kwh} kWh, {more} {by} so với kỳ trước ({prev.kwh} kWh)"
        same_way = (cur.kwh > prev.kwh) == (comparison.difference > 0)
        steeper_rise = comparison.difference > 0 and abs(money_change) > abs(kwh_change)
        link = "nhưng" if not same_way or steeper_rise else "và"
    money = f"{abs(money_change)}%" if money_change else format_vnd(abs(comparison.difference))
    return f"{use} {link} tiền điện {direction} {money} {totals}", kwh_change, money_change


def explain_comparison_vi(
    comparison: BillComparison, context: HouseholdContext | None = None
) -> str:
    """At most three Vietnamese sentences a household understands: what changed, then the parts
    of the difference that matter most. A VAT rate change is always said; the weather only when
    it was observed and the home has an air conditioner (`context`)."""
    context = context or HouseholdContext()
    prev, cur = comparison.previous, comparison.current
    parts = {part.name: part.amount for part in comparison.parts}
    if comparison.difference == 0:
        return f"Tiền điện kỳ này bằng kỳ trước: {format_vnd(comparison.current_total)}."
    first, kwh_change, money_change = _usage_sentence(comparison)
    extra = cur.kwh - prev.kwh
    tiers_matter = kwh_change is not None and (money_change or 0) > kwh_change
    if parts["higher_tiers"] > 0 and extra > 0 and tiers_matter:
        low_tier, high_tier, low_price, high_price = _last_kwh_tiers(comparison.current_bill, extra)
        tiers = f"bậc {low_tier}" if low_tier == high_tier else f"bậc {low_tier}–{high_tier}"
        first += f" vì {extra} kWh cuối tính ở {tiers} ({_price_range(low_price, high_price)})"
    # (weight in đồng, must keep, sentence), the largest parts first
    others: list[tuple[int, bool, str]] = []
    if parts["period_length"] and cur.days != prev.days:
        longer = "dài" if cur.days > prev.days else "ngắn"
        others.append(
            (
                abs(parts["period_length"]),
                False,
                f"Kỳ này {longer} hơn ({cur.days} ngày so với {prev.days} ngày) nên các bậc giá "
                f"được tính lại theo số ngày, {_change(parts['period_length'])}.",
            )
        )
    if parts["price_change"]:
        decisions = ", ".join(
            f"Quyết định {d}"
            for d in dict.fromkeys(s.tariff for s in comparison.current_bill.segments)
        )
        others.append(
            (
                abs(parts["price_change"]),
                False,
                f"Giá điện đã điều chỉnh (theo {decisions}), {_change(parts['price_change'])}.",
            )
        )
    old_vat, new_vat = comparison.previous_bill.vat_rate, comparison.current_bill.vat_rate
    if old_vat != new_vat:
        effect = round(comparison.current_bill.subtotal * (new_vat - old_vat))
        sentence = f"Thuế GTGT đổi từ {_rate_text(old_vat)} sang {_rate_text(new_vat)}"
        sentence += f", {_change(effect)}." if effect else "."
        others.append((abs(effect), True, sentence))
    before, now = context.previous_avg_temp_c, context.current_avg_temp_c
    hot = context.hotter_with_cooling() and before is not None and now is not None
    if extra > 0 and comparison.difference > 0 and hot and before is not None and now is not None:
        others.append(
            (
                max(parts["more_kwh"], 0),
                False,
                f"Kỳ này trời nóng hơn (trung bình {_temp(now)} °C so với {_temp(before)} °C) và nhà bạn có điều hòa, nên "
                "điều hòa chạy nhiều có thể là một nguyên nhân: đặt điều hòa từ 26–27 °C kèm "
                "quạt sẽ giúp giảm.",
            )
        )
    others.sort(key=lambda item: item[0], reverse=True)
    kept = [item for item in others if item[1]]
    for item in others:
        if len(kept) >= 2:
            break
        if not item[1]:
            kept.append(item)
    kept.sort(key=lambda item: item[0], reverse=True)
    return " ".join([first + "."] + [sentence for _, _, sentence in kept])
