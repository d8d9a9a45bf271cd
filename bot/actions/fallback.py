"""When the bot is unsure: offer the likeliest topics, then a person after a second miss."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

TOPIC_TITLES = {
    "ask_tariff": "Giá điện bậc thang",
    "calculate_bill": "Tính tiền điện",
    "ask_kwh_for_budget": "Số điện theo số tiền",
    "ask_bill_spike": "Vì sao tiền điện tăng",
    "ask_saving_tips": "Mẹo tiết kiệm điện",
    "ask_peak_hours": "Giờ cao điểm",
    "ask_outage_schedule": "Lịch cắt điện",
    "report_outage": "Báo mất điện",
    "check_my_usage": "Mức dùng điện của tôi",
    "report_meter_reading": "Báo chỉ số công tơ",
    "ask_solar": "Điện mặt trời",
    "ask_energy_label": "Nhãn năng lượng",
    "subscribe_notifications": "Bật thông báo",
    "unsubscribe_notifications": "Tắt thông báo",
    "request_human": "Gặp nhân viên",
    "delete_my_data": "Xóa dữ liệu",
    "ask_projected_bill": "Dự báo tiền điện kỳ này",
    "ask_renter_price": "Giá điện nhà trọ",
    "set_budget": "Đặt hạn mức tiền điện",
    "clear_budget": "Bỏ hạn mức tiền điện",
    "link_account": "Liên kết tài khoản",
    "announce_guests": "Báo nhà có khách",
    "withdraw_guests": "Bỏ đợt khách đã báo",
}
DEFAULT_TOPICS = ["calculate_bill", "ask_saving_tips", "ask_bill_spike"]


def previous_user_intent(tracker: Tracker) -> str | None:
    users = [event for event in tracker.events if event.get("event") == "user"]
    if len(users) < 2:
        return None
    return ((users[-2].get("parse_data") or {}).get("intent") or {}).get("name")


class ActionDefaultFallback(Action):
    def name(self) -> str:
        return "action_default_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if previous_user_intent(tracker) == "nlu_fallback":
            dispatcher.utter_message(
                text="Xin lỗi, tôi vẫn chưa hiểu ý bạn. Bạn có muốn nói chuyện với nhân viên chăm sóc khách hàng không?",
                buttons=[
                    {"title": "Gặp nhân viên", "payload": "/request_human"},
                    {"title": "Tính tiền điện", "payload": "/calculate_bill"},
                ],
            )
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        likely = [r["name"] for r in ranking if r.get("name") in TOPIC_TITLES][:3]
        for topic in DEFAULT_TOPICS:
            if len(likely) >= 2:
                break
            if topic not in likely:
                likely.append(topic)
        dispatcher.utter_message(
            text="Ý bạn là…?",
            buttons=[{"title": TOPIC_TITLES[name], "payload": f"/{name}"} for name in likely],
        )
        return []
