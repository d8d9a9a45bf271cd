"""Guests announced beforehand ("tuần sau nhà có khách từ 24 đến 27/12"): the days are read from
the message (guest_form asks for what is missing), said back as the backend writes them and
confirmed; after the yes the backend stores the stay, and the nightly scoring neither learns those
days as the household's normal use nor raises a usage alert for them (backend/services/guests.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from components.text import strip_diacritics
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import vietnam_today
from actions.common import (
    CANCEL,
    UNAVAILABLE,
    ask_to_confirm,
    call_for_household,
    latest_text,
    post_alert_answer,
    yes_no,
)
from actions.dates import read_stay
from actions.tet_days import mentions_tet

STOPPED = "-"  # slot value after "thôi": the form ends and nothing is asked
NOT_READ_FIRST = (
    "Tôi chưa đọc được ngày khách đến. Bạn viết giúp kiểu: 24/12, mai, thứ 7 này, mùng 2 Tết; "
    'hoặc nhắn "thôi" nếu không cần nữa.'
)
NOT_READ_LAST = (
    "Tôi chưa đọc được khách ở đến ngày nào. Bạn viết giúp kiểu: đến 27/12, ở 3 ngày, "
    'một tuần; hoặc nhắn "thôi" nếu không cần nữa.'
)
WHAT_IT_DOES = (
    "Những ngày đó tôi không tính vào mức dùng điện quen thuộc của nhà bạn và không gửi "
    "cảnh báo dùng điện tăng bất thường."
)
KEPT = "Vâng, tôi chưa ghi lại đợt khách nào."
REFUSED = "Tôi chưa ghi được."
SLOTS = ("guest_first", "guest_last")
RECENT_MESSAGES = 4  # the request and the answers to the form's questions: "Tết này…", "mùng 2"


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


class ValidateGuestForm(FormValidationAction):
    """Reads the whole message for the first and last day; asks for what it does not state."""

    def name(self) -> str:
        return "validate_guest_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        asked = tracker.get_slot("requested_slot")
        if asked in SLOTS and CANCEL.match(strip_diacritics(text).lower().strip()):
            dispatcher.utter_message(text="Vâng, tôi dừng ở đây. Khi cần bạn cứ nhắn lại nhé.")
            return [*(SlotSet(s, STOPPED) for s in SLOTS), SlotSet("requested_slot", None)]
        first = _day(tracker.get_slot("guest_first"))
        said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
        tet_said = any(mentions_tet(earlier) for earlier in said[-RECENT_MESSAGES:])
        stay = read_stay(text, today=vietnam_today(), first=first, tet_said=tet_said)
        if stay.first is not None and stay.last is not None:
            return [
                SlotSet("guest_first", stay.first.isoformat()),
                SlotSet("guest_last", stay.last.isoformat()),
            ]
        if stay.first is not None:
            if asked == "guest_last":
                dispatcher.utter_message(text=NOT_READ_LAST)
            return [SlotSet("guest_first", stay.first.isoformat()), SlotSet("guest_last", None)]
        if asked == "guest_first":
            dispatcher.utter_message(text=NOT_READ_FIRST)
        return [SlotSet("guest_first", None), SlotSet("guest_last", None)]


class ActionPrepareGuestStay(Action):
    """The form has both days: the backend checks them and writes the period; say it back and
    ask. Nothing is stored before a yes (action_apply_change calls apply_guest_stay)."""

    def name(self) -> str:
        return "action_prepare_guest_stay"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        first, last = (_day(tracker.get_slot(s)) for s in SLOTS)
        reset: list[EventType] = [SlotSet(s, None) for s in SLOTS]
        if first is None or last is None:  # stopped ("thôi"): already answered
            return [*reset, SlotSet("pending_change", None)]
        body = {"first_day": first.isoformat(), "last_day": last.isoformat()}
        preview = call_for_household(
            tracker, dispatcher, "POST", "guest-stays/preview", body, refused=REFUSED
        )
        if preview is None:
            return [*reset, SlotSet("pending_change", None)]
        period = preview["stay"]["period_text"]
        question = f"Nhà bạn có khách {period}, đúng không ạ? {WHAT_IT_DOES} Tôi ghi lại nhé?"
        return [
            *reset,
            *ask_to_confirm(
                dispatcher,
                question,
                {"kind": "guest_stay", **body},
                yes_no("Đúng, ghi lại", "Không"),
            ),
        ]


def apply_guest_stay(
    dispatcher: CollectingDispatcher, tracker: Tracker, change: dict[str, Any]
) -> None:
    """The household said yes: store the stay asked about just before (and, when it answered a
    usage alert, record that answer: no lasting change)."""
    body = {"first_day": change.get("first_day"), "last_day": change.get("last_day")}
    stored = call_for_household(
        tracker,
        dispatcher,
        "POST",
        "guest-stays",
        body,
        UNAVAILABLE + " Đợt khách chưa được ghi lại.",
        refused=REFUSED,
    )
    if stored is None:
        return
    stay = stored["stay"]
    merged = (stay["first_day"], stay["last_day"]) != (body["first_day"], body["last_day"])
    text = f"Đã ghi: nhà bạn có khách {stay['period_text']}"
    text += " (gộp với đợt bạn đã báo trước)." if merged else "."
    if change.get("anomaly_id") is not None:  # the answer to a usage alert: a visit
        answered = post_alert_answer(
            tracker,
            dispatcher,
            change,
            lasting=False,
            unavailable=UNAVAILABLE + " Câu trả lời cho cảnh báo chưa được ghi lại.",
        )
        if answered is not None:
            text += " Cảnh báo được ghi là do có khách, không phải thay đổi lâu dài."
    dispatcher.utter_message(text=f"{text} {WHAT_IT_DOES}")
