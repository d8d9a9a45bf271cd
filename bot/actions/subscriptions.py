"""Turning weekly tips, outage notices and usage alerts on or off."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import UNAVAILABLE, linked_household

ALL_KINDS = {"weekly_tips": True, "outage_notices": True, "usage_alerts": True}


class _SetSubscriptions(Action):
    enabled = True
    reply = ""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        backend = client()
        household = linked_household(backend, tracker, dispatcher)
        if household is None:
            return []
        try:
            backend.put(
                f"/api/v1/service/households/{household['household_id']}/subscriptions",
                {kind: self.enabled for kind in ALL_KINDS},
            )
        except (BackendUnavailable, BackendError):
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        dispatcher.utter_message(text=self.reply)
        return []


class ActionSubscribe(_SetSubscriptions):
    enabled = True
    reply = (
        "Đã bật thông báo: mẹo tiết kiệm hằng tuần, lịch cắt điện khu vực nhà bạn và cảnh báo khi "
        "mức dùng điện bất thường. Tôi không gửi tin từ 21:00 đến 7:00, trừ lịch cắt điện gấp."
    )

    def name(self) -> str:
        return "action_subscribe"


class ActionUnsubscribe(_SetSubscriptions):
    enabled = False
    reply = "Đã tắt mọi thông báo. Khi muốn nhận lại, bạn chỉ cần nhắn \"bật thông báo\"."

    def name(self) -> str:
        return "action_unsubscribe"
