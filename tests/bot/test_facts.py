"""The bot states facts only as the backend serves them (a fake backend on loopback built from
backend/content/facts.toml and peak_hours.toml): change the data, and the answer changes."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from actions.changes import ActionApplyChange
from actions.compare import ActionCompareBills
from actions.handoff import ActionHandoff
from actions.outages import ActionOutageSchedule, ActionReportOutage
from actions.saving import ActionPeakHours, ActionSavingTips
from actions.subscriptions import KINDS, ActionSubscribe
from actions.usage import ActionCheckUsage
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.bot.actions_run import USAGE as SHARED_USAGE
from tests.bot.served_facts import served_facts, served_peak_hours

NO_TIME_OF_USE = "không áp dụng giá theo giờ"
HOUSEHOLDS = {
    "hh-hcm": {"province_code": 79, "region": "south"},
    "hh-hn": {"province_code": 1, "region": "north"},
    "hh-hue": {"province_code": 46, "region": "centre"},
}


class Backend:
    """Serves the data files; a test edits `facts`, `peak`, `quiet` or `outages` and asks again."""

    def __init__(self) -> None:
        self.facts = served_facts()
        self.peak = served_peak_hours()
        self.quiet = {"start": "21:00", "end": "07:00"}
        self.outages: list[dict[str, Any]] = []
        self.usage: dict[str, Any] = {}

    def __call__(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/api/v1/facts":
            return 200, self.facts
        if path == "/api/v1/peak-hours":
            return 200, self.peak
        if path.startswith("/api/v1/service/senders/"):
            sender = path.rsplit("/", 1)[1]
            known = HOUSEHOLDS.get(sender)
            if known is None:
                return 200, {"household_id": None, "linked": False, "province_code": None}
            return 200, {"household_id": sender, "linked": True, **known}
        if path.endswith("/subscriptions"):
            return 200, {**body, "quiet_hours": self.quiet}
        if path.endswith("/outages"):
            return 200, {"outages": self.outages}
        if path.endswith("/usage"):
            return 200, self.usage
        if path == "/api/v1/bills/compare":
            return 200, {"explanation": "Kỳ này nhà bạn dùng 420 kWh."}
        if path == "/api/v1/service/handoffs":
            return 201, {"status": "waiting", "queue_position": 1}
        return 404, {"code": "not_found", "message": path}


@pytest.fixture
def backend(fake_server, monkeypatch):
    data = Backend()
    server = fake_server(data)
    monkeypatch.setenv("BACKEND_URL", server.url)
    data.server = server  # type: ignore[attr-defined]
    return data


def say(action, sender: str = "hh-hn", text: str = "", slots: dict | None = None) -> str:
    track = Tracker(
        sender,
        slots or {},
        {"text": text, "intent": {"name": ""}, "intent_ranking": [], "entities": []},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, track, {})
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


def test_peak_hours_come_from_the_backend_and_follow_its_data(backend):
    text = say(ActionPeakHours())
    assert "9:30–11:30 và 17:00–20:00" in text and "Thông tư 16/2014/TT-BCT" in text
    assert NO_TIME_OF_USE in text
    assert (
        "EVN đã công bố khung giờ cao điểm mới 17:30–22:30 (QĐ 963/QĐ-BCT năm 2026), "
        "chưa áp dụng để tính tiền." in text
    )
    assert not re.search(r"\([^)]*\(", text)  # no parenthesis inside another
    applied = copy.deepcopy(backend.peak["announced"][0])
    applied["applies_from"] = "2027-01-01"
    backend.peak = {**backend.peak, "current": applied, "announced": []}
    text = say(ActionPeakHours())
    assert "17:30–22:30" in text and "17:00–20:00" not in text
    assert NO_TIME_OF_USE in text


def test_a_changed_hotline_reaches_the_bot(backend):
    assert "báo ngay tổng đài 1900 545454 (EVN TP.HCM, 24/7) để" in say(
        ActionReportOutage(), "hh-hcm"
    )
    assert "2268" not in say(ActionReportOutage(), "hh-hcm")
    hcmc = next(h for h in backend.facts["hotlines"] if h["utility"] == "EVNHCMC")
    hcmc["numbers"] = ["1900 0000"]
    assert "tổng đài 1900 0000 (EVN TP.HCM, 24/7)" in say(ActionReportOutage(), "hh-hcm")
    assert "1900 1909 (EVN miền Trung, 24/7)" in say(ActionReportOutage(), "hh-hue")


def test_an_unlinked_sender_gets_the_three_regional_numbers_and_is_asked_the_province(backend):
    text = say(ActionReportOutage(), "zalo-1", "mất điện rồi")
    for number in ("1900 6769", "1900 1909", "1900 1006"):
        assert number in text
    assert "1900 1288" not in text and "1900 545454" not in text
    assert "tỉnh/thành phố nơi bạn ở" in text
    handoff = say(ActionHandoff(), "zalo-1")
    assert "1900 1288" not in handoff and "tỉnh/thành phố" in handoff
    named = say(ActionReportOutage(), "zalo-1", "nhà tôi ở Sài Gòn mất điện")
    assert "1900 545454" in named and "1900 6769" not in named
    assert "báo ngay tổng đài điện lực nơi bạn ở (24/7): EVN miền Bắc 1900 6769, " in text
    for reply in (text, handoff, named, say(ActionHandoff(), "hh-hcm")):
        assert "tổng đài tổng đài" not in reply
        assert not re.search(r"\)\s*\(", reply)  # one parenthesis after another reads badly


def test_tips_follow_the_served_data(backend):
    text = say(ActionSavingTips(), slots={"appliance": "water_heater"})
    assert "bình nóng lạnh" in text and "5–7 kWh" not in text
    backend.facts["tips"] = [
        {**t, "text": "Mẹo thử nghiệm mới."} if t.get("appliance") == "water_heater" else t
        for t in backend.facts["tips"]
    ]
    assert say(ActionSavingTips(), slots={"appliance": "water_heater"}) == "Mẹo thử nghiệm mới."


def test_no_tip_repeats_an_unsourced_figure(backend):
    every = " ".join(t["text"] for t in backend.facts["tips"])
    assert "1–3%" not in every and "5–7 kWh" not in every
    assert "17:00–20:00" in every  # the washing tip's peak hours come from peak_hours.toml


def subscribed(sender: str = "hh-hn") -> str:
    """Turn every notice on: the question, then the yes."""
    change = {"kind": "subscriptions", "changes": dict.fromkeys(KINDS, True)}
    assert "Bạn đồng ý không?" in say(ActionSubscribe(), sender)
    track = Tracker(
        sender,
        {"pending_change": change},
        {"text": "ok", "intent": {"name": "affirm"}, "intent_ranking": [], "entities": []},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    ActionApplyChange().run(dispatcher, track, {})
    return dispatcher.messages[-1]["text"]


def test_subscribing_states_the_households_own_quiet_hours(backend):
    assert "từ 21:00 đến 7:00" in subscribed()
    backend.quiet = {"start": "22:30", "end": "06:00"}
    text = subscribed()
    assert "từ 22:30 đến 6:00" in text and "21:00" not in text


def test_outages_without_a_reason_and_no_promise_of_24_hours(backend):
    assert "24 giờ" not in say(ActionOutageSchedule())
    backend.outages = [
        {
            "id": 1,
            "start": "2026-12-07T08:00:00",
            "end": "2026-12-07T17:00:00",
            "when_text": "8:00–17:00 thứ Hai 7/12",
            "reason": "",
            "area_name": "Phường Bến Nghé",
        }
    ]
    text = say(ActionOutageSchedule())
    assert "8:00–17:00 thứ Hai 7/12 (Phường Bến Nghé)" in text
    assert ": ." not in text and "Lý do" not in text and "2026-12" not in text


def test_handoff_promises_no_reply_time(backend):
    text = say(ActionHandoff())
    assert "phút" not in text and "1900 1288" in text


def test_the_general_answer_to_a_bill_jump_is_the_served_statement(backend):
    text = say(ActionCompareBills(), "zalo-1")
    assert "gấp ba" not in text and "chưa tới 2,5 lần" in text
    backend.facts["statements"] = [
        {**s, "text": "Câu giải thích mới."} if s["id"] == "bill_spike_general" else s
        for s in backend.facts["statements"]
    ]
    assert "Câu giải thích mới." in say(ActionCompareBills(), "zalo-1")


def test_the_comparison_carries_the_households_appliances_and_observed_weather(backend):
    backend.usage = {
        "air_conditioners": 2,
        "anomaly": None,
        "last_bills": [
            {
                "period_start": "2026-06-15",
                "period_end": "2026-07-14",
                "kwh": 420,
                "avg_temp_c": 30.5,
            },
            {
                "period_start": "2026-05-15",
                "period_end": "2026-06-14",
                "kwh": 300,
                "avg_temp_c": 27.0,
            },
        ],
    }
    say(ActionCompareBills())
    compare = next(c for c in backend.server.calls if c[1] == "/api/v1/bills/compare")
    assert compare[2]["context"] == {
        "air_conditioners": 2,
        "previous_avg_temp_c": 27.0,
        "current_avg_temp_c": 30.5,
    }


USAGE = {**SHARED_USAGE, "neighbours_median_kwh": None, "last_bills": []}


def test_the_models_verdict_is_said_as_an_estimate_with_its_basis(backend):
    backend.usage = {
        **USAGE,
        "anomaly": {
            "is_anomaly": True,
            "explanation": "Tuần qua nhà bạn dùng 86 kWh, cao hơn mức dự kiến theo thời tiết "
            "khoảng 35% (dự kiến 64 kWh) và đã kéo dài 6 ngày.",
            "excess_days": 6,
            "expected_kwh": 64.0,
            "actual_kwh": 86.0,
        },
    }
    text = say(ActionCheckUsage())
    assert "Có thể nhà bạn đang dùng điện nhiều hơn thường lệ." in text
    assert "ước tính" in text and "khi thời tiết tương tự" in text
    backend.usage = {**USAGE, "anomaly": {"is_anomaly": False, "explanation": "", "excess_days": 0}}
    text = say(ActionCheckUsage())
    assert "Tôi chưa thấy dấu hiệu bất thường" in text and "ước tính" in text
    assert "phù hợp với thời tiết." not in text  # no certainty the model does not have
    backend.facts["statements"] = [
        {**s, "text": "Câu mới về mô hình."} if s["id"] == "usage_model_normal" else s
        for s in backend.facts["statements"]
    ]
    assert "Câu mới về mô hình." in say(ActionCheckUsage())  # the sentence is the data's
