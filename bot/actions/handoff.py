"""Hand the conversation to customer-care staff and pause the bot for it."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.reference import facts, hotline


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
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
