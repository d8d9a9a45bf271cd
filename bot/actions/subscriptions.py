"""Turning weekly tips, outage notices and usage alerts on or off."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import call_for_household

KINDS = ("weekly_tips", "outage_notices", "usage_alerts")


def set_subscriptions(
    enabled: bool, reply: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    changes = {kind: enabled for kind in KINDS}
    if call_for_household(tracker, dispatcher, "PUT", "subscriptions", changes) is not None:
        dispatcher.utter_message(text=reply)
    return []


class ActionSubscribe(Action):
    def name(self) -> str:
        return "action_subscribe"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return set_subscriptions(
            True,
            "Đã bật thông báo: mẹo tiết kiệm hằng tuần, lịch cắt điện khu vực nhà bạn và cảnh báo "
            "khi mức dùng điện bất thường. Tôi không gửi tin từ 21:00 đến 7:00, trừ lịch cắt điện gấp.",
            dispatcher,
            tracker,
        )


class ActionUnsubscribe(Action):
    def name(self) -> str:
        return "action_unsubscribe"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return set_subscriptions(
            False,
            'Đã tắt mọi thông báo. Khi muốn nhận lại, bạn chỉ cần nhắn "bật thông báo".',
            dispatcher,
            tracker,
        )
