"""Is the landlord's price fair? A renter's price per kWh against what the rules allow today.

Renters on a landlord's meter pay at most the tier-3 price (101–200 kWh) plus VAT for every kWh
when they are not registered with the utility; registered, every 4 people count as one household
on the tiers (shared/reference/tariff.md, Renters). Every figure comes from the bill engine and
today's tariff; the rule's name and what to do come from the sourced facts (facts.toml).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from backend.billing import Renters, estimate_bill, load_tariffs
from backend.billing.engine import div_half_up
from backend.content.facts import load_facts
from backend.money import format_vnd
from backend.services.errors import InvalidInput

RENTERS_TIER = 3  # the tier whose price unregistered renters pay for every kWh


def _fact(section: str, fact_id: str) -> dict[str, Any]:
    return next(entry for entry in load_facts()[section] if entry["id"] == fact_id)


def renter_price_check(
    *,
    today: date,
    price_per_kwh: int | None = None,
    kwh: int | None = None,
    bill: int | None = None,
    people: int | None = None,
) -> dict[str, Any]:
    """The landlord's price (given, or `bill` ÷ `kwh`) against today's ceiling per kWh; with
    `kwh`, the month's difference; with `people`, the registered-renter bill as well."""
    if price_per_kwh is None:
        if bill is None or not kwh:
            raise InvalidInput("cần giá mỗi số điện, hoặc tiền điện và số điện", "price_per_kwh")
        price = Fraction(bill, kwh)
    else:
        price = Fraction(price_per_kwh)
    book = load_tariffs()
    tariff = book.tariff_on(today)
    rate = book.vat_on(today)
    tier_price = tariff.prices[RENTERS_TIER - 1]
    low, high = tariff.tier_bounds()[RENTERS_TIER - 1]
    ceiling = Fraction(tier_price) * (1 + rate)
    ceiling_dong = div_half_up(ceiling.numerator, ceiling.denominator)
    price_dong = div_half_up(price.numerator, price.denominator)
    reference = _fact("references", "renters")
    result: dict[str, Any] = {
        "tariff": tariff.decision,
        "tariff_text": f"Quyết định {tariff.decision}",
        "tier": RENTERS_TIER,
        "tier_from_kwh": low,
        "tier_to_kwh": high,
        "tier_price": tier_price,
        "tier_price_text": format_vnd(tier_price),
        "vat_rate": float(rate),
        "vat_percent": int(rate * 100),
        "ceiling_per_kwh": ceiling_dong,
        "ceiling_per_kwh_text": format_vnd(ceiling_dong),
        "price_per_kwh": price_dong,
        "price_per_kwh_text": format_vnd(price_dong),
        "over_per_kwh": price_dong - ceiling_dong,
        "over_per_kwh_text": format_vnd(abs(price_dong - ceiling_dong)),
        "over": price > ceiling,
        "kwh": kwh,
        "rule": reference["text"],
        "rule_about": reference["about"],
        "rule_source": reference["source"],
        "what_to_do": _fact("statements", "renters_register")["text"],
        "month": None,
        "registered": None,
    }
    if kwh:
        charged = (
            bill if bill is not None else div_half_up(price.numerator * kwh, price.denominator)
        )
        allowed = estimate_bill(kwh, renters=Renters(people or 1, False), today=today).total
        result["month"] = {
            "charged": charged,
            "charged_text": format_vnd(charged),
            "allowed": allowed,
            "allowed_text": format_vnd(allowed),
            "over": charged - allowed,
            "over_text": format_vnd(abs(charged - allowed)),
        }
        if people:
            registered = estimate_bill(kwh, renters=Renters(people, True), today=today).total
            result["registered"] = {
                "people": people,
                "total": registered,
                "total_text": format_vnd(registered),
                "below_ceiling": allowed - registered,
                "below_ceiling_text": format_vnd(abs(allowed - registered)),
            }
    return result
