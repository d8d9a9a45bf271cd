"""No figure from a misread number: bill and budget questions through the forms and the answers.

Each phrasing goes through both forms (the NLU may send a bill question to the budget form and
the other way round), then through the action the form's rule runs, against a fake backend that
computes from the real tariff data. An answer is checked against the engine's figure for what the
phrasing means; a phrasing without a unit must get a question, never an answer.
"""

from __future__ import annotations

import asyncio
import json
import re
from fractions import Fraction
from typing import Any

import pytest
from actions.bills import (
    NOT_UNDERSTOOD,
    ActionEstimateBill,
    ActionKwhForBudget,
    ValidateBillForm,
    ValidateBudgetForm,
)
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from tests.bot.bill_phrasings import Phrasing, phrasings
from tests.bot.tariff_backend import TariffBook, vnd

BOOK = TariffBook()
LANDLORD_SAID = "Chủ nhà thu"  # how the fair-price check (actions/renters.py) states the price
FORMS = {
    "kwh": (ValidateBillForm, ActionEstimateBill),
    "money": (ValidateBudgetForm, ActionKwhForBudget),
}


@pytest.fixture
def tariff_backend(fake_server, monkeypatch):
    server = fake_server(BOOK.handler)
    monkeypatch.setenv("BACKEND_URL", server.url)
    return server


def make_tracker(text: str, slots: dict[str, Any], entities: list | None = None) -> Tracker:
    return Tracker(
        "zalo-1",
        slots,
        {"text": text, "intent": {"name": ""}, "intent_ranking": [], "entities": entities or []},
        [],
        False,
        None,
        {},
        "action_listen",
    )


def converse(text: str, form: str, asked: bool, entities: list | None = None) -> list[dict]:
    """The bot's messages for one user message in `form` (validation, then the done action)."""
    validate, answer = FORMS[form]
    dispatcher = CollectingDispatcher()
    slots = {"requested_slot": form if asked else None}
    events = asyncio.run(validate().run(dispatcher, make_tracker(text, slots, entities), {}))
    for event in events:
        if event["event"] == "slot":
            slots[event["name"]] = event["value"]
    if slots.get("requested_slot") is None and slots.get("figure") is not None:
        events = answer().run(dispatcher, make_tracker(text, slots, entities), {})
        assert SlotSet("kwh", None) in events and SlotSet("figure", None) in events
    return dispatcher.messages


def expected_fragments(p: Phrasing) -> list[str]:
    about = "khoảng " if p.approximate else ""
    if p.unit == "kwh":
        situations: list[dict[str, Any] | None] = [None]
        if p.renter:
            situations = []
            if p.registered is not False and p.people:
                situations.append({"people": p.people, "registered": True})
            if p.registered is not True:
                situations.append({"people": p.people or 1, "registered": False})
        totals = [
            BOOK.estimate(n, households=p.households, meter=p.meter, renters=r)["total_text"]
            for n in sorted({p.low, p.high})
            for r in situations
        ]
        said = f"{p.low} kWh" if p.low == p.high else f"{p.low}–{p.high} kWh"
        fragments = [f"Với {about}{said}", *totals]
        if p.households > 1:
            fragments.append(f"{p.households} hộ dùng chung")
        fragments.append("trả trước" if p.meter == "prepaid" else "sau trả tiền")
        if p.renter:
            fragments.append("người thuê trọ")
        return fragments
    budgets = [BOOK.kwh_for_budget(n) for n in sorted({p.low, p.high})]
    return [f"Với {about}{budgets[0]['amount_text']}", *(f"{b['kwh']} " for b in budgets)]


def judge_landlord_price(p: Phrasing, text: str) -> str | None:
    """The fair-price check's answer (it states the landlord's price, not a bill): 'right' with the
    price the renter said, 'misread' with another or when the renter said none; None for a reply
    that is not the check."""
    if LANDLORD_SAID not in text:
        return None
    if p.landlord_price is None:
        return "misread"  # a landlord's price nobody said
    return "right" if f"{LANDLORD_SAID} {vnd(p.landlord_price)}/kWh" in text else "misread"


def judge(p: Phrasing, messages: list[dict]) -> str:
    """'right', 'asked' (a question offering the right reading), 'misread' or 'lost'."""
    if not messages:
        return "lost"
    last = messages[-1]
    landlord = judge_landlord_price(p, last["text"])
    if landlord is not None:
        return landlord
    if p.landlord_price is not None:  # a bill or budget figure from the landlord's price
        return "misread" if "Với" in last["text"] or last.get("buttons") else "lost"
    if last.get("buttons") and "hay" in last["text"]:
        offered = [json.loads("{" + b["payload"].split("{", 1)[1]) for b in last["buttons"]]
        if p.unit is None:
            return "asked" if {"kwh": p.low} in offered else "misread"
        unit_key = p.unit
        value: Any = p.low if p.low == p.high else f"{p.low}-{p.high}"
        return "asked" if {unit_key: value} in offered else "misread"
    if "Với" not in last["text"]:
        return "lost"  # "not understood": no figure stated
    if p.unit is None:
        return "misread"  # a figure stated for a number whose unit nothing said
    text = last["text"]
    return "right" if all(fragment in text for fragment in expected_fragments(p)) else "misread"


SUITE = phrasings()


def test_the_suite_is_large_and_varied():
    assert len(SUITE) >= 500
    assert {p.unit for p in SUITE} == {"kwh", "money", None}
    assert any(p.households > 1 for p in SUITE) and any(p.meter == "prepaid" for p in SUITE)
    assert {p.registered for p in SUITE if p.renter} == {True, False, None}
    assert sum(p.low != p.high for p in SUITE) >= 20 and sum(p.approximate for p in SUITE) >= 20
    assert sum(p.landlord_price is not None for p in SUITE) >= 100


def test_a_misstated_landlords_price_is_a_misread_not_a_lost_reply():
    said = Phrasing("em ở trọ, chủ nhà thu 4 nghìn một số", None, 4000, 4000, landlord_price=4000)
    right = "Theo … Chủ nhà thu 4.000 đ/kWh, cao hơn mức được phép 1.100 đ mỗi số."
    assert judge(said, [{"text": right}]) == "right"
    assert judge(said, [{"text": right.replace("4.000 đ", "4 đ")}]) == "misread"
    assert judge(said, [{"text": "Với 4000 kWh trong một tháng, tiền điện …"}]) == "misread"
    bill = Phrasing("nhà dùng 350 số thì hết bao nhiêu", "kwh", 350, 350)
    assert judge(bill, [{"text": right}]) == "misread"


def test_no_figure_is_stated_from_a_misread_number(tariff_backend, capsys):
    outcomes: dict[str, int] = {}
    misread: list[tuple[str, str, str]] = []
    unchecked: list[tuple[str, str, str]] = []  # a landlord's price not answered by the check
    for p in SUITE:
        forms = [p.unit] if p.answer_to_question else ["kwh", "money"]
        for form in forms:
            verdict = judge(p, converse(p.text, form, asked=p.answer_to_question))
            outcomes[verdict] = outcomes.get(verdict, 0) + 1
            if verdict == "misread":
                misread.append((p.text, form, str(converse(p.text, form, p.answer_to_question))))
            if p.landlord_price is not None and verdict != "right":
                unchecked.append((p.text, form, verdict))
    with capsys.disabled():  # the count is printed on every run, not only with -s
        print(
            f"\nbill/budget suite: {len(SUITE)} phrasings, {sum(outcomes.values())} replies; "
            f"misread figures: {len(misread)}; {outcomes}"
        )
    assert not misread, misread[:10]
    assert not unchecked, unchecked[:10]
    # explicit units are answered, not asked about
    explicit = [p for p in SUITE if p.unit is not None and not p.answer_to_question]
    unanswered = [p.text for p in explicit if judge(p, converse(p.text, p.unit, False)) != "right"]
    assert not unanswered, unanswered[:10]


def test_a_thousand_kwh_asked_as_a_budget_question_gets_the_bill(tariff_backend):
    # the NLU read it as "kWh for a budget of 1.000 đ"; the words say 1.000 kWh
    messages = converse("nhà dùng 1 nghìn số thì hết bao nhiêu", "money", asked=False)
    text = messages[-1]["text"]
    assert text.startswith("Với 1000 kWh") and BOOK.estimate(1000)["total_text"] in text
    assert ("POST", "/api/v1/bills/estimate") in [(c[0], c[1]) for c in tariff_backend.calls]
    assert "1.000 đ" not in text


@pytest.mark.parametrize("hundreds", range(1, 10))
def test_about_n_hundred_kwh_is_n_times_a_hundred(tariff_backend, hundreds):
    spoken = ["", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"][hundreds]
    for text in (f"khoảng {hundreds} trăm số", f"tầm {spoken} trăm số điện"):
        reply = converse(f"tính tiền điện, nhà mình dùng {text}", "kwh", asked=False)[-1]["text"]
        kwh = hundreds * 100
        assert f"Với khoảng {kwh} kWh" in reply and BOOK.estimate(kwh)["total_text"] in reply


def test_a_bare_number_gets_a_question_with_buttons_then_an_exact_answer(tariff_backend):
    messages = converse("tính tiền điện 420", "kwh", asked=False)
    assert [m["text"] for m in messages] == ["Ý bạn là 420 kWh hay 420.000 đ?"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/calculate_bill{"kwh": 420}',
        '/ask_kwh_for_budget{"money": 420000}',
    ]
    # the backend wrote the money reading; no bill was estimated, no figure stated
    assert [c[:2] for c in tariff_backend.calls] == [
        ("GET", "/api/v1/bills/kwh-for-budget?amount=420000")
    ]
    # the household taps "420 kWh": Rasa sends the payload's entity
    tapped = converse(
        '/calculate_bill{"kwh": 420}',
        "kwh",
        asked=False,
        entities=[{"entity": "kwh", "value": 420}],
    )
    assert tapped[-1]["text"].startswith("Với 420 kWh")
    assert BOOK.estimate(420)["total_text"] in tapped[-1]["text"]
    tapped = converse(
        '/ask_kwh_for_budget{"money": 420000}',
        "money",
        asked=False,
        entities=[{"entity": "money", "value": 420000}],
    )
    assert tapped[-1]["text"].startswith("Với 420.000 đ mỗi tháng")


def in_the_backends_words(handler):
    """The fake backend with every `*_text` written "420.000 VND" instead of "420.000 đ": a
    reply with a figure followed by "đ" would be money the bot formatted itself."""

    def mark(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: item.replace(" đ", " VND")
                if key.endswith("_text") and isinstance(item, str)
                else mark(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [mark(item) for item in value]
        return value

    def serve(method: str, path: str, body: Any) -> tuple[int, Any]:
        status, payload = handler(method, path, body)
        return status, mark(payload)

    return serve


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("tính tiền điện 420", "kwh"),  # the question: "420 kWh hay 420.000 đ?"
        ("tính tiền điện 300-350", "money"),  # the question about a range
        ("cho hỏi 350 số", "kwh"),
        ("có 500k thì dùng được bao nhiêu số", "money"),
        ("tính tiền điện 420000", "kwh"),
        ("hai hộ chung công tơ, 1 triệu thì xài được mấy số", "money"),
        ("công tơ trả trước, có 500k thì dùng được bao nhiêu số", "money"),
        ("em ở trọ, phòng 4 người, có 800 nghìn thì dùng được mấy số", "money"),
    ],
)
def test_the_bot_formats_no_money_itself(fake_server, monkeypatch, text, form):
    server = fake_server(in_the_backends_words(BOOK.handler))
    monkeypatch.setenv("BACKEND_URL", server.url)
    reply = converse(text, form, asked=False)[-1]["text"]
    assert " VND" in reply, reply
    assert not re.search(r"\d đ\b", reply), reply


def test_every_answer_names_what_it_assumed(tariff_backend):
    for text, form in [("350 số", "kwh"), ("500k", "money"), ("300-350 số", "kwh")]:
        reply = converse(f"cho hỏi {text}", form, asked=False)[-1]["text"]
        assert "(Tính cho 1 hộ, công tơ sau trả tiền, kỳ 30 ngày" in reply


def test_a_range_is_answered_for_both_ends(tariff_backend):
    reply = converse("tháng này tầm 300-350 số", "kwh", asked=False)[-1]["text"]
    low, high = BOOK.estimate(300)["total_text"], BOOK.estimate(350)["total_text"]
    assert f"Với khoảng 300–350 kWh trong một tháng, tiền điện từ {low} đến {high}" in reply


def test_shared_and_prepaid_meters_reach_the_estimate(tariff_backend):
    reply = converse("hai hộ dùng chung một công tơ, tháng này 420 số", "kwh", False)[-1]["text"]
    assert tariff_backend.calls[-1][2] == {"kwh": 420, "households": 2}
    assert BOOK.estimate(420, households=Fraction(2))["total_text"] in reply
    assert "2 hộ dùng chung một công tơ" in reply
    reply = converse("công tơ trả trước 300 số", "kwh", False)[-1]["text"]
    assert tariff_backend.calls[-1][2] == {"kwh": 300, "meter": "prepaid"}
    assert BOOK.estimate(300, meter="prepaid")["total_text"] in reply and "trả trước" in reply


def test_no_stale_figure_is_reused(tariff_backend):
    # an earlier turn left kwh=350 in the slot; a later bill question without a figure asks
    dispatcher = CollectingDispatcher()
    stale = make_tracker("tính tiền điện tháng trước giúp mình", {"kwh": 350, "money": None})
    events = ActionEstimateBill().run(dispatcher, stale, {})
    assert dispatcher.messages[0]["response"] == "utter_ask_kwh"
    assert tariff_backend.calls == []
    for name in ("kwh", "money", "figure"):
        assert SlotSet(name, None) in events


def test_not_understood_asks_again_without_a_figure(tariff_backend):
    messages = converse("mấy trăm gì đó", "kwh", asked=True)
    assert messages[-1]["text"].startswith("Tôi chưa hiểu số điện")
    assert tariff_backend.calls == []


def test_renters_get_both_the_registered_and_the_unregistered_price(tariff_backend):
    reply = converse("em ở trọ, phòng 4 người, tháng này 200 số hết bao nhiêu", "kwh", False)
    text = reply[-1]["text"]
    registered = BOOK.estimate(200, renters={"people": 4, "registered": True})["total_text"]
    unregistered = BOOK.estimate(200, renters={"people": 4, "registered": False})["total_text"]
    assert (
        f"nếu chủ nhà đã đăng ký 4 người thuê với điện lực (4 người một định mức): {registered}"
        in text
    )
    assert (
        f"nếu chưa đăng ký người thuê (mọi số điện tính giá bậc 3, 101–200 kWh): {unregistered}"
        in text
    )
    assert "người thuê trọ dùng công tơ của chủ nhà" in text
    bodies = [c[2] for c in tariff_backend.calls]
    assert {"kwh": 200, "renters": {"people": 4, "registered": True}} in bodies
    # what the renter said is used without asking
    converse("phòng trọ chưa đăng ký, dùng 150 số", "kwh", False)
    assert tariff_backend.calls[-1][2] == {
        "kwh": 150,
        "renters": {"people": 1, "registered": False},
    }


def test_a_form_lets_the_household_out(tariff_backend):
    for text in ("thôi", "hủy", "ko cần nữa", "không tính nữa", "dừng"):
        messages = converse(text, "kwh", asked=True)
        assert [m["text"] for m in messages] == [
            "Vâng, tôi dừng tính ở đây. Khi cần bạn cứ hỏi lại nhé."
        ]
    assert tariff_backend.calls == []


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("1,5 số", "kwh"),
        ("nhà dùng 200.000 kWh", "kwh"),
        ("tính tiền điện 1.5", "kwh"),
        ("1,5 số", "money"),
        ("ngân sách 20 tỷ", "money"),
    ],
)
def test_impossible_figures_are_not_answered(tariff_backend, text, form):
    messages = converse(text, form, asked=False)
    assert [m["text"][:20] for m in messages] in (
        [NOT_UNDERSTOOD["kwh"][:20]],
        [NOT_UNDERSTOOD["money"][:20]],
    )
    assert tariff_backend.calls == []


def test_a_bare_amount_too_large_for_kwh_is_money_as_written(tariff_backend):
    reply = converse("tính tiền điện 420000", "kwh", asked=False)[-1]["text"]
    assert reply.startswith("Với 420.000 đ mỗi tháng")
    assert f"{BOOK.kwh_for_budget(420_000)['kwh']} kWh" in reply


def test_a_budget_on_a_prepaid_or_shared_meter_is_priced_for_that_meter(tariff_backend):
    def most_kwh(amount: int, **situation: Any) -> int:
        kwh = 0
        while BOOK.estimate(kwh + 1, **situation)["total"] <= amount:
            kwh += 1
        return kwh

    reply = converse("công tơ trả trước, có 500k thì dùng được bao nhiêu số", "money", False)
    text = reply[-1]["text"]
    assert f"dùng được tối đa {most_kwh(500_000, meter='prepaid')} kWh" in text
    assert "công tơ trả trước" in text
    reply = converse("hai hộ chung công tơ, 1 triệu thì xài được mấy số", "money", False)
    text = reply[-1]["text"]
    assert f"dùng được tối đa {most_kwh(1_000_000, households=Fraction(2))} kWh" in text
    assert "2 hộ dùng chung một công tơ" in text
