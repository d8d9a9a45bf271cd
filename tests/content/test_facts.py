"""The sourced facts: the file, the endpoint that serves it, and the statements it makes."""

from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest

from backend.billing import estimate_bill
from backend.billing.tariffs import TariffDataError
from backend.content import facts as facts_module
from backend.content.facts import load_facts, parse_facts
from backend.extensions import db
from backend.models import Outage, WeatherObservation
from notifications.outages import notice_text
from notifications.weekly import hot_for_household, weekly_message
from tests.conftest import make_household


def test_every_fact_has_a_source_and_a_checked_date():
    for section, entries in load_facts().items():
        for entry in entries:
            assert entry["source"].strip(), (section, entry)
            assert isinstance(entry["checked"], date)


def test_a_fact_without_a_source_is_refused():
    data = {"schema_version": 1, **{k: list(v) for k, v in load_facts().items()}}
    data["tips"] = [{**data["tips"][0], "source": ""}]
    with pytest.raises(TariffDataError, match="source"):
        parse_facts(data)


def test_a_figure_in_a_tip_comes_from_a_reference_source():
    """A tip with a number cites shared/reference (or is filled from peak_hours.toml)."""
    for tip in load_facts()["tips"]:
        if re.search(r"\d", tip["text"].replace("{peak_hours}", "").replace("{save_hours}", "")):
            assert "shared/reference" in tip["source"], tip["id"]


def test_the_facts_endpoint_serves_the_file(client):
    body = client.get("/api/v1/facts").get_json()
    hcmc = next(h for h in body["hotlines"] if h["utility"] == "EVNHCMC")
    assert hcmc["numbers"] == ["1900 545454"] and hcmc["province_codes"] == [79]
    assert hcmc["checked"] == "2026-12-01" and "hcmpc.vn" in hcmc["source"]
    assert {h["region"] for h in body["hotlines"]} >= {"north", "centre", "south"}
    washing = next(t for t in body["tips"] if t["id"] == "washing")
    assert "(9:30–11:30 và 17:00–20:00)" in washing["text"]
    assert "/api/v1/facts" in client.get("/openapi.json").get_json()["paths"]


def test_a_changed_data_file_changes_what_the_endpoint_serves(client, tmp_path, monkeypatch):
    text = facts_module.FACTS_FILE.read_text(encoding="utf-8").replace("1900 545454", "1900 7777")
    changed = tmp_path / "facts.toml"
    changed.write_text(text, encoding="utf-8")
    monkeypatch.setattr(facts_module, "FACTS_FILE", changed)
    load_facts.cache_clear()
    try:
        body = client.get("/api/v1/facts").get_json()
    finally:
        load_facts.cache_clear()
    assert next(h for h in body["hotlines"] if h["utility"] == "EVNHCMC")["numbers"] == [
        "1900 7777"
    ]


def test_doubling_use_never_reaches_two_and_a_half_times_the_bill():
    """The statement bill_spike_general says "chưa tới 2,5 lần": true for every k."""
    worst = max(
        estimate_bill(2 * k, period_start=date(2026, 6, 15), period_end=date(2026, 7, 14)).total
        / estimate_bill(k, period_start=date(2026, 6, 15), period_end=date(2026, 7, 14)).total
        for k in range(1, 1200)
    )
    assert worst < 2.5
    statement = next(s for s in load_facts()["statements"] if s["id"] == "bill_spike_general")
    assert "chưa tới 2,5 lần" in statement["text"] and "gấp ba" not in statement["text"]


def test_subscriptions_answer_with_the_households_quiet_hours(app, client, service_auth):
    home = make_household("q1", quiet_start=time(22, 30), quiet_end=time(6, 0))
    response = client.put(
        f"/api/v1/service/households/{home.id}/subscriptions",
        json={"weekly_tips": True},
        headers=service_auth,
    )
    assert response.get_json()["quiet_hours"] == {"start": "22:30", "end": "06:00"}


def test_usage_carries_air_conditioners_and_observed_weather(app, client, service_auth):
    from backend.models import Bill

    home = make_household("w1", province_code=79)
    db.session.add_all(
        [
            Bill(
                household_id=home.id,
                period_start=date(2026, 5, 15),
                period_end=date(2026, 6, 14),
                kwh=300,
                amount=1,
            ),
            *(
                WeatherObservation(province_code=79, day=date(2026, 5, 15 + d), avg_temp_c=29.0)
                for d in range(17)
            ),
        ]
    )
    db.session.commit()
    body = client.get(f"/api/v1/service/households/{home.id}/usage", headers=service_auth)
    usage = body.get_json()
    assert usage["air_conditioners"] == 2
    assert usage["last_bills"][0]["avg_temp_c"] == 29.0


def outage(reason: str) -> Outage:
    return Outage(
        province_code=1,
        area_name="Phường Hoàn Kiếm",
        starts_at=datetime(2026, 12, 7, 8, 0),
        ends_at=datetime(2026, 12, 7, 17, 0),
        reason=reason,
        version=1,
        cancelled=False,
    )


def test_an_outage_notice_without_a_reason_has_no_empty_reason():
    _, body = notice_text(outage(""))
    assert "Lý do" not in body and ": ." not in body
    assert "8:00–17:00 thứ Hai 7/12" in body
    _, body = notice_text(outage("Bảo dưỡng lưới điện"))
    assert "Lý do: Bảo dưỡng lưới điện." in body


@pytest.mark.parametrize(
    ("province", "day", "hot"),
    [
        (79, date(2026, 4, 13), True),  # TP.HCM's hottest month
        (79, date(2026, 12, 14), False),
        (68, date(2026, 5, 11), False),  # Lâm Đồng, 23–24 °C: never "nóng"
        (1, date(2026, 6, 15), True),
        (1, date(2026, 1, 12), False),
    ],
)
def test_hot_weeks_follow_the_households_climate(province, day, hot):
    assert hot_for_household(province, day)[0] is hot


def test_the_weekly_notice_says_typically_not_a_forecast(app):
    home = make_household("t1", province_code=79)
    text, data = weekly_message(home, 70.0, 70.2, None, set(), date(2026, 4, 13))
    assert "thường nóng" in text and "Tuần tới trời nóng" not in text
    assert "0%" not in text and "gần bằng tuần trước" in text
    assert data["tip_id"] in {"ac-26", "ac-share", "ac-timer"}
    lam_dong = make_household("t2", province_code=68)
    text, _ = weekly_message(lam_dong, 70.0, None, None, set(), date(2026, 5, 11))
    assert "thường nóng" not in text


def test_validation_messages_reach_a_household_in_vietnamese(client, auth):
    response = client.post("/api/v1/chat", headers=auth, json={"message": ""})
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == "message"
    assert body["message"] == "Tin nhắn: độ dài phải từ 1 đến 2.000 ký tự."
    response = client.post("/api/v1/bills/estimate", json={"kwh": -1})
    assert response.get_json()["message"] == "Số kWh: phải từ 0 đến 10.000.000."


def test_an_unusual_usage_explanation_never_says_zero_percent():
    from ml.api import explain_vi

    text = explain_vi(64.2, 64.0, 0.0, 3)
    assert "0%" not in text and "0 kWh" not in text
    assert "cao hơn mức dự kiến theo thời tiết một chút" in text
