"""Actions against a fake backend over real HTTP (the backend contract, not our own functions)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions.bills import (
    ActionEstimateBill,
    ActionExplainTariff,
    ActionKwhForBudget,
    ValidateBillForm,
)
from actions.budget import ActionPrepareBudget
from actions.changes import ActionApplyChange
from actions.compare import ActionCompareBills
from actions.fallback import TOPIC_TITLES, ActionDefaultFallback
from actions.handoff import ActionHandoff
from actions.linking import ActionLinkAccount
from actions.meter import ActionPrepareMeterReading
from actions.outages import ActionOutageSchedule
from actions.privacy import ActionPrepareDeletion
from actions.subscriptions import ActionSubscribe, ActionUnsubscribe, direction
from actions.usage import ActionCheckUsage
from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from tests.bot.actions_run import LINKED, USAGE, make_tracker, run
from tests.bot.served_facts import served_facts, served_peak_hours

BOT = Path(__file__).resolve().parents[2] / "bot"

FACTS = served_facts()
BUDGET_PATHS = {  # the budget as the service endpoints send it: set, and previewed before a yes
    "/api/v1/service/households/hh-1/budget": "PUT",
    "/api/v1/service/households/hh-1/budget/preview": "POST",
}


def backend_money_text(amount: int) -> str:
    """Money as this fake backend writes it: a form the bot cannot produce, so a reply holding
    it shows the bot said the backend's `amount_text` rather than formatting the figure."""
    return f"{amount} đồng (theo backend)"


PEAK_HOURS = served_peak_hours()


def backend(method: str, path: str, body: Any) -> tuple[int, Any]:
    if path == "/api/v1/facts":
        return 200, FACTS
    if path == "/api/v1/peak-hours":
        return 200, PEAK_HOURS
    if path == "/api/v1/service/senders/hh-1":
        return 200, LINKED
    if path.startswith("/api/v1/service/senders/"):
        return 200, {
            "household_id": None,
            "linked": False,
            "display_name": None,
            "province_code": None,
            "region": None,
        }
    if path == "/api/v1/bills/estimate":
        return 200, {
            "subtotal": 907_000,
            "vat": 72_560,
            "vat_rate": 0.08,
            "total": 979_560,
            "total_text": "979.560 đ",
            "subtotal_text": "907.000 đ",
            "vat_text": "72.560 đ",
            "segments": [
                {
                    "tariff": "1279/QĐ-BCT",
                    "from": "2026-11-24",
                    "to": "2026-11-24",
                    "kwh": 350,
                    "tiers": [
                        {
                            "tier": 1,
                            "kwh": 50,
                            "price": 1984,
                            "amount": 99_200,
                            "price_text": "1.984 đ",
                            "amount_text": "99.200 đ",
                        }
                    ],
                }
            ],
        }
    if path.startswith("/api/v1/bills/kwh-for-budget"):
        return 200, {
            "kwh": 207,
            "total": 497_541,
            "total_text": "497.541 đ",
            "amount_text": "500.000 đ",
        }
    if path == "/api/v1/tariffs":
        return 200, {
            "current": "1279/QĐ-BCT",
            "tariffs": [
                {
                    "decision": "1279/QĐ-BCT",
                    "decision_text": "Quyết định 1279/QĐ-BCT",
                    "effective_from": "2025-05-10",
                    "effective_from_text": "10/5/2025",
                    "prepaid_price": 2909,
                    "prepaid_price_text": "2.909 đ",
                    "tiers": [
                        {
                            "tier": 1,
                            "from_kwh": 0,
                            "to_kwh": 50,
                            "price": 1984,
                            "price_text": "1.984 đ",
                        },
                        {
                            "tier": 2,
                            "from_kwh": 51,
                            "to_kwh": None,
                            "price": 2050,
                            "price_text": "2.050 đ",
                        },
                    ],
                }
            ],
        }
    if path == "/api/v1/bills/compare":
        return 200, {"explanation": "Kỳ này nhà bạn dùng 345 kWh, nhiều hơn 38% so với kỳ trước."}
    if path == "/api/v1/service/households/hh-1/usage":
        return 200, USAGE
    if path == "/api/v1/service/households/hh-1/meter-index":
        if body["reading"] < 1000:
            return 409, {"code": "index_backwards", "message": "lower than last index"}
        return 201, {
            "reading": body["reading"],
            "read_on": "2026-11-24",
            "read_on_text": "24/11/2026",
            "consumption_kwh": 42,
        }
    if path == "/api/v1/service/households/hh-1/subscriptions":
        return 200, body
    if path in BUDGET_PATHS and method == BUDGET_PATHS[path]:
        amount = body.get("amount")
        return 200, {
            "budget": {
                "kind": "amount" if amount is not None else "kwh",
                "amount": amount,
                "amount_text": None if amount is None else backend_money_text(amount),
                "kwh": body.get("kwh"),
            }
        }
    if path == "/api/v1/service/households/hh-1/budget" and method == "DELETE":
        return 200, {"budget": None, "removed": True}
    if path == "/api/v1/service/households/hh-1/outages":
        return 200, {
            "outages": [
                {
                    "id": 1,
                    "start": "2026-11-26T08:00:00",
                    "end": "2026-11-26T12:00:00",
                    "when_text": "8:00–12:00 thứ Năm 26/11",
                    "reason": "Bảo dưỡng",
                    "area_name": "Phường Hoàn Kiếm",
                }
            ]
        }
    if path == "/api/v1/service/households/hh-1/deletion":
        return 202, {"status": "deleted"}
    if path == "/api/v1/service/zalo-links":
        return 201, {"household_id": "hh-1", "display_name": "Nhà chị Lan"}
    if path == "/api/v1/service/handoffs":
        return 201, {"status": "waiting", "queue_position": 3}
    return 404, {"code": "not_found", "message": path}


@pytest.fixture
def fake_backend(fake_server, monkeypatch):
    server = fake_server(backend)
    monkeypatch.setenv("BACKEND_URL", server.url)
    return server


def tracker(
    sender: str = "hh-1",
    slots: dict | None = None,
    text: str = "",
    intent: str = "",
    events: list | None = None,
) -> Tracker:
    return make_tracker(sender=sender, slots=slots, text=text, intent=intent, events=events)


def test_estimate_bill_uses_backend_numbers(fake_backend):
    figure = {"unit": "kwh", "low": 350, "high": 350}
    messages, events = run(ActionEstimateBill(), tracker(slots={"kwh": 350, "figure": figure}))
    assert "979.560 đ" in messages[0]["text"] and "8%" in messages[0]["text"]
    assert SlotSet("kwh", None) in events and SlotSet("figure", None) in events
    assert fake_backend.calls[0][2] == {"kwh": 350}


def test_kwh_for_budget(fake_backend):
    figure = {"unit": "money", "low": 500_000, "high": 500_000}
    messages, _ = run(ActionKwhForBudget(), tracker(slots={"money": 500_000, "figure": figure}))
    assert "207 kWh" in messages[0]["text"]
    # true on a tier boundary too (the next kWh may sit in the next tier)
    assert "bậc giá cao nhất đang dùng" not in messages[0]["text"]
    assert "thêm dù chỉ 1 kWh nữa thì hóa đơn sẽ vượt 500.000 đ" in messages[0]["text"]
    assert fake_backend.calls[0][1] == "/api/v1/bills/kwh-for-budget?amount=500000"


def test_a_budget_is_said_in_the_backends_words_before_and_after_yes(fake_backend):
    messages, events = run(ActionPrepareBudget(), tracker(text="đặt hạn mức 800 nghìn"))
    assert "mỗi kỳ là 800000 đồng (theo backend) và" in messages[0]["text"]
    assert ("POST", "/api/v1/service/households/hh-1/budget/preview") in [
        c[:2] for c in fake_backend.calls
    ]
    assert events == [SlotSet("pending_change", {"kind": "budget", "set": {"amount": 800_000}})]
    pending = {"pending_change": events[0]["value"]}
    messages, _ = run(ActionApplyChange(), tracker(slots=pending, intent="affirm"))
    assert messages[0]["text"].startswith("Đã đặt hạn mức 800000 đồng (theo backend) mỗi kỳ.")


def test_tariff_lists_tiers_from_backend(fake_backend):
    messages, _ = run(ActionExplainTariff(), tracker())
    assert "1.984 đ" in messages[0]["text"] and "2.909 đ" in messages[0]["text"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("350", 350), ("350 số", 350), ("ba trăm", 300), ("ba trăm rưỡi", 350), ("abc", None)],
)
def test_bill_form_reads_the_answer_to_its_question(value, expected):
    dispatcher = CollectingDispatcher()
    asked = tracker(text=value, slots={"requested_slot": "kwh"})
    events = asyncio.run(ValidateBillForm().run(dispatcher, asked, {}))
    assert SlotSet("kwh", expected) in events
    assert bool(dispatcher.messages) == (expected is None)  # "not understood", asked again


def test_usage_for_a_linked_household(fake_backend):
    messages, _ = run(ActionCheckUsage(), tracker())
    text = messages[0]["text"]
    assert "912.000 đ" in text and "cao hơn khoảng 32%" in text and "35%" in text
    assert text.startswith("Từ 15/11 đến nay")


def test_usage_for_an_unlinked_sender_explains_linking(fake_backend):
    messages, _ = run(ActionCheckUsage(), tracker(sender="zalo-999"))
    assert "liên kết" in messages[0]["text"]


def test_a_bill_jump_compares_the_households_last_bills(fake_backend):
    messages, _ = run(ActionCompareBills(), tracker())
    assert "nhiều hơn 38%" in messages[0]["text"] and "35%" in messages[0]["text"]
    compare = next(c for c in fake_backend.calls if c[1] == "/api/v1/bills/compare")
    assert compare[2]["current"]["kwh"] == 345 and compare[2]["previous"]["kwh"] == 250


def answer(events: list, intent: str, sender: str = "hh-1") -> tuple[list[dict], list]:
    """The household's yes or no to what the asking action left in `pending_change`."""
    pending = next(e["value"] for e in events if e.get("name") == "pending_change")
    return run(
        ActionApplyChange(), tracker(sender, slots={"pending_change": pending}, intent=intent)
    )


def posted(fake_backend, suffix: str) -> bool:
    return ("POST", f"/api/v1/service/households/hh-1/{suffix}") in [
        (c[0], c[1]) for c in fake_backend.calls
    ]


def test_a_meter_reading_is_said_back_and_stored_only_after_yes(fake_backend):
    messages, events = run(ActionPrepareMeterReading(), tracker(slots={"meter_reading": 12345}))
    assert messages[0]["text"].startswith("Chỉ số công tơ là 12345, đúng không ạ?")
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert SlotSet("meter_reading", None) in events
    assert not posted(fake_backend, "meter-index")  # asked, not stored
    messages, events = answer(events, "affirm")
    assert "12345" in messages[0]["text"] and "42 kWh" in messages[0]["text"]
    assert "ngày 24/11/2026" in messages[0]["text"] and "2026-11-24" not in messages[0]["text"]
    assert events == [SlotSet("pending_change", None)]
    _, events = run(ActionPrepareMeterReading(), tracker(slots={"meter_reading": 5}))
    messages, _ = answer(events, "affirm")
    assert "nhỏ hơn chỉ số lần trước" in messages[0]["text"]


def test_no_to_a_meter_reading_stores_nothing(fake_backend):
    _, events = run(ActionPrepareMeterReading(), tracker(slots={"meter_reading": 12345}))
    messages, events = answer(events, "deny")  # "không", "thôi", "hủy" are deny
    assert messages[0]["text"].startswith("Tôi chưa lưu chỉ số nào.")
    assert events == [SlotSet("pending_change", None)]
    assert not posted(fake_backend, "meter-index")


def test_an_unlinked_sender_is_told_before_any_question(fake_backend):
    for action, slots in (
        (ActionPrepareMeterReading(), {"meter_reading": 12345}),
        (ActionPrepareDeletion(), {}),
    ):
        messages, events = run(action, tracker("zalo-99", slots=slots))
        assert messages[0]["text"].startswith("Tài khoản chat này chưa liên kết")
        assert SlotSet("pending_change", None) in events
        assert "buttons" not in messages[0] or not messages[0]["buttons"]


def test_unsubscribe_asks_first_and_turns_every_kind_off_on_yes(fake_backend):
    messages, events = run(ActionUnsubscribe(), tracker(text="tắt thông báo"))
    assert not [c for c in fake_backend.calls if c[0] == "PUT"]  # nothing changed yet
    assert "Bạn đồng ý không?" in messages[-1]["text"]
    pending = next(e["value"] for e in events if e.get("name") == "pending_change")
    messages, events = run(
        ActionApplyChange(), tracker(slots={"pending_change": pending}, intent="affirm")
    )
    put = next(c for c in fake_backend.calls if c[0] == "PUT")
    assert put[2] == {"weekly_tips": False, "outage_notices": False, "usage_alerts": False}
    assert put[3]["Authorization"] == "Bearer dev-service-token"
    assert messages[-1]["text"].startswith("Đã tắt thông báo")
    assert SlotSet("pending_change", None) in events


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("tắt mẹo hằng tuần đi", {"weekly_tips": False}),
        ("không nhận tin cắt điện nữa", {"outage_notices": False}),
        ("hủy cảnh báo tiêu thụ", {"usage_alerts": False}),
        # regional words and no accents name the kind as well
        ("hong can bao khi xai dien tang nua", {"usage_alerts": False}),
        ("ko nhận tin cúp điện nữa nha", {"outage_notices": False}),
    ],
)
def test_unsubscribing_can_be_per_kind(fake_backend, text, changes):
    _, events = run(ActionUnsubscribe(), tracker(text=text))
    pending = next(e["value"] for e in events if e.get("name") == "pending_change")
    assert pending == {"kind": "subscriptions", "changes": changes}
    run(ActionApplyChange(), tracker(slots={"pending_change": pending}, intent="affirm"))
    assert next(c for c in fake_backend.calls if c[0] == "PUT")[2] == changes


@pytest.mark.parametrize(
    ("text", "way"),
    [
        ("tôi muốn nhận thông báo cắt điện", True),
        ("dk nhan tin cup dien", True),
        ("báo cho tui mỗi khi có lịch cúp điện", True),
        ("bật mọi thông báo", True),
        ("đừng gửi tin cho tui nữa nha", False),
        ("tắt tất cả thông báo", False),
        ("ko can tb nua", False),
        ("thôi khỏi gửi mẹo nữa", False),
        # words whose accents alone tell them apart do not count: tất/tắt, bất/bật, thời/thôi,
        # bố/bỏ, dùng/dừng
        ("tủ lạnh nữa", None),
        ("bố tôi hỏi thời tiết", None),
        ("tất cả đều dùng điện", None),
        # both ways, or neither: the intent decides
        ("bỏ đăng ký nhận tin", None),
        ("thông báo", None),
    ],
)
def test_the_words_of_a_notice_request_say_which_way_it_goes(text, way):
    assert direction(text) is way


@pytest.mark.parametrize(
    ("action", "text", "kinds"),
    [
        (ActionUnsubscribe(), "tôi muốn nhận thông báo cắt điện", {"outage_notices"}),
        (ActionUnsubscribe(), "dk nhan tin cup dien", {"outage_notices"}),
        (ActionSubscribe(), "đừng gửi mẹo hằng tuần cho tui nữa", {"weekly_tips"}),
        (
            ActionSubscribe(),
            "tắt thông báo đi",
            {"weekly_tips", "outage_notices", "usage_alerts"},
        ),
    ],
)
def test_words_against_the_intent_ask_which_way_and_change_nothing(
    fake_backend, action, text, kinds
):
    """The model read a request to receive notices as unsubscribing (or the reverse): the
    household is asked on or off, no change is offered or made, and the button it picks comes
    back as a request for exactly the kinds it named."""
    messages, events = run(action, tracker(text=text))
    assert SlotSet("pending_change", None) in events
    assert "Bạn muốn bật hay tắt thông báo" in messages[-1]["text"]
    assert "Bạn đồng ý không?" not in messages[-1]["text"]
    assert not [c for c in fake_backend.calls if c[0] == "PUT"]
    buttons = {b["title"]: b["payload"] for b in messages[-1]["buttons"]}
    assert set(buttons) == {"Bật", "Tắt"}
    for title, again, enabled in (
        ("Bật", ActionSubscribe(), True),
        ("Tắt", ActionUnsubscribe(), False),
    ):
        _, events = run(again, tracker(text=buttons[title]))
        pending = next(e["value"] for e in events if e.get("name") == "pending_change")
        assert pending == {"kind": "subscriptions", "changes": dict.fromkeys(kinds, enabled)}


@pytest.mark.parametrize("answer", ["deny", "out_of_scope"])
def test_a_change_without_a_yes_changes_nothing(fake_backend, answer):
    """ "tủ lạnh nữa" read as unsubscribe must not switch off a household's notices."""
    _, events = run(ActionUnsubscribe(), tracker(text="tủ lạnh nữa"))
    pending = next(e["value"] for e in events if e.get("name") == "pending_change")
    messages, events = run(
        ActionApplyChange(), tracker(slots={"pending_change": pending}, intent=answer)
    )
    assert not [c for c in fake_backend.calls if c[0] == "PUT"]
    assert "chưa thay đổi gì" in messages[-1]["text"]
    assert SlotSet("pending_change", None) in events


def test_a_yes_with_nothing_pending_changes_nothing(fake_backend):
    run(ActionApplyChange(), tracker(intent="affirm"))
    assert not [c for c in fake_backend.calls if c[0] in ("PUT", "POST")]


def test_linking_asks_first_then_links_on_yes(fake_backend):
    messages, events = run(ActionLinkAccount(), tracker(sender="zalo-42", text="liên kết 482913"))
    assert not [c for c in fake_backend.calls if c[0] == "POST"]
    assert "482913" in messages[-1]["text"] and "Bạn đồng ý không?" in messages[-1]["text"]
    pending = next(e["value"] for e in events if e.get("name") == "pending_change" and e["value"])
    messages, _ = run(
        ActionApplyChange(),
        tracker(sender="zalo-42", slots={"pending_change": pending}, intent="affirm"),
    )
    post = next(c for c in fake_backend.calls if c[0] == "POST")
    assert post[2] == {"code": "482913", "zalo_user_id": "42"}
    assert messages[-1]["text"] == (
        "Đã liên kết Zalo với hộ Nhà chị Lan. Từ giờ tôi trả lời theo dữ liệu của nhà bạn."
    )


def test_handoff_pauses_and_gives_the_regional_hotline(fake_backend):
    messages, events = run(ActionHandoff(), tracker())
    assert ConversationPaused() in events
    assert "1900 1288" in messages[0]["text"]  # Hà Nội
    assert "2 người" in messages[0]["text"]


def asked_for_a_person(text: str, confidence: float) -> Tracker:
    track = tracker(text=text, intent="request_human")
    track.latest_message["intent"]["confidence"] = confidence
    return track


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ("cho tôi gặp nhân viên", 0.74),  # unsure
        ("em hỏi anh có muốn gặp nhân viên không à, thôi khỏi nhé", 0.95),  # a refusal
        ("ko cần nhân viên đâu", 0.97),
        (  # a story that mentions staff
            "hôm trước chị gọi tổng đài mãi không ai nghe, nhân viên bảo chờ, chị bực lắm rồi",
            0.93,
        ),
    ],
)
def test_a_handoff_that_is_not_plainly_asked_for_asks_first(fake_backend, text, confidence):
    messages, events = run(ActionHandoff(), asked_for_a_person(text, confidence))
    assert ConversationPaused() not in events
    assert events == [SlotSet("pending_change", {"kind": "handoff"})]
    assert "phải không?" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert not [c for c in fake_backend.calls if c[1] == "/api/v1/service/handoffs"]


def test_a_plain_ask_for_a_person_hands_over_at_once(fake_backend):
    _, events = run(ActionHandoff(), asked_for_a_person("cho tôi gặp nhân viên", 0.98))
    assert ConversationPaused() in events
    _, events = run(ActionHandoff(), asked_for_a_person("/request_human", 1.0))
    assert ConversationPaused() in events
    asked_again = asked_for_a_person("gặp nhân viên đi", 0.99)
    asked_again.slots["pending_change"] = {"kind": "handoff"}  # instead of answering the question
    _, events = run(ActionHandoff(), asked_again)
    assert events == [SlotSet("pending_change", None), ConversationPaused()]


def test_the_yes_to_a_handoff_hands_over_and_the_no_keeps_the_bot(fake_backend):
    pending = {"pending_change": {"kind": "handoff"}}
    messages, events = run(ActionApplyChange(), tracker(slots=pending, intent="deny"))
    assert ConversationPaused() not in events
    assert "chưa chuyển cho nhân viên" in messages[0]["text"]
    assert not [c for c in fake_backend.calls if c[1] == "/api/v1/service/handoffs"]
    messages, events = run(ActionApplyChange(), tracker(slots=pending, intent="affirm"))
    assert ConversationPaused() in events and SlotSet("pending_change", None) in events
    assert "Tôi đã chuyển cuộc trò chuyện cho nhân viên" in messages[0]["text"]
    assert [c for c in fake_backend.calls if c[1] == "/api/v1/service/handoffs"]


def test_backend_down_still_answers_plainly(monkeypatch):
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    messages, _ = run(ActionCheckUsage(), tracker())
    assert "chưa lấy được dữ liệu riêng" in messages[0]["text"]
    messages, events = run(ActionHandoff(), tracker())
    assert "tổng đài" in messages[0]["text"] and ConversationPaused() not in events
    messages, _ = run(ActionCompareBills(), tracker())
    assert "bậc" in messages[0]["text"]  # the general explanation still comes


def test_fallback_offers_topics_then_staff():
    first = tracker(
        events=[
            {"event": "user", "parse_data": {"intent": {"name": "greet"}}},
            {"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        ]
    )
    first.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback"},
        {"name": "ask_tariff"},
        {"name": "calculate_bill"},
    ]
    messages, _ = run(ActionDefaultFallback(), first)
    assert messages[0]["text"] == "Ý bạn là…?"
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_tariff", "/calculate_bill"]
    second = tracker(
        events=[
            {"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}},
            {"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        ]
    )
    messages, _ = run(ActionDefaultFallback(), second)
    assert "/request_human" in [b["payload"] for b in messages[0]["buttons"]]


@pytest.mark.parametrize("intent", sorted(TOPIC_TITLES))
def test_fallback_offers_every_topic_the_model_found_likely(intent):
    """The buttons follow the classifier's ranking for every topic with a flow of its own,
    budgets, forecasts, renters and linking included (not only the three defaults)."""
    unsure = tracker(events=[{"event": "user", "parse_data": {"intent": {"name": "nlu_fallback"}}}])
    unsure.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback"},
        {"name": "greet"},
        {"name": intent},
        {"name": "thank"},
    ]
    messages, _ = run(ActionDefaultFallback(), unsure)
    buttons = messages[0]["buttons"]
    assert buttons[0] == {"title": TOPIC_TITLES[intent], "payload": f"/{intent}"}


def test_the_fallback_can_offer_every_topic_with_a_flow_of_its_own():
    """Every intent that starts a flow has a button title; only conversation (greetings, yes/no,
    the answer to a usage alert or its repair, out of scope) has none. A button starts its flow by a rule."""
    domain = yaml.safe_load((BOT / "domain.yml").read_text(encoding="utf-8"))
    conversation = {
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "bot_challenge",
        "confirm_lasting_change",
        "deny_lasting_change",
        "report_repair",
        "out_of_scope",
    }
    assert set(TOPIC_TITLES) == set(domain["intents"]) - conversation
    handled = {
        step["intent"]
        for path in (BOT / "data" / "rules").glob("*.yml")
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", [])
        for step in rule.get("steps", [])
        if "intent" in step
    }
    assert set(TOPIC_TITLES) <= handled, set(TOPIC_TITLES) - handled


def test_outage_schedule_of_the_households_area(fake_backend):
    messages, _ = run(ActionOutageSchedule(), tracker())
    assert "8:00–12:00 thứ Năm 26/11 (Phường Hoàn Kiếm): Bảo dưỡng" in messages[0]["text"]


def test_data_is_deleted_only_after_yes(fake_backend):
    messages, events = run(ActionPrepareDeletion(), tracker(text="xóa dữ liệu của tôi"))
    assert messages[0]["text"].startswith("Bạn chắc chắn muốn xóa dữ liệu?")
    assert [b["title"] for b in messages[0]["buttons"]] == ["Có, xóa dữ liệu", "Không xóa"]
    assert events == [SlotSet("pending_change", {"kind": "deletion"})]
    assert not posted(fake_backend, "deletion")  # asked, nothing deleted
    messages, events = answer(events, "affirm")
    assert "Đã xóa toàn bộ dữ liệu" in messages[0]["text"]
    assert posted(fake_backend, "deletion") and events == [SlotSet("pending_change", None)]


def test_no_to_deleting_deletes_nothing(fake_backend):
    _, events = run(ActionPrepareDeletion(), tracker(text="xoa tai khoan di"))
    messages, events = answer(events, "deny")  # "thôi", "hủy", "không" are deny
    assert messages[0]["text"] == "Đã hủy, dữ liệu của bạn vẫn được giữ nguyên."
    assert not posted(fake_backend, "deletion") and events == [SlotSet("pending_change", None)]
    # a later "có" with nothing pending changes nothing
    messages, _ = run(ActionApplyChange(), tracker(intent="affirm"))
    assert messages[0]["text"] == "Vâng ạ. Bạn cần tôi giúp gì thêm không?"
    assert not posted(fake_backend, "deletion")


def test_delete_when_backend_is_down_says_nothing_was_deleted(monkeypatch):
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    deletion = {"pending_change": {"kind": "deletion"}}
    messages, _ = run(ActionApplyChange(), tracker(slots=deletion, intent="affirm"))
    assert "chưa bị xóa" in messages[-1]["text"]
