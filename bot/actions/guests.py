"""Guests announced beforehand ("tuần sau nhà có khách từ 24 đến 27/12"): the days are read from
the message (guest_form asks for what is missing), said back as the backend writes them and
confirmed; after the yes the backend stores the stay, and the nightly scoring neither learns those
days as the household's normal use nor raises a usage alert for them (backend/services/guests.py).
A stay whose guests did not come is withdrawn the same way ("khách không đến nữa"): the stay is
named as the backend lists it, and removed after a yes.
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
WITHDRAW_KEPT = "Vâng, tôi giữ nguyên đợt khách bạn đã báo."
NOTHING_TO_WITHDRAW = (
    "Nhà bạn chưa báo đợt khách nào sắp tới hay trong 30 ngày qua, nên không có đợt nào để bỏ."
)
WITHDRAWN_MEANS = (
    "Những ngày đó lại được tính như ngày thường: tôi học mức dùng điện quen thuộc của nhà bạn "
    "từ những ngày này và gửi cảnh báo nếu dùng tăng bất thường."
)
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


def _chosen(stays: list[dict[str, Any]], text: str, today: date) -> dict[str, Any] | None:
    """The stay the message means: the one holding a day it names, or the only one."""
    if len(stays) == 1:
        return stays[0]  # the question names its days: a "no" keeps it
    named = read_stay(text, today=today).first
    if named is None:
        return None
    holding = [s for s in stays if s["first_day"] <= named.isoformat() <= s["last_day"]]
    return holding[0] if len(holding) == 1 else None


class ActionWithdrawGuestStay(Action):
    """ "Khách không đến nữa": find the announced stay the household means and ask before
    withdrawing it (action_apply_change calls apply_guest_withdrawal after the yes)."""

    def name(self) -> str:
        return "action_withdraw_guest_stay"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        forget: list[EventType] = [SlotSet("pending_change", None)]
        listed = call_for_household(tracker, dispatcher, "GET", "guest-stays")
        if listed is None:
            return forget
        stays = listed.get("stays") or []
        if not stays:
            dispatcher.utter_message(text=NOTHING_TO_WITHDRAW)
            return forget
        stay = _chosen(stays, latest_text(tracker), vietnam_today())
        if stay is None:
            periods = "; ".join(s["period_text"] for s in stays)
            dispatcher.utter_message(
                text=f"Nhà bạn đã báo {len(stays)} đợt khách: {periods}. Bạn muốn bỏ đợt nào? "
                'Nhắn giúp kiểu: "bỏ đợt khách ngày …" với một ngày của đợt đó.'
            )
            return forget
        question = f"Bỏ đợt khách {stay['period_text']} bạn đã báo, đúng không ạ? {WITHDRAWN_MEANS}"
        change = {"kind": "guest_withdrawal", "id": stay["id"]}
        return ask_to_confirm(dispatcher, question, change, yes_no("Đúng, bỏ đợt này", "Không"))


def apply_guest_withdrawal(
    dispatcher: CollectingDispatcher, tracker: Tracker, change: dict[str, Any]
) -> None:
    """The household said yes: withdraw the stay asked about just before."""
    stay_id = change.get("id")
    if isinstance(stay_id, bool) or not isinstance(stay_id, int):
        stay_id = 0  # no such stay: the backend's 404 is said
    removed = call_for_household(
        tracker,
        dispatcher,
        "DELETE",
        f"guest-stays/{stay_id}",
        None,
        UNAVAILABLE + " Đợt khách vẫn được giữ như đã báo.",
        refused="Tôi chưa bỏ được.",
    )
    if removed is not None:
        period = removed["stay"]["period_text"]
        dispatcher.utter_message(text=f"Đã bỏ đợt khách {period}. {WITHDRAWN_MEANS}")
