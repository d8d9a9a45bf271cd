"""Linking a chat user (Zalo) to a household with the 6-digit code shown in the app."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import UNAVAILABLE, latest_text

ZALO_PREFIX = "zalo-"


class ActionLinkAccount(Action):
    def name(self) -> str:
        return "action_link_account"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset = [SlotSet("link_code", None)]
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
        try:
            linked = client().post(
                "/api/v1/service/zalo-links",
                {"code": match.group(1), "zalo_user_id": tracker.sender_id[len(ZALO_PREFIX) :]},
            )
        except BackendUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return reset
        except BackendError as exc:
            if exc.status == 429:  # too many wrong codes from this Zalo user: the wait is named
                dispatcher.utter_message(text=exc.message)
                return reset
            dispatcher.utter_message(
                text="Mã liên kết không đúng hoặc đã hết hạn (mã dùng trong 10 phút). Bạn lấy mã mới trong ứng dụng nhé."
            )
            return reset
        dispatcher.utter_message(
            text=f"Đã liên kết Zalo với hộ {linked['display_name']}. Từ giờ tôi trả lời theo dữ liệu của nhà bạn."
        )
        return reset
