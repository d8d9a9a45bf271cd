"""The answer to a usage alert from chat: the action server finds the alert the answer is about
(GET .../anomalies/latest) and records it after the household confirmed (POST .../feedback)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.clock import frozen
from backend.extensions import db
from backend.models import AnomalyEpisode
from backend.services.household_panel import household_panel
from tests.conftest import make_household

TODAY = date(2026, 12, 2)
NOON = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)  # 12:00 in Việt Nam


def episode(household_id: str, start: date, last: date, *, is_open: bool) -> AnomalyEpisode:
    row = AnomalyEpisode(
        household_id=household_id,
        start_day=start,
        last_day=last,
        is_open=is_open,
        expected_kwh=70.0,
        actual_kwh=96.0,
        weather_kwh=21.0,
        excess_days=(last - start).days + 1,
        explanation="Tuần qua nhà bạn dùng 96 kWh.",
    )
    db.session.add(row)
    db.session.commit()
    return row


def latest(client, service_auth, household_id: str = "hh-1"):
    with frozen(NOON):
        return client.get(
            f"/api/v1/service/households/{household_id}/anomalies/latest", headers=service_auth
        )


def test_the_open_alert_comes_first_else_the_latest_of_30_days(client, service_auth, household):
    assert latest(client, service_auth).get_json() == {"anomaly": None}
    old = episode("hh-1", date(2026, 10, 1), TODAY - timedelta(days=31), is_open=False)
    assert latest(client, service_auth).get_json() == {"anomaly": None}  # too old to answer
    recent = episode("hh-1", date(2026, 11, 20), date(2026, 11, 26), is_open=False)
    body = latest(client, service_auth).get_json()["anomaly"]
    assert body == {
        "id": recent.id,
        "start_day": "2026-11-20",
        "start_day_text": "20/11",
        "last_day": "2026-11-26",
        "is_open": False,
        "explanation": "Tuần qua nhà bạn dùng 96 kWh.",
        "lasting_change": None,
        "change": None,
        "change_text": None,
        "note": None,
        "repaired_on": None,
        "repaired_on_text": None,
        "easing": False,  # 96 kWh against 70 expected
    }
    # what an answer may say changed, in the words the bot says it back with
    assert latest(client, service_auth).get_json()["change_kinds"] == {
        "air_conditioner": "dùng điều hòa nhiều hơn",
        "people": "có thêm người ở",
        "appliance": "có thêm máy giặt, tủ lạnh, xe điện hay thiết bị tương tự",
    }
    still = episode("hh-1", date(2026, 11, 1), TODAY, is_open=True)
    assert latest(client, service_auth).get_json()["anomaly"]["id"] == still.id
    assert old.id not in (recent.id, still.id)
    assert latest(client, service_auth, "nobody").status_code == 404


def test_feedback_from_chat_is_stored_and_shown_to_staff(client, service_auth, household):
    row = episode("hh-1", date(2026, 11, 20), date(2026, 11, 26), is_open=True)
    with frozen(NOON):
        response = client.post(
            f"/api/v1/service/households/hh-1/anomalies/{row.id}/feedback",
            json={"lasting_change": True, "note": "có, nhà mới mua thêm điều hòa"},
            headers=service_auth,
        )
    assert response.status_code == 200
    body = response.get_json()["anomaly"]
    assert body["lasting_change"] is True and body["start_day_text"] == "20/11"
    db.session.refresh(row)
    assert (row.lasting_change, row.feedback_note) == (True, "có, nhà mới mua thêm điều hòa")
    assert row.feedback_at == NOON.replace(tzinfo=None)
    panel = household_panel(db.session, household, today=TODAY)
    assert [(e.id, e.lasting_change) for e in panel.answers] == [(row.id, True)]


def test_what_changed_from_chat_is_stored_said_back_and_shown_to_staff(
    client, service_auth, household
):
    row = episode("hh-1", date(2026, 11, 20), date(2026, 11, 26), is_open=True)
    response = client.post(
        f"/api/v1/service/households/hh-1/anomalies/{row.id}/feedback",
        json={"lasting_change": True, "note": "có em bé", "change": "people"},
        headers=service_auth,
    )
    body = response.get_json()["anomaly"]
    assert (body["change"], body["change_text"]) == ("people", "có thêm người ở")
    db.session.refresh(row)
    assert row.change_kind == "people"
    panel = household_panel(db.session, household, today=TODAY)
    assert [(e.id, e.change_kind) for e in panel.answers] == [(row.id, "people")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "lasting_change"),
        ({"lasting_change": "có"}, "lasting_change"),
        ({"lasting_change": True, "change": "tivi"}, "change"),
    ],
)
def test_bad_feedback_from_chat_is_a_422_naming_the_field(
    client, service_auth, household, body, field
):
    row = episode("hh-1", date(2026, 11, 20), date(2026, 11, 26), is_open=True)
    response = client.post(
        f"/api/v1/service/households/hh-1/anomalies/{row.id}/feedback",
        json=body,
        headers=service_auth,
    )
    assert response.status_code == 422 and response.get_json()["field"] == field


def test_feedback_on_another_households_alert_is_a_404(client, service_auth, household):
    someone = make_household("someone-else")
    row = episode(someone.id, date(2026, 11, 20), date(2026, 11, 26), is_open=True)
    for anomaly_id in (row.id, 2**40):
        response = client.post(
            f"/api/v1/service/households/hh-1/anomalies/{anomaly_id}/feedback",
            json={"lasting_change": True},
            headers=service_auth,
        )
        assert response.status_code == 404 and response.get_json()["field"] == "anomaly_id"
    db.session.refresh(row)
    assert row.lasting_change is None


def repaired(client, service_auth, anomaly_id: int, household_id: str = "hh-1"):
    with frozen(NOON):
        return client.post(
            f"/api/v1/service/households/{household_id}/anomalies/{anomaly_id}/repaired",
            headers=service_auth,
        )


def test_a_repair_from_chat_is_stored_for_today_and_said_back(client, service_auth, household):
    row = episode("hh-1", date(2026, 11, 20), date(2026, 12, 1), is_open=True)
    row.lasting_change, row.feedback_note = False, "không có gì thay đổi"
    db.session.commit()
    response = repaired(client, service_auth, row.id)
    assert response.status_code == 200
    body = response.get_json()["anomaly"]
    assert (body["repaired_on"], body["repaired_on_text"]) == ("2026-12-02", "2/12")
    assert (body["lasting_change"], body["note"]) == (False, None)
    db.session.refresh(row)
    assert row.repaired_on == TODAY and row.feedback_at == NOON.replace(tzinfo=None)
    assert latest(client, service_auth).get_json()["anomaly"]["repaired_on"] == "2026-12-02"


def test_a_repair_on_a_closed_or_anothers_alert_is_refused(client, service_auth, household):
    closed = episode("hh-1", date(2026, 11, 20), date(2026, 11, 26), is_open=False)
    response = repaired(client, service_auth, closed.id)
    assert response.status_code == 409 and response.get_json()["field"] == "anomaly_id"
    assert "đã đóng" in response.get_json()["message"]
    someone = make_household("someone-else")
    theirs = episode(someone.id, date(2026, 11, 20), date(2026, 12, 1), is_open=True)
    for anomaly_id in (theirs.id, 2**40):
        response = repaired(client, service_auth, anomaly_id)
        assert response.status_code == 404 and response.get_json()["field"] == "anomaly_id"
    assert repaired(client, service_auth, theirs.id, household_id="nobody").status_code == 404
    for row in (closed, theirs):
        db.session.refresh(row)
        assert row.repaired_on is None


def test_the_operations_need_the_service_token(client, auth, household):
    assert client.get("/api/v1/service/households/hh-1/anomalies/latest").status_code == 401
    response = client.post(
        "/api/v1/service/households/hh-1/anomalies/1/feedback",
        json={"lasting_change": True},
        headers=auth,  # a household's own token is not the service's
    )
    assert response.status_code in (401, 403)
    response = client.post("/api/v1/service/households/hh-1/anomalies/1/repaired", headers=auth)
    assert response.status_code in (401, 403)
