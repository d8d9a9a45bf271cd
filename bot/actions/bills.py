"""Bills: estimate for N kWh, kWh for a budget, the tariff tiers (numbers from the backend).

A figure is stated only when the bot understood both the number and what it counts. The two forms
(bill_form, budget_form) read the household's whole message with actions.parsing, whatever the
NLU tagged: "nhà dùng 1 nghìn số" is 1.000 kWh even when it arrived as a budget question. A bare
number whose unit nothing in the message settles gets one short question with buttons ("420 kWh
hay 420.000 đ?") instead of an answer. Every answer says what it assumed, and the figure slots
are cleared once answered so a later question never reuses them.
"""

from __future__ import annotations

import json
import re
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any

from components.text import strip_diacritics
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import latest_text
from actions.parsing import Quantity, Unit, find_households, parse_quantity

MAX_KWH = 100_000  # a household's month; more is not a reading of kWh
MIN_MONEY = 1_000  # "500 đ" is not a month's bill: ask
MAX_HOUSEHOLDS = 50
BILL_UNAVAILABLE = (
    "Xin lỗi, máy tính hóa đơn đang tạm ngưng nên tôi chưa tính được con số chính xác. "
    "Bạn thử lại sau ít phút nhé."
)
NOT_UNDERSTOOD = {
    "kwh": "Tôi chưa hiểu số điện. Bạn viết giúp kiểu 350 số, ba trăm rưỡi số hoặc 1.200 kWh nhé.",
    "money": "Tôi chưa hiểu số tiền. Bạn viết giúp kiểu 500k, 800 nghìn hoặc 1tr2 nhé.",
}
FIGURE_SLOTS = ("kwh", "money", "figure")


@dataclass(frozen=True)
class Figure:
    """What the household asked about: kWh to bill, or money to turn into kWh."""

    unit: Unit
    low: int
    high: int
    approximate: bool = False
    households: int = 1
    meter: str = "postpaid"

    def as_slot(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "low": self.low,
            "high": self.high,
            "approximate": self.approximate,
            "households": self.households,
            "meter": self.meter,
        }

    @classmethod
    def from_slot(cls, value: Any) -> Figure | None:
        if not isinstance(value, dict) or value.get("unit") not in ("kwh", "money"):
            return None
        try:
            return cls(
                unit=value["unit"],
                low=int(value["low"]),
                high=int(value["high"]),
                approximate=bool(value.get("approximate")),
                households=int(value.get("households") or 1),
                meter=value.get("meter") or "postpaid",
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Reading:
    """The outcome of reading a message: a figure, a question to ask, or nothing."""

    figure: Figure | None = None
    question: dict[str, Any] | None = None  # {"text", "buttons"}
    invalid: bool = False
    notes: list[str] = field(default_factory=list)


def vnd(amount: int) -> str:
    return f"{amount:,} đ".replace(",", ".")


def _situation(text: str) -> tuple[int, str]:
    plain = strip_diacritics(text).lower()
    households = find_households(text) or 1
    if households > MAX_HOUSEHOLDS:
        households = 1
    meter = "prepaid" if re.search(r"\btra truoc\b", plain) else "postpaid"
    return households, meter


def _payload_quantity(tracker: Tracker) -> Quantity | None:
    """The figure a button carried: '/calculate_bill{"kwh": 420}' (a number or "300-350")."""
    for entity in tracker.latest_message.get("entities") or []:
        unit = entity.get("entity")
        if unit not in ("kwh", "money"):
            continue
        value = entity.get("value")
        if isinstance(value, (int, float)) and value >= 0:
            return Quantity(value, unit)
        if isinstance(value, str):
            read = parse_quantity(value)
            if read is not None:
                return Quantity(read.value, unit, read.approximate, read.range)
    return None


def _ambiguity_question(low: float, high: float, expected: Unit) -> dict[str, Any] | None:
    """'420 kWh hay 420.000 đ?' with one button per reading; None when only one is plausible."""

    def written(a: float, b: float, unit: str) -> tuple[str, Any]:
        if a == b:
            return (f"{int(a)} kWh" if unit == "kwh" else vnd(int(a))), int(a)
        title = f"{int(a)}–{int(b)} kWh" if unit == "kwh" else f"{vnd(int(a))}–{vnd(int(b))}"
        return title, f"{int(a)}-{int(b)}"

    whole = float(low).is_integer() and float(high).is_integer()
    factor = 1000 if high < 10_000 else 1
    options: list[tuple[str, str]] = []
    if whole and low > 0 and high <= MAX_KWH:
        title, value = written(low, high, "kwh")
        options.append((title, "/calculate_bill" + json.dumps({"kwh": value})))
    title, value = written(round(low * factor), round(high * factor), "money")
    options.append((title, "/ask_kwh_for_budget" + json.dumps({"money": value})))
    if len(options) < 2:
        return None
    if expected == "money":
        options.reverse()
    return {
        "text": f"Ý bạn là {options[0][0]} hay {options[1][0]}?",
        "buttons": [{"title": title, "payload": payload} for title, payload in options],
    }


def read_figure(tracker: Tracker, expected: Unit, asked: bool) -> Reading:
    """Read the latest message for a figure of kWh or money.

    expected: what the question was about (the intent's form); asked: the bot has just asked for
    that figure, so a bare number answers it ("350" after "bao nhiêu số?" is 350 kWh)."""
    text = latest_text(tracker)
    if text.startswith("/"):
        quantity = _payload_quantity(tracker)
        households, meter = 1, "postpaid"
    else:
        quantity = parse_quantity(text, prefer=expected)
        households, meter = _situation(text)
    if quantity is None:
        return Reading()
    unit = quantity.unit
    if unit is None and (asked or quantity.hint == expected):
        unit = expected
    low, high = quantity.range or (quantity.value, quantity.value)
    if unit == "kwh" and not (
        float(low).is_integer() and float(high).is_integer() and low >= 0 and high <= MAX_KWH
    ):
        if high > MAX_KWH and unit == quantity.unit:
            return Reading(invalid=True)
        unit = None
    if unit == "money" and low < MIN_MONEY:
        unit = None
    if unit is None:
        question = _ambiguity_question(low, high, expected)
        if question is None:  # one reading only: a bare 420000 is money
            unit = "money"
            factor = 1000 if high < 10_000 else 1
            low, high = low * factor, high * factor
        else:
            return Reading(question=question)
    return Reading(
        figure=Figure(
            unit=unit,
            low=round(low),
            high=round(high),
            approximate=quantity.approximate,
            households=households,
            meter=meter,
        )
    )


class _FigureFormValidation(FormValidationAction):
    """Both figure forms: read the whole message; a figure (of either unit), a question or
    nothing ends the turn."""

    expected: Unit = "kwh"

    @abstractmethod
    def name(self) -> str:  # abstract: the action server registers only the two forms below
        ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = tracker.get_slot("requested_slot") == self.expected
        reading = read_figure(tracker, self.expected, asked)
        if reading.figure is not None:
            figure = reading.figure
            return [
                SlotSet("kwh", figure.low if figure.unit == "kwh" else None),
                SlotSet("money", figure.low if figure.unit == "money" else None),
                SlotSet("figure", figure.as_slot()),
                SlotSet("requested_slot", None),
            ]
        if reading.question is not None:
            dispatcher.utter_message(
                text=reading.question["text"], buttons=reading.question["buttons"]
            )
            return [
                SlotSet("kwh", None),
                SlotSet("money", None),
                SlotSet("figure", {"unit": "asked"}),
                SlotSet("requested_slot", None),
            ]
        if asked or reading.invalid:
            dispatcher.utter_message(text=NOT_UNDERSTOOD[self.expected])
        return [SlotSet(self.expected, None), SlotSet("figure", None)]


class ValidateBillForm(_FigureFormValidation):
    expected: Unit = "kwh"

    def name(self) -> str:
        return "validate_bill_form"


class ValidateBudgetForm(_FigureFormValidation):
    expected: Unit = "money"

    def name(self) -> str:
        return "validate_budget_form"


def tier_summary(segments: list[dict[str, Any]]) -> str:
    lines = []
    for segment in segments:
        for tier in segment["tiers"]:
            if tier["kwh"]:
                lines.append(f"bậc {tier['tier']}: {tier['kwh']} kWh × {tier['price_text']}")
    return "; ".join(lines)


def assumptions(figure: Figure) -> str:
    """What the figure assumed, said in every answer."""
    households = (
        "1 hộ" if figure.households == 1 else f"{figure.households} hộ dùng chung một công tơ"
    )
    meter = "công tơ trả trước" if figure.meter == "prepaid" else "công tơ sau trả tiền"
    return f"(Tính cho {households}, {meter}, kỳ 30 ngày, giá điện và thuế GTGT hiện hành.)"


def _estimate(kwh: int, figure: Figure) -> dict[str, Any]:
    payload: dict[str, Any] = {"kwh": kwh}
    if figure.households != 1:
        payload["households"] = figure.households
    if figure.meter != "postpaid":
        payload["meter"] = figure.meter
    return client().post("/api/v1/bills/estimate", payload)


def answer_bill(dispatcher: CollectingDispatcher, figure: Figure) -> None:
    try:
        bills = [_estimate(figure.low, figure)]
        if figure.high != figure.low:
            bills.append(_estimate(figure.high, figure))
    except (BackendUnavailable, BackendError):
        dispatcher.utter_message(text=BILL_UNAVAILABLE)
        return
    about = "khoảng " if figure.approximate else ""
    if len(bills) == 2:
        text = (
            f"Với {about}{figure.low}–{figure.high} kWh trong một tháng, tiền điện từ "
            f"{bills[0]['total_text']} đến {bills[1]['total_text']} (đã gồm thuế GTGT "
            f"{round(bills[0]['vat_rate'] * 100)}%), theo biểu giá {bills[0]['segments'][0]['tariff']}."
        )
    else:
        bill = bills[0]
        text = (
            f"Với {about}{figure.low} kWh trong một tháng, tiền điện là {about}{bill['total_text']} "
            f"(gồm {bill['subtotal_text']} tiền điện và {bill['vat_text']} thuế GTGT "
            f"{round(bill['vat_rate'] * 100)}%), theo biểu giá {bill['segments'][0]['tariff']}. "
            f"Chi tiết: {tier_summary(bill['segments'])}."
        )
    dispatcher.utter_message(
        text=f"{text} {assumptions(figure)}",
        buttons=[
            {"title": "Vì sao hóa đơn tăng?", "payload": "/ask_bill_spike"},
            {"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"},
        ],
    )


def answer_budget(dispatcher: CollectingDispatcher, figure: Figure) -> None:
    try:
        results = [client().get("/api/v1/bills/kwh-for-budget", params={"amount": figure.low})]
        if figure.high != figure.low:
            results.append(
                client().get("/api/v1/bills/kwh-for-budget", params={"amount": figure.high})
            )
    except (BackendUnavailable, BackendError):
        dispatcher.utter_message(text=BILL_UNAVAILABLE)
        return
    about = "khoảng " if figure.approximate else ""
    first = results[0]
    if len(results) == 2:
        text = (
            f"Với {about}{first['amount_text']} đến {results[1]['amount_text']} mỗi tháng, nhà bạn "
            f"dùng được tối đa từ {first['kwh']} đến {results[1]['kwh']} kWh (đã gồm thuế GTGT)."
        )
    else:
        text = (
            f"Với {about}{first['amount_text']} mỗi tháng, nhà bạn dùng được tối đa "
            f"{about}{first['kwh']} kWh (hóa đơn {first['total_text']}, đã gồm thuế GTGT). "
            "Mỗi số điện vượt mức đó đều tính ở bậc giá cao nhất đang dùng."
        )
    dispatcher.utter_message(
        text=f"{text} {assumptions(Figure('money', figure.low, figure.high))}",
        buttons=[{"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"}],
    )


def answer_figure(
    dispatcher: CollectingDispatcher, tracker: Tracker, expected: Unit
) -> list[EventType]:
    """Answer for the figure the form read (whichever unit it turned out to be), then forget it."""
    clear = [SlotSet(name, None) for name in FIGURE_SLOTS]
    slot = tracker.get_slot("figure")
    if isinstance(slot, dict) and slot.get("unit") == "asked":
        return clear  # the question with buttons was the answer of this turn
    figure = Figure.from_slot(slot)
    if figure is None:  # not through a form: read this message, never an earlier slot
        reading = read_figure(tracker, expected, asked=False)
        if reading.question is not None:
            dispatcher.utter_message(
                text=reading.question["text"], buttons=reading.question["buttons"]
            )
            return clear
        figure = reading.figure
    if figure is None:
        dispatcher.utter_message(
            response="utter_ask_kwh" if expected == "kwh" else "utter_ask_money"
        )
        return clear
    if figure.unit == "kwh":
        answer_bill(dispatcher, figure)
    else:
        answer_budget(dispatcher, figure)
    return clear


class ActionEstimateBill(Action):
    def name(self) -> str:
        return "action_estimate_bill"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return answer_figure(dispatcher, tracker, "kwh")


class ActionKwhForBudget(Action):
    def name(self) -> str:
        return "action_kwh_for_budget"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return answer_figure(dispatcher, tracker, "money")


class ActionExplainTariff(Action):
    def name(self) -> str:
        return "action_explain_tariff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            data = client().get("/api/v1/tariffs")
        except (BackendUnavailable, BackendError):
            dispatcher.utter_message(
                text="Giá điện sinh hoạt tính theo 6 bậc: 0–50, 51–100, 101–200, 201–300, 301–400 và từ 401 kWh; "
                "bậc càng cao giá càng đắt. Hiện tôi chưa lấy được bảng giá chi tiết, bạn thử lại sau nhé."
            )
            return []
        current = next(t for t in data["tariffs"] if t["decision"] == data["current"])
        tiers = ", ".join(
            f"bậc {t['tier']} ({t['from_kwh']}–{t['to_kwh']} kWh): {t['price_text']}"
            if t["to_kwh"] is not None
            else f"bậc {t['tier']} (từ {t['from_kwh']} kWh): {t['price_text']}"
            for t in current["tiers"]
        )
        prepaid = (
            f" Công tơ trả trước: {current['prepaid_price_text']}/kWh."
            if current.get("prepaid_price")
            else ""
        )
        dispatcher.utter_message(
            text=(
                f"Giá điện sinh hoạt theo {current['decision']} (từ {current['effective_from']}), chưa gồm thuế GTGT: "
                f"{tiers}.{prepaid} Số điện càng cao thì phần vượt càng đắt."
            ),
            buttons=[{"title": "Tính tiền điện", "payload": "/calculate_bill"}],
        )
        return []
