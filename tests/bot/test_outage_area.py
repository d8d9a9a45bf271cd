"""Outages for a chat not linked to a household: the bot asks the province and the ward, the
backend (a fake on loopback, speaking GET /api/v1/service/outages) matches the names."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from actions.outages import ActionOutageForArea, ActionOutageSchedule, ValidateOutageAreaForm
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

HANOI = {"code": 1, "name": "Thành phố Hà Nội"}
CAU_GIAY = {"code": 167, "name": "Phường Cầu Giấy"}
OUTAGE = {
    "id": 7,
    "start": "2026-12-05T08:00:00",
    "end": "2026-12-05T12:00:00",
    "when_text": "8:00–12:00 thứ Bảy 5/12",
    "reason": "Bảo trì lưới điện",
    "area_name": "Phường Cầu Giấy",
}
PROVINCES = {"ha noi": HANOI, "hà nội": HANOI, "cầu giấy, hà nội": HANOI}
WARDS = {"cau giay": CAU_GIAY, "p. cầu giấy": CAU_GIAY, "cầu giấy, hà nội": CAU_GIAY}


class Backend:
    def __init__(self) -> None:
        self.queries: list[dict[str, str]] = []

    def __call__(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        url = urlsplit(path)
        if url.path.startswith("/api/v1/service/senders/"):
            return 200, {"household_id": None, "linked": False}
        if url.path != "/api/v1/service/outages":
            return 404, {"code": "not_found", "message": path}
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.queries.append(query)
        province = PROVINCES.get(query["province"].lower()) or (
            HANOI if query["province"] == HANOI["name"] else None
        )
        ward = WARDS.get(query.get("ward", "").lower()) if province else None
        candidates = (
            [{"code": 48, "name": "Thành phố Đà Nẵng"}, {"code": 46, "name": "Thành phố Huế"}]
            if query["province"] == "da"
            else []
        )
        outages = [OUTAGE] if province and ward in (None, CAU_GIAY) else []
        return 200, {
            "province": province,
            "province_candidates": candidates,
            "ward": ward,
            "ward_candidates": [],
            "outages": outages,
        }


@pytest.fixture
def backend(fake_server, monkeypatch):
    fake = Backend()
    server = fake_server(fake)
    monkeypatch.setenv("BACKEND_URL", server.url)
    return fake


def make_tracker(text: str, slots: dict | None = None) -> Tracker:
    return Tracker(
        "zalo-9",
        slots or {},
        {"text": text, "intent": {"name": ""}, "intent_ranking": [], "entities": []},
        [],
        False,
        None,
        {},
        "action_listen",
    )


def validate(text: str, slots: dict | None = None) -> tuple[list[dict], list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateOutageAreaForm().run(dispatcher, make_tracker(text, slots), {}))
    return dispatcher.messages, events


def test_an_unlinked_chat_is_asked_for_its_area_not_told_to_link(backend):
    dispatcher = CollectingDispatcher()
    events = ActionOutageSchedule().run(dispatcher, make_tracker("tuần này có cắt điện không"), {})
    assert events == [FollowupAction("outage_area_form")]
    assert not dispatcher.messages


def test_province_then_ward_then_the_outages_and_the_link_offer(backend):
    messages, events = validate("tuần này khu phố mình có lịch cắt điện không")
    assert SlotSet("outage_province", None) in events and not messages  # the form asks
    _, events = validate("ha noi", {"requested_slot": "outage_province"})
    assert SlotSet("outage_province", HANOI) in events
    _, events = validate("p. cầu giấy", {"requested_slot": "outage_ward", "outage_province": HANOI})
    assert SlotSet("outage_ward", CAU_GIAY) in events
    dispatcher = CollectingDispatcher()
    done = make_tracker("", {"outage_province": HANOI, "outage_ward": CAU_GIAY})
    cleared = ActionOutageForArea().run(dispatcher, done, {})
    text = dispatcher.messages[-1]["text"]
    assert "Phường Cầu Giấy, Thành phố Hà Nội" in text
    assert "8:00–12:00 thứ Bảy 5/12" in text and "Bảo trì lưới điện" in text
    assert "liên kết" in text
    assert SlotSet("outage_province", None) in cleared


def test_province_and_ward_in_one_message(backend):
    _, events = validate("cầu giấy, hà nội", {"requested_slot": "outage_province"})
    assert SlotSet("outage_province", HANOI) in events
    assert SlotSet("outage_ward", CAU_GIAY) in events


def test_close_names_are_asked_about_with_buttons(backend):
    messages, events = validate("da", {"requested_slot": "outage_province"})
    assert messages[-1]["text"] == "Ý bạn là Thành phố Đà Nẵng hay Thành phố Huế?"
    assert [b["payload"] for b in messages[-1]["buttons"]] == [
        "Thành phố Đà Nẵng",
        "Thành phố Huế",
    ]
    assert SlotSet("outage_province", None) in events


def test_an_unknown_ward_is_asked_again_and_not_knowing_means_the_whole_province(backend):
    messages, events = validate(
        "phường gì đó", {"requested_slot": "outage_ward", "outage_province": HANOI}
    )
    assert "không biết" in messages[-1]["text"] and SlotSet("outage_ward", None) in events
    _, events = validate("ko biet", {"requested_slot": "outage_ward", "outage_province": HANOI})
    assert SlotSet("outage_ward", {"code": None, "name": None}) in events


def test_the_area_form_lets_people_out(backend):
    _, events = validate("thôi", {"requested_slot": "outage_province"})
    assert SlotSet("requested_slot", None) in events
    dispatcher = CollectingDispatcher()
    slots = {"outage_province": {"cancelled": True}, "outage_ward": {"cancelled": True}}
    ActionOutageForArea().run(dispatcher, make_tracker("", slots), {})
    assert not dispatcher.messages
