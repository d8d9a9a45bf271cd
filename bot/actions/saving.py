"""Saving tips per appliance and peak hours, from the backend's data (never typed in the bot)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import client
from actions.reference import facts, hours_text, peak_hours, statement, tips_for

NO_DATA = (
    "Xin lỗi, hiện tôi chưa lấy được dữ liệu (hệ thống đang bận). Bạn thử lại sau ít phút nhé."
)


def peak_hours_text(hours: dict, no_time_of_use: str) -> str:
    """Peak hours in force today, hot-weather hours, announced changes, and that households pay
    no time-of-use price (always said where peak hours are)."""
    current = hours.get("current")
    parts = []
    if current:
        parts.append(
            f"Giờ cao điểm: {hours_text(current['peak'])}, từ {current['peak_days']} "
            f"(theo {current['basis']}). "
            f"Giờ bình thường: {hours_text(current['normal'])}; "
            f"giờ thấp điểm: {hours_text(current['off_peak'])}."
        )
    save = hours.get("hot_weather", {}).get("save_hours")
    if save:
        parts.append(f"Ngày nắng nóng, EVN đề nghị hạn chế dùng điện thêm vào {hours_text(save)}.")
    for schedule in hours.get("announced") or []:
        parts.append(
            f"EVN đã công bố khung giờ cao điểm mới {hours_text(schedule['peak'])} "
            f"({schedule['basis']}), chưa áp dụng để tính tiền."
        )
    parts.append(no_time_of_use)
    return " ".join(parts)


class ActionSavingTips(Action):
    def name(self) -> str:
        return "action_saving_tips"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        data = facts(client())
        if data is None:
            dispatcher.utter_message(text=NO_DATA)
            return [SlotSet("appliance", None)]
        tips = tips_for(data, tracker.get_slot("appliance"))[:2]
        dispatcher.utter_message(
            text=" ".join(tips),
            buttons=[
                {"title": "Giờ cao điểm", "payload": "/ask_peak_hours"},
                {"title": "Nhãn năng lượng", "payload": "/ask_energy_label"},
                {"title": "Điện mặt trời", "payload": "/ask_solar"},
            ],
        )
        return [SlotSet("appliance", None)]


class ActionPeakHours(Action):
    def name(self) -> str:
        return "action_peak_hours"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        backend = client()
        hours, data = peak_hours(backend), facts(backend)
        if hours is None or data is None:
            dispatcher.utter_message(text=NO_DATA)
            return []
        dispatcher.utter_message(
            text=peak_hours_text(hours, statement(data, "households_no_time_of_use")),
            buttons=[{"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"}],
        )
        return []
