"""The yes or no to a change the bot asked about (notices on/off, linking): apply it or not.

The asking actions (action_subscribe, action_unsubscribe, action_link_account) put the exact
change in the `pending_change` slot; the rules send the next affirm/deny here. The change is
forgotten either way, so a later "ok" never changes anything.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import call_for_household
from actions.linking import link_with_code
from actions.subscriptions import KINDS, names_of, quiet_hours_sentence

NOTHING_PENDING = "Vâng ạ. Bạn cần tôi giúp gì thêm không?"


def apply_subscriptions(
    dispatcher: CollectingDispatcher, tracker: Tracker, changes: dict[str, bool]
) -> None:
    body = call_for_household(tracker, dispatcher, "PUT", "subscriptions", changes)
    if body is None:
        return
    on = [kind for kind in KINDS if changes.get(kind) is True]
    off = [kind for kind in KINDS if changes.get(kind) is False]
    parts = []
    if on:
        parts.append(f"Đã bật thông báo: {names_of(on)}.{quiet_hours_sentence(body)}")
    if off:
        again = "nhận lại" if len(off) == len(KINDS) else "bật lại"
        parts.append(
            f'Đã tắt thông báo: {names_of(off)}. Khi muốn {again}, bạn chỉ cần nhắn "bật thông báo".'
        )
    dispatcher.utter_message(text=" ".join(parts))


class ActionApplyChange(Action):
    def name(self) -> str:
        return "action_apply_change"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        forget = [SlotSet("pending_change", None)]
        change = tracker.get_slot("pending_change")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not isinstance(change, dict) or change.get("kind") not in ("subscriptions", "link"):
            dispatcher.utter_message(text=NOTHING_PENDING)
            return forget
        if intent != "affirm":
            what = "liên kết" if change["kind"] == "link" else "thông báo của bạn"
            dispatcher.utter_message(text=f"Vâng, tôi giữ nguyên {what}, chưa thay đổi gì.")
            return forget
        if change["kind"] == "link":
            link_with_code(dispatcher, tracker, str(change.get("code", "")))
        else:
            changes = {k: bool(v) for k, v in (change.get("changes") or {}).items() if k in KINDS}
            apply_subscriptions(dispatcher, tracker, changes)
        return forget
