"""Linking a chat user (Zalo) to a household with the 6-digit code shown in the app.

action_link_account reads the code and asks first; the yes goes to action_apply_change, which
calls link_with_code."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import UNAVAILABLE, ask_to_confirm, latest_text

ZALO_PREFIX = "zalo-"


class ActionLinkAccount(Action):
    def name(self) -> str:
        return "action_link_account"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet("link_code", None), SlotSet("pending_change", None)]
        match = re.search(
            r"(?<!\d)(\d{6})(?!\d)", str(tracker.get_slot("link_code") or latest_text(tracker))
        )
        if not match:
            dispatcher.utter_message(
                text='Trong ứng dụng, vào Tài khoản → Liên kết Zalo để lấy mã 6 số, rồi nhắn "liên kết <mã>" cho tôi.'
            )
            return reset
        if not tracker.sender_id.startswith(ZALO_PREFIX):
            dispatcher.utter_message(
                text="Tài khoản trong ứng dụng đã gắn với hộ gia đình của bạn, không cần liên kết thêm."
            )
            return reset
        code = match.group(1)
        question = (
            f"Tôi sẽ liên kết tài khoản Zalo này với hộ gia đình có mã liên kết {code}: "
            "từ đó tôi trả lời và gửi thông báo theo dữ liệu của hộ này. Bạn đồng ý không?"
        )
        return [
            SlotSet("link_code", None),
            *ask_to_confirm(dispatcher, question, {"kind": "link", "code": code}),
        ]


def link_with_code(dispatcher: CollectingDispatcher, tracker: Tracker, code: str) -> None:
    """Link the Zalo sender with the code (after the household said yes)."""
    try:
        linked = client().post(
            "/api/v1/service/zalo-links",
            {"code": code, "zalo_user_id": tracker.sender_id[len(ZALO_PREFIX) :]},
        )
    except BackendUnavailable:
        dispatcher.utter_message(text=UNAVAILABLE)
        return
    except BackendError as exc:
        if exc.status == 429:  # too many wrong codes from this Zalo user: the wait is named
            dispatcher.utter_message(text=exc.message)
            return
        dispatcher.utter_message(
            text="Mã liên kết không đúng hoặc đã hết hạn (mã dùng trong 10 phút). Bạn lấy mã mới trong ứng dụng nhé."
        )
        return
    dispatcher.utter_message(
        text=f"Đã liên kết Zalo với hộ {linked['display_name']}. Từ giờ tôi trả lời theo dữ liệu của nhà bạn."
    )
