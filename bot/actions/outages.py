"""Planned outages for the household's area, and what to do when the power is off now."""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import call_for_household, latest_text, span_vi
from actions.reference import facts, hotline


def when(start: str, end: str) -> str:
    return span_vi(datetime.fromisoformat(start), datetime.fromisoformat(end))


def outage_line(outage: dict) -> str:
    reason = (outage.get("reason") or "").strip().rstrip(".")
    line = f"• {when(outage['start'], outage['end'])} ({outage['area_name']})"
    return f"{line}: {reason}" if reason else line


class ActionOutageSchedule(Action):
    def name(self) -> str:
        return "action_outage_schedule"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        body = call_for_household(tracker, dispatcher, "GET", "outages")
        if body is None:
            return []
        outages = body["outages"]
        if not outages:
            dispatcher.utter_message(
                text="Hiện chưa có lịch cắt điện theo kế hoạch nào ở khu vực nhà bạn. "
                "Nếu bạn bật thông báo, tôi sẽ báo ngay khi nhận được lịch mới của điện lực.",
                buttons=[{"title": "Bật thông báo", "payload": "/subscribe_notifications"}],
            )
            return []
        lines = [outage_line(o) for o in outages[:3]]
        dispatcher.utter_message(
            text="Lịch cắt điện sắp tới ở khu vực nhà bạn:\n" + "\n".join(lines)
        )
        return []


class ActionReportOutage(Action):
    def name(self) -> str:
        return "action_report_outage"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        region = province = None
        backend = client()
        data = facts(backend)
        try:
            household = backend.household_of(tracker.sender_id)
            region, province = household.get("region"), household.get("province_code")
        except (BackendUnavailable, BackendError):
            pass
        number, ask = hotline(data, region, province, latest_text(tracker))
        dispatcher.utter_message(
            text=(
                "Rất tiếc nhà bạn đang mất điện. Bạn kiểm tra aptomat trong nhà trước; nếu cả khu cùng mất "
                f"hoặc thấy dây điện đứt, cột đổ thì tránh xa và báo ngay tổng đài {number} "
                f"(24/7) để điện lực xử lý. {ask}"
            ).strip(),
            buttons=[{"title": "Lịch cắt điện", "payload": "/ask_outage_schedule"}],
        )
        return []
