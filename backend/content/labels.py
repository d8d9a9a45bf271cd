"""What staff read for the assistant's intents and actions: one Vietnamese label per identifier.

The console shows the label and keeps the identifier in a tooltip (`title`), so an agent reads
"Hỏi giá điện" and a trainer still sees `ask_tariff`. Every intent of the contract and every
action and response of bot/domain.yml has a label here (tests/content/test_labels.py checks).
"""

from __future__ import annotations

INTENT_LABELS: dict[str, str] = {
    "greet": "Chào hỏi",
    "goodbye": "Chào tạm biệt",
    "thank": "Cảm ơn",
    "affirm": "Đồng ý",
    "deny": "Từ chối",
    "bot_challenge": "Hỏi có phải người máy",
    "ask_tariff": "Hỏi giá điện",
    "calculate_bill": "Tính tiền điện",
    "ask_kwh_for_budget": "Hỏi số điện theo số tiền",
    "ask_bill_spike": "Hỏi vì sao hóa đơn tăng",
    "ask_saving_tips": "Hỏi mẹo tiết kiệm",
    "ask_peak_hours": "Hỏi giờ cao điểm",
    "ask_outage_schedule": "Hỏi lịch cắt điện",
    "report_outage": "Báo mất điện",
    "check_my_usage": "Xem mức dùng điện",
    "confirm_lasting_change": "Trả lời cảnh báo: có thay đổi lâu dài",
    "deny_lasting_change": "Trả lời cảnh báo: không có thay đổi lâu dài",
    "report_repair": "Trả lời cảnh báo: đã sửa xong",
    "announce_guests": "Báo trước nhà có khách",
    "withdraw_guests": "Bỏ đợt khách đã báo",
    "report_meter_reading": "Báo chỉ số công tơ",
    "ask_solar": "Hỏi về điện mặt trời",
    "ask_energy_label": "Hỏi về nhãn năng lượng",
    "subscribe_notifications": "Bật thông báo",
    "unsubscribe_notifications": "Tắt thông báo",
    "ask_projected_bill": "Hỏi tiền điện dự kiến kỳ này",
    "set_budget": "Đặt hạn mức tiền điện",
    "clear_budget": "Bỏ hạn mức tiền điện",
    "ask_renter_price": "Hỏi giá điện chủ trọ thu",
    "request_human": "Gặp nhân viên",
    "delete_my_data": "Xóa dữ liệu của tôi",
    "link_account": "Liên kết tài khoản Zalo",
    "out_of_scope": "Ngoài phạm vi",
    "nlu_fallback": "Trợ lý không hiểu",
}

ACTION_LABELS: dict[str, str] = {
    # custom actions (bot/actions/)
    "action_default_fallback": "Trả lời khi không hiểu",
    "action_two_stage_fallback": "Hỏi lại khi không hiểu",
    "action_estimate_bill": "Tính tiền điện",
    "action_kwh_for_budget": "Tính số điện theo số tiền",
    "action_explain_tariff": "Giải thích giá điện",
    "action_explain_bill_spike": "Giải thích hóa đơn tăng",
    "action_saving_tips": "Mẹo tiết kiệm",
    "action_peak_hours": "Giờ cao điểm",
    "action_outage_schedule": "Lịch cắt điện",
    "action_report_outage": "Ghi nhận báo mất điện",
    "action_check_usage": "Mức dùng điện",
    "action_prepare_alert_feedback": "Hỏi lại trước khi ghi câu trả lời về cảnh báo",
    "action_prepare_alert_repair": "Hỏi lại trước khi ghi việc đã sửa xong chỗ gây tốn điện",
    "action_prepare_meter_reading": "Hỏi lại trước khi lưu chỉ số công tơ",
    "action_prepare_guest_stay": "Hỏi lại trước khi ghi đợt khách",
    "action_withdraw_guest_stay": "Hỏi trước khi bỏ đợt khách đã báo",
    "action_subscribe": "Bật thông báo",
    "action_unsubscribe": "Tắt thông báo",
    "action_handoff": "Chuyển cho nhân viên",
    "action_prepare_deletion": "Hỏi lại trước khi xóa dữ liệu",
    "action_link_account": "Liên kết Zalo",
    "validate_bill_form": "Kiểm tra số kWh",
    "action_projected_bill": "Báo tiền điện dự kiến kỳ này",
    "action_prepare_budget": "Hỏi lại trước khi đặt hạn mức",
    "action_prepare_clear_budget": "Hỏi lại trước khi bỏ hạn mức",
    # no longer in the domain (budgets are applied by action_apply_change): kept for the
    # conversations recorded before
    "action_confirm_budget": "Lưu hạn mức sau khi khách đồng ý",
    "action_cancel_budget": "Giữ nguyên hạn mức (khách không đồng ý)",
    # no longer in the domain (meter readings and deletion are asked by action_prepare_* and
    # applied by action_apply_change): kept for the conversations recorded before
    "action_store_meter_reading": "Ghi chỉ số công tơ",
    "action_delete_my_data": "Xóa dữ liệu",
    "utter_confirm_meter_reading": "Xác nhận chỉ số công tơ",
    "utter_meter_cancelled": "Hủy ghi chỉ số",
    "utter_confirm_delete": "Xác nhận xóa dữ liệu",
    "utter_delete_cancelled": "Hủy xóa dữ liệu",
    "action_apply_change": "Thực hiện thay đổi sau khi khách đồng ý",
    "action_renter_price_check": "So giá điện chủ trọ thu với quy định",
    "action_outage_for_area": "Tra lịch cắt điện theo khu vực",
    "validate_renter_form": "Kiểm tra giá chủ trọ thu",
    "validate_outage_area_form": "Kiểm tra tỉnh và phường",
    "bill_form": "Hỏi thông tin để tính tiền điện",
    "budget_form": "Hỏi số tiền muốn dùng",
    "meter_form": "Hỏi chỉ số công tơ",
    "renter_form": "Hỏi giá chủ trọ thu",
    "outage_area_form": "Hỏi khu vực để tra lịch cắt điện",
    "guest_form": "Hỏi ngày khách tới và về",
    "validate_guest_form": "Kiểm tra ngày khách tới và về",
    "utter_ask_guest_first": "Hỏi ngày khách tới",
    "utter_ask_guest_last": "Hỏi ngày khách về",
    "utter_ask_landlord_price": "Hỏi giá chủ trọ thu mỗi số",
    "utter_ask_outage_province": "Hỏi tỉnh, thành phố",
    "utter_ask_outage_ward": "Hỏi phường, xã",
    "validate_budget_form": "Kiểm tra số tiền",
    "validate_meter_form": "Kiểm tra chỉ số công tơ",
    # responses (bot/domain.yml)
    "utter_greet": "Lời chào",
    "utter_goodbye": "Lời tạm biệt",
    "utter_thank": "Đáp lời cảm ơn",
    "utter_anything_else": "Hỏi cần giúp gì thêm",
    "utter_iamabot": "Giới thiệu là trợ lý tự động",
    "utter_out_of_scope": "Ngoài phạm vi",
    "utter_ask_kwh": "Hỏi số kWh",
    "utter_ask_money": "Hỏi số tiền",
    "utter_ask_meter_reading": "Hỏi chỉ số công tơ",
    "utter_solar": "Điện mặt trời",
    "utter_energy_label": "Nhãn năng lượng",
    # replies the backend's chat proxy gives itself (backend/api/chat.py)
    "backend_waiting": "Báo đang chờ nhân viên",
    "backend_resumed": "Trợ lý quay lại",
    "backend_no_answer": "Báo trợ lý gặp sự cố",
}


def intent_label(intent: str | None) -> str:
    """The intent as staff read it (an unknown identifier is shown as it is)."""
    if not intent:
        return "—"
    return INTENT_LABELS.get(intent, intent)


def action_label(action: str | None) -> str:
    if not action:
        return ""
    return ACTION_LABELS.get(action, action)


def pressed_button(text: str, title: str | None) -> str:
    """What staff read for a button click the household sent ("/calculate_bill", or
    '/calculate_bill{"kwh": 300}'): the button's title, else the label of its intent."""
    return title or intent_label(text.removeprefix("/").split("{", 1)[0].strip())
