"""Bad or implausible input is a 4xx naming its field (in Vietnamese where a household reads
it), never a 500 and never stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from backend.api.fields import NOT_A_NUMBER, NOT_A_NUMBER_BUT_BOOLEAN
from backend.extensions import db
from backend.guards import NESTED_MESSAGE
from backend.models import Bill, DailyReading, MeterIndex
from backend.services import readings
from backend.services.errors import InvalidInput


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def nested(depth: int) -> str:
    return '{"message": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [50_000, 2_000, 40])
def test_json_nested_deep_on_chat_is_a_400_not_a_500(client, auth, fake_server, app, depth):
    rasa = fake_server(lambda method, path, body: (200, [{"text": "không được gọi"}]))
    app.config["RASA_URL"] = rasa.url
    response = client.post(
        "/api/v1/chat", data=nested(depth), headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json() == {"code": "bad_request", "message": NESTED_MESSAGE}
    assert rasa.calls == []


def test_json_nested_deep_anywhere_in_the_api_is_a_400(client, auth):
    response = client.put(
        "/api/v1/me",
        data='{"appliances": {"x": ' + "[" * 3000 + "]" * 3000 + "}}",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.get_json()["message"] == NESTED_MESSAGE


def test_ordinary_nesting_still_passes(client, auth):
    body = {"readings": [{"date": "2025-11-01", "kwh": 7.5}]}
    assert client.post("/api/v1/me/readings", json=body, headers=auth).status_code == 200


def test_a_chat_message_over_2000_characters_never_reaches_rasa(client, auth, fake_server, app):
    rasa = fake_server(lambda method, path, body: (200, []))
    app.config["RASA_URL"] = rasa.url
    response = client.post("/api/v1/chat", json={"message": "a" * 2001}, headers=auth)
    assert response.status_code == 422 and response.get_json()["field"] == "message"
    assert rasa.calls == []


@pytest.mark.parametrize("to", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_reading_query_dates_out_of_range_are_422_naming_the_field(client, auth, to):
    response = client.get(f"/api/v1/me/readings?to={to}", headers=auth)
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == "to"
    assert body["message"] in {
        "Đến ngày: ngày phải từ 1/1/2000 trở đi.",
        "Đến ngày: ngày không được ở tương lai.",
    }


def test_the_earliest_query_date_still_answers(client, auth):
    response = client.get("/api/v1/me/readings?to=2000-01-01", headers=auth)
    assert response.status_code == 200 and response.get_json()["from"] == "1999-10-04"


@pytest.mark.parametrize(
    ("reading", "field", "message"),
    [
        ({"date": "0001-01-01", "kwh": 7.5}, "readings.0.date", "Ngày phải từ 1/1/2000 trở đi."),
        ({"date": "2025-11-01", "kwh": "7.5"}, "readings.0.kwh", NOT_A_NUMBER),
        ({"date": "2025-11-01", "kwh": True}, "readings.0.kwh", NOT_A_NUMBER_BUT_BOOLEAN),
        ({"date": "2025-11-01", "kwh": 5000}, "readings.0.kwh", "Số kWh một ngày phải từ 0"),
    ],
)
def test_implausible_readings_are_refused_naming_the_field(client, auth, reading, field, message):
    response = client.post("/api/v1/me/readings", json={"readings": [reading]}, headers=auth)
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == field and message in body["message"]
    assert count(DailyReading) == 0


def test_a_meter_index_dated_1900_is_refused(client, auth):
    response = client.post(
        "/api/v1/me/meter-index", json={"reading": 1234, "read_on": "1900-01-01"}, headers=auth
    )
    assert response.status_code == 422
    assert response.get_json()["field"] == "read_on"
    assert "1/1/2000" in response.get_json()["message"]
    assert count(MeterIndex) == 0


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("1025-01-01", "2025-01-01", "period_start", "1/1/2000"),
        ("2001-01-01", "3001-01-01", "period_end", "tương lai"),
        ("2000-01-01", "2025-12-31", "period_end", "tối đa 100 ngày"),
        ("2025-03-01", "2025-02-01", "period_end", "không được trước ngày đầu kỳ"),
    ],
)
def test_an_implausible_bill_period_is_refused(client, auth, start, end, field, message):
    bill = {"period_start": start, "period_end": end, "kwh": 300, "amount": 900_000}
    response = client.post("/api/v1/me/bills", json=bill, headers=auth)
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == field and message in body["message"]
    assert count(Bill) == 0


def test_a_real_two_month_bill_is_still_accepted(client, auth):
    bill = {"period_start": "2025-09-15", "period_end": "2025-11-14", "kwh": 600, "amount": 1}
    assert client.post("/api/v1/me/bills", json=bill, headers=auth).status_code == 201


def test_the_services_refuse_old_dates_for_every_caller(app, household):
    """The action server and CLI reach the services without the API's schemas."""
    today = date(2025, 11, 20)
    with pytest.raises(InvalidInput) as raised:
        readings.record_readings(
            db.session(), household, [{"date": date(1999, 12, 31), "kwh": 1.0}], today=today
        )
    assert raised.value.field == "readings.0.date"
    with pytest.raises(InvalidInput) as raised:
        readings.record_meter_index(
            db.session(), household, 5, date(1900, 1, 1), today=today, source="chat"
        )
    assert raised.value.field == "read_on"
    with pytest.raises(InvalidInput) as raised:
        readings.add_bill(
            db.session(),
            household,
            {
                "period_start": date(2024, 1, 1),
                "period_end": date(2024, 1, 1) + timedelta(days=365 * 1000),
                "kwh": 1,
                "amount": 1,
            },
        )
    assert raised.value.field == "period_end"


@pytest.mark.parametrize("key", ["²", "³", "①"])  # digits to str.isdigit(), not to int()
def test_a_field_named_by_a_superscript_digit_is_a_422_not_a_500(client, key):
    """Found by hypothesis on PostgreSQL: 'previous.kwh.²' crashed the field labeller."""
    response = client.post("/api/v1/bills/compare", json={"previous": {"kwh": {key: "a\x00"}}})
    assert response.status_code == 422
    assert response.get_json()["field"] == f"previous.kwh.{key}"


@pytest.mark.parametrize("body", [[1, 2], "350", 350])
def test_a_body_that_is_not_an_object_is_named_in_vietnamese(client, body):
    response = client.post("/api/v1/bills/estimate", json=body)
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["field"] == "_schema"  # marshmallow's name for the whole body, for programs
    assert payload["message"].startswith("Dữ liệu gửi lên: ")
    assert "_schema" not in payload["message"]
