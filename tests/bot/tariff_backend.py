"""A fake backend for the bill questions that computes from the real tariff data.

Reads backend/billing/data/tariffs.toml directly (the bot environment never imports backend
code) and answers POST /api/v1/bills/estimate and GET /api/v1/bills/kwh-for-budget (with the
estimate's situation as query fields: households, meter, renters_people/_registered) the way the
contract in /work/shared/CONTRACTS.md describes: today's tariff and VAT, tiers unscaled, tier
sizes × households for a shared meter (× people/4 for registered renters), every kWh at the
101–200 kWh price for unregistered renters, the flat price for a prepaid meter; VAT half up.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import tomli

from tests.bot.served_facts import served_facts

TARIFFS = Path(__file__).resolve().parents[2] / "backend" / "billing" / "data" / "tariffs.toml"


def vnd(amount: int) -> str:
    return f"{amount:,} đ".replace(",", ".")


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


class TariffBook:
    def __init__(self, path: Path = TARIFFS, today: date | None = None) -> None:
        data = tomli.loads(path.read_text(encoding="utf-8"))
        self.today = today or date.today()
        tariffs = sorted(data["tariffs"], key=lambda t: t["effective_from"])
        self.tariff = [t for t in tariffs if t["effective_from"] <= self.today][-1]
        rate = Fraction(data["vat"]["default"])
        for period in data["vat"].get("reduced", []):
            if period["from"] <= self.today <= period["to"]:
                rate = Fraction(period["rate"])
        self.vat_rate = rate

    def tiers(
        self, kwh: int, households: Fraction, meter: str, renters: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        tariff = self.tariff
        if meter == "prepaid":
            price = tariff["prepaid_price"]
            return [self._line(1, kwh, price)]
        if renters is not None and not renters["registered"]:
            return [self._line(3, kwh, tariff["prices"][2])]  # every kWh at the 101–200 price
        if renters is not None:
            households = Fraction(renters["people"], 4)  # registered: 4 people = one quota
        sizes = [
            _half_up(size * households.numerator, households.denominator)
            for size in tariff["tier_sizes"]
        ]
        lines, remaining = [], kwh
        for number, (size, price) in enumerate(zip(sizes, tariff["prices"], strict=False), start=1):
            take = min(size, remaining)
            lines.append(self._line(number, take, price))
            remaining -= take
        lines.append(self._line(len(sizes) + 1, remaining, tariff["prices"][-1]))
        return lines

    @staticmethod
    def _line(tier: int, kwh: int, price: int) -> dict[str, Any]:
        return {
            "tier": tier,
            "kwh": kwh,
            "price": price,
            "amount": kwh * price,
            "price_text": vnd(price),
            "amount_text": vnd(kwh * price),
        }

    def estimate(
        self,
        kwh: int,
        households: Fraction = Fraction(1),
        meter: str = "postpaid",
        renters: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        tiers = self.tiers(kwh, households, meter, renters)
        subtotal = sum(line["amount"] for line in tiers)
        vat = _half_up(subtotal * self.vat_rate.numerator, self.vat_rate.denominator)
        day = self.today.isoformat()
        return {
            "subtotal": subtotal,
            "vat": vat,
            "vat_rate": float(self.vat_rate),
            "total": subtotal + vat,
            "total_text": vnd(subtotal + vat),
            "subtotal_text": vnd(subtotal),
            "vat_text": vnd(vat),
            "segments": [
                {
                    "tariff": self.tariff["decision"],
                    "from": day,
                    "to": day,
                    "kwh": kwh,
                    "tiers": tiers,
                }
            ],
        }

    def kwh_for_budget(
        self,
        amount: int,
        households: Fraction = Fraction(1),
        meter: str = "postpaid",
        renters: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        def total(kwh: int) -> int:
            return self.estimate(kwh, households, meter, renters)["total"]

        low, high = 0, 100_000
        while low < high:
            middle = (low + high + 1) // 2
            if total(middle) <= amount:
                low = middle
            else:
                high = middle - 1
        fits = total(low)
        return {"kwh": low, "total": fits, "total_text": vnd(fits), "amount_text": vnd(amount)}

    def renter_check(self, body: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/bills/renter-check as the contract describes it."""
        kwh, bill, people = body.get("kwh"), body.get("bill"), body.get("people")
        price = Fraction(body["price_per_kwh"]) if "price_per_kwh" in body else Fraction(bill, kwh)
        tier_price = self.tariff["prices"][2]
        ceiling = Fraction(tier_price) * (1 + self.vat_rate)
        ceiling_dong = _half_up(ceiling.numerator, ceiling.denominator)
        price_dong = _half_up(price.numerator, price.denominator)
        sizes = self.tariff["tier_sizes"]
        reference = next(r for r in facts["references"] if r["id"] == "renters")
        what = next(s for s in facts["statements"] if s["id"] == "renters_register")
        result: dict[str, Any] = {
            "tariff": self.tariff["decision"],
            "tariff_text": f"Quyết định {self.tariff['decision']}",
            "tier": 3,
            "tier_from_kwh": sizes[0] + sizes[1] + 1,
            "tier_to_kwh": sizes[0] + sizes[1] + sizes[2],
            "tier_price": tier_price,
            "tier_price_text": vnd(tier_price),
            "vat_rate": float(self.vat_rate),
            "vat_percent": int(self.vat_rate * 100),
            "ceiling_per_kwh": ceiling_dong,
            "ceiling_per_kwh_text": vnd(ceiling_dong),
            "price_per_kwh": price_dong,
            "price_per_kwh_text": vnd(price_dong),
            "over_per_kwh": price_dong - ceiling_dong,
            "over_per_kwh_text": vnd(abs(price_dong - ceiling_dong)),
            "over": price > ceiling,
            "kwh": kwh,
            "rule": reference["text"],
            "rule_about": reference["about"],
            "rule_source": reference["source"],
            "what_to_do": what["text"],
            "month": None,
            "registered": None,
        }
        if kwh:
            charged = (
                bill if bill is not None else _half_up(price.numerator * kwh, price.denominator)
            )
            allowed = self.estimate(kwh, renters={"people": people or 1, "registered": False})
            result["month"] = {
                "charged": charged,
                "charged_text": vnd(charged),
                "allowed": allowed["total"],
                "allowed_text": allowed["total_text"],
                "over": charged - allowed["total"],
                "over_text": vnd(abs(charged - allowed["total"])),
            }
            if people:
                registered = self.estimate(kwh, renters={"people": people, "registered": True})
                below = allowed["total"] - registered["total"]
                result["registered"] = {
                    "people": people,
                    "total": registered["total"],
                    "total_text": registered["total_text"],
                    "below_ceiling": below,
                    "below_ceiling_text": vnd(abs(below)),
                }
        return result

    def handler(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        url = urlsplit(path)
        if method == "POST" and url.path == "/api/v1/bills/estimate":
            kwh = body.get("kwh")
            if not isinstance(kwh, int) or not 0 <= kwh <= 100_000:
                return 422, {"code": "invalid", "message": "kwh", "field": "kwh"}
            households = Fraction(str(body.get("households", 1)))
            meter = body.get("meter", "postpaid")
            return 200, self.estimate(kwh, households, meter, body.get("renters"))
        if method == "GET" and url.path == "/api/v1/bills/kwh-for-budget":
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            renters = None
            if "renters_people" in query:
                registered = query["renters_registered"] == "true"
                renters = {"people": int(query["renters_people"]), "registered": registered}
            return 200, self.kwh_for_budget(
                int(query["amount"]),
                Fraction(query.get("households", "1")),
                query.get("meter", "postpaid"),
                renters,
            )
        if method == "POST" and url.path == "/api/v1/bills/renter-check":
            return 200, self.renter_check(body, served_facts())
        return 404, {"code": "not_found", "message": path}
