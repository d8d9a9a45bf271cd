"""A fake backend for the bill questions that computes from the real tariff data.

Reads backend/billing/data/tariffs.toml directly (the bot environment never imports backend
code) and answers POST /api/v1/bills/estimate and GET /api/v1/bills/kwh-for-budget the way the
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

    def kwh_for_budget(self, amount: int) -> dict[str, Any]:
        low, high = 0, 100_000
        while low < high:
            middle = (low + high + 1) // 2
            if self.estimate(middle)["total"] <= amount:
                low = middle
            else:
                high = middle - 1
        total = self.estimate(low)["total"]
        return {"kwh": low, "total": total, "total_text": vnd(total), "amount_text": vnd(amount)}

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
            amount = int(parse_qs(url.query)["amount"][0])
            return 200, self.kwh_for_budget(amount)
        return 404, {"code": "not_found", "message": path}
