"""Deleting the household's data: asked first, deleted only after a yes.

action_prepare_deletion says exactly what will be deleted and puts the deletion in
`pending_change`; the yes goes to action_apply_change (actions/changes.py), which calls
delete_household_data. A no, "thôi" or "hủy" deletes nothing."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import client
from actions.common import (
    UNAVAILABLE,
    ask_to_confirm,
    call_for_household,
    linked_household,
    yes_no,
)

ASK_DELETE = (
    "Bạn chắc chắn muốn xóa dữ liệu? Tôi sẽ xóa hồ sơ hộ gia đình, chỉ số và lượng điện tiêu thụ, "
    "hóa đơn đã lưu, thiết bị nhận thông báo và toàn bộ lịch sử trò chuyện. Việc này không hoàn "
    "tác được; hệ thống chỉ giữ một bản ghi kiểm toán không có thông tin cá nhân (theo Nghị định "
    "13/2023/NĐ-CP)."
)


class ActionPrepareDeletion(Action):
    def name(self) -> str:
        return "action_prepare_deletion"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if linked_household(client(), tracker, dispatcher) is None:
            return [SlotSet("pending_change", None)]
        buttons = yes_no("Có, xóa dữ liệu", "Không xóa")
        return ask_to_confirm(dispatcher, ASK_DELETE, {"kind": "deletion"}, buttons)


def delete_household_data(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Delete everything of the sender's household (after the household said yes)."""
    done = call_for_household(
        tracker,
        dispatcher,
        "POST",
        "deletion",
        {},
        unavailable=UNAVAILABLE + " Dữ liệu của bạn chưa bị xóa.",
    )
    if done is not None:
        dispatcher.utter_message(
            text="Đã xóa toàn bộ dữ liệu của hộ gia đình bạn và lịch sử trò chuyện. Cảm ơn bạn đã sử dụng dịch vụ."
        )
