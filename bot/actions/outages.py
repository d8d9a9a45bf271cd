"""Planned outages for the household's area, and what to do when the power is off now."""

from __future__ import annotations

import re
from typing import Any

from components.text import strip_diacritics
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendError, BackendUnavailable, client
from actions.common import UNAVAILABLE, call_for_household, latest_text
from actions.reference import facts, hotline


def outage_line(outage: dict) -> str:
    reason = (outage.get("reason") or "").strip().rstrip(".")
    line = f"• {outage['when_text']} ({outage['area_name']})"
    return f"{line}: {reason}" if reason else line


class ActionOutageSchedule(Action):
    def name(self) -> str:
        return "action_outage_schedule"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            linked = client().household_of(tracker.sender_id).get("linked")
        except BackendUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        except BackendError:
            linked = False
        if not linked:  # anyone may ask about an area: ask which one
            return [FollowupAction("outage_area_form")]
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
                f"hoặc thấy dây điện đứt, cột đổ thì tránh xa và báo ngay {number} "
                f"để điện lực xử lý. {ask}"
            ).strip(),
            buttons=[{"title": "Lịch cắt điện", "payload": "/ask_outage_schedule"}],
        )
        return []


AREA_SLOTS = ("outage_province", "outage_ward")
CANCEL = re.compile(r"^(?:thoi|huy|dung|khong can nua|ko can nua|bo qua|thoi khoi)\b")
WHOLE_PROVINCE = re.compile(
    r"\b(?:khong|ko|k|hong|hok) (?:biet|nho|ro)\b|\bca tinh\b|\bca thanh pho\b|\btoan tinh\b"
)
LINK_OFFER = (
    "Muốn tôi tự báo khi có lịch cắt điện mới ở khu vực nhà bạn, bạn liên kết Zalo với ứng dụng: "
    'vào Tài khoản → Liên kết Zalo để lấy mã 6 số, rồi nhắn cho tôi "liên kết <mã>".'
)


def _area(province: str, ward: str | None = None) -> dict[str, Any]:
    params = {"province": province[:200]}
    if ward:
        params["ward"] = ward[:200]
    return client().get("/api/v1/service/outages", params=params)


def _choose(dispatcher: CollectingDispatcher, candidates: list[dict[str, Any]]) -> None:
    names = [c["name"] for c in candidates[:3]]
    dispatcher.utter_message(
        text="Ý bạn là " + " hay ".join(names) + "?",
        buttons=[{"title": name, "payload": name} for name in names],
    )


class ValidateOutageAreaForm(FormValidationAction):
    """Province, then ward, read from what the person types (the backend matches the names)."""

    def name(self) -> str:
        return "validate_outage_area_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker).strip()
        plain = strip_diacritics(text).lower()
        requested = tracker.get_slot("requested_slot")
        if requested in AREA_SLOTS and CANCEL.match(plain):
            dispatcher.utter_message(text="Vâng, tôi dừng ở đây. Khi cần bạn cứ hỏi lại nhé.")
            return [
                SlotSet("outage_province", {"cancelled": True}),
                SlotSet("outage_ward", {"cancelled": True}),
                SlotSet("requested_slot", None),
            ]
        province = tracker.get_slot("outage_province")
        try:
            if not isinstance(province, dict):
                return self._province(dispatcher, text, asked=requested == "outage_province")
            if requested == "outage_ward":
                return self._ward(dispatcher, province, text, plain)
        except (BackendUnavailable, BackendError):
            dispatcher.utter_message(text=UNAVAILABLE)
            return [
                SlotSet("outage_province", {"cancelled": True}),
                SlotSet("outage_ward", {"cancelled": True}),
                SlotSet("requested_slot", None),
            ]
        return []

    @staticmethod
    def _province(dispatcher: CollectingDispatcher, text: str, asked: bool) -> list[EventType]:
        found = _area(text, text) if text else {"province": None, "province_candidates": []}
        if found["province"] is not None:
            events: list[EventType] = [SlotSet("outage_province", found["province"])]
            if found.get("ward") is not None:  # "Cầu Giấy, Hà Nội" in one message
                events.append(SlotSet("outage_ward", found["ward"]))
            return events
        if found["province_candidates"]:
            _choose(dispatcher, found["province_candidates"])
        elif asked:
            dispatcher.utter_message(
                text="Tôi chưa nhận ra tỉnh, thành phố này. Bạn viết lại tên tỉnh giúp tôi, "
                "ví dụ: Hà Nội, Đà Nẵng, Cần Thơ."
            )
        return [SlotSet("outage_province", None)]

    @staticmethod
    def _ward(
        dispatcher: CollectingDispatcher, province: dict[str, Any], text: str, plain: str
    ) -> list[EventType]:
        if WHOLE_PROVINCE.search(plain):
            return [SlotSet("outage_ward", {"code": None, "name": None})]
        found = _area(province["name"], text)
        if found.get("ward") is not None:
            return [SlotSet("outage_ward", found["ward"])]
        if found.get("ward_candidates"):
            _choose(dispatcher, found["ward_candidates"])
        else:
            dispatcher.utter_message(
                text=f"Tôi chưa tìm thấy phường, xã này ở {province['name']}. Bạn viết lại giúp "
                'tôi, hoặc nhắn "không biết" để xem lịch cả tỉnh.'
            )
        return [SlotSet("outage_ward", None)]


class ActionOutageForArea(Action):
    """The planned outages of the area the form found, and the offer to link for notices."""

    def name(self) -> str:
        return "action_outage_for_area"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        clear = [SlotSet(slot, None) for slot in AREA_SLOTS]
        province = tracker.get_slot("outage_province")
        ward = tracker.get_slot("outage_ward") or {}
        if not isinstance(province, dict) or province.get("cancelled") or not province.get("name"):
            return clear
        try:
            found = _area(province["name"], ward.get("name") if isinstance(ward, dict) else None)
        except (BackendUnavailable, BackendError):
            dispatcher.utter_message(text=UNAVAILABLE)
            return clear
        place = ward.get("name") if isinstance(ward, dict) and ward.get("name") else None
        where = f"{place}, {province['name']}" if place else province["name"]
        outages = found["outages"]
        if not outages:
            text = f"Hiện chưa có lịch cắt điện theo kế hoạch nào ở {where} trong dữ liệu của tôi."
        else:
            lines = [outage_line(o) for o in outages[:3]]
            more = f"\n(và {len(outages) - 3} lịch khác)" if len(outages) > 3 else ""
            text = f"Lịch cắt điện sắp tới ở {where}:\n" + "\n".join(lines) + more
        dispatcher.utter_message(
            text=f"{text}\n{LINK_OFFER}",
            buttons=[{"title": "Cách liên kết", "payload": "/link_account"}],
        )
        return clear
