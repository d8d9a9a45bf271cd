"""The yes or no to a change the bot asked about (notices on/off, linking, the budget, a meter
reading, a guest stay or its withdrawal, an alert's answer or repair, deleting the household's
data, handing the chat to staff): apply it or not. This is the one confirm-before-change
mechanism of the bot: nothing is changed or deleted without an explicit yes.

The asking actions (action_subscribe, action_unsubscribe, action_link_account,
action_prepare_budget, action_prepare_clear_budget, action_prepare_meter_reading,
action_prepare_guest_stay, action_withdraw_guest_stay, action_prepare_alert_feedback,
action_prepare_alert_repair, action_prepare_deletion, and action_handoff when the ask was not
plain) say the exact change and put it in the `pending_change` slot (actions.common.ask_to_confirm); the rules send the next
affirm/deny ("thôi", "hủy" are deny) here. The change is forgotten either way, so a later "ok"
never changes anything. A different question instead of the answer goes to its own action (no
rule sends it here).
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.alert_feedback import apply_alert_feedback, apply_alert_repair
from actions.budget import apply_budget
from actions.common import call_for_household
from actions.guests import KEPT as GUEST_STAY_KEPT
from actions.guests import WITHDRAW_KEPT, apply_guest_stay, apply_guest_withdrawal
from actions.handoff import hand_over
from actions.linking import link_with_code
from actions.meter import store_meter_reading
from actions.parsing import parse_whole_number
from actions.privacy import delete_household_data
from actions.subscriptions import KINDS, names_of, quiet_hours_sentence

NOTHING_PENDING = "Vâng ạ. Bạn cần tôi giúp gì thêm không?"
KEPT = {  # the answer to a "no", by kind of change
    "alert_feedback": "Vâng, tôi chưa ghi lại câu trả lời nào. Khi cần, bạn cứ nhắn lại cho tôi.",
    "alert_repair": "Vâng, tôi chưa ghi lại gì. Khi cần, bạn cứ nhắn lại cho tôi.",
    "subscriptions": "Vâng, tôi giữ nguyên thông báo của bạn, chưa thay đổi gì.",
    "link": "Vâng, tôi giữ nguyên liên kết, chưa thay đổi gì.",
    "budget": "Vâng, tôi chưa thay đổi hạn mức nào.",
    "meter_reading": "Tôi chưa lưu chỉ số nào. Khi cần, bạn cứ gửi lại chỉ số công tơ nhé.",
    "deletion": "Đã hủy, dữ liệu của bạn vẫn được giữ nguyên.",
    "handoff": "Vâng, tôi chưa chuyển cho nhân viên. Bạn cần tôi giúp gì cứ nhắn nhé.",
    "guest_stay": GUEST_STAY_KEPT,
    "guest_withdrawal": WITHDRAW_KEPT,
}


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
        if not isinstance(change, dict) or change.get("kind") not in KEPT:
            dispatcher.utter_message(text=NOTHING_PENDING)
            return forget
        if intent != "affirm":
            dispatcher.utter_message(text=KEPT[change["kind"]])
            return forget
        if change["kind"] == "handoff":
            return forget + hand_over(dispatcher, tracker)
        if change["kind"] == "alert_feedback":
            apply_alert_feedback(dispatcher, tracker, change)
        elif change["kind"] == "alert_repair":
            apply_alert_repair(dispatcher, tracker, change)
        elif change["kind"] == "link":
            link_with_code(dispatcher, tracker, str(change.get("code", "")))
        elif change["kind"] == "budget":
            apply_budget(dispatcher, tracker, change)
        elif change["kind"] == "guest_stay":
            apply_guest_stay(dispatcher, tracker, change)
        elif change["kind"] == "guest_withdrawal":
            apply_guest_withdrawal(dispatcher, tracker, change)
        elif change["kind"] == "deletion":
            delete_household_data(dispatcher, tracker)
        elif change["kind"] == "meter_reading":
            reading = parse_whole_number(change.get("reading"))
            if reading is None:
                dispatcher.utter_message(response="utter_ask_meter_reading")
            else:
                store_meter_reading(dispatcher, tracker, reading)
        else:
            changes = {k: bool(v) for k, v in (change.get("changes") or {}).items() if k in KINDS}
            apply_subscriptions(dispatcher, tracker, changes)
        return forget
