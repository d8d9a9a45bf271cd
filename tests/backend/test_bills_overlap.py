"""POST /api/v1/me/bills: a bill whose period shares a day with a stored bill of the same
household is a 409 naming `period_start` (not only an identical period)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from backend.auth import issue_demo_token
from backend.errors import FIELD_LABELS
from backend.extensions import db
from backend.models import Bill
from backend.services import readings
from backend.services.demo import DEMO_HOUSEHOLDS, seed_demo
from backend.services.errors import Conflict
from tests.conftest import bearer

APRIL = {"period_start": "2025-04-11", "period_end": "2025-05-10", "kwh": 350, "amount": 979_560}


def post(client, auth, start: str, end: str):
    bill = {"period_start": start, "period_end": end, "kwh": 300, "amount": 800_000}
    return client.post("/api/v1/me/bills", json=bill, headers=auth)


def bill_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Bill)) or 0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-04-12", "2025-05-11"),  # the case reported: shifted by one day
        ("2025-04-11", "2025-05-12"),  # same start, another end
        ("2025-04-01", "2025-04-11"),  # ends on the stored first day
        ("2025-05-10", "2025-06-09"),  # starts on the stored last day
        ("2025-04-20", "2025-04-25"),  # inside it
        ("2025-04-01", "2025-05-31"),  # around it
    ],
)
def test_an_overlapping_period_is_a_409_naming_the_stored_period(client, auth, start, end):
    assert client.post("/api/v1/me/bills", json=APRIL, headers=auth).status_code == 201
    response = post(client, auth, start, end)
    assert response.status_code == 409
    body = response.get_json()
    assert body["field"] == "period_start"
    assert body["message"].startswith(FIELD_LABELS["period_start"] + ": ")
    assert "trùng với hóa đơn đã lưu cho kỳ 11/4/2025–10/5/2025" in body["message"]
    assert bill_count() == 1


def test_the_identical_period_is_still_a_409(client, auth):
    assert client.post("/api/v1/me/bills", json=APRIL, headers=auth).status_code == 201
    response = client.post("/api/v1/me/bills", json=APRIL, headers=auth)
    assert response.status_code == 409
    body = response.get_json()
    assert (body["field"], body["code"]) == ("period_start", "conflict")
    # the body documented for 409 (backend/api/openapi.py), word for word
    assert body["message"] == "Đã có hóa đơn cho kỳ này."


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-05-11", "2025-06-10"),  # starts the day after the stored one ends
        ("2025-03-11", "2025-04-10"),  # ends the day before the stored one starts
        ("2025-06-01", "2025-06-30"),  # with a gap
    ],
)
def test_touching_or_separate_periods_are_accepted(client, auth, start, end):
    assert client.post("/api/v1/me/bills", json=APRIL, headers=auth).status_code == 201
    assert post(client, auth, start, end).status_code == 201
    assert bill_count() == 2


def test_another_households_bills_do_not_conflict(client, auth, other_household):
    assert (
        client.post("/api/v1/me/bills", json=APRIL, headers=bearer(other_household)).status_code
        == 201
    )
    assert client.post("/api/v1/me/bills", json=APRIL, headers=auth).status_code == 201


def test_the_service_refuses_an_overlap_for_every_caller(app, household):
    """The check is in the service (readings.add_bill), not only behind the API's schema."""
    session = db.session()
    readings.add_bill(
        session,
        household,
        {"period_start": date(2025, 4, 11), "period_end": date(2025, 5, 10), "kwh": 1, "amount": 1},
    )
    with pytest.raises(Conflict) as raised:
        readings.add_bill(
            session,
            household,
            {
                "period_start": date(2025, 5, 1),
                "period_end": date(2025, 5, 31),
                "kwh": 1,
                "amount": 1,
            },
        )
    assert raised.value.field == "period_start"
    assert "11/4/2025–10/5/2025" in raised.value.message
    # the refusal left the session usable: the next, touching bill is stored
    readings.add_bill(
        session,
        household,
        {"period_start": date(2025, 5, 11), "period_end": date(2025, 6, 10), "kwh": 1, "amount": 1},
    )
    assert bill_count() == 2


def test_demo_bills_touch_and_the_next_bill_can_still_be_posted(app, client):
    """The seeded demo bills (stored directly, reading day 15) never overlap one another, and a
    demo household can add the bill that follows its last one."""
    today = date(2025, 11, 20)
    seed_demo(db.session(), today)
    for spec in DEMO_HOUSEHOLDS:
        bills = list(
            db.session.scalars(
                select(Bill).where(Bill.household_id == spec.id).order_by(Bill.period_start)
            )
        )
        assert bills
        for before, after in pairwise(bills):
            assert after.period_start == before.period_end + timedelta(days=1)
    first = DEMO_HOUSEHOLDS[0].id
    last_end = db.session.scalar(
        select(func.max(Bill.period_end)).where(Bill.household_id == first)
    )
    assert last_end == date(2025, 11, 15)
    auth = {"Authorization": f"Bearer {issue_demo_token(first)}"}
    assert post(client, auth, "2025-11-16", "2025-12-15").status_code == 201
    assert post(client, auth, "2025-11-01", "2025-11-30").status_code == 409
