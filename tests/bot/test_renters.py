"""Renters' fair-price check: the landlord's price read from the message, compared by the backend
(a fake on loopback that computes from the real tariff data and facts.toml), said in Vietnamese."""

from __future__ import annotations

import asyncio
from fractions import Fraction
from typing import Any

import pytest
from actions.bills import ValidateBillForm, ValidateBudgetForm, landlord_price_question
from actions.renters import (
    NOT_UNDERSTOOD,
    ActionRenterPriceCheck,
    LandlordPrice,
    ValidateRenterForm,
    read_landlord_price,
)
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from tests.bot.served_facts import served_facts
from tests.bot.tariff_backend import TariffBook, vnd

BOOK = TariffBook()
FACTS = served_facts()
RULE = next(r["text"] for r in FACTS["references"] if r["id"] == "renters")
WHAT_TO_DO = next(s["text"] for s in FACTS["statements"] if s["id"] == "renters_register")


def ceiling() -> int:
    exact = Fraction(BOOK.tariff["prices"][2]) * (1 + BOOK.vat_rate)
    return int(exact + Fraction(1, 2))  # half up


@pytest.fixture
def tariff_backend(fake_server, monkeypatch):
    server = fake_server(BOOK.handler)
    monkeypatch.setenv("BACKEND_URL", server.url)
    return server


def make_tracker(text: str, slots: dict[str, Any] | None = None) -> Tracker:
    return Tracker(
        "zalo-1",
        slots or {},
        {
            "text": text,
            "intent": {"name": "ask_renter_price"},
            "intent_ranking": [],
            "entities": [],
        },
        [],
        False,
        None,
        {},
        "action_listen",
    )


def renter_turn(text: str) -> tuple[list[dict], list]:
    """Validation of renter_form, then the check its rule runs."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateRenterForm().run(dispatcher, make_tracker(text), {}))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    if slots.get("requested_slot", "x") is None:
        events += ActionRenterPriceCheck().run(
            dispatcher, make_tracker(text, {"landlord_price": slots["landlord_price"]}), {}
        )
    return dispatcher.messages, events


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("em ở trọ, chủ nhà thu 4 nghìn một số có đúng không", LandlordPrice(4000)),
        ("chu tro tinh dien 4k 1 chu vay co dung hong", LandlordPrice(4000)),
        ("chủ trọ tính 3.500đ/số", LandlordPrice(3500)),
        ("chủ nhà lấy ba nghìn rưỡi một kí điện", LandlordPrice(3500)),
        ("bữa nay chủ trọ lên giá điện 4 ngàn mỗi chữ", LandlordPrice(4000)),
        ("tháng này em xài 150 số mà chủ trọ thu 600 nghìn", LandlordPrice(None, 150, 600_000)),
        (
            "bọn em 4 đứa ở trọ, chủ thu 3.800 một chữ, xài 120 kí",
            LandlordPrice(3800, 120, None, 4),
        ),
        (
            "chủ nhà thu 4 nghìn một số, tháng rồi 3 người dùng 200 số",
            LandlordPrice(4000, 200, None, 3),
        ),
    ],
)
def test_the_landlords_price_is_read_from_the_message(text, expected):
    assert read_landlord_price(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "chủ nhà trọ thu giá điện cao quá thì báo ai",
        "chủ nhà thu 4 một số",  # 4 đồng or 4 nghìn? asked, never guessed
        "tiền điện nhà trọ tính theo giá nào",
    ],
)
def test_no_price_is_invented(text):
    assert read_landlord_price(text) is None


@pytest.mark.parametrize(
    "text",
    [  # "mốt"/"một" closing a number is a digit of the kWh, not "per one kWh"
        "phòng trọ chưa đăng ký, 5 người dùng năm trăm bảy mươi mốt kí hết bao nhiêu",
        "phong tro dung hai tram muoi mot so het bao nhieu",
        "nhà trọ xài ba trăm mười một chữ tính sao",
    ],
)
def test_a_renters_kwh_ending_in_one_is_not_a_landlords_price(text):
    assert landlord_price_question(text) is None


def test_a_price_above_the_ceiling_is_named_with_the_rule_and_what_to_do(tariff_backend):
    messages, _ = renter_turn("em ở trọ, chủ nhà thu 4 nghìn một số có đúng không")
    text = messages[-1]["text"]
    assert RULE in text
    assert f"{vnd(ceiling())}/kWh" in text
    assert f"{vnd(BOOK.tariff['prices'][2])}/kWh" in text
    assert f"cao hơn mức được phép {vnd(4000 - ceiling())} mỗi số" in text
    assert WHAT_TO_DO in text
    assert "mỗi tháng dùng bao nhiêu số" in text  # no kWh: the month is asked, not assumed


def test_the_months_difference_and_the_registered_bill_come_from_the_engine(tariff_backend):
    messages, _ = renter_turn("bọn em 4 đứa ở trọ, chủ thu 3.800 một chữ, xài 120 kí")
    text = messages[-1]["text"]
    allowed = BOOK.estimate(120, renters={"people": 4, "registered": False})["total"]
    registered = BOOK.estimate(120, renters={"people": 4, "registered": True})["total"]
    assert f"bạn trả {vnd(3800 * 120)}" in text
    assert f"mức tối đa là {vnd(allowed)}: dư {vnd(3800 * 120 - allowed)} mỗi tháng" in text
    assert f"đăng ký 4 người ở với điện lực, 120 số tính theo định mức là {vnd(registered)}" in text


def test_a_bill_and_its_kwh_are_compared_per_kwh(tariff_backend):
    messages, _ = renter_turn("tháng này em xài 150 số mà chủ trọ thu 600 nghìn")
    text = messages[-1]["text"]
    assert f"Chủ nhà thu {vnd(4000)}/kWh" in text
    assert "tiền điện chia cho số điện" in text


def test_a_fair_price_is_said_to_be_fair(tariff_backend):
    messages, _ = renter_turn(f"chủ trọ thu {ceiling() - 70} một số có đúng không")
    assert "không vượt mức được phép" in messages[-1]["text"]


def test_without_a_price_the_form_asks_then_says_what_it_needs(tariff_backend):
    dispatcher = CollectingDispatcher()
    first = make_tracker("giá điện nhà trọ bao nhiêu là đúng")
    events = asyncio.run(ValidateRenterForm().run(dispatcher, first, {}))
    assert SlotSet("landlord_price", None) in events and not dispatcher.messages  # form asks
    asked = make_tracker("hổng biết nữa", {"requested_slot": "landlord_price"})
    events = asyncio.run(ValidateRenterForm().run(dispatcher, asked, {}))
    assert SlotSet("landlord_price", None) in events
    assert dispatcher.messages[-1]["text"] == NOT_UNDERSTOOD


def test_the_renter_form_lets_people_out(tariff_backend):
    dispatcher = CollectingDispatcher()
    asked = make_tracker("thôi không tính nữa", {"requested_slot": "landlord_price"})
    events = asyncio.run(ValidateRenterForm().run(dispatcher, asked, {}))
    assert SlotSet("requested_slot", None) in events
    follow = CollectingDispatcher()
    ActionRenterPriceCheck().run(follow, make_tracker("", {"landlord_price": "-"}), {})
    assert not follow.messages  # stopped: no figure afterwards


@pytest.mark.parametrize("form", [ValidateBillForm, ValidateBudgetForm])
def test_a_bill_or_budget_form_hands_the_landlords_price_to_the_check(tariff_backend, form):
    dispatcher = CollectingDispatcher()
    text = "em ở trọ, chủ nhà thu 4 nghìn một số có đúng không"
    events = asyncio.run(form().run(dispatcher, make_tracker(text), {}))
    assert RULE in dispatcher.messages[-1]["text"]
    assert SlotSet("kwh", None) in events  # never billed as 1 kWh or a 4.000 đ budget
