from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backend.extensions import db
from backend.models import Conversation, Household, Outage
from tests.conftest import bearer


def test_service_endpoints_refuse_without_the_service_token(client, household):
    assert client.get("/api/v1/service/senders/hh-1").status_code == 401
    assert (
        client.get(
            "/api/v1/service/senders/hh-1", headers={"Authorization": "Bearer wrong"}
        ).status_code
        == 401
    )


def test_sender_resolution(client, household, service_auth):
    body = client.get("/api/v1/service/senders/hh-1", headers=service_auth).get_json()
    assert body == {
        "household_id": "hh-1",
        "linked": True,
        "display_name": household.display_name,
        "province_code": 1,
        "region": "north",
    }
    unknown = client.get("/api/v1/service/senders/zalo-123", headers=service_auth).get_json()
    assert unknown["linked"] is False and unknown["household_id"] is None


def test_zalo_link_with_a_code_from_the_app(client, household, service_auth):
    code = client.post("/api/v1/me/zalo-link-code", headers=bearer(household)).get_json()["code"]
    assert len(code) == 6 and code.isdigit()
    wrong = client.post(
        "/api/v1/service/zalo-links",
        headers=service_auth,
        json={"code": "000000" if code != "000000" else "111111", "zalo_user_id": "8421"},
    )
    assert wrong.status_code == 404 and wrong.get_json()["code"] == "invalid_code"
    linked = client.post(
        "/api/v1/service/zalo-links",
        headers=service_auth,
        json={"code": code, "zalo_user_id": "8421"},
    )
    assert linked.get_json() == {"household_id": "hh-1", "display_name": household.display_name}
    assert (
        client.get("/api/v1/service/senders/zalo-8421", headers=service_auth).get_json()[
            "household_id"
        ]
        == "hh-1"
    )
    reused = client.post(
        "/api/v1/service/zalo-links", headers=service_auth, json={"code": code, "zalo_user_id": "9"}
    )
    assert reused.status_code == 404  # single use


def test_meter_index_and_subscriptions_through_the_bot(client, household, service_auth):
    url = "/api/v1/service/households/hh-1"
    assert (
        client.post(f"{url}/meter-index", headers=service_auth, json={"reading": 500}).status_code
        == 201
    )
    lower = client.post(
        f"{url}/meter-index",
        headers=service_auth,
        json={"reading": 400, "read_on": datetime.now().date().isoformat()},
    )
    assert lower.status_code == 201  # the same day is replaced, nothing before it
    prefs = client.put(
        f"{url}/subscriptions", headers=service_auth, json={"weekly_tips": False}
    ).get_json()
    assert prefs == {"weekly_tips": False, "outage_notices": True, "usage_alerts": True}
    assert (
        client.get("/api/v1/service/households/nobody/usage", headers=service_auth).status_code
        == 404
    )


def test_outages_of_the_households_area(client, household, service_auth):
    now = datetime.now()
    db.session.add_all(
        [
            Outage(
                province_code=1,
                area_name="Phường Hoàn Kiếm",
                starts_at=now + timedelta(hours=30),
                ends_at=now + timedelta(hours=34),
                reason="Bảo trì",
            ),
            Outage(
                province_code=79,
                area_name="TP.HCM",
                starts_at=now + timedelta(hours=30),
                ends_at=now + timedelta(hours=34),
                reason="Khác tỉnh",
            ),
            Outage(
                province_code=1,
                area_name="Đã hủy",
                starts_at=now + timedelta(hours=5),
                ends_at=now + timedelta(hours=6),
                cancelled=True,
            ),
        ]
    )
    db.session.commit()
    outages = client.get(
        "/api/v1/service/households/hh-1/outages", headers=service_auth
    ).get_json()["outages"]
    assert [o["area_name"] for o in outages] == ["Phường Hoàn Kiếm"]


def test_handoff_marks_waiting_with_queue_position(
    client, household, other_household, service_auth
):
    first = client.post(
        "/api/v1/service/handoffs",
        headers=service_auth,
        json={"sender_id": "hh-2", "channel": "rest"},
    )
    second = client.post(
        "/api/v1/service/handoffs",
        headers=service_auth,
        json={"sender_id": "hh-1", "channel": "rest"},
    )
    assert first.status_code == 201 and first.get_json()["queue_position"] == 1
    assert second.get_json() == {"status": "waiting", "queue_position": 2}
    conversation = db.session.get(Conversation, "hh-1")
    assert conversation.status == "waiting" and conversation.household_id == "hh-1"


def test_deletion_through_the_bot(client, household, service_auth):
    response = client.post("/api/v1/service/households/hh-1/deletion", headers=service_auth)
    assert response.status_code == 202
    assert db.session.get(Household, "hh-1") is None


@pytest.mark.parametrize(
    "body",
    [
        {"code": "12", "zalo_user_id": "1"},
        {"code": "123456"},
        {"code": "123456", "zalo_user_id": "abc"},
    ],
)
def test_zalo_link_validation(client, service_auth, body):
    assert (
        client.post("/api/v1/service/zalo-links", headers=service_auth, json=body).status_code
        == 422
    )
