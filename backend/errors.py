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


# marshmallow's and webargs' English messages, as a household's phone or the web chat shows
# them: every default message of marshmallow's fields, validators and schemas (tests walk them
# all, tests/backend/test_error_messages.py), each a clause that follows the field's label.
_OBJ_TYPES = {
    "date": "ngày hợp lệ (năm-tháng-ngày)",
    "datetime": "thời điểm hợp lệ",
    "aware datetime": "thời điểm có múi giờ",
    "naive datetime": "thời điểm không kèm múi giờ",
    "time": "giờ hợp lệ (giờ:phút)",
    "timedelta": "khoảng thời gian hợp lệ",
}
_GTE, _GT = "greater than or equal to", "greater than"
_LTE, _LT = "less than or equal to", "less than"
UNKNOWN_FIELD = "không có trường này."
VALIDATION_VI: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), vi)
    for p, vi in [
        (r"^Missing data for required field\.$", "bắt buộc phải có."),
        (r"^Length must be between (\d+) and (\d+)\.$", r"độ dài phải từ \1 đến \2 ký tự."),
        (r"^Shorter than minimum length (\d+)\.$", r"cần ít nhất \1 ký tự."),
        (r"^Longer than maximum length (\d+)\.$", r"dài quá \1 ký tự."),
        (r"^Length must be (\d+)\.$", r"độ dài phải đúng \1 ký tự."),
        (rf"^Must be {_GTE} (\S+) and {_LTE} (\S+)\.$", r"phải từ \1 đến \2."),
        (rf"^Must be {_GT} (\S+) and {_LTE} (\S+)\.$", r"phải lớn hơn \1 và không quá \2."),
        (rf"^Must be {_GTE} (\S+) and {_LT} (\S+)\.$", r"phải từ \1 trở lên và nhỏ hơn \2."),
        (rf"^Must be {_GT} (\S+) and {_LT} (\S+)\.$", r"phải lớn hơn \1 và nhỏ hơn \2."),
        (r"^Must be greater than or equal to (\S+)\.$", r"phải từ \1 trở lên."),
        (r"^Must be greater than (\S+)\.$", r"phải lớn hơn \1."),
        (r"^Must be less than or equal to (\S+)\.$", r"không được lớn hơn \1."),
        (r"^Must be less than (\S+)\.$", r"phải nhỏ hơn \1."),
        (r"^Must be equal to (.*)\.$", r"phải bằng \1."),
        (r"^Must be one of: (.*)\.$", r"phải là một trong các giá trị: \1."),
        (
            r"^One or more of the choices you made was not in: (.*)\.$",
            r"chỉ được chọn trong các giá trị: \1.",
        ),
        (
            r"^One or more of the choices you made was in: (.*)\.$",
            r"không được chọn các giá trị: \1.",
        ),
        (r"^Not a valid integer\.$", "phải là số nguyên."),
        (r"^Not a valid number\.$", "phải là một số."),
        (r"^Number too large\.$", "số quá lớn."),
        (
            r"^Special numeric values \(nan or infinity\) are not permitted\.$",
            "phải là một số, không nhận NaN hay vô cực.",
        ),
        *(
            (rf"^Not a valid {obj_type}\.$", f"không phải {vi}.")
            for obj_type, vi in _OBJ_TYPES.items()
        ),
        *(
            (rf"^.* cannot be formatted as an? {obj_type}\.$", f"không đổi được thành {vi}.")
            for obj_type, vi in _OBJ_TYPES.items()
        ),
        (r"^Not a valid period of time\.$", "không phải khoảng thời gian hợp lệ."),
        (r"^Not a valid string\.$", "phải là chuỗi ký tự."),
        (r"^Not a valid utf-8 string\.$", "phải là chuỗi ký tự UTF-8 hợp lệ."),
        (r"^Not a valid boolean\.$", "phải là true hoặc false."),
        (r"^Not a valid mapping type\.$", "phải là một đối tượng JSON."),
        (r"^Not a valid (?:delimited )?list\.$", "phải là một danh sách."),
        (r"^Not a valid (?:delimited )?tuple\.$", "phải là một danh sách có đủ phần tử."),
        (r"^Not a valid email address\.$", "không phải địa chỉ thư điện tử hợp lệ."),
        (r"^Not a valid URL\.$", "không phải địa chỉ web (URL) hợp lệ."),
        (r"^Not a valid UUID\.$", "không phải mã UUID hợp lệ."),
        (r"^Not a valid IP(?:v4|v6)? address\.$", "không phải địa chỉ IP hợp lệ."),
        (r"^Not a valid IP(?:v4|v6)? interface\.$", "không phải địa chỉ mạng IP hợp lệ."),
        (r"^String does not match expected pattern\.$", "không đúng định dạng."),
        (r"^Unknown field\.$", UNKNOWN_FIELD),
        (r"^Field may not be null\.$", "không được để trống."),
        (r"^Invalid (?:input )?type\.$", "sai kiểu dữ liệu."),
        (r"^Invalid (?:value|input)\.$", "giá trị không hợp lệ."),
        (r"^Invalid (?:JSON|json) body\.$", "nội dung không phải JSON hợp lệ."),
    ]
]
# The API's field names as a household reads them (the app shows the message as is; `field`
# keeps the API name for programs). A nested field reads "Kỳ trước › Số kWh"; a list index
# "(dòng 2)"; a name the client made up is kept as it is ("Dữ liệu gửi lên: không có trường
# 'mood'."). Every field of the API's input schemas has one (tests/backend/
# test_error_messages.py checks it).
FIELD_LABELS = {
    # the body as a whole (marshmallow's name for it), e.g. a list sent where an object is expected
    "_schema": "Dữ liệu gửi lên",
    # chat
    "message": "Tin nhắn",
    "after": "Mã tin nhắn",
    "before": "Mã tin nhắn",
    "limit": "Số mục tối đa",
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
    "renters_people": "Số người thuê",
    "renters_registered": "Đã đăng ký tạm trú",
    "previous": "Kỳ trước",
    "current": "Kỳ này",
    "context": "Thông tin thêm",
    "air_conditioners": "Số máy điều hòa",
    "previous_avg_temp_c": "Nhiệt độ trung bình kỳ trước",
    "current_avg_temp_c": "Nhiệt độ trung bình kỳ này",
    "price_per_kwh": "Giá mỗi số điện",
    "bill": "Tiền điện của tháng",
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
    "kind": "Loại",
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
    "days": "Số ngày",
    # usage alerts (/api/v1/me/anomalies/…/feedback)
    "lasting_change": "Thay đổi lâu dài",
    "change": "Điều đã thay đổi",
    "note": "Ghi chú",
    # guest stays (/api/v1/me/guest-stays)
    "first_day": "Ngày khách tới",
    "last_day": "Ngày khách về",
    "stay_id": "Đợt khách",
    # the appliance kinds of `appliances` (backend.services.households.APPLIANCES)
    "air_conditioner": "Máy điều hòa",
    "water_heater": "Bình nóng lạnh",
    "fridge": "Tủ lạnh",
    "washing_machine": "Máy giặt",
    "cooking": "Bếp điện",
    "tv": "Ti vi",
    "fan": "Quạt điện",
    "lighting": "Đèn chiếu sáng",
    "water_pump": "Máy bơm nước",
    "dryer": "Máy sấy quần áo",
    "ev_charger": "Sạc xe điện",
    "solar_panels": "Tấm pin mặt trời",
    # the action server's endpoints (/api/v1/service…)
    "household_id": "Hộ gia đình",
    "sender_id": "Mã người gửi",
    "channel": "Kênh",
    "reason": "Lý do",
    "code": "Mã liên kết",
    "zalo_user_id": "Mã người dùng Zalo",
    "province": "Tỉnh/thành",
    "ward": "Phường/xã",
}
# Other names a service's own sentence gives a field: budgets.py writes "Hạn mức kWh phải…" for
# `kwh` and "Hạn mức: hãy đặt…" for `amount`. A message starting with the field's label or one
# of these already names the field, so the label does not lead it a second time.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "amount": ("Hạn mức",),
    "kwh": ("Hạn mức",),
}
# Words that keep their capital after a label's colon (names, not the start of a sentence).
KEEP_CAPITAL = {"Zalo", "Việt", "Hà", "Huế", "Android", "Firebase"}


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


def _names(message: str, phrase: str) -> bool:
    """Whether `message` starts with `phrase` as whole words ("Ngày" names "Ngày phải…", not
    "Ngàyx")."""
    head = message[: len(phrase)]
    return (
        bool(phrase)
        and head.lower() == phrase.lower()
        and (len(message) == len(phrase) or not message[len(phrase)].isalnum())
    )


def _already_labelled(message: str) -> bool:
    """'Ngày đầu kỳ: đã có hóa đơn…' or 'Hạn mức: hãy đặt…': led by a label and its colon."""
    head, colon, _ = message.partition(": ")
    known = set(FIELD_LABELS.values()).union(*FIELD_ALIASES.values())
    return bool(colon) and head in known


_NUMBER = re.compile(r"(?<![\w./:,])(?<!\d-)(?<!\d–)(?<!năm )[1-9]\d{3,}(?!\w)(?![-–./:,]\d)")


def group_numbers(text: str) -> str:
    """Whole numbers of 4 digits or more with Vietnamese thousand dots ('5000' -> '5.000'),
    except in dates (1/1/2000, 2025-01-01), codes (PE01000123456, 0912345678), decimals and a
    year ("năm 2025")."""
    return _NUMBER.sub(lambda m: group_digits(int(m[0])), text)


def _ended(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?", "…")) else text + "."


def sentence(message: str) -> str:
    """A message as a sentence: a capital first letter (unless the first word is a name such as
    'kWh'), a full stop, thousand dots."""
    message = _ended(group_numbers(message))
    first = re.match(r"\w+", message)
    if first and first[0][:1].islower() and first[0][1:] == first[0][1:].lower():
        message = message[:1].upper() + message[1:]
    return message


def clause(message: str) -> str:
    """A message to follow a label's colon: a lower-case first letter unless the first word is
    a name ('EVN', 'Zalo', 'NaN'), a full stop, thousand dots."""
    message = _ended(group_numbers(message))
    first = re.match(r"\w+", message)
    if (
        first
        and len(first[0]) > 1
        and first[0][:1].isupper()
        and first[0][1:] == first[0][1:].lower()
        and first[0] not in KEEP_CAPITAL
    ):
        message = message[:1].lower() + message[1:]
    return message


def labelled(field: str, message: str) -> str:
    """The message led by the field's label once: 'Số ngày: phải từ 7 đến 120.'

    A message that already names the field (starts with its label, one of its FIELD_ALIASES,
    or any label and a colon) is not led by it again; its parents still are ('Thiết bị điện ›
    Máy điều hòa › Số lượng phải…'). A message starting with the field's API name ('inverter
    phải là…') reads its label instead."""
    parent, _, name = field.rpartition(".")
    if message == UNKNOWN_FIELD and name not in FIELD_LABELS and not name.isdecimal():
        # a name the client made up: its parent's label leads, the name is quoted after it
        return labelled(parent or "_schema", f"không có trường '{name}'.")
    label = field_label(field)
    parents, _, last = label.rpartition(" › ")
    last = last.split(" (dòng ")[0]
    names = [part for part in field.split(".") if not part.isdecimal()]
    raw = names[-1] if names else field
    if raw != last and raw in FIELD_LABELS and _names(message, raw) and message.startswith(raw):
        message = last + message[len(raw) :]
    if any(_names(message, name) for name in (last, *FIELD_ALIASES.get(raw, ()))) or (
        _already_labelled(message)
    ):
        return (parents + " › " if parents else "") + sentence(message)
    return f"{label}: {clause(message)}"


def vietnamese(message: str) -> str:
    """A validation message in Vietnamese (each sentence translated; unknown ones kept)."""
    parts = [part for part in re.split(r"(?<=\.) ", message) if part]
    out: list[str] = []
    for part in parts:
        for pattern, vi in VALIDATION_VI:
            if pattern.match(part):
                part = pattern.sub(vi, part)
                break
        out.append(part if not out else sentence(part))
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
            return _respond(400, labelled("_schema", message), None, "bad_request")
        # drop the location ("json", "query") so the field reads like the body: "renters.people"
        field = location_and_field.split(".", 1)[1]
        return _respond(422, labelled(field, message), field, "invalid")
    custom = data.get("message")
    text = custom if isinstance(custom, str) else MESSAGES.get(status, error.description or "")
    return _respond(status, text)


def handle_service_error(error: ServiceError):
    """A refused field (422) is led by the field's label. A clash with stored data (409) is a
    sentence of its own ("Đã có hóa đơn cho kỳ này.", documented word for word in /docs); one
    written as a bare clause ("chỉ số 700 nhỏ hơn chỉ số 900…") is led by the label too. Every
    message ends as a sentence."""
    fragment = error.message[:1].islower()
    if error.field and (error.status == 422 or (error.status == 409 and fragment)):
        message = labelled(error.field, error.message)
    else:
        message = sentence(error.message)
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
