"""One place that turns errors into responses: JSON {"code", "message", "field"?} for the API,
simple Vietnamese pages for staff and web pages. Never a stack trace to a user."""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from backend.money import group_digits
from backend.services.errors import ServiceError

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập (thiếu hoặc sai mã xác thực).",
    403: "Bạn không có quyền truy cập dữ liệu này.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    413: "Dữ liệu gửi lên vượt quá 1 MB.",
    429: "Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau.",
    500: "Đã có lỗi phía máy chủ, vui lòng thử lại sau.",
    503: "Hệ thống đang bận, yêu cầu chưa được thực hiện; bạn vui lòng thử lại sau ít phút.",
}


# marshmallow's English messages, as a household's phone or the web chat shows them
VALIDATION_VI: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), vi)
    for p, vi in [
        (r"^Missing data for required field\.$", "bắt buộc phải có."),
        (r"^Length must be between (\d+) and (\d+)\.$", r"độ dài phải từ \1 đến \2 ký tự."),
        (r"^Shorter than minimum length (\d+)\.$", r"cần ít nhất \1 ký tự."),
        (r"^Longer than maximum length (\d+)\.$", r"dài quá \1 ký tự."),
        (r"^Length must be (\d+)\.$", r"độ dài phải đúng \1 ký tự."),
        (
            r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$",
            r"phải từ \1 đến \2.",
        ),
        (
            r"^Must be greater than (\S+) and less than or equal to (\S+)\.$",
            r"phải lớn hơn \1 và không quá \2.",
        ),
        (r"^Must be greater than or equal to (\S+)\.$", r"phải lớn hơn hoặc bằng \1."),
        (r"^Must be greater than (\S+)\.$", r"phải lớn hơn \1."),
        (r"^Must be less than or equal to (\S+)\.$", r"không được lớn hơn \1."),
        (r"^Must be one of: (.*)\.$", r"phải là một trong các giá trị: \1."),
        (r"^Not a valid integer\.$", "phải là số nguyên."),
        (r"^Not a valid number\.$", "phải là một số."),
        (r"^Not a valid date\.$", "không phải ngày hợp lệ (năm-tháng-ngày)."),
        (r"^Not a valid datetime\.$", "không phải thời điểm hợp lệ."),
        (r"^Not a valid time\.$", "không phải giờ hợp lệ (giờ:phút)."),
        (r"^Not a valid string\.$", "phải là chuỗi ký tự."),
        (r"^Not a valid boolean\.$", "phải là true hoặc false."),
        (r"^Not a valid mapping type\.$", "phải là một đối tượng JSON."),
        (r"^Not a valid list\.$", "phải là một danh sách."),
        (r"^Unknown field\.$", "không có trường này."),
        (r"^Field may not be null\.$", "không được để trống."),
        (r"^Invalid input type\.$", "sai kiểu dữ liệu."),
        (r"^Invalid value\.$", "giá trị không hợp lệ."),
        (r"^Invalid (?:JSON|json) body\.$", "nội dung không phải JSON hợp lệ."),
    ]
]
# The API's field names as a household reads them (the app shows the message as is; `field`
# keeps the API name for programs). A nested field reads "Kỳ trước › Số kWh"; a list index
# "(dòng 2)"; an unknown name is kept as it is.
FIELD_LABELS = {
    # the body as a whole (marshmallow's name for it), e.g. a list sent where an object is expected
    "_schema": "Dữ liệu gửi lên",
    # chat
    "message": "Tin nhắn",
    "after": "Mã tin nhắn",
    # bills
    "kwh": "Số kWh",
    "amount": "Số tiền",
    "period_start": "Ngày đầu kỳ",
    "period_end": "Ngày cuối kỳ",
    "households": "Số hộ dùng chung công tơ",
    "meter": "Loại công tơ",
    "renters": "Người thuê nhà",
    "people": "Số người thuê",
    "registered": "Đã đăng ký tạm trú",
    "previous": "Kỳ trước",
    "current": "Kỳ này",
    "context": "Thông tin thêm",
    "air_conditioners": "Số máy điều hòa",
    "previous_avg_temp_c": "Nhiệt độ trung bình kỳ trước",
    "current_avg_temp_c": "Nhiệt độ trung bình kỳ này",
    # the household's profile and data (/api/v1/me…)
    "display_name": "Tên hiển thị",
    "province_code": "Tỉnh/thành",
    "ward_code": "Phường/xã",
    "address": "Địa chỉ",
    "phone": "Số điện thoại",
    "customer_code": "Mã khách hàng EVN",
    "meter_kind": "Loại công tơ",
    "households_on_meter": "Số hộ dùng chung công tơ",
    "occupants": "Số người trong nhà",
    "renter_status": "Tình trạng thuê nhà",
    "reading_day": "Ngày chốt chỉ số",
    "appliances": "Thiết bị điện",
    "inverter": "Biến tần (inverter)",
    "count": "Số lượng",
    "notifications": "Thông báo",
    "weekly_tips": "Mẹo tiết kiệm hằng tuần",
    "outage_notices": "Thông báo cắt điện",
    "usage_alerts": "Cảnh báo dùng điện bất thường",
    "channels": "Kênh nhận thông báo",
    "push": "Thông báo trên điện thoại",
    "zalo": "Zalo",
    "quiet_hours": "Giờ không làm phiền",
    "start": "Bắt đầu",
    "end": "Kết thúc",
    "consent": "Đồng ý điều khoản",
    "token": "Mã thiết bị nhận thông báo",
    "platform": "Nền tảng",
    "readings": "Số liệu hằng ngày",
    "date": "Ngày",
    "reading": "Chỉ số công tơ",
    "read_on": "Ngày ghi chỉ số",
    "from": "Từ ngày",
    "to": "Đến ngày",
    # guest stays (/api/v1/me/guest-stays)
    "first_day": "Ngày khách tới",
    "last_day": "Ngày khách về",
    "stay_id": "Đợt khách",
}


def field_label(field: str) -> str:
    """'renters.people' -> 'Người thuê nhà › Số người thuê'; 'readings.1.kwh' ->
    'Số liệu hằng ngày (dòng 2) › Số kWh'."""
    labels: list[str] = []
    for part in field.split("."):
        if part.isdecimal() and labels:  # "²".isdigit() is true, int("²") fails
            labels[-1] += f" (dòng {int(part) + 1})"
        else:
            labels.append(FIELD_LABELS.get(part, part))
    return " › ".join(labels)


def labelled(field: str, message: str) -> str:
    """The message led by the field's label, unless it already starts by naming the field."""
    label = field_label(field)
    last = label.rsplit(" › ", 1)[-1].split(" (dòng ")[0]
    if message.lower().startswith(last.lower()):
        parents = label.rsplit(" › ", 1)[0] + " › " if " › " in label else ""
        return parents + message[:1].upper() + message[1:]
    return f"{label}: {message}"


_LONG_NUMBER = re.compile(r"(?<![\d.,])\d{5,}(?![\d.,]\d)")


def vietnamese(message: str) -> str:
    """A validation message in Vietnamese (each sentence translated; unknown ones kept)."""
    parts = [part for part in re.split(r"(?<=\.) ", message) if part]
    out = []
    for part in parts:
        for pattern, vi in VALIDATION_VI:
            if pattern.match(part):
                part = _LONG_NUMBER.sub(lambda m: group_digits(int(m[0])), pattern.sub(vi, part))
                break
        out.append(part)
    return " ".join(out)


def _first_validation_error(messages: Any, path: tuple[str, ...] = ()) -> tuple[str, str]:
    """Walk webargs' nested {location: {field: [msg]}} into ('a.b', 'msg')."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            return _first_validation_error(value, (*path, str(key)))
    if isinstance(messages, list) and messages:
        if all(isinstance(m, str) for m in messages):
            return ".".join(path), " ".join(messages)
        return _first_validation_error(messages[0], path)
    return ".".join(path), str(messages)


def error_payload(status: int, message: str, field: str | None = None, code: str | None = None):
    body: dict[str, Any] = {"code": code or CODES.get(status, "error"), "message": message}
    if field:
        body["field"] = field
    return body


def _wants_json() -> bool:
    return request.path.startswith("/api/") or not request.accept_mimetypes.accept_html


def _respond(status: int, message: str, field: str | None = None, code: str | None = None):
    if _wants_json():
        response: Response = jsonify(error_payload(status, message, field, code))
        return response, status
    return render_template("error.html", status=status, message=message), status


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if status in (400, 422) and "messages" in data:
        location_and_field, message = _first_validation_error(data["messages"])
        message = vietnamese(message)
        if "." not in location_and_field:  # no field: the body itself is unreadable
            return _respond(400, f"Dữ liệu gửi lên: {message}", None, "bad_request")
        # drop the location ("json", "query") so the field reads like the body: "renters.people"
        field = location_and_field.split(".", 1)[1]
        return _respond(422, labelled(field, message), field, "invalid")
    custom = data.get("message")
    text = custom if isinstance(custom, str) else MESSAGES.get(status, error.description or "")
    return _respond(status, text)


def handle_service_error(error: ServiceError):
    message = error.message
    if error.status == 422 and error.field:
        message = labelled(error.field, message)
    return _respond(error.status, message, error.field, error.code)


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _respond(500, MESSAGES[500])


def handle_database_unavailable(error: OperationalError):
    """The database went away (restart, failover): the transaction was rolled back, so nothing
    was half-written; a 503 tells the client to send the same request again."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
    current_app.extensions["sqlalchemy"].session.rollback()  # no import cycle via extensions
    return _respond(503, MESSAGES[503], code="database_unavailable")


def register_error_handlers(app: Flask) -> None:
    """Register after flask-smorest's Api so these handlers win."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
