"""Turning weekly tips, outage notices and usage alerts on or off."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import call_for_household

KINDS = ("weekly_tips", "outage_notices", "usage_alerts")


def clock(text: str) -> str:
    """ "21:00:00" or "21:00" -> "21:00"; "07:00" -> "7:00"."""
    hour, minute = text.split(":")[:2]
    return f"{int(hour)}:{minute}"


def quiet_hours_sentence(body: dict) -> str:
    """The household's own quiet hours, as the backend holds them (households can change them)."""
    quiet = body.get("quiet_hours") or {}
    if not quiet.get("start") or not quiet.get("end") or quiet["start"] == quiet["end"]:
        return ""
    return (
        f" Tôi không gửi tin từ {clock(quiet['start'])} đến {clock(quiet['end'])} "
        "(giờ yên lặng bạn chọn trong ứng dụng), trừ lịch cắt điện sắp diễn ra."
    )


def set_subscriptions(
    enabled: bool, reply: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    changes = {kind: enabled for kind in KINDS}
    body = call_for_household(tracker, dispatcher, "PUT", "subscriptions", changes)
    if body is not None:
        quiet = quiet_hours_sentence(body) if enabled else ""
        dispatcher.utter_message(text=reply + quiet)
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
            "khi mức dùng điện bất thường.",
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
