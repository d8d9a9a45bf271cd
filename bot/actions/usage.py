"""My consumption: this period so far, projected bill, comparisons and the model's verdict."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import client
from actions.common import call_for_household
from actions.reference import facts, statement

CHANGE_QUESTION = (
    "Nhà bạn có thay đổi gì lâu dài không (mua thêm thiết bị, có thêm người ở)? Nếu có, bạn trả "
    'lời tôi, ví dụ "có, nhà mới mua thêm điều hòa", để mức dự kiến được tính theo mức dùng mới.'
)
# an open alert whose cause the household may find and put right (actions/alert_feedback.py)
REPAIR_HINT = (
    'Nếu đã tìm ra và sửa xong chỗ gây tốn điện, bạn nhắn "đã sửa xong" để tôi theo dõi lại mức '
    "dùng từ hôm bạn báo."
)
REPAIR_BUTTON = {"title": "Đã sửa xong", "payload": "/report_repair"}
CHANGE_BUTTONS = [
    {"title": "Có thay đổi lâu dài", "payload": "/confirm_lasting_change"},
    {"title": "Không có gì thay đổi", "payload": "/deny_lasting_change"},
]


def no_readings_yet(period_start_text: str) -> str:
    """No reading in this period: nothing to project from, and no figure is stated."""
    return (
        f"Tôi chưa có số điện nào của nhà bạn trong kỳ này (từ {period_start_text}), nên chưa "
        "dự kiến được lượng điện và tiền điện cả kỳ. Bạn nhắn chỉ số công tơ mỗi lần ghi (ví dụ: "
        "“chỉ số công tơ 12345”); từ lần ghi thứ hai tôi tính được lượng điện nhà bạn đã dùng."
    )


def describe_usage(usage: dict, data: dict | None = None) -> str:
    """The period so far; the model's verdict said as an estimate, with what it compared."""
    if usage.get("days_measured") == 0:
        return no_readings_yet(usage["period_start_text"])
    text = (
        f"Từ {usage['period_start_text']} đến nay nhà bạn đã dùng {round(usage['kwh_so_far'])} kWh; "
        f"dự kiến cả kỳ khoảng {round(usage['projected_kwh'])} kWh, tiền điện khoảng "
        f"{usage['projected_bill_text']}."
    )
    neighbours = usage.get("neighbours_median_kwh")
    if neighbours:
        ratio = usage["projected_kwh"] / neighbours if neighbours else 1
        if ratio > 1.1:
            text += f" Mức này cao hơn khoảng {round((ratio - 1) * 100)}% so với các hộ tương tự trong tỉnh."
        elif ratio < 0.9:
            text += f" Mức này thấp hơn khoảng {round((1 - ratio) * 100)}% so với các hộ tương tự trong tỉnh — rất tốt!"
        else:
            text += " Mức này tương đương các hộ tương tự trong tỉnh."
    anomaly = usage.get("anomaly")
    if anomaly and anomaly.get("is_anomaly"):
        # an alert whose last week is back to the expected use says so itself (backend)
        if not anomaly.get("easing"):
            text += " Có thể nhà bạn đang dùng điện nhiều hơn thường lệ."
        text += " " + anomaly["explanation"]
        if data and not anomaly.get("easing"):
            text += " " + statement(data, "usage_model_unusual")
    elif anomaly is not None and data:
        text += " " + statement(data, "usage_model_normal")
    if offers_repair(usage):  # before the question, which a bare "có" answers
        text += " " + REPAIR_HINT
    if asks_about_change(usage):
        text += " " + CHANGE_QUESTION
    return text


def asks_about_change(usage: dict) -> bool:
    """An open alert the household has not answered: ask whether its use changed for good (the
    answer goes to actions/alert_feedback.py); not once its last week is back to the expected use
    (`easing`), when the question no longer fits what was just said."""
    anomaly = usage.get("anomaly") or {}
    return bool(
        anomaly.get("is_anomaly")
        and anomaly.get("anomaly_id") is not None
        and anomaly.get("lasting_change") is None
        and not anomaly.get("easing")
    )


def offers_repair(usage: dict) -> bool:
    """An open alert whose repair can be told, as the backend decides for the app's button too
    (not once told, nor after "use changed for good" or guests)."""
    anomaly = usage.get("anomaly") or {}
    return bool(anomaly.get("is_anomaly") and anomaly.get("repair_offered"))


class ActionCheckUsage(Action):
    def name(self) -> str:
        return "action_check_usage"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        usage = call_for_household(tracker, dispatcher, "GET", "usage")
        if usage is None:
            return []
        buttons = [
            {"title": "Vì sao tiền điện tăng?", "payload": "/ask_bill_spike"},
            {"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"},
        ]
        if asks_about_change(usage):
            buttons = [*CHANGE_BUTTONS, buttons[1]]
        if offers_repair(usage):
            buttons = [*buttons[:-1], REPAIR_BUTTON, buttons[-1]]
        dispatcher.utter_message(text=describe_usage(usage, facts(client())), buttons=buttons)
        return []
