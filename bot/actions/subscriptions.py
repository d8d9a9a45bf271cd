"""Turning weekly tips, outage notices and usage alerts on or off, one kind or all of them.

Nothing changes without an explicit yes: action_subscribe and action_unsubscribe only say the
exact change and ask; the rules send the answer to action_apply_change (actions/changes.py).
"""

from __future__ import annotations

import re

from components.text import normalise_text
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import client
from actions.common import ask_to_confirm, latest_text, linked_household

KINDS = ("weekly_tips", "outage_notices", "usage_alerts")
KIND_NAMES = {
    "weekly_tips": "mẹo tiết kiệm hằng tuần",
    "outage_notices": "lịch cắt điện khu vực nhà bạn",
    "usage_alerts": "cảnh báo khi mức dùng điện bất thường",
}
# how households name one kind of notice ("tắt mẹo hằng tuần", "không nhận tin cắt điện nữa"),
# read from the normalised text as `direction` is ("xài điện tăng" → "dung dien tang")
KIND_WORDS = {
    "weekly_tips": re.compile(r"\b(?:meo|ban tin|hang tuan|moi tuan)\b"),
    "outage_notices": re.compile(r"\b(?:cat dien|cup dien|mat dien|ngung cap dien|lich)\b"),
    "usage_alerts": re.compile(r"\b(?:canh bao|bat thuong|tieu thu|dung dien tang)\b"),
}


# Which way a request goes, where its words say so (normalised: no diacritics, shorthand
# expanded). The model may read "tôi muốn nhận thông báo cắt điện" as unsubscribing; when the
# words go only the other way than the intent, the household is asked which it wants instead of
# being offered the opposite change. Words that collide without their accents are left out or
# taken only in a phrase: tất/tắt, bất/bắt/bật, thời/thôi, bố/bỏ, khói/khỏi, dùng/dừng/đừng.
NOTICE = r"(?:thong bao|tb|tin|tin nhan|lich|canh bao|meo|nhac)"
TURN_ON = re.compile(
    rf"\b(?:bat (?:lai |len )?(?:moi |tat ca |het )?{NOTICE}|bat len|dang ky|muon nhan|nhan {NOTICE}"
    r"|gui (?:cho|giup|gium)|bao (?:cho|giup|gium) (?:toi|tui|minh|em|con))\b"
)
TURN_OFF = re.compile(
    rf"\b(?:tat(?! ca\b)|huy|ngung|dung (?:gui|nhan|bao|nhac|{NOTICE})|thoi (?:nhan|gui)"
    rf"|bo (?:nhan|dang ky|{NOTICE})|khong (?:nhan|can|muon|gui)|khoi (?:nhan|gui|bao|{NOTICE})"
    r"|chan|unsubscribe|stop)\b"
)


def direction(text: str) -> bool | None:
    """True: the words only turn notices on; False: only off; None: neither, or both."""
    plain = normalise_text(text)
    on, off = bool(TURN_ON.search(plain)), bool(TURN_OFF.search(plain))
    return on if on != off else None


# the kinds as a button's request names them (KIND_WORDS reads them back)
PAYLOAD_WORDS = {
    "weekly_tips": "mẹo hằng tuần",
    "outage_notices": "lịch cắt điện",
    "usage_alerts": "cảnh báo bất thường",
}


def ask_which_way(dispatcher: CollectingDispatcher, text: str) -> list[EventType]:
    """The intent and the words disagree: ask on or off, naming the kinds the message named.
    Each button sends a short, whole request ("bật thông báo lịch cắt điện"), read like any
    message, so the change is still said and confirmed before it is made."""
    kinds = kinds_named(text)
    what = (
        "mọi thông báo"
        if len(kinds) == len(KINDS)
        else "thông báo " + " và ".join(PAYLOAD_WORDS[kind] for kind in kinds)
    )
    dispatcher.utter_message(
        text=f"Bạn muốn bật hay tắt thông báo: {names_of(kinds)}?",
        buttons=[
            {"title": "Bật", "payload": f"bật {what}"},
            {"title": "Tắt", "payload": f"tắt {what}"},
        ],
    )
    return [SlotSet("pending_change", None)]


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


def kinds_named(text: str) -> tuple[str, ...]:
    """The kinds of notice the message names; every kind when it names none."""
    plain = normalise_text(text)
    named = tuple(kind for kind in KINDS if KIND_WORDS[kind].search(plain))
    return named or KINDS


def names_of(kinds: list[str] | tuple[str, ...]) -> str:
    names = [KIND_NAMES[kind] for kind in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def ask_subscriptions(
    enabled: bool, dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    """Say the exact change and ask yes or no; the change waits in `pending_change`."""
    if linked_household(client(), tracker, dispatcher) is None:
        return [SlotSet("pending_change", None)]
    text = latest_text(tracker)
    if direction(text) is (not enabled):
        return ask_which_way(dispatcher, text)
    kinds = kinds_named(text)
    verb = "bật" if enabled else "tắt"
    change = {"kind": "subscriptions", "changes": {kind: enabled for kind in kinds}}
    return ask_to_confirm(
        dispatcher, f"Tôi sẽ {verb} thông báo: {names_of(kinds)}. Bạn đồng ý không?", change
    )


class ActionSubscribe(Action):
    def name(self) -> str:
        return "action_subscribe"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return ask_subscriptions(True, dispatcher, tracker)


class ActionUnsubscribe(Action):
    def name(self) -> str:
        return "action_unsubscribe"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return ask_subscriptions(False, dispatcher, tracker)
