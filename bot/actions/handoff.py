"""Hand the conversation to customer-care staff and pause the bot for it.

A handover pauses the bot, so it happens at once only when the ask is plain: a short message
read as a request for a person with confidence EXPLICIT or more (or the button), and no word of
refusal in it. Otherwise ("em hỏi có muốn gặp nhân viên không à, thôi khỏi nhé, anh tự xem
được", a long story that mentions staff) the bot asks first, and the yes goes to
action_apply_change (actions/changes.py: kind "handoff").
"""

from __future__ import annotations

import re

from components.text import normalise_text
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import ask_to_confirm, latest_text, yes_no
from actions.reference import facts, hotline

# the classifier's confidence at or above which a short ask is plain
EXPLICIT = 0.9
# messages of this many words or more tell more than the ask: the bot asks first
LONG_WORDS = 12
# refusals (normalised words: no diacritics, shorthand expanded): "không cần", "khỏi", "thôi",
# "đừng"/"dừng" ("dung" is also "dùng", which a plain ask for a person does not need either)
REFUSAL = re.compile(r"\b(?:khong can|khoi|thoi|dung|chua can)\b")
QUESTION = (
    "Bạn muốn nói chuyện với nhân viên chăm sóc khách hàng phải không? Khi chuyển, tôi sẽ "
    "dừng trả lời để nhân viên tiếp nhận cuộc trò chuyện này."
)


def is_plain_ask(tracker: Tracker) -> bool:
    """A short, confident ask for a person with no refusal in it (a button's payload is one)."""
    intent = tracker.latest_message.get("intent") or {}
    confidence = intent.get("confidence")
    text = latest_text(tracker)
    if text.startswith("/"):
        return True
    if confidence is not None and float(confidence) < EXPLICIT:
        return False
    if len(text.split()) >= LONG_WORDS:
        return False
    return not REFUSAL.search(normalise_text(text))


def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Queue the conversation for staff and pause the bot; the hotline if that fails."""
    backend = client()
    data = facts(backend)
    channel = tracker.get_latest_input_channel() or "rest"
    region = province = None
    try:
        household = backend.household_of(tracker.sender_id)
        region, province = household.get("region"), household.get("province_code")
        queued = backend.post(
            "/api/v1/service/handoffs",
            {"sender_id": tracker.sender_id, "channel": channel, "reason": "request_human"},
        )
        position = queued.get("queue_position")
    except (BackendUnavailable, BackendError):
        number, ask = hotline(data, region, province)
        dispatcher.utter_message(
            text="Xin lỗi, hiện tôi chưa chuyển được cho nhân viên. Bạn gọi "
            f"{number} để được hỗ trợ ngay nhé. {ask}".strip()
        )
        return []
    ahead = f" Trước bạn có {position - 1} người đang chờ." if position and position > 1 else ""
    number, ask = hotline(data, region, province)
    # No promised reply time: no service level exists for the staff queue.
    dispatcher.utter_message(
        text=(
            "Tôi đã chuyển cuộc trò chuyện cho nhân viên chăm sóc khách hàng; nhân viên sẽ trả "
            f"lời bạn ngay trong cuộc trò chuyện này khi đến lượt.{ahead} Nếu cần gấp, bạn gọi "
            f"{number}. {ask}"
        ).strip()
    )
    return [ConversationPaused()]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not is_plain_ask(tracker):
            buttons = yes_no("Có, gặp nhân viên", "Không")
            return ask_to_confirm(dispatcher, QUESTION, {"kind": "handoff"}, buttons)
        pending = tracker.get_slot("pending_change")
        asked = isinstance(pending, dict) and pending.get("kind") == "handoff"
        # asked again plainly instead of answering: the question is settled
        return ([SlotSet("pending_change", None)] if asked else []) + hand_over(dispatcher, tracker)
