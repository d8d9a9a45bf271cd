from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from backend.clock import local_now, local_today
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


def _wrong(code: str, n: int) -> str:
    """The n-th six-digit code that is not `code`."""
    return next(c for c in (f"{i:06d}" for i in range(n, n + 2)) if c != code)


def link(client, service_auth, code: str, zalo_user_id: str):
    return client.post(
        "/api/v1/service/zalo-links",
        headers=service_auth,
        json={"code": code, "zalo_user_id": zalo_user_id},
    )


def test_one_zalo_user_gets_five_wrong_codes_then_must_wait(client, household, service_auth):
    code = client.post("/api/v1/me/zalo-link-code", headers=bearer(household)).get_json()["code"]
    statuses = [
        link(client, service_auth, _wrong(code, n * 2), "777").status_code for n in range(5)
    ]
    assert statuses == [404] * 5
    blocked = link(client, service_auth, code, "777")  # even the right code, for a while
    assert blocked.status_code == 429
    assert (
        blocked.get_json()["field"] == "code"
        and "thử lại sau 15 phút" in blocked.get_json()["message"]
    )
    assert db.session.get(Household, "hh-1").zalo_user_id is None
    # another Zalo user (the household itself) is not affected
    assert link(client, service_auth, code, "778").status_code == 200


def test_a_code_is_void_after_many_wrong_guesses_from_many_accounts(
    client, household, service_auth
):
    code = client.post("/api/v1/me/zalo-link-code", headers=bearer(household)).get_json()["code"]
    for n in range(25):  # 25 attackers, one guess each: no per-sender limit reached
        assert link(client, service_auth, _wrong(code, n * 2), f"55{n:03d}").status_code == 404
    late = link(client, service_auth, code, "55999")
    assert late.status_code == 404 and late.get_json()["code"] == "invalid_code"
    assert db.session.get(Household, "hh-1").zalo_user_id is None
    fresh = client.post("/api/v1/me/zalo-link-code", headers=bearer(household)).get_json()["code"]
    assert link(client, service_auth, fresh, "55999").status_code == 200


def test_link_failures_keep_no_zalo_id(client, household, service_auth):
    link(client, service_auth, "000000", "8421")
    stored = db.session.execute(db.text("select sender_key from zalo_link_failures")).scalars()
    assert [len(k) for k in stored] == [64]
    assert not db.session.execute(
        db.text("select 1 from zalo_link_failures where sender_key like '%8421%'")
    ).first()


def test_meter_index_and_subscriptions_through_the_bot(client, household, service_auth):
    url = "/api/v1/service/households/hh-1"
    assert (
        client.post(f"{url}/meter-index", headers=service_auth, json={"reading": 500}).status_code
        == 201
    )
    lower = client.post(
        f"{url}/meter-index",
        headers=service_auth,
        json={"reading": 400, "read_on": local_today().isoformat()},
    )
    assert lower.status_code == 201  # the same day is replaced, nothing before it
    prefs = client.put(
        f"{url}/subscriptions", headers=service_auth, json={"weekly_tips": False}
    ).get_json()
    assert prefs == {
        "weekly_tips": False,
        "outage_notices": True,
        "usage_alerts": True,
        "quiet_hours": {"start": "21:00", "end": "07:00"},
    }
    assert (
        client.get("/api/v1/service/households/nobody/usage", headers=service_auth).status_code
        == 404
    )


def test_outages_of_the_households_area(client, household, service_auth):
    now = local_now()  # outages are stored in Việt Nam time
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


def test_outages_of_an_area_named_without_an_account(client, service_auth):
    """Province and ward as people type them: accents optional, prefixes optional, typos."""
    now = local_now()
    db.session.add_all(
        [
            Outage(
                province_code=1,
                ward_code=167,  # Phường Cầu Giấy
                area_name="Phường Cầu Giấy",
                starts_at=now + timedelta(hours=30),
                ends_at=now + timedelta(hours=34),
                reason="Bảo trì",
            ),
            Outage(
                province_code=1,
                ward_code=70,  # Phường Hoàn Kiếm
                area_name="Phường Hoàn Kiếm",
                starts_at=now + timedelta(hours=20),
                ends_at=now + timedelta(hours=22),
            ),
            Outage(
                province_code=79,
                area_name="TP.HCM",
                starts_at=now + timedelta(hours=30),
                ends_at=now + timedelta(hours=34),
            ),
        ]
    )
    db.session.commit()

    def ask(**query):
        response = client.get("/api/v1/service/outages", query_string=query, headers=service_auth)
        assert response.status_code == 200
        return response.get_json()

    body = ask(province="ha noi", ward="p. cau giay")
    assert body["province"] == {"code": 1, "name": "Thành phố Hà Nội"}
    assert body["ward"] == {"code": 167, "name": "Phường Cầu Giấy"}
    assert [o["area_name"] for o in body["outages"]] == ["Phường Cầu Giấy"]
    whole = ask(province="Hà Nội")
    assert [o["area_name"] for o in whole["outages"]] == ["Phường Hoàn Kiếm", "Phường Cầu Giấy"]
    assert ask(province="sai gon")["province"]["code"] == 79
    assert ask(province="Thanh Hoá")["province"]["name"] == "Thanh Hóa"
    assert ask(province="đà nẳng")["province"]["code"] == 48  # a typo in the accent
    unknown = ask(province="xyz")
    assert unknown["province"] is None and unknown["outages"] == []


def test_area_outages_need_the_service_token_and_a_province(client, service_auth):
    assert client.get("/api/v1/service/outages?province=ha%20noi").status_code == 401
    missing = client.get("/api/v1/service/outages", headers=service_auth)
    assert missing.status_code == 422 and missing.get_json()["field"] == "province"


def test_dates_reach_the_bot_as_households_write_them(client, household, service_auth):
    """The bot formats no date: every date it says comes as a `*_text` beside the ISO value."""
    db.session.add_all(
        [
            Outage(
                province_code=1,
                area_name="Phường Hoàn Kiếm",
                starts_at=datetime(2099, 12, 7, 8, 0),
                ends_at=datetime(2099, 12, 7, 17, 0),
            ),
            Outage(
                province_code=1,
                area_name="Phường Cầu Giấy",
                starts_at=datetime(2099, 12, 7, 22, 0),
                ends_at=datetime(2099, 12, 8, 4, 30),
            ),
        ]
    )
    db.session.commit()
    url = "/api/v1/service/households/hh-1"
    outages = client.get(f"{url}/outages", headers=service_auth).get_json()["outages"]
    assert [o["when_text"] for o in outages] == [
        "8:00–17:00 thứ Hai 7/12",
        "22:00 thứ Hai 7/12 đến 4:30 thứ Ba 8/12",
    ]
    area = client.get(
        "/api/v1/service/outages", query_string={"province": "Hà Nội"}, headers=service_auth
    ).get_json()["outages"]
    assert area[0]["when_text"] == "8:00–17:00 thứ Hai 7/12"
    stored = client.post(
        f"{url}/meter-index", headers=service_auth, json={"reading": 500, "read_on": "2025-05-11"}
    ).get_json()
    assert stored["read_on"] == "2025-05-11" and stored["read_on_text"] == "11/5/2025"

    def short(iso: str) -> str:
        day = date.fromisoformat(iso)
        return f"{day.day}/{day.month}"

    usage = client.get(f"{url}/usage", headers=service_auth).get_json()
    assert usage["period_start_text"] == short(usage["period_start"])
    assert usage["period_end_text"] == short(usage["period_end"])
    period = client.get(f"{url}/projection", headers=service_auth).get_json()["period"]
    assert period["start_text"] == short(period["start"])
    assert period["end_text"] == short(period["end"])


def test_the_usage_and_the_projection_state_one_projected_bill(client, service_auth, household):
    """The chat's usage answer and its projected-bill answer read these two operations: the
    same household at the same moment gets one expected kWh and one expected bill."""
    today = local_today()
    readings = [
        {"date": (today - timedelta(days=i)).isoformat(), "kwh": 6.0 + (i % 7)}
        for i in range(1, 90)
    ]
    client.post("/api/v1/me/readings", headers=bearer(household), json={"readings": readings})
    url = f"/api/v1/service/households/{household.id}"
    usage = client.get(f"{url}/usage", headers=service_auth).get_json()
    projected = client.get(f"{url}/projection", headers=service_auth).get_json()
    assert usage["projected_kwh"] == projected["kwh"]["expected"]
    assert usage["projected_bill"] == projected["amount"]["expected"]
    assert usage["projected_bill_text"] == projected["amount_text"]["expected"]
