"""POST /api/v1/bills/compare: the current period must come after the previous one, and the
temperatures of the explanation are rounded half up."""

from __future__ import annotations

from datetime import date

import pytest

from backend.billing import HouseholdContext, PeriodUsage, compare_bills, explain_comparison_vi
from backend.billing.compare import _temp
from backend.errors import FIELD_LABELS

MAY_2025 = {"kwh": 200, "period_start": "2025-05-01", "period_end": "2025-05-31"}


def compare(client, previous, current):
    return client.post("/api/v1/bills/compare", json={"previous": previous, "current": current})


def test_a_current_period_before_the_previous_one_is_refused(client):
    """The reported case: prices rose from 2024 to 2025, yet with the periods swapped the old
    code answered 200 and said a price change had lowered the bill."""
    april_2024 = {"kwh": 200, "period_start": "2024-04-01", "period_end": "2024-04-30"}
    response = compare(client, MAY_2025, april_2024)
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == "current.period_start"
    label = f"{FIELD_LABELS['current']} › {FIELD_LABELS['period_start']}: "
    assert body["message"].startswith(label + "kỳ này phải đến sau kỳ trước")
    assert "1/4/2024" in body["message"] and "1/5/2025" in body["message"]
    assert "giảm" not in body["message"]
    # the right way round, the same two bills explain a price rise
    right = compare(client, april_2024, MAY_2025).get_json()
    assert "Giá điện đã điều chỉnh" in right["explanation"]
    assert "làm tiền điện tăng" in right["explanation"]


def test_the_same_start_is_refused(client):
    response = compare(client, MAY_2025, {**MAY_2025, "kwh": 300})
    assert response.status_code == 422
    assert response.get_json()["field"] == "current.period_start"


@pytest.mark.parametrize(
    "current",
    [
        {"kwh": 300, "period_start": "2025-05-31", "period_end": "2025-06-29"},  # one day shared
        {"kwh": 300, "period_start": "2025-05-15", "period_end": "2025-06-14"},
        {"kwh": 300, "period_start": "2025-05-10", "period_end": "2025-05-20"},  # inside it
    ],
)
def test_overlapping_periods_are_refused(client, current):
    response = compare(client, MAY_2025, current)
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == "current.period_start"
    assert "hai kỳ trùng nhau" in body["message"]
    assert "phải từ 1/6/2025 trở đi" in body["message"]


@pytest.mark.parametrize(
    "current",
    [
        {"kwh": 300, "period_start": "2025-06-01", "period_end": "2025-06-30"},  # touching
        {"kwh": 300, "period_start": "2026-05-01", "period_end": "2026-05-31"},  # a year later
    ],
)
def test_touching_or_later_periods_are_compared(client, current):
    response = compare(client, MAY_2025, current)
    assert response.status_code == 200
    body = response.get_json()
    assert sum(part["amount"] for part in body["parts"]) == body["difference"]


def test_a_bad_field_inside_a_period_is_still_named_first(client):
    """The order is checked only once each period is valid on its own."""
    bad = {"kwh": 1, "period_start": "2026-05-15", "period_end": "2026-05-01"}
    response = compare(client, MAY_2025, bad)
    assert response.status_code == 422
    assert response.get_json()["field"] == "current.period_end"


@pytest.mark.parametrize(
    ("value", "text"),
    [(28.5, "29"), (29.5, "30"), (27.4, "27"), (30.49, "30"), (26.5, "27"), (31.0, "31")],
)
def test_temperatures_round_half_up(value, text):
    assert _temp(value) == text


def test_the_explanation_rounds_half_degrees_up():
    comparison = compare_bills(
        PeriodUsage(300, date(2026, 5, 15), date(2026, 6, 14)),
        PeriodUsage(420, date(2026, 6, 15), date(2026, 7, 14)),
    )
    context = HouseholdContext(
        air_conditioners=1, previous_avg_temp_c=26.5, current_avg_temp_c=28.5
    )
    assert "trung bình 29 °C so với 27 °C" in explain_comparison_vi(comparison, context)


def test_the_api_rounds_half_degrees_up(client):
    response = client.post(
        "/api/v1/bills/compare",
        json={
            "previous": {"kwh": 300, "period_start": "2026-05-15", "period_end": "2026-06-14"},
            "current": {"kwh": 420, "period_start": "2026-06-15", "period_end": "2026-07-14"},
            "context": {
                "air_conditioners": 2,
                "previous_avg_temp_c": 26.5,
                "current_avg_temp_c": 28.5,
            },
        },
    )
    assert response.status_code == 200
    assert "trung bình 29 °C so với 27 °C" in response.get_json()["explanation"]
