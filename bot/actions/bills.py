"""Bills: estimate for N kWh, kWh for a budget, the tariff tiers (numbers from the backend)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import latest_text
from actions.parsing import parse_money, parse_whole_number

MAX_KWH = 100_000
BILL_UNAVAILABLE = (
    "Xin lỗi, máy tính hóa đơn đang tạm ngưng nên tôi chưa tính được con số chính xác. "
    "Bạn thử lại sau ít phút nhé."
)


class ValidateBillForm(FormValidationAction):
    def name(self) -> str:
        return "validate_bill_form"

    def validate_kwh(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kwh = parse_whole_number(value)
        if kwh is None:
            kwh = parse_whole_number(latest_text(tracker))
        if kwh is None or kwh > MAX_KWH:
            dispatcher.utter_message(
                text="Số điện cần là số nguyên không âm (kWh), ví dụ 350. Bạn nhập lại giúp tôi nhé."
            )
            return {"kwh": None}
        return {"kwh": kwh}


class ValidateBudgetForm(FormValidationAction):
    def name(self) -> str:
        return "validate_budget_form"

    def validate_money(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        amount = parse_money(value if isinstance(value, str) else None) or parse_money(
            latest_text(tracker)
        )
        if amount is None and isinstance(value, (int, float)) and value >= 1000:
            amount = int(value)
        if amount is None:
            dispatcher.utter_message(
                text="Tôi chưa hiểu số tiền. Bạn viết giúp kiểu 500k, 800 nghìn hoặc 1tr2 nhé."
            )
            return {"money": None}
        return {"money": amount}


def tier_summary(segments: list[dict[str, Any]]) -> str:
    lines = []
    for segment in segments:
        for tier in segment["tiers"]:
            if tier["kwh"]:
                lines.append(f"bậc {tier['tier']}: {tier['kwh']} kWh × {tier['price_text']}")
    return "; ".join(lines)


class ActionEstimateBill(Action):
    def name(self) -> str:
        return "action_estimate_bill"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kwh = parse_whole_number(tracker.get_slot("kwh"))
        if kwh is None:
            dispatcher.utter_message(response="utter_ask_kwh")
            return [SlotSet("kwh", None)]
        try:
            bill = client().post("/api/v1/bills/estimate", {"kwh": kwh})
        except (BackendUnavailable, BackendError):
            dispatcher.utter_message(text=BILL_UNAVAILABLE)
            return [SlotSet("kwh", None)]
        rate = round(bill["vat_rate"] * 100)
        dispatcher.utter_message(
            text=(
                f"Với {kwh} kWh trong một tháng, tiền điện là {bill['total_text']} "
                f"(gồm {bill['subtotal_text']} tiền điện và {bill['vat_text']} thuế GTGT {rate}%), "
                f"theo biểu giá {bill['segments'][0]['tariff']}. Chi tiết: {tier_summary(bill['segments'])}."
            ),
            buttons=[
                {"title": "Vì sao hóa đơn tăng?", "payload": "/ask_bill_spike"},
                {"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"},
            ],
        )
        return [SlotSet("kwh", None)]


class ActionKwhForBudget(Action):
    def name(self) -> str:
        return "action_kwh_for_budget"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        amount = tracker.get_slot("money")
        if amount is None:
            dispatcher.utter_message(response="utter_ask_money")
            return []
        try:
            result = client().get("/api/v1/bills/kwh-for-budget", params={"amount": int(amount)})
        except (BackendUnavailable, BackendError):
            dispatcher.utter_message(text=BILL_UNAVAILABLE)
            return [SlotSet("money", None)]
        dispatcher.utter_message(
            text=(
                f"Với {result['amount_text']} mỗi tháng, nhà bạn dùng được tối đa {result['kwh']} kWh "
                f"(hóa đơn {result['total_text']}, đã gồm thuế GTGT). "
                f"Dùng thêm dù chỉ 1 kWh nữa thì hóa đơn sẽ vượt {result['amount_text']}."
            ),
            buttons=[{"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"}],
        )
        return [SlotSet("money", None)]


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
