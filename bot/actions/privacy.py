"""Deleting the household's data (after the confirmation in the domain)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import UNAVAILABLE, call_for_household


class ActionDeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = call_for_household(
            tracker,
            dispatcher,
            "POST",
            "deletion",
            {},
            unavailable=UNAVAILABLE + " Dữ liệu của bạn chưa bị xóa.",
        )
        if done is None:
            return []
        dispatcher.utter_message(
            text="Đã xóa toàn bộ dữ liệu của hộ gia đình bạn và lịch sử trò chuyện. Cảm ơn bạn đã sử dụng dịch vụ."
        )
        return []
