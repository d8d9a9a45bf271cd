from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.money import format_vnd

HANOI_2019 = {"kwh": 520, "period_start": "2019-03-13", "period_end": "2019-04-12"}


def test_estimate_matches_contract(client):
    body = client.post("/api/v1/bills/estimate", json=HANOI_2019).get_json()
    assert (body["subtotal"], body["vat"], body["total"]) == (1_238_338, 123_834, 1_362_172)
    assert body["vat_rate"] == 0.1
    assert body["total_text"] == "1.362.172 đ"
    first = body["segments"][0]
    assert (first["tariff"], first["from"], first["to"], first["kwh"]) == (
        "4495/QĐ-BCT",
        "2019-03-13",
        "2019-03-19",
        117,
    )
    assert first["tiers"][0] == {
        "tier": 1,
        "kwh": 11,
        "price": 1549,
        "amount": 17_039,
        "price_text": "1.549 đ",
        "amount_text": "17.039 đ",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "kwh"),
        ({"kwh": -5}, "kwh"),
        ({"kwh": 10.5}, "kwh"),
        ({"kwh": "100"}, "kwh"),
        ({"kwh": 2**53 + 1}, "kwh"),
        ({"kwh": 10, "period_start": "2026-02-10", "period_end": "2026-02-01"}, "period_end"),
        ({"kwh": 10, "period_start": "2026-01-01", "period_end": "2026-05-01"}, "period_end"),
        ({"kwh": 10, "period_start": "2026-13-01", "period_end": "2026-01-01"}, "period_start"),
        ({"kwh": 10, "meter": "smart"}, "meter"),
        ({"kwh": 10, "households": 0}, "households"),
        ({"kwh": 10, "households": -2}, "households"),
        ({"kwh": 10, "renters": {"people": 0, "registered": True}}, "renters.people"),
        ({"kwh": 10, "renters": {"people": 3}}, "renters.registered"),
    ],
)
def test_estimate_validation_names_the_field(client, body, field):
    response = client.post("/api/v1/bills/estimate", json=body)
    assert response.status_code == 422
    error = response.get_json()
    assert error["field"] == field
    assert error["message"]


def test_kwh_for_budget(client):
    body = client.get("/api/v1/bills/kwh-for-budget?amount=500000").get_json()
    assert body["total"] <= 500_000
    bigger = client.post("/api/v1/bills/estimate", json={"kwh": body["kwh"] + 1}).get_json()
    assert bigger["total"] > 500_000
    # more than the most kWh the engine prices would cost: refused, not capped at that figure
    refused = client.get("/api/v1/bills/kwh-for-budget?amount=10000000000000")
    assert refused.status_code == 422 and refused.get_json()["field"] == "amount"
    assert refused.get_json()["message"].startswith("Số tiền: quá lớn: 10.000.000 kWh")


@pytest.mark.parametrize(
    "situation",
    [
        {"households": 2},
        {"meter": "prepaid"},
        {"renters": {"people": 8, "registered": True}},
        {"renters": {"people": 1, "registered": False}},
    ],
)
def test_kwh_for_budget_prices_the_meters_situation(client, situation):
    """The same situation fields as the estimate (renters flattened into the query): the most
    kWh whose estimate for that situation fits, with the amount written by the backend."""
    query: dict = {"amount": 500_000, **situation}
    if "renters" in query:
        renters = query.pop("renters")
        query["renters_people"] = renters["people"]
        query["renters_registered"] = str(renters["registered"]).lower()
    body = client.get("/api/v1/bills/kwh-for-budget", query_string=query).get_json()
    ordinary = client.get("/api/v1/bills/kwh-for-budget?amount=500000").get_json()
    assert body["kwh"] != ordinary["kwh"]
    assert body["amount_text"] == "500.000 đ"

    def total(kwh: int) -> int:
        bill = client.post("/api/v1/bills/estimate", json={"kwh": kwh, **situation})
        return bill.get_json()["total"]

    assert total(body["kwh"]) == body["total"] <= 500_000 < total(body["kwh"] + 1)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "amount"),
        ("?amount=-1", "amount"),
        ("?amount=abc", "amount"),
        ("?amount=1.5", "amount"),
        ("?amount=500000&meter=solar", "meter"),
        ("?amount=500000&households=0", "households"),
        ("?amount=500000&renters_people=4", "renters_registered"),
        ("?amount=500000&renters_registered=true", "renters_people"),
    ],
)
def test_kwh_for_budget_validation(client, query, field):
    response = client.get(f"/api/v1/bills/kwh-for-budget{query}")
    assert response.status_code == 422
    assert response.get_json()["field"] == field


def test_tariffs_lists_every_version(client):
    body = client.get("/api/v1/tariffs").get_json()
    assert body["current"] == "1279/QĐ-BCT"
    latest = body["tariffs"][-1]
    assert latest["prepaid_price"] == 2909
    assert latest["decision_text"] == "Quyết định 1279/QĐ-BCT"
    assert latest["effective_from_text"] == "10/5/2025"
    assert latest["tiers"][0] == {
        "tier": 1,
        "from_kwh": 0,
        "to_kwh": 50,
        "price": 1984,
        "price_text": "1.984 đ",
    }
    assert latest["tiers"][-1]["to_kwh"] is None
    assert len(body["tariffs"]) == 6


def test_compare_explains_the_jump(client):
    response = client.post(
        "/api/v1/bills/compare",
        json={
            "previous": {"kwh": 250, "period_start": "2026-05-15", "period_end": "2026-06-14"},
            "current": {"kwh": 345, "period_start": "2026-06-15", "period_end": "2026-07-14"},
        },
    )
    body = response.get_json()
    assert sum(part["amount"] for part in body["parts"]) == body["difference"]
    assert body["difference"] == body["current_total"] - body["previous_total"]
    assert {part["name"] for part in body["parts"]} == {
        "more_kwh",
        "higher_tiers",
        "period_length",
        "price_change",
        "vat",
    }
    assert "nhiều hơn 38%" in body["explanation"]
    assert "bậc 4–5" in body["explanation"]
    assert format_vnd(body["current_total"]) in body["explanation"]


@pytest.mark.parametrize(
    ("previous", "current", "field"),
    [
        (  # a period that ends before it starts
            {"kwh": 1, "period_start": "2026-05-15", "period_end": "2026-05-01"},
            {"kwh": 2, "period_start": "2026-06-15", "period_end": "2026-07-14"},
            "previous.period_end",
        ),
        (  # before the first tariff the engine knows
            {"kwh": 100, "period_start": "2016-01-01", "period_end": "2016-01-30"},
            {"kwh": 100, "period_start": "2026-01-01", "period_end": "2026-01-30"},
            "previous.period_start",
        ),
    ],
)
def test_compare_validation_names_the_field(client, previous, current, field):
    response = client.post("/api/v1/bills/compare", json={"previous": previous, "current": current})
    assert response.status_code == 422
    assert response.get_json()["field"] == field


def test_peak_hours(client):
    body = client.get("/api/v1/peak-hours").get_json()
    assert body["current"]["peak"] == ["09:30-11:30", "17:00-20:00"]
    assert body["announced"][0]["peak"] == ["17:30-22:30"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
field_values = st.one_of(
    json_values, st.dates().map(str), st.integers(min_value=-10, max_value=10**16)
)
estimate_bodies = st.fixed_dictionaries(
    {},
    optional={
        "kwh": field_values,
        "period_start": field_values,
        "period_end": field_values,
        "households": field_values,
        "meter": st.sampled_from(["postpaid", "prepaid", "x"]) | field_values,
        "renters": st.fixed_dictionaries(
            {}, optional={"people": field_values, "registered": field_values}
        ),
    },
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(estimate_bodies, json_values))
def test_estimate_never_500s(client, body):
    response = client.post("/api/v1/bills/estimate", json=body)
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)
    if response.status_code != 200:
        assert response.get_json()["message"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=json_values)
def test_compare_never_500s(client, body):
    response = client.post("/api/v1/bills/compare", json=body)
    assert response.status_code in (200, 400, 422)


def test_peak_hours_dates_are_iso(client):
    body = client.get("/api/v1/peak-hours").get_json()
    assert body["current"]["applies_from"] == "2014-08-01"
    assert body["announced"][0]["applies_from"] is None
    assert body["hot_weather"]["save_hours"] == ["11:30-14:30", "20:00-22:00"]


def test_tariffs_include_vat_periods(client):
    vat = client.get("/api/v1/tariffs").get_json()["vat"]
    assert vat["default"] == 0.1
    assert {"from": "2023-07-01", "to": "2026-12-31", "rate": 0.08}.items() <= vat["reduced"][
        -1
    ].items()


iso_dates = st.dates(min_value=date(2010, 1, 1), max_value=date(2035, 12, 31)).map(str)
period_bodies = st.fixed_dictionaries(
    {},
    optional={
        "kwh": st.integers(min_value=-10, max_value=10**7 + 10) | field_values,
        "period_start": iso_dates | field_values,
        "period_end": iso_dates | field_values,
    },
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.fixed_dictionaries({}, optional={"previous": period_bodies, "current": period_bodies})
)
def test_compare_with_period_shaped_bodies_never_500s(client, body):
    response = client.post("/api/v1/bills/compare", json=body)
    assert response.status_code in (200, 422), response.get_data(as_text=True)
    payload = response.get_json()
    if response.status_code == 200:
        assert sum(part["amount"] for part in payload["parts"]) == payload["difference"]
        assert payload["explanation"]
    else:
        assert payload["message"] and payload["field"]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amount=st.text(max_size=25) | st.integers(min_value=-(10**20), max_value=10**20).map(str))
def test_kwh_for_budget_never_500s(client, amount):
    response = client.get("/api/v1/bills/kwh-for-budget", query_string={"amount": amount})
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.get_json()["field"] == "amount"


def test_money_reaches_the_bot_already_formatted(client):
    """One money formatter (backend.money.format_vnd): every amount the assistant says comes
    with its text from the API, so the bot never formats money itself."""
    bill = client.post("/api/v1/bills/estimate", json={"kwh": 350}).get_json()
    assert (bill["total_text"], bill["subtotal_text"], bill["vat_text"]) == tuple(
        f"{bill[k]:,} đ".replace(",", ".") for k in ("total", "subtotal", "vat")
    )
    tier = bill["segments"][0]["tiers"][0]
    assert tier["price_text"] == f"{tier['price']:,} đ".replace(",", ".")
    assert tier["amount_text"] == f"{tier['amount']:,} đ".replace(",", ".")
    budget = client.get("/api/v1/bills/kwh-for-budget?amount=500000").get_json()
    assert budget["amount_text"] == "500.000 đ"
    assert budget["total_text"] == f"{budget['total']:,} đ".replace(",", ".")
    current = client.get("/api/v1/tariffs").get_json()["tariffs"][-1]
    assert all(t["price_text"].endswith(" đ") for t in current["tiers"])
    assert current["prepaid_price_text"] == f"{current['prepaid_price']:,} đ".replace(",", ".")


def test_renter_check_compares_with_the_tier_3_price_and_vat(client):
    """4.000 đ a kWh for 150 kWh, 3 renters, under today's tariff: the ceiling is the
    101–200 kWh price plus VAT, the month's figures are the estimate endpoint's."""
    tariffs = client.get("/api/v1/tariffs").get_json()
    current = next(t for t in tariffs["tariffs"] if t["decision"] == tariffs["current"])
    tier3 = next(t for t in current["tiers"] if t["from_kwh"] == 101)
    unregistered = client.post(
        "/api/v1/bills/estimate", json={"kwh": 150, "renters": {"people": 3, "registered": False}}
    ).get_json()
    registered = client.post(
        "/api/v1/bills/estimate", json={"kwh": 150, "renters": {"people": 3, "registered": True}}
    ).get_json()
    body = client.post(
        "/api/v1/bills/renter-check", json={"price_per_kwh": 4000, "kwh": 150, "people": 3}
    ).get_json()
    rate = unregistered["vat_rate"]
    assert body["tier_price"] == tier3["price"] and (
        body["tier_from_kwh"],
        body["tier_to_kwh"],
    ) == (
        101,
        200,
    )
    assert body["ceiling_per_kwh"] == round(tier3["price"] * (1 + rate))
    assert body["over"] is True and body["over_per_kwh"] == 4000 - body["ceiling_per_kwh"]
    assert body["month"]["charged"] == 600_000
    assert body["month"]["allowed"] == unregistered["total"]
    assert body["month"]["over"] == 600_000 - unregistered["total"]
    assert body["registered"]["total"] == registered["total"]
    assert body["rule"].startswith("Thông tư 16/2014/TT-BCT")
    assert "điện lực" in body["what_to_do"]


def test_renter_check_from_a_bill_and_its_kwh(client):
    body = client.post("/api/v1/bills/renter-check", json={"bill": 600_000, "kwh": 150}).get_json()
    assert body["price_per_kwh"] == 4000 and body["month"]["charged"] == 600_000
    assert body["registered"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "price_per_kwh"),
        ({"bill": 600_000}, "price_per_kwh"),
        ({"price_per_kwh": 0}, "price_per_kwh"),
        ({"price_per_kwh": "4000"}, "price_per_kwh"),
        ({"price_per_kwh": 4000, "kwh": -1}, "kwh"),
        ({"price_per_kwh": 4000, "people": 0}, "people"),
    ],
)
def test_renter_check_validation_names_the_field(client, body, field):
    response = client.post("/api/v1/bills/renter-check", json=body)
    assert response.status_code == 422
    assert response.get_json()["field"] == field


@pytest.mark.parametrize("registered", ["false", 0, "yes"])
def test_renters_registered_is_a_json_boolean(client, registered):
    body = {"kwh": 300, "renters": {"people": 6, "registered": registered}}
    res = client.post("/api/v1/bills/estimate", json=body)
    assert res.status_code == 422 and res.get_json()["field"] == "renters.registered"
    assert res.get_json()["message"].endswith("phải là true hoặc false.")
