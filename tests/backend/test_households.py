from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text

from backend.clock import frozen, local_today, utc_now
from backend.extensions import db
from backend.models import AuditRecord, DailyReading, Household
from tests.conftest import bearer

NOW = utc_now()
TODAY = local_today(NOW)  # the product counts days in Việt Nam


@pytest.fixture(autouse=True)
def same_day():
    """The product's clock stays at the instant the dates below were computed: a run that
    crosses midnight in Việt Nam (17:00 UTC) would otherwise see "tomorrow" become today."""
    with frozen(NOW):
        yield


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def test_get_me_returns_profile(client, household, auth):
    body = client.get("/api/v1/me", headers=auth).get_json()
    assert body["id"] == household.id and body["province_code"] == 1
    assert body["notifications"] == {
        "weekly_tips": True,
        "outage_notices": True,
        "usage_alerts": True,
    }
    assert body["quiet_hours"] == {"start": "21:00", "end": "07:00"}


def test_put_me_updates_profile_and_consent(client, auth):
    ward = 70  # Phường Hoàn Kiếm, Hà Nội
    response = client.put(
        "/api/v1/me",
        headers=auth,
        json={
            "display_name": "Nhà chị Lan",
            "ward_code": ward,
            "customer_code": "PD01000123456",
            "appliances": {"air_conditioner": {"count": 2, "inverter": True}, "water_heater": True},
            "notifications": {"weekly_tips": False},
            "quiet_hours": {"start": "22:00"},
            "consent": True,
        },
    )
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["ward_code"] == ward and body["customer_code"] == "PD01000123456"
    assert body["notifications"]["weekly_tips"] is False and body["quiet_hours"]["start"] == "22:00"
    assert body["consent_at"] and body["consent_version"]


@pytest.mark.parametrize(
    ("air_conditioner", "count"),
    [(True, 1), ({"inverter": True}, 1), ({"count": 3}, 3), ({"count": 0}, 0), (False, 0)],
)
def test_air_conditioners_are_counted_as_the_app_shows_them(
    client, auth, household, air_conditioner, count
):
    """The app shows "air_conditioner": true as one; usage and the model must count it so too.
    The appliances sent replace the stored set."""
    body = {"appliances": {"air_conditioner": air_conditioner, "fridge": True}}
    assert client.put("/api/v1/me", headers=auth, json=body).status_code == 200
    assert client.get("/api/v1/me/usage", headers=auth).get_json()["air_conditioners"] == count
    assert household.air_conditioners == count
    stored = client.get("/api/v1/me", headers=auth).get_json()["appliances"]
    assert stored == body["appliances"]  # the water heater set before is gone: replaced


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"province_code": 2}, "province_code"),  # merged away in 2025
        ({"ward_code": 26734}, "ward_code"),  # a ward of another province
        ({"customer_code": "XX123"}, "customer_code"),
        ({"phone": "12345"}, "phone"),
        ({"occupants": 0}, "occupants"),
        ({"meter_kind": "smart"}, "meter_kind"),
        ({"appliances": {"rocket": True}}, "appliances.rocket"),
        ({"appliances": {"air_conditioner": {"count": -1}}}, "appliances.air_conditioner.count"),
        ({"quiet_hours": {"start": "25:00"}}, "quiet_hours.start"),
        # true or false as JSON writes them: "yes", "false" or 1 are not guessed at
        ({"notifications": {"weekly_tips": "yes"}}, "notifications.weekly_tips"),
        ({"notifications": {"usage_alerts": 1}}, "notifications.usage_alerts"),
        ({"channels": {"push": "false"}}, "channels.push"),
        ({"consent": "true"}, "consent"),
    ],
)
def test_put_me_rejects_bad_fields(client, auth, body, field):
    response = client.put("/api/v1/me", headers=auth, json=body)
    assert response.status_code == 422
    assert response.get_json()["field"] == field


def test_readings_upload_is_idempotent_per_day(client, auth, household):
    rows = [{"date": days_ago(i), "kwh": 10 + i} for i in range(1, 6)]
    first = client.post("/api/v1/me/readings", headers=auth, json={"readings": rows}).get_json()
    assert first == {"received": 5, "created": 5, "replaced": 0}
    rows[0]["kwh"] = 99
    again = client.post("/api/v1/me/readings", headers=auth, json={"readings": rows}).get_json()
    assert again == {"received": 5, "created": 0, "replaced": 5}
    assert db.session.query(DailyReading).count() == 5
    listed = client.get(
        f"/api/v1/me/readings?from={days_ago(10)}&to={days_ago(0)}", headers=auth
    ).get_json()
    assert [r["kwh"] for r in listed["readings"]][-1] == 99


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([{"date": days_ago(1), "kwh": -1}], "readings.0.kwh"),
        ([{"date": (TODAY + timedelta(days=1)).isoformat(), "kwh": 1}], "readings.0.date"),
        ([{"date": days_ago(1), "kwh": 1}, {"date": days_ago(1), "kwh": 2}], "readings.1.date"),
        ([{"date": "2026-02-30", "kwh": 1}], "readings.0.date"),
    ],
)
def test_bad_readings_are_refused_and_nothing_is_stored(client, auth, rows, field):
    good = [{"date": days_ago(5), "kwh": 3}]
    response = client.post("/api/v1/me/readings", headers=auth, json={"readings": good + rows})
    assert response.status_code == 422
    assert response.get_json()["field"].endswith(field.split(".", 2)[-1])
    assert db.session.query(DailyReading).count() == 0


def test_more_than_5000_rows_is_refused(client, auth):
    rows = [{"date": days_ago(1 + i % 3000), "kwh": 1} for i in range(5001)]
    response = client.post("/api/v1/me/readings", headers=auth, json={"readings": rows})
    assert response.status_code in (413, 422)


def test_meter_index_consumption_and_backwards(client, auth):
    first = client.post(
        "/api/v1/me/meter-index", headers=auth, json={"reading": 1000, "read_on": days_ago(10)}
    )
    assert first.status_code == 201 and first.get_json()["consumption_kwh"] is None
    second = client.post("/api/v1/me/meter-index", headers=auth, json={"reading": 1120}).get_json()
    assert second["consumption_kwh"] == 120
    backwards = client.post("/api/v1/me/meter-index", headers=auth, json={"reading": 900})
    assert backwards.status_code == 409
    assert backwards.get_json()["code"] == "index_backwards"
    future = client.post(
        "/api/v1/me/meter-index", headers=auth, json={"reading": 2000, "read_on": days_ago(-2)}
    )
    assert future.status_code == 422 and future.get_json()["field"] == "read_on"


def test_bills_and_duplicate_period(client, auth):
    bill = {"period_start": "2026-09-16", "period_end": "2026-10-15", "kwh": 300, "amount": 800_000}
    assert client.post("/api/v1/me/bills", headers=auth, json=bill).status_code == 201
    assert client.post("/api/v1/me/bills", headers=auth, json=bill).status_code == 409
    assert client.get("/api/v1/me/bills", headers=auth).get_json()["bills"][0]["kwh"] == 300


@pytest.mark.parametrize(("amount", "status"), [(2**31 - 1, 201), (2**31, 422), (10**12, 422)])
def test_a_bill_amount_beyond_an_integer_column_is_refused(client, auth, amount, status):
    bill = {"period_start": "2026-09-16", "period_end": "2026-10-15", "kwh": 300, "amount": amount}
    response = client.post("/api/v1/me/bills", headers=auth, json=bill)
    assert response.status_code == status
    if status == 422:
        assert response.get_json()["field"] == "amount"


def test_devices(client, auth):
    token = "fcm-token-abcdefghijkl"
    assert client.post("/api/v1/me/devices", headers=auth, json={"token": token}).status_code == 201
    assert client.post("/api/v1/me/devices", headers=auth, json={"token": token}).status_code == 201
    assert (
        client.delete("/api/v1/me/devices", headers=auth, json={"token": token}).status_code == 204
    )
    assert (
        client.delete("/api/v1/me/devices", headers=auth, json={"token": token}).status_code == 404
    )


def test_usage_projects_the_bill(client, auth, household):
    rows = [{"date": days_ago(i), "kwh": 10.0} for i in range(0, 60)]
    client.post("/api/v1/me/readings", headers=auth, json={"readings": rows})
    body = client.get("/api/v1/me/usage", headers=auth).get_json()
    start, end = date.fromisoformat(body["period_start"]), date.fromisoformat(body["period_end"])
    assert start <= TODAY <= end
    days = (end - start).days + 1
    assert body["projected_kwh"] == pytest.approx(10.0 * days, abs=0.5)
    assert body["projected_bill"] > 0 and body["projected_bill_text"].endswith(" đ")
    assert body["anomaly"] is None
    # one projection: the summary figures are the projection's expected values
    assert body["projected_kwh"] == body["projection"]["kwh"]["expected"]
    assert body["projected_bill"] == body["projection"]["amount"]["expected"]
    assert body["projected_bill_text"] == body["projection"]["amount_text"]["expected"]


def test_export_and_delete_remove_everything(app, client, auth, household, tmp_path):
    tracker = tmp_path / "tracker.db"
    engine = create_engine(f"sqlite:///{tracker}")
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
        )
        conn.execute(
            text(
                "INSERT INTO events (sender_id, data) VALUES ('hh-1', '{}'), ('hh-1', '{}'), ('hh-2', '{}')"
            )
        )
    app.config["RASA_TRACKER_DB_URL"] = f"sqlite:///{tracker}"
    client.post(
        "/api/v1/me/readings", headers=auth, json={"readings": [{"date": days_ago(1), "kwh": 5}]}
    )
    exported = client.get("/api/v1/me/export", headers=auth).get_json()
    assert exported["profile"]["id"] == "hh-1" and len(exported["daily_readings"]) == 1
    response = client.delete("/api/v1/me", headers=auth)
    assert response.status_code == 200 and response.get_json()["deleted"]["tracker_events"] == 2
    assert db.session.get(Household, "hh-1") is None
    assert db.session.query(DailyReading).count() == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT sender_id FROM events")).scalars().all() == ["hh-2"]
    audit = db.session.query(AuditRecord).one()
    assert audit.action == "household_deleted" and "hh-1" not in audit.subject
    assert client.get("/api/v1/me", headers=auth).status_code == 401


ME_ENDPOINTS = [
    ("get", "/api/v1/me", None),
    ("put", "/api/v1/me", {"occupants": 2}),
    ("get", "/api/v1/me/usage", None),
    ("get", "/api/v1/me/readings", None),
    ("get", "/api/v1/me/bills", None),
    ("get", "/api/v1/me/export", None),
    ("post", "/api/v1/me/readings", {"readings": []}),
    ("post", "/api/v1/me/meter-index", {"reading": 1}),
    ("post", "/api/v1/me/devices", {"token": "x" * 20}),
    (
        "post",
        "/api/v1/me/bills",
        {"period_start": days_ago(40), "period_end": days_ago(10), "kwh": 300, "amount": 700000},
    ),
    ("post", "/api/v1/me/zalo-link-code", None),
    ("put", "/api/v1/me/budget", {"amount": 800000}),
    ("get", "/api/v1/me/budget", None),
    ("delete", "/api/v1/me/budget", None),
    ("get", "/api/v1/me/daily", None),
    ("get", "/api/v1/me/notices", None),
    ("post", "/api/v1/me/notices/read", None),
    ("get", "/api/v1/me/guest-stays", None),
    ("post", "/api/v1/me/guest-stays", {"first_day": days_ago(1), "last_day": days_ago(0)}),
    ("get", "/api/v1/chat/history", None),
    ("delete", "/api/v1/me", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ME_ENDPOINTS)
def test_every_household_endpoint_needs_a_token(client, method, path, body):
    response = getattr(client, method)(path, json=body)
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), ME_ENDPOINTS)
def test_a_household_only_ever_touches_its_own_data(
    client, household, other_household, method, path, body
):
    client.post(
        "/api/v1/me/readings",
        headers=bearer(other_household),
        json={"readings": [{"date": days_ago(1), "kwh": 7}]},
    )
    response = getattr(client, method)(path, json=body, headers=bearer(household))
    assert response.status_code < 400
    assert other_household.id not in response.get_data(as_text=True)
    assert db.session.get(Household, other_household.id) is not None
    assert db.session.query(DailyReading).filter_by(household_id=other_household.id).count() == 1
    service_paths = client.get(
        f"/api/v1/service/households/{other_household.id}/usage", headers=bearer(household)
    )
    assert service_paths.status_code == 401  # household tokens never open service endpoints
