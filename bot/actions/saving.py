"""Saving tips per appliance and peak hours, from the shipped reference data."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.reference import advice, tips_for


class ActionSavingTips(Action):
    def name(self) -> str:
        return "action_saving_tips"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        appliance = tracker.get_slot("appliance")
        tips = tips_for(appliance)[:2]
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
        hours = advice()["peak_hours"]
        dispatcher.utter_message(
            text=(
                f"Giờ cao điểm: {hours['peak']}. Giờ thấp điểm: {hours['off_peak']}; "
                f"giờ bình thường: {hours['normal']}. {hours['hot_weather']} {hours['households']}"
            ),
            buttons=[{"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"}],
        )
        return []
