"""The projected bill of this period ("tháng này dự kiến hết bao nhiêu?") and the monthly budget
("báo cho tôi nếu tiền điện tháng này vượt 800 nghìn", "đặt hạn mức 250 số", "bỏ hạn mức"): a
budget is changed only after the household says yes to the exact figure: the asking actions put
the change in `pending_change` and action_apply_change (actions/changes.py) applies it. Every
amount said is the backend's `amount_text` (a budget not yet confirmed: from its preview)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import UNAVAILABLE, ask_to_confirm, call_for_household, latest_text
from actions.parsing import find_quantities
from actions.usage import no_readings_yet

MIN_AMOUNT, MAX_AMOUNT = 10_000, 100_000_000
MAX_KWH = 100_000
ASK_FIGURE = (
    'Bạn muốn đặt hạn mức bao nhiêu cho mỗi kỳ? Ví dụ: "báo cho tôi nếu tiền điện vượt '
    '800 nghìn" hoặc "đặt hạn mức 250 số".'
)


def budget_from_text(text: str) -> dict[str, int] | None:
    """{"amount": đồng} or {"kwh": n} from the message, or None when it holds no usable figure.
    A figure the words do not mark as kWh ("số", "kWh") is money when it is large enough."""
    for quantity in find_quantities(text):
        value = quantity.value
        unit = quantity.unit or quantity.hint
        if unit == "kwh" and 1 <= value <= MAX_KWH:
            return {"kwh": round(value)}
        if unit == "money" and MIN_AMOUNT <= value <= MAX_AMOUNT:
            return {"amount": round(value)}
        if unit is None and MIN_AMOUNT <= value <= MAX_AMOUNT:
            return {"amount": round(value)}
    return None


def budget_text(budget: dict[str, Any]) -> str:
    """The budget as the backend sent it (`amount_text` for an amount; the bot formats no money)."""
    if budget.get("amount") is not None:
        return str(budget["amount_text"])
    return f"{budget['kwh']} kWh"


def describe_projection(p: dict[str, Any]) -> str:
    period = p["period"]
    if p.get("days_measured") == 0:
        return no_readings_yet(period["start_text"])
    left = period["days_total"] - period["days_elapsed"]
    amounts = p["amount_text"]
    weather = (
        "thời tiết dự báo những ngày tới"
        if p["weather_source"] == "forecast"
        else "nhiệt độ trung bình nhiều năm (chưa có dự báo thời tiết)"
    )
    text = (
        f"Kỳ này (đến ngày chốt chỉ số {period['end_text']}, còn {left} ngày) nhà bạn đã dùng "
        f"{round(p['kwh_so_far'])} kWh. Theo mức dùng của nhà bạn và {weather}, cả kỳ dự kiến "
        f"khoảng {round(p['kwh']['expected'])} kWh, tiền điện khoảng {amounts['expected']} "
        f"(nhiều khả năng từ {amounts['low']} đến {amounts['high']})."
    )
    budget = p.get("budget")
    if budget:
        limit = budget_text(budget)
        if budget.get("already_over"):
            text += f" Số điện đã dùng kỳ này đã vượt hạn mức {limit} bạn đã đặt."
        elif budget["over"]:
            text += f" Mức này vượt hạn mức {limit} bạn đã đặt."
        else:
            text += f" Vẫn trong hạn mức {limit} bạn đã đặt."
        daily = budget.get("daily_kwh_within")
        if daily is not None and daily >= 1:
            text += f" Mỗi ngày dùng dưới {daily:.0f} kWh thì không vượt {limit}."
    tier = p.get("tier") or {}
    if tier.get("next_price_text") and tier.get("projected", 0) > tier.get("current", 0):
        text += (
            f" Cuối kỳ nhà bạn sẽ sang bậc {tier['projected']}; bậc kế tiếp giá "
            f"{tier['next_price_text']} (chưa gồm thuế GTGT)."
        )
    return text


class ActionProjectedBill(Action):
    def name(self) -> str:
        return "action_projected_bill"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        projection = call_for_household(tracker, dispatcher, "GET", "projection")
        if projection is None:
            return []
        buttons = [{"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"}]
        if not projection.get("budget"):
            buttons.insert(0, {"title": "Đặt hạn mức", "payload": "/set_budget"})
        dispatcher.utter_message(text=describe_projection(projection), buttons=buttons)
        return []


def ask_budget_figure(dispatcher: CollectingDispatcher) -> list[EventType]:
    """No figure yet: ask for one. A yes to this question asks again (see apply_budget)."""
    dispatcher.utter_message(text=ASK_FIGURE)
    return [SlotSet("pending_change", {"kind": "budget"})]


class ActionPrepareBudget(Action):
    """Read the figure and ask to confirm it; nothing is stored yet (actions/changes.py applies
    it after a yes)."""

    def name(self) -> str:
        return "action_prepare_budget"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        budget = budget_from_text(latest_text(tracker))
        if budget is None:
            return ask_budget_figure(dispatcher)
        preview = call_for_household(tracker, dispatcher, "POST", "budget/preview", budget)
        if preview is None:  # not linked, or the backend is unavailable: said, nothing pending
            return [SlotSet("pending_change", None)]
        limit = budget_text(preview["budget"])
        if "amount" in budget:
            question = (
                f"Tôi sẽ đặt hạn mức tiền điện mỗi kỳ là {limit} và báo cho bạn "
                f"(qua thông báo trên điện thoại và Zalo) khi dự kiến kỳ này vượt mức đó. Đồng ý không ạ?"
            )
        else:
            question = (
                f"Tôi sẽ đặt hạn mức {limit} mỗi kỳ và báo cho bạn khi dự kiến "
                f"kỳ này dùng quá số đó. Đồng ý không ạ?"
            )
        return ask_to_confirm(dispatcher, question, {"kind": "budget", "set": budget})


class ActionPrepareClearBudget(Action):
    def name(self) -> str:
        return "action_prepare_clear_budget"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return ask_to_confirm(
            dispatcher,
            "Bạn muốn bỏ hạn mức tiền điện? Tôi sẽ không báo khi dự kiến vượt hạn mức nữa. Đồng ý không ạ?",
            {"kind": "budget", "clear": True},
        )


def apply_budget(
    dispatcher: CollectingDispatcher, tracker: Tracker, change: dict[str, Any]
) -> None:
    """The household said yes: store (or clear) the budget asked about just before."""
    not_saved = UNAVAILABLE + " Hạn mức chưa được thay đổi."
    if change.get("clear"):
        done = call_for_household(tracker, dispatcher, "DELETE", "budget", None, not_saved)
        if done is not None:
            dispatcher.utter_message(
                text='Đã bỏ hạn mức. Khi cần, bạn cứ nhắn "đặt hạn mức 800 nghìn" để đặt lại.'
                if done.get("removed")
                else "Nhà bạn chưa đặt hạn mức nào nên không có gì để bỏ."
            )
        return
    figure = change.get("set")
    payload = {k: int(v) for k, v in (figure or {}).items() if k in ("amount", "kwh")}
    if not payload:  # a yes to "how much?": ask for the figure again
        dispatcher.utter_message(text=ASK_FIGURE)
        return
    done = call_for_household(tracker, dispatcher, "PUT", "budget", payload, not_saved)
    if done is not None:
        dispatcher.utter_message(
            text=f"Đã đặt hạn mức {budget_text(done['budget'])} mỗi kỳ. Tôi sẽ báo cho bạn "
            "khi dự kiến kỳ này vượt mức đó (không gửi trong giờ yên lặng của bạn).",
            buttons=[{"title": "Tháng này dự kiến bao nhiêu?", "payload": "/ask_projected_bill"}],
        )
