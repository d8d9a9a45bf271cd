"""Guests announced in chat: the days read from what households write, asked for when missing,
said back in the backend's words, and stored only after a yes."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from actions import guests
from actions.changes import ActionApplyChange
from actions.dates import StayDays, read_stay
from actions.guests import ActionPrepareGuestStay, ValidateGuestForm
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from tests.bot.actions_run import LINKED, make_tracker, run

SUNDAY = date(2026, 12, 6)
WEDNESDAY = date(2026, 12, 9)
STAYS = "/api/v1/service/households/hh-1/guest-stays"
TOO_LONG = "Ngày khách về quá xa: mỗi lần báo có khách tối đa 31 ngày."


def d(day: int, month: int = 12, year: int = 2026) -> date:
    return date(year, month, day)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("nhà có khách từ 24/12 đến 27/12", SUNDAY, StayDays(d(24), d(27))),
        ("nha co khach tu 24-27/12 nha ad", SUNDAY, StayDays(d(24), d(27))),
        ("từ ngày 20 đến ngày 23 nhà đông người", SUNDAY, StayDays(d(20), d(23))),
        ("28/12 - 2/1 con về nghỉ", SUNDAY, StayDays(d(28), d(2, 1, 2027))),
        ("ngày 10/12/2026 đến 15/12/2026", SUNDAY, StayDays(d(10), d(15))),
        ("mai nhà có khách ở 3 ngày", SUNDAY, StayDays(d(7), d(9))),
        ("mai nha co khach o 3 ngay", WEDNESDAY, StayDays(d(10), d(12))),
        ("hom nay co khach den choi 2 ngay", SUNDAY, StayDays(d(6), d(7))),
        ("3 ngày nữa khách đến, ở 2 hôm", SUNDAY, StayDays(d(9), d(10))),
        ("thứ 7 này bố mẹ lên chơi, ở một tuần", SUNDAY, StayDays(d(12), d(18))),
        ("t7 có khách tới cn về", WEDNESDAY, StayDays(d(12), d(13))),
        ("từ mai đến thứ 4", SUNDAY, StayDays(d(7), d(9))),
        ("cuối tuần này nhà có khách", WEDNESDAY, StayDays(d(12), d(13))),
        ("cuối tuần sau có khách", WEDNESDAY, StayDays(d(19), d(20))),
        ("cả tuần sau nhà đông người", WEDNESDAY, StayDays(d(14), d(20))),
        ("thứ hai tuần sau khách tới", SUNDAY, StayDays(d(7), None)),
        ("mốt ông bà lên chơi", SUNDAY, StayDays(d(8), None)),
        # what is vague is not guessed: the form asks
        ("tuần sau nhà có khách", SUNDAY, StayDays()),
        ("mai mốt có khách", SUNDAY, StayDays()),
        ("nhà có khách mấy hôm", SUNDAY, StayDays()),
        ("Tết này nhà có khách", SUNDAY, StayDays()),
        ("từ 27/12 đến 24/12", SUNDAY, StayDays(d(27), None)),
        # the calendar's edges: a past 29/2 has no next-year day, "ngày 5" in late December
        ("khách đến 29/2", date(2028, 3, 20), StayDays()),
        ("khách đến 29/2 ở 3 ngày", date(2028, 2, 20), StayDays(d(29, 2, 2028), d(2, 3, 2028))),
        (
            "có khách từ ngày 5 đến ngày 8",
            date(2026, 12, 20),
            StayDays(d(5, 1, 2027), d(8, 1, 2027)),
        ),
        ("từ ngày 31 có khách", date(2026, 4, 20), StayDays()),
        # the days of Tết, in Vietnam's lunar calendar: Tết Đinh Mùi is 6/2/2027, Mậu Thân 26/1/2028
        (
            "Tết này từ mùng 2 đến mùng 5 nhà có khách",
            SUNDAY,
            StayDays(d(7, 2, 2027), d(10, 2, 2027)),
        ),
        ("mung 2 tet ong ba len choi o 1 tuan", SUNDAY, StayDays(d(7, 2, 2027), d(13, 2, 2027))),
        ("mùng 2-5 Tết nhà đông người", SUNDAY, StayDays(d(7, 2, 2027), d(10, 2, 2027))),
        ("từ 30 Tết đến mùng 4 con cháu về", SUNDAY, StayDays(d(5, 2, 2027), d(9, 2, 2027))),
        ("giao thừa khách tới, ở 3 ngày", SUNDAY, StayDays(d(5, 2, 2027), d(7, 2, 2027))),
        ("mùng hai tết có khách tới mùng sáu về", SUNDAY, StayDays(d(7, 2, 2027), d(11, 2, 2027))),
        ("mùng 3 tháng giêng có khách ở 2 hôm", SUNDAY, StayDays(d(8, 2, 2027), d(9, 2, 2027))),
        (
            "mùng 2 tết có khách ở 3 ngày",
            date(2027, 2, 25),
            StayDays(d(27, 1, 2028), d(29, 1, 2028)),
        ),
        (
            "Tết này họ hàng về nhà ở từ 28 Tết đến mùng 4",
            SUNDAY,
            StayDays(d(4, 2, 2027), d(9, 2, 2027)),
        ),
        ("ngày 29 tết khách tới ở 1 tuần", SUNDAY, StayDays(d(5, 2, 2027), d(11, 2, 2027))),
        (
            "Tết này nhà anh trai về, ở từ 28 đến mùng 5",
            SUNDAY,
            StayDays(d(4, 2, 2027), d(10, 2, 2027)),
        ),
        ("từ 28/12 đến mùng 2 tết", SUNDAY, StayDays(d(28), d(7, 2, 2027))),
        # a lunar date that is not Tết's is not read: the form asks
        ("giỗ ông 10/3 âm lịch, họ hàng về từ mùng 8 đến mùng 11", SUNDAY, StayDays()),
        ("từ 28 tết đến mùng 2", date(2033, 1, 5), StayDays(d(28, 1, 2033), d(1, 2, 2033))),
        # "mùng" without Tết is a day of the month; Tết dương lịch is 1 January
        ("mùng 5 tháng sau có khách ở 2 ngày", SUNDAY, StayDays(d(5, 1, 2027), d(6, 1, 2027))),
        ("mùng 10/12 có khách ở 2 ngày", SUNDAY, StayDays(d(10), d(11))),
        (
            "mùng 1 tết dương lịch khách đến ở 2 ngày",
            SUNDAY,
            StayDays(d(1, 1, 2027), d(2, 1, 2027)),
        ),
        ("mùng 20 tết có khách", SUNDAY, StayDays()),
    ],
)
def test_the_days_of_a_stay_are_read_as_written(text, today, expected):
    assert read_stay(text, today=today) == expected


@pytest.mark.parametrize(
    ("text", "last"),
    [
        ("đến 27/12", d(27)),
        ("ở 3 ngày", d(26)),
        ("khoảng 1 tuần", d(30)),
        ("mấy hôm", None),
        ("ở tới 27/12 mới về", d(27)),
        ("chắc ở lại 2 đêm", d(26)),
    ],
)
def test_the_last_day_is_read_from_the_answer_to_the_second_question(text, last):
    assert read_stay(text, today=SUNDAY, first=d(24)) == StayDays(d(24), last)


def validate(
    text: str, slots: dict | None = None, earlier: tuple[str, ...] = ()
) -> tuple[list[dict], list]:
    """The form's validation of `text`, after the user messages `earlier` (oldest first)."""
    dispatcher = CollectingDispatcher()
    said = [{"event": "user", "text": t} for t in (*earlier, text)]
    track = make_tracker(text=text, slots=slots or {}, events=said)
    events = asyncio.run(ValidateGuestForm().run(dispatcher, track, {}))
    return dispatcher.messages, events


@pytest.fixture
def sunday(monkeypatch):
    monkeypatch.setattr(guests, "vietnam_today", lambda: SUNDAY)


def test_the_form_fills_both_days_from_one_message(sunday):
    messages, events = validate("nhà có khách từ 24/12 đến 27/12")
    assert messages == []
    assert events == [SlotSet("guest_first", "2026-12-24"), SlotSet("guest_last", "2026-12-27")]


def test_the_form_asks_for_the_last_day_and_reads_the_answer(sunday):
    messages, events = validate("mai nhà có khách")
    assert messages == []  # the form asks its own question (utter_ask_guest_last)
    assert events == [SlotSet("guest_first", "2026-12-07"), SlotSet("guest_last", None)]
    asked = {"guest_first": "2026-12-07", "requested_slot": "guest_last"}
    messages, events = validate("ở 4 ngày nha", asked)
    assert events == [SlotSet("guest_first", "2026-12-07"), SlotSet("guest_last", "2026-12-10")]
    messages, events = validate("chắc lâu lâu", asked)
    assert "chưa đọc được khách ở đến ngày nào" in messages[0]["text"]
    assert SlotSet("guest_last", None) in events


def test_nothing_readable_asks_and_thoi_stops(sunday):
    messages, events = validate("cái gì cũng được", {"requested_slot": "guest_first"})
    assert "chưa đọc được ngày khách đến" in messages[0]["text"]
    messages, events = validate("thôi", {"requested_slot": "guest_first"})
    assert messages[0]["text"].startswith("Vâng, tôi dừng ở đây.")
    assert SlotSet("guest_first", "-") in events and SlotSet("requested_slot", None) in events
    messages, events = run(ActionPrepareGuestStay(), make_tracker(slots={"guest_first": "-"}))
    assert messages == [] and SlotSet("pending_change", None) in events


def stays_backend(method: str, path: str, body: Any) -> tuple[int, Any]:
    """The backend's answers as backend/api/service.py sends them (tests/backend checks them)."""
    if path == "/api/v1/service/senders/hh-1":
        return 200, LINKED
    if path == f"{STAYS}/preview":
        if body["last_day"] > "2027-01-05":
            return 422, {
                "code": "invalid",
                "message": TOO_LONG,
                "field": "last_day",
            }
        return 200, {"stay": {**body, "period_text": "từ 24/12/2026 đến 27/12/2026 (backend)"}}
    if path == STAYS and method == "POST":
        first = "2026-12-22" if body["first_day"] == "2026-12-23" else body["first_day"]
        return 201, {
            "stay": {
                "id": 3,
                "first_day": first,
                "last_day": body["last_day"],
                "period_text": f"từ {first} đến {body['last_day']} (backend)",
            }
        }
    return 404, {"code": "not_found", "message": path}


@pytest.fixture
def backend(fake_server, monkeypatch):
    server = fake_server(stays_backend)
    monkeypatch.setenv("BACKEND_URL", server.url)
    return server


def stored(server) -> list:
    return [call for call in server.calls if call[:2] == ("POST", STAYS)]


def prepare(first: str, last: str):
    return run(
        ActionPrepareGuestStay(), make_tracker(slots={"guest_first": first, "guest_last": last})
    )


def answer(events: list, intent: str):
    pending = next(e["value"] for e in events if e.get("name") == "pending_change")
    return run(ActionApplyChange(), make_tracker(slots={"pending_change": pending}, intent=intent))


def test_a_stay_is_said_in_the_backends_words_and_stored_only_after_yes(backend):
    messages, events = prepare("2026-12-24", "2026-12-27")
    question = messages[0]["text"]
    assert question.startswith(
        "Nhà bạn có khách từ 24/12/2026 đến 27/12/2026 (backend), đúng không ạ?"
    )
    assert "không gửi cảnh báo dùng điện tăng bất thường" in question
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert SlotSet("guest_first", None) in events and not stored(backend)
    messages, events = answer(events, "affirm")
    assert stored(backend)[0][2] == {"first_day": "2026-12-24", "last_day": "2026-12-27"}
    assert messages[0]["text"].startswith(
        "Đã ghi: nhà bạn có khách từ 2026-12-24 đến 2026-12-27 (backend)."
    )
    assert events == [SlotSet("pending_change", None)]


def test_no_stores_nothing_and_a_merge_is_said(backend):
    _, events = prepare("2026-12-24", "2026-12-27")
    messages, _ = answer(events, "deny")
    assert messages[0]["text"] == "Vâng, tôi chưa ghi lại đợt khách nào." and not stored(backend)
    _, events = prepare("2026-12-23", "2026-12-27")
    messages, _ = answer(events, "affirm")
    assert "(gộp với đợt bạn đã báo trước)" in messages[0]["text"]


def test_a_stay_the_backend_refuses_is_explained_and_not_asked(backend):
    messages, events = prepare("2026-12-24", "2027-02-27")
    assert messages[0]["text"] == f"Tôi chưa ghi được. {TOO_LONG}"
    assert SlotSet("pending_change", None) in events and not stored(backend)


def test_tet_said_in_the_request_makes_a_bare_mung_in_the_answer_tets(sunday):
    asked = {"requested_slot": "guest_first"}
    # December, far from Tết: "mùng 2" alone names no month
    messages, events = validate("mùng 2", asked)
    assert "chưa đọc được ngày khách đến" in messages[0]["text"]
    # the request spoke of Tết: the answer is Tết's mùng 2 (6/2/2027 is mùng 1)
    messages, events = validate("mùng 2, ở 3 ngày", asked, earlier=("Tết này nhà có khách",))
    assert messages == []
    assert events == [SlotSet("guest_first", "2027-02-07"), SlotSet("guest_last", "2027-02-09")]


def stay(stay_id: int, first: str, last: str) -> dict[str, Any]:
    """A stay as GET /api/v1/service/households/<id>/guest-stays lists it."""
    return {"id": stay_id, "first_day": first, "last_day": last, "period_text": f"{first}–{last}"}


def withdraw_backend(listed: list[dict[str, Any]]):
    def answer(method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/api/v1/service/senders/hh-1":
            return 200, LINKED
        if path == STAYS and method == "GET":
            return 200, {"stays": listed}
        for one in listed:
            if method == "DELETE" and path == f"{STAYS}/{one['id']}":
                return 200, {"stay": one}
        return 404, {
            "code": "not_found",
            "message": "Không tìm thấy đợt khách này.",
            "field": "stay_id",
        }

    return answer


def deleted(server) -> list[str]:
    return [call[1] for call in server.calls if call[0] == "DELETE"]


def withdraw(fake_server, monkeypatch, listed: list[dict[str, Any]], text: str):
    server = fake_server(withdraw_backend(listed))
    monkeypatch.setenv("BACKEND_URL", server.url)
    messages, events = run(guests.ActionWithdrawGuestStay(), make_tracker(text=text))
    return server, messages, events


def test_the_only_stay_is_named_and_withdrawn_only_after_yes(fake_server, monkeypatch, sunday):
    only = stay(4, "2026-12-24", "2026-12-27")
    server, messages, events = withdraw(fake_server, monkeypatch, [only], "khách không đến nữa")
    assert messages[0]["text"].startswith(
        "Bỏ đợt khách 2026-12-24–2026-12-27 bạn đã báo, đúng không ạ?"
    )
    assert "gửi cảnh báo nếu dùng tăng bất thường" in messages[0]["text"]
    assert not deleted(server)
    messages, _ = answer(events, "deny")
    assert messages[0]["text"] == "Vâng, tôi giữ nguyên đợt khách bạn đã báo."
    assert not deleted(server)
    messages, after = answer(events, "affirm")
    assert deleted(server) == [f"{STAYS}/4"]
    assert messages[0]["text"].startswith("Đã bỏ đợt khách 2026-12-24–2026-12-27.")
    assert after == [SlotSet("pending_change", None)]


def test_of_several_stays_the_one_holding_the_day_named_is_asked_about(
    fake_server, monkeypatch, sunday
):
    listed = [stay(1, "2026-12-10", "2026-12-12"), stay(2, "2026-12-24", "2026-12-27")]
    _, messages, events = withdraw(fake_server, monkeypatch, listed, "bỏ đợt khách ngày 25/12")
    assert messages[0]["text"].startswith("Bỏ đợt khách 2026-12-24–2026-12-27 bạn đã báo")
    pending = next(e["value"] for e in events if e.get("name") == "pending_change")
    assert pending == {"kind": "guest_withdrawal", "id": 2}


@pytest.mark.parametrize("text", ["khách không đến nữa", "bỏ đợt khách ngày 20/12"])
def test_of_several_stays_none_is_guessed(fake_server, monkeypatch, sunday, text):
    listed = [stay(1, "2026-12-10", "2026-12-12"), stay(2, "2026-12-24", "2026-12-27")]
    server, messages, events = withdraw(fake_server, monkeypatch, listed, text)
    assert messages[0]["text"] == (
        "Nhà bạn đã báo 2 đợt khách: 2026-12-10–2026-12-12; 2026-12-24–2026-12-27. Bạn muốn bỏ"
        ' đợt nào? Nhắn giúp kiểu: "bỏ đợt khách ngày …" với một ngày của đợt đó.'
    )
    assert events == [SlotSet("pending_change", None)] and not deleted(server)


def test_with_no_stay_announced_nothing_is_asked(fake_server, monkeypatch, sunday):
    server, messages, events = withdraw(fake_server, monkeypatch, [], "hủy báo có khách")
    assert messages[0]["text"] == guests.NOTHING_TO_WITHDRAW
    assert events == [SlotSet("pending_change", None)] and not deleted(server)


@pytest.mark.parametrize("stay_id", [9, "abc", None, True])
def test_a_stay_already_gone_is_explained(fake_server, monkeypatch, stay_id):
    server = fake_server(withdraw_backend([]))
    monkeypatch.setenv("BACKEND_URL", server.url)
    messages, _ = answer(
        [SlotSet("pending_change", {"kind": "guest_withdrawal", "id": stay_id})], "affirm"
    )
    assert messages[0]["text"] == "Tôi chưa bỏ được. Không tìm thấy đợt khách này."
