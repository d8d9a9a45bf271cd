"""Bills: estimate for N kWh, kWh for a budget, the tariff tiers (numbers from the backend).

A figure is stated only when the bot understood both the number and what it counts. The two forms
(bill_form, budget_form) read the household's whole message with actions.parsing, whatever the
NLU tagged: "nhà dùng 1 nghìn số" is 1.000 kWh even when it arrived as a budget question. A bare
number whose unit nothing in the message settles gets one short question with buttons ("420 kWh
hay 420.000 đ?") instead of an answer. Every answer says what it assumed, and the figure slots
are cleared once answered so a later question never reuses them. The bot formats no money: every
amount it says (the question's "420.000 đ" included) is a `*_text` the backend sent.
"""

from __future__ import annotations

import json
import re
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from components.text import strip_diacritics
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import latest_text
from actions.parsing import Quantity, Unit, find_households, find_people, parse_quantity
from actions.renters import PER_KWH, LandlordPrice, answer_renter, read_landlord_price

MAX_KWH = 100_000  # a household's month; more is not a reading of kWh
MIN_MONEY = 1_000  # "500 đ" is not a month's bill: ask
MAX_MONEY = 10_000_000_000  # 10 tỷ đồng a month: more is not a household's budget
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
    renter: bool = False  # "ở trọ", "thuê phòng": the landlord's meter
    people: int | None = None  # renters living on that meter, when said
    registered: bool | None = None  # renters registered with the utility, when said

    def as_slot(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "low": self.low,
            "high": self.high,
            "approximate": self.approximate,
            "households": self.households,
            "meter": self.meter,
            "renter": self.renter,
            "people": self.people,
            "registered": self.registered,
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
                renter=bool(value.get("renter")),
                people=int(value["people"]) if value.get("people") else None,
                registered=value.get("registered"),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Reading:
    """The outcome of reading a message: a figure, a question to ask, or nothing."""

    figure: Figure | None = None
    question: dict[str, Any] | None = None  # {"text", "buttons"}
    invalid: Unit | None = None  # a figure of this unit that cannot be right ("1,5 số")
    unavailable: bool = False  # the backend could not say the money reading for the question


RENTER = re.compile(
    r"\b(?:o tro|phong tro|nha tro|xom tro|thue (?:nha|phong|tro)|nguoi thue|di thue)\b"
)
NOT_REGISTERED = re.compile(r"\b(?:chua|khong|ko|k|hong) (?:co )?dang ky\b")
REGISTERED = re.compile(r"\b(?:da|co) dang ky\b")
CANCEL = re.compile(
    r"^(?:thoi|huy|dung|ko can nua|khong can nua|khong tinh nua|ko tinh nua|thoi khoi|bo qua)\b"
)


@dataclass(frozen=True)
class Situation:
    households: int = 1
    meter: str = "postpaid"
    renter: bool = False
    people: int | None = None
    registered: bool | None = None


def _situation(text: str) -> Situation:
    """Who the figure is for, from the message: a shared meter, a prepaid meter, renters."""
    plain = strip_diacritics(text).lower()
    households = find_households(text) or 1
    if households > MAX_HOUSEHOLDS:
        households = 1
    meter = "prepaid" if re.search(r"\btra truoc\b", plain) else "postpaid"
    renter = bool(RENTER.search(plain))
    registered: bool | None = None
    if NOT_REGISTERED.search(plain):
        registered = False
    elif REGISTERED.search(plain):
        registered = True
    people = find_people(text) if renter else None
    return Situation(households, meter, renter, people, registered if renter else None)


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


def _money_text(amount: int) -> str:
    """The amount as households read it, in the backend's words (the bot formats no money)."""
    return client().get("/api/v1/bills/kwh-for-budget", params={"amount": amount})["amount_text"]


def _ambiguity_question(low: float, high: float, expected: Unit) -> dict[str, Any] | None:
    """'420 kWh hay 420.000 đ?' with one button per reading; None when only one is plausible.
    The money reading is written by the backend (raises BackendUnavailable/BackendError)."""
    whole = float(low).is_integer() and float(high).is_integer()
    if not (whole and low > 0 and high <= MAX_KWH):
        return None  # no kWh reading: the money reading alone is no question
    kwh: int | str = int(low) if low == high else f"{int(low)}-{int(high)}"
    factor = 1000 if high < 10_000 else 1
    money_low, money_high = round(low * factor), round(high * factor)
    money: int | str = money_low if money_low == money_high else f"{money_low}-{money_high}"
    money_title = (
        _money_text(money_low)
        if money_low == money_high
        else f"{_money_text(money_low)}–{_money_text(money_high)}"
    )
    options = [
        (f"{str(kwh).replace('-', '–')} kWh", "/calculate_bill" + json.dumps({"kwh": kwh})),
        (money_title, "/ask_kwh_for_budget" + json.dumps({"money": money})),
    ]
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
        situation = Situation()
    else:
        quantity = parse_quantity(text, prefer=expected)
        situation = _situation(text)
    if quantity is None:
        return Reading()
    unit = quantity.unit
    if unit is None and (asked or quantity.hint == expected):
        unit = expected
    low, high = quantity.range or (quantity.value, quantity.value)
    whole = float(low).is_integer() and float(high).is_integer()
    if unit == "kwh" and not (whole and low >= 0 and high <= MAX_KWH):
        if quantity.unit == "kwh":
            return Reading(invalid="kwh")  # "1,5 số", "200.000 kWh": not a household's month
        unit = None
    if unit == "money" and high > MAX_MONEY:
        return Reading(invalid="money")
    if unit == "money" and low < MIN_MONEY:
        unit = None  # "500 đ": ask whether 500 kWh or 500.000 đ was meant
    if unit is None:
        try:
            question = _ambiguity_question(low, high, expected)
        except (BackendUnavailable, BackendError):
            return Reading(unavailable=True)
        if question is not None:
            return Reading(question=question)
        if not (whole and low >= 10_000 and high <= MAX_MONEY):
            return Reading(invalid=expected)
        unit = "money"  # one reading only: a bare 420000 is money as written
    return Reading(
        figure=Figure(
            unit=unit,
            low=round(low),
            high=round(high),
            approximate=quantity.approximate,
            households=situation.households,
            meter=situation.meter,
            renter=situation.renter,
            people=situation.people,
            registered=situation.registered,
        )
    )


def landlord_price_question(text: str) -> LandlordPrice | None:
    """A renter quoting the landlord's price per kWh inside a bill or budget question."""
    plain = strip_diacritics(text).lower()
    if not (RENTER.search(plain) or re.search(r"\bchu (?:nha|tro)\b", plain)):
        return None
    if not PER_KWH.search(plain):
        return None
    return read_landlord_price(text)


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
        if asked and CANCEL.match(strip_diacritics(latest_text(tracker)).lower().strip()):
            dispatcher.utter_message(text="Vâng, tôi dừng tính ở đây. Khi cần bạn cứ hỏi lại nhé.")
            return [
                SlotSet("kwh", None),
                SlotSet("money", None),
                SlotSet("figure", {"unit": "asked"}),
                SlotSet("requested_slot", None),
            ]
        landlord = landlord_price_question(latest_text(tracker))
        if landlord is not None:  # "ở trọ, chủ nhà thu 4 nghìn một số": the fair-price check
            answer_renter(dispatcher, landlord)
            return [
                SlotSet("kwh", None),
                SlotSet("money", None),
                SlotSet("figure", {"unit": "asked"}),
                SlotSet("requested_slot", None),
            ]
        reading = read_figure(tracker, self.expected, asked)
        if reading.figure is not None:
            figure = reading.figure
            return [
                SlotSet("kwh", figure.low if figure.unit == "kwh" else None),
                SlotSet("money", figure.low if figure.unit == "money" else None),
                SlotSet("figure", figure.as_slot()),
                SlotSet("requested_slot", None),
            ]
        if reading.question is not None or reading.unavailable:
            if reading.question is not None:
                dispatcher.utter_message(
                    text=reading.question["text"], buttons=reading.question["buttons"]
                )
            else:
                dispatcher.utter_message(text=BILL_UNAVAILABLE)
            return [
                SlotSet("kwh", None),
                SlotSet("money", None),
                SlotSet("figure", {"unit": "asked"}),
                SlotSet("requested_slot", None),
            ]
        if asked or reading.invalid:
            dispatcher.utter_message(text=NOT_UNDERSTOOD[reading.invalid or self.expected])
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
    if figure.renter and figure.meter != "prepaid":
        who = "người thuê trọ dùng công tơ của chủ nhà, công tơ sau trả tiền"
        if figure.registered and not figure.people:
            who += ", đã đăng ký: tính 1 định mức (4 người) như 1 hộ"
    else:
        households = (
            "1 hộ" if figure.households == 1 else f"{figure.households} hộ dùng chung một công tơ"
        )
        meter = "công tơ trả trước" if figure.meter == "prepaid" else "công tơ sau trả tiền"
        who = f"{households}, {meter}"
    return f"(Tính cho {who}, kỳ 30 ngày, giá điện và thuế GTGT hiện hành.)"


def _variants(figure: Figure) -> list[tuple[str, dict[str, Any]]]:
    """The situations to price: one, or for renters who did not say, registered and not."""
    base: dict[str, Any] = {}
    if figure.households != 1:
        base["households"] = figure.households
    if figure.meter != "postpaid":
        base["meter"] = figure.meter
    if not figure.renter or figure.meter == "prepaid":
        return [("", base)]
    variants: list[tuple[str, dict[str, Any]]] = []
    if figure.registered is not False and figure.people:
        renters = {"people": figure.people, "registered": True}
        label = (
            f"nếu chủ nhà đã đăng ký {figure.people} người thuê với điện lực (4 người một định mức)"
        )
        variants.append((label, {**base, "renters": renters}))
    elif figure.registered:
        variants.append(("", base))  # registered, number of people unknown: one quota
    if figure.registered is not True:
        renters = {"people": figure.people or 1, "registered": False}
        label = "nếu chưa đăng ký người thuê (mọi số điện tính giá bậc 3, 101–200 kWh)"
        variants.append((label, {**base, "renters": renters}))
    return variants


def answer_bill(dispatcher: CollectingDispatcher, figure: Figure) -> None:
    ends = sorted({figure.low, figure.high})
    variants = _variants(figure)
    try:
        priced = [
            (
                label,
                [client().post("/api/v1/bills/estimate", {"kwh": kwh, **extra}) for kwh in ends],
            )
            for label, extra in variants
        ]
    except (BackendUnavailable, BackendError):
        dispatcher.utter_message(text=BILL_UNAVAILABLE)
        return
    about = "khoảng " if figure.approximate else ""
    first = priced[0][1][0]
    rate = round(first["vat_rate"] * 100)
    tariff = first["segments"][0]["tariff"]
    said = f"{about}{figure.low} kWh" if len(ends) == 1 else f"{about}{ends[0]}–{ends[1]} kWh"
    if len(priced) == 1 and len(ends) == 1:
        text = (
            f"Với {said} trong một tháng, tiền điện là {about}{first['total_text']} "
            f"(gồm {first['subtotal_text']} tiền điện và {first['vat_text']} thuế GTGT {rate}%), "
            f"theo biểu giá {tariff}. Chi tiết: {tier_summary(first['segments'])}."
        )
    else:
        parts = []
        for label, bills in priced:
            amount = (
                bills[0]["total_text"]
                if len(bills) == 1
                else f"từ {bills[0]['total_text']} đến {bills[1]['total_text']}"
            )
            parts.append(f"{label}: {amount}" if label else amount)
        text = (
            f"Với {said} trong một tháng, tiền điện {'; '.join(parts)} "
            f"(đã gồm thuế GTGT {rate}%), theo biểu giá {tariff}."
        )
    if figure.renter and figure.registered is None and not figure.people:
        text += " Nếu chủ nhà đã đăng ký người thuê, cho tôi biết số người ở để tính theo định mức."
    dispatcher.utter_message(
        text=f"{text} {assumptions(figure)}",
        buttons=[
            {"title": "Vì sao hóa đơn tăng?", "payload": "/ask_bill_spike"},
            {"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"},
        ],
    )


def _kwh_for(amount: int, extra: dict[str, Any]) -> dict[str, Any]:
    """The most whole kWh whose bill fits in `amount`, for the situation `extra` describes (the
    estimate's fields: a shared or prepaid meter, renters), with the backend's texts."""
    params: dict[str, Any] = {"amount": amount}
    if "households" in extra:
        params["households"] = extra["households"]
    if "meter" in extra:
        params["meter"] = extra["meter"]
    if "renters" in extra:
        params["renters_people"] = extra["renters"]["people"]
        params["renters_registered"] = "true" if extra["renters"]["registered"] else "false"
    return client().get("/api/v1/bills/kwh-for-budget", params=params)


def answer_budget(dispatcher: CollectingDispatcher, figure: Figure) -> None:
    ends = sorted({figure.low, figure.high})
    try:
        priced = [
            (label, [_kwh_for(amount, extra) for amount in ends])
            for label, extra in _variants(figure)
        ]
    except (BackendUnavailable, BackendError):
        dispatcher.utter_message(text=BILL_UNAVAILABLE)
        return
    about = "khoảng " if figure.approximate else ""
    results = priced[0][1]
    first = results[0]
    if len(priced) == 1 and len(results) == 1:
        text = (
            f"Với {about}{first['amount_text']} mỗi tháng, nhà bạn dùng được tối đa "
            f"{about}{first['kwh']} kWh (hóa đơn {first['total_text']}, đã gồm thuế GTGT). "
            f"Dùng thêm dù chỉ 1 kWh nữa thì hóa đơn sẽ vượt {first['amount_text']}."
        )
    else:
        amounts = (
            first["amount_text"]
            if len(results) == 1
            else f"{first['amount_text']} đến {results[1]['amount_text']}"
        )
        parts = []
        for label, fits in priced:
            kwh = (
                f"{fits[0]['kwh']} kWh"
                if len(fits) == 1
                else f"từ {fits[0]['kwh']} đến {fits[1]['kwh']} kWh"
            )
            parts.append(f"{label}: {kwh}" if label else kwh)
        text = (
            f"Với {about}{amounts} mỗi tháng, nhà bạn dùng được tối đa {'; '.join(parts)} "
            "(đã gồm thuế GTGT)."
        )
    dispatcher.utter_message(
        text=f"{text} {assumptions(figure)}",
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
        if reading.unavailable:
            dispatcher.utter_message(text=BILL_UNAVAILABLE)
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
                f"Giá điện sinh hoạt theo {current['decision_text']} (từ {current['effective_from_text']}), chưa gồm thuế GTGT: "
                f"{tiers}.{prepaid} Số điện càng cao thì phần vượt càng đắt."
            ),
            buttons=[{"title": "Tính tiền điện", "payload": "/calculate_bill"}],
        )
        return []
