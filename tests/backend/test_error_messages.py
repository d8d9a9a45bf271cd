"""An error's `message` is a Vietnamese sentence the app shows as it is (/docs): led once by the
field's Vietnamese label, a lower-case clause after the label's colon, a full stop, thousand
dots, never marshmallow's English nor an API field name."""

from __future__ import annotations

import inspect
import re
import string
from datetime import date
from typing import Any

import pytest
import webargs.fields
from marshmallow import Schema, ValidationError, fields, validate

import backend.api.bills
import backend.api.chat
import backend.api.facts
import backend.api.household_app
import backend.api.households
import backend.api.service
from backend.api import api_of
from backend.errors import (
    FIELD_LABELS,
    VALIDATION_VI,
    group_numbers,
    labelled,
    vietnamese,
)
from backend.extensions import db
from backend.models import MeterIndex
from backend.services.households import APPLIANCES
from tests.conftest import bearer

API_MODULES = [
    backend.api.bills,
    backend.api.chat,
    backend.api.facts,
    backend.api.household_app,
    backend.api.households,
    backend.api.service,
]
# English words of marshmallow's and webargs' messages; none may reach a household
ENGLISH = re.compile(
    r"\b(not|valid|missing|must|special|numeric|values?|invalid|field|length|shorter|longer|"
    r"greater|less|than|equal|choices?|string|does|match|pattern|number|large|unknown|may|"
    r"null|type|input|cannot|formatted|period|time|address|permitted|are|the|and|or|be|"
    r"required|between|mapping|list|tuple|boolean|integer|date|datetime|made|one|more|infinity|"
    r"nan|interface|body)\b",
    re.IGNORECASE,
)
# a label led by another label, "Số tiền: Hạn mức: …"
LABELS = sorted(set(FIELD_LABELS.values()) | {"Hạn mức"}, key=len, reverse=True)
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def english_words(text: str) -> list[str]:
    # "NaN" and "JSON" are what the client sent or must send: named, not English prose
    return [w for w in ENGLISH.findall(text.replace("NaN", "")) if w not in {"true", "false"}]


def _sample(template: str, field: Any) -> str:
    """A default message filled as marshmallow fills it."""
    values: dict[str, Any] = {
        "obj_type": getattr(field, "OBJ_TYPE", "date"),
        "awareness": "aware",
        "input": "abc",
        "choices": "postpaid, prepaid",
        "choices_text": "postpaid, prepaid",
    }
    if "{awareness}" in template:  # AwareDateTime and NaiveDateTime only
        values["obj_type"] = "datetime"
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{name: values[name] for name in names})


def field_default_messages() -> list[str]:
    """Every default message of every marshmallow and webargs field."""
    messages: set[str] = set()
    for module in (fields, webargs.fields):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, fields.Field) or inspect.isabstract(cls):
                continue
            for klass in cls.__mro__:
                for template in getattr(klass, "default_error_messages", {}).values():
                    messages.add(_sample(template, cls))
    messages.add(_sample("Not a valid {awareness} {obj_type}.", fields.DateTime()))
    messages.add(
        _sample("Not a valid {awareness} {obj_type}.", fields.DateTime()).replace("aware", "naive")
    )
    messages.update(Schema._default_error_messages.values())
    messages.add("Invalid JSON body.")  # webargs, a body that is not JSON
    return sorted(messages)


def _refusal(validator: Any, value: Any) -> str:
    with pytest.raises(ValidationError) as raised:
        validator(value)
    return " ".join(raised.value.messages)


def validator_default_messages() -> list[str]:
    """What each marshmallow validator says by default, with every form of a bound."""
    return [
        _refusal(validate.Range(min=1, max=200), 0),
        _refusal(validate.Range(min=0, min_inclusive=False, max=1000), 0),
        _refusal(validate.Range(min=0, max=1000, max_inclusive=False), 1000),
        _refusal(validate.Range(min=0, min_inclusive=False, max=10, max_inclusive=False), 0),
        _refusal(validate.Range(min=7), 0),
        _refusal(validate.Range(min=7, min_inclusive=False), 7),
        _refusal(validate.Range(max=7), 8),
        _refusal(validate.Range(max=7, max_inclusive=False), 7),
        _refusal(validate.Length(min=1, max=2000), ""),
        _refusal(validate.Length(min=10), "a"),
        _refusal(validate.Length(max=120), "a" * 121),
        _refusal(validate.Length(equal=6), "a"),
        _refusal(validate.OneOf(["postpaid", "prepaid"]), "x"),
        _refusal(validate.Regexp(r"^\d{6}$"), "x"),
        _refusal(validate.Email(), "x"),
        _refusal(validate.URL(), "x"),
        _refusal(validate.Equal(1), 2),
        _refusal(validate.ContainsOnly(["a"]), ["b"]),
        _refusal(validate.ContainsNoneOf(["a"]), ["a"]),
        _refusal(validate.NoneOf(["a"]), "a"),
        _refusal(validate.Predicate("isdigit"), "a"),
    ]


ALL_DEFAULTS = field_default_messages() + validator_default_messages()


def test_the_defaults_walked_include_the_ones_reported():
    assert "Special numeric values (nan or infinity) are not permitted." in ALL_DEFAULTS
    assert "Missing data for required field." in ALL_DEFAULTS
    assert "Not a valid integer." in ALL_DEFAULTS
    assert len(ALL_DEFAULTS) > 40


@pytest.mark.parametrize("english", ALL_DEFAULTS)
def test_every_marshmallow_default_message_has_a_vietnamese_equivalent(english):
    assert any(pattern.match(english) for pattern, _ in VALIDATION_VI), english
    message = labelled("households", vietnamese(english))
    assert message.startswith("Số hộ dùng chung công tơ: ")
    assert not english_words(message), message
    assert message.endswith(".") and message[len("Số hộ dùng chung công tơ: ")].islower()


def test_nan_and_infinity_are_refused_in_vietnamese(client):
    for body in ('{"kwh": 100, "households": NaN}', '{"kwh": 100, "households": Infinity}'):
        response = client.post(
            "/api/v1/bills/estimate", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        assert response.get_json()["message"] == (
            "Số hộ dùng chung công tơ: phải là một số, không nhận NaN hay vô cực."
        )
    for households in ("inf", "nan", "-inf"):
        response = client.get(f"/api/v1/bills/kwh-for-budget?amount=100000&households={households}")
        assert response.status_code == 422
        assert response.get_json()["message"] == (
            "Số hộ dùng chung công tơ: phải là một số, không nhận NaN hay vô cực."
        )


def test_ranges_read_in_vietnamese_with_thousand_dots():
    assert vietnamese("Must be greater than 0 and less than or equal to 1000.") == (
        "phải lớn hơn 0 và không quá 1000."
    )
    assert labelled("households", "phải lớn hơn 0 và không quá 1000.") == (
        "Số hộ dùng chung công tơ: phải lớn hơn 0 và không quá 1.000."
    )
    assert labelled("message", vietnamese("Length must be between 1 and 2000.")) == (
        "Tin nhắn: độ dài phải từ 1 đến 2.000 ký tự."
    )


# ---- every field of the API's input has a Vietnamese label


def _schema_names(schema: Schema, seen: set[type]) -> set[str]:
    if type(schema) in seen:
        return set()
    seen.add(type(schema))
    names: set[str] = set()
    for name, field in schema.fields.items():
        names.add(field.data_key or name)
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested) and isinstance(inner.schema, Schema):
            names |= _schema_names(inner.schema, seen)
    return names


def input_schemas() -> list[type[Schema]]:
    """The schemas of backend.api that read a request: bodies (…In) and query strings (…Query)."""
    return [
        cls
        for module in API_MODULES
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Schema) and cls.__name__.endswith(("In", "Query"))
    ]


def openapi_input_names(app) -> set[str]:
    """Field names of every request body and query parameter in the registered OpenAPI spec
    (the action server's operations included), nested schemas followed."""
    document = api_of(app).document(internal=True)
    schemas = document["components"]["schemas"]
    names: set[str] = set()

    def walk(node: dict[str, Any], seen: set[str]) -> None:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(schemas[name], seen | {name})
            return
        for key, value in node.get("properties", {}).items():
            names.add(key)
            walk(value, seen)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                walk(node[key], seen)
        for key in ("allOf", "anyOf", "oneOf"):
            for value in node.get(key, []):
                walk(value, seen)

    for operations in document["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    names.add(parameter["name"])
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walk(content["schema"], set())
    return names


def test_the_walk_finds_the_api_inputs(app):
    assert len(input_schemas()) > 15
    assert {"lasting_change", "price_per_kwh", "days", "limit", "renters_people"} <= (
        openapi_input_names(app)
    )


def test_every_input_field_of_the_api_has_a_vietnamese_label(app):
    names = openapi_input_names(app)
    for schema in input_schemas():
        names |= _schema_names(schema(), set())
    missing = sorted(names - set(FIELD_LABELS))
    assert not missing, f"add these to backend.errors.FIELD_LABELS: {missing}"


def test_every_appliance_kind_and_its_fields_have_a_label():
    missing = sorted((APPLIANCES | {"count", "inverter", "kind"}) - set(FIELD_LABELS))
    assert not missing, f"add these to backend.errors.FIELD_LABELS: {missing}"


def test_labels_are_vietnamese_not_api_names():
    for name, label in FIELD_LABELS.items():
        assert label and label[0].isupper(), (name, label)
        assert not SNAKE_CASE.search(label), (name, label)


# ---- what the API answers, word for word


def _check_sentence(message: str) -> None:
    """One sentence: a capital, a full stop, a label at most once, no English nor API names."""
    assert message[:1].isupper() and message.endswith("."), message
    assert not english_words(message), message
    assert not SNAKE_CASE.search(message), message
    _, colon, rest = message.partition(": ")
    if colon:
        assert not any(rest.startswith(label + ":") for label in LABELS), message
        assert rest[:1].islower() or not rest[:1].isalpha(), message
    for label in LABELS:
        assert message.count(label + ":") <= 1, message


CASES = [
    (
        "post",
        "/api/v1/me/anomalies/1/feedback",
        {},
        "lasting_change",
        "Thay đổi lâu dài: bắt buộc phải có.",
    ),
    (
        "post",
        "/api/v1/bills/renter-check",
        {"price_per_kwh": 0},
        "price_per_kwh",
        "Giá mỗi số điện: phải từ 1 đến 1.000.000.",
    ),
    (
        "post",
        "/api/v1/bills/renter-check",
        {"kwh": 100},
        "price_per_kwh",
        "Giá mỗi số điện: bắt buộc phải có, trừ khi gửi cả tiền điện và số kWh của tháng.",
    ),
    ("get", "/api/v1/me/daily?days=0", None, "days", "Số ngày: phải từ 7 đến 120."),
    ("get", "/api/v1/me/notices?limit=0", None, "limit", "Số mục tối đa: phải từ 1 đến 200."),
    ("get", "/api/v1/chat/history?limit=500", None, "limit", "Số mục tối đa: phải từ 1 đến 200."),
    (
        "get",
        "/api/v1/bills/kwh-for-budget?amount=100000&renters_people=2",
        None,
        "renters_registered",
        "Đã đăng ký tạm trú: bắt buộc phải có khi đã gửi số người thuê.",
    ),
    (
        "get",
        "/api/v1/bills/kwh-for-budget?amount=100000&renters_registered=true",
        None,
        "renters_people",
        "Số người thuê: bắt buộc phải có khi đã gửi người thuê đã đăng ký tạm trú hay chưa.",
    ),
    (
        "get",
        "/api/v1/me/readings?from=2025-05-01&to=2025-04-01",
        None,
        "to",
        "Đến ngày: không được trước ngày bắt đầu (Từ ngày).",
    ),
    (
        "get",
        "/api/v1/me/readings?from=2020-01-01&to=2025-04-01",
        None,
        "to",
        "Đến ngày: mỗi lần xem tối đa 400 ngày.",
    ),
    (
        "put",
        "/api/v1/me",
        {"appliances": {"air_conditioner": {"count": 99}}},
        "appliances.air_conditioner.count",
        "Thiết bị điện › Máy điều hòa › Số lượng phải là số nguyên từ 0 đến 20.",
    ),
    (
        "put",
        "/api/v1/me",
        {"appliances": {"water_heater": {"inverter": "có"}}},
        "appliances.water_heater.inverter",
        "Thiết bị điện › Bình nóng lạnh › Biến tần (inverter) phải là true hoặc false.",
    ),
    (
        "put",
        "/api/v1/me",
        {"customer_code": "PE01"},
        "customer_code",
        "Mã khách hàng EVN gồm 13 ký tự, ví dụ PE01000123456.",
    ),
    (
        "put",
        "/api/v1/me",
        {"quiet_hours": {"start": "25:00"}},
        "quiet_hours.start",
        "Giờ không làm phiền › Bắt đầu: không phải giờ hợp lệ (giờ:phút).",
    ),
    # budgets.py writes its own label: it is not led by another one
    (
        "put",
        "/api/v1/me/budget",
        {},
        "amount",
        "Hạn mức: hãy đặt một trong hai, số tiền (amount, đồng) hoặc số kWh (kwh).",
    ),
    (
        "put",
        "/api/v1/me/budget",
        {"amount": 5000, "kwh": 100},
        "amount",
        "Hạn mức: hãy đặt một trong hai, số tiền (amount, đồng) hoặc số kWh (kwh).",
    ),
    (
        "put",
        "/api/v1/me/budget",
        {"kwh": 0},
        "kwh",
        "Hạn mức kWh phải là số nguyên từ 1 đến 100.000.",
    ),
    (
        "put",
        "/api/v1/me/budget",
        {"amount": 5},
        "amount",
        "Số tiền hạn mức phải là số nguyên từ 10.000 đ đến 100.000.000 đ.",
    ),
    (
        "put",
        "/api/v1/me/budget",
        {"kwh": "10"},
        "kwh",
        "Số kWh: phải là số nguyên.",
    ),
    # a capital after the label's colon becomes a lower-case letter
    (
        "post",
        "/api/v1/me/bills",
        {"period_start": "2099-01-01", "period_end": "2099-02-01", "kwh": 1, "amount": 1},
        "period_start",
        "Ngày đầu kỳ: ngày không được ở tương lai.",
    ),
    (
        "post",
        "/api/v1/me/bills",
        {"period_start": "2025-03-01", "period_end": "2025-02-01", "kwh": 1, "amount": 1},
        "period_end",
        "Ngày cuối kỳ không được trước ngày đầu kỳ.",
    ),
    (
        "post",
        "/api/v1/me/readings",
        {"readings": [{"date": "2025-01-01", "kwh": "5"}]},
        "readings.0.kwh",
        "Số liệu hằng ngày (dòng 1) › Số kWh: phải là một số (không phải chuỗi ký tự).",
    ),
    (
        "post",
        "/api/v1/me/readings",
        {"readings": [{"date": "2025-01-01", "kwh": 1}] * 5001},
        "readings",
        "Số liệu hằng ngày: mỗi lần gửi tối đa 5.000 ngày số liệu.",
    ),
    (
        "post",
        "/api/v1/bills/compare",
        {
            "previous": {"kwh": 1, "period_start": "2025-01-01", "period_end": "2025-12-01"},
            "current": {"kwh": 1, "period_start": "2026-01-01", "period_end": "2026-02-01"},
        },
        "previous.period_end",
        "Kỳ trước › Ngày cuối kỳ: một kỳ hóa đơn dài tối đa 100 ngày.",
    ),
    (
        "post",
        "/api/v1/bills/compare",
        {
            "previous": {"kwh": 1, "period_start": "2025-02-01", "period_end": "2025-01-01"},
            "current": {"kwh": 1, "period_start": "2026-01-01", "period_end": "2026-02-01"},
        },
        "previous.period_end",
        "Kỳ trước › Ngày cuối kỳ không được trước ngày đầu kỳ.",
    ),
    ("post", "/api/v1/chat", {"message": "a" * 2001}, "message", None),
    ("post", "/api/v1/bills/estimate", {"kwh": 100, "meter": "x"}, "meter", None),
    (
        "post",
        "/api/v1/bills/estimate",
        {"kwh": 100, "surprise": 1},
        "surprise",
        "Dữ liệu gửi lên: không có trường 'surprise'.",
    ),
    (
        "post",
        "/api/v1/bills/estimate",
        {"kwh": 100, "renters": {"people": 2, "registered": True, "pets": 1}},
        "renters.pets",
        "Người thuê nhà: không có trường 'pets'.",
    ),
    ("post", "/api/v1/bills/estimate", {"kwh": 10**9}, "kwh", None),
    ("post", "/api/v1/bills/estimate", {"kwh": 100, "period_start": "x"}, "period_start", None),
    ("post", "/api/v1/me/devices", {"token": "short"}, "token", None),
    ("post", "/api/v1/me/meter-index", {"reading": -1}, "reading", None),
    ("post", "/api/v1/me/guest-stays", {"first_day": "2025-01-01"}, "last_day", None),
]


@pytest.mark.parametrize(("method", "url", "body", "field", "expected"), CASES)
def test_the_api_answers_one_vietnamese_sentence_led_by_the_label_once(
    client, household, method, url, body, field, expected
):
    send = getattr(client, method)
    response = (
        send(url, json=body, headers=bearer(household))
        if body is not None
        else send(url, headers=bearer(household))
    )
    assert response.status_code == 422, response.get_json()
    payload = response.get_json()
    assert payload["field"] == field
    if expected is not None:
        assert payload["message"] == expected
    _check_sentence(payload["message"])


def test_the_service_budget_endpoints_label_once(client, service_auth, household):
    for suffix, method in (("budget", "put"), ("budget/preview", "post")):
        url = f"/api/v1/service/households/{household.id}/{suffix}"
        response = getattr(client, method)(url, json={"kwh": 0}, headers=service_auth)
        assert response.get_json()["message"] == "Hạn mức kWh phải là số nguyên từ 1 đến 100.000."
    missing = client.put(
        "/api/v1/service/households/nobody/budget", json={"kwh": 10}, headers=service_auth
    )
    assert missing.status_code == 404
    assert missing.get_json()["message"] == "Không tìm thấy hộ gia đình này."


def test_a_meter_index_going_backwards_is_a_sentence_led_by_its_label(client, household):
    auth = bearer(household)
    first = {"reading": 12_000, "read_on": "2025-01-01"}
    assert client.post("/api/v1/me/meter-index", json=first, headers=auth).status_code == 201
    response = client.post(
        "/api/v1/me/meter-index", json={"reading": 11_700, "read_on": "2025-02-01"}, headers=auth
    )
    assert response.status_code == 409
    payload = response.get_json()
    assert (payload["code"], payload["field"]) == ("index_backwards", "reading")
    assert payload["message"] == (
        "Chỉ số công tơ: chỉ số 11.700 nhỏ hơn chỉ số 12.000 ghi ngày 1/1/2025."
    )
    assert db.session.query(MeterIndex).count() == 1


# ---- the rule, on its own


@pytest.mark.parametrize(
    ("field", "message", "expected"),
    [
        # the service's message already names the field: its label leads it once
        ("amount", "Hạn mức: hãy đặt một trong hai.", "Hạn mức: hãy đặt một trong hai."),
        ("kwh", "Hạn mức kWh phải từ 1.", "Hạn mức kWh phải từ 1."),
        ("kwh", "Số kWh phải từ 0", "Số kWh phải từ 0."),
        ("kwh", "số kWh phải từ 0", "Số kWh phải từ 0."),
        ("period_start", "Ngày đầu kỳ: đã có hóa đơn.", "Ngày đầu kỳ: đã có hóa đơn."),
        (
            "readings.2.date",
            "Ngày phải từ 1/1/2000 trở đi.",
            ("Số liệu hằng ngày (dòng 3) › Ngày phải từ 1/1/2000 trở đi."),
        ),
        # a word that only starts like the label does not name it
        ("date", "Ngàyx", "Ngày: ngàyx."),
        # otherwise the label leads, and the clause after it starts in lower case
        (
            "period_start",
            "Ngày không được ở tương lai.",
            "Ngày đầu kỳ: ngày không được ở tương lai.",
        ),
        ("kwh", "Phải là một số.", "Số kWh: phải là một số."),
        ("phone", "cần số di động", "Số điện thoại: cần số di động."),
        # names and acronyms keep their capital
        ("customer_code", "EVN cấp mã này", "Mã khách hàng EVN: EVN cấp mã này."),
        ("zalo_user_id", "Zalo chưa gửi mã", "Mã người dùng Zalo: Zalo chưa gửi mã."),
        # the field's API name at the start reads as its label
        (
            "appliances.fan.inverter",
            "inverter phải là true hoặc false",
            ("Thiết bị điện › Quạt điện › Biến tần (inverter) phải là true hoặc false."),
        ),
        # a name the client made up is quoted after its parent's label
        ("mood", "không có trường này.", "Dữ liệu gửi lên: không có trường 'mood'."),
        ("renters.mood", "không có trường này.", "Người thuê nhà: không có trường 'mood'."),
        (
            "renters.people",
            "không có trường này.",
            "Người thuê nhà › Số người thuê: không có trường này.",
        ),
    ],
)
def test_labelled(field, message, expected):
    assert labelled(field, message) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tối đa 5000 ngày", "tối đa 5.000 ngày"),
        ("từ 10000 đến 100000000", "từ 10.000 đến 100.000.000"),
        ("từ 1 đến 999", "từ 1 đến 999"),
        ("đã có 1.000", "đã có 1.000"),
        ("ngày 1/1/2000", "ngày 1/1/2000"),
        ("ngày 2025-01-01", "ngày 2025-01-01"),
        ("kỳ 11/4/2025–10/5/2025", "kỳ 11/4/2025–10/5/2025"),
        ("ví dụ PE01000123456 hoặc 0912345678", "ví dụ PE01000123456 hoặc 0912345678"),
        ("từ năm 2025", "từ năm 2025"),
        ("1234.5 kWh", "1234.5 kWh"),
        ("-3000", "-3.000"),
    ],
)
def test_group_numbers(text, expected):
    assert group_numbers(text) == expected


def test_today_is_not_a_thousand():
    assert group_numbers(f"ngày {date(2025, 1, 2).isoformat()}") == "ngày 2025-01-02"
