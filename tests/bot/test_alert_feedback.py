"""The answer to a usage alert from chat (actions/alert_feedback.py), against a fake backend over
real HTTP: asked back first, recorded only after a yes, and never for an unlinked chat."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from actions import alert_feedback
from actions.alert_feedback import (
    NO_ALERT,
    NO_ALERT_REPAIR,
    ActionPrepareAlertFeedback,
    ActionPrepareAlertRepair,
    note_from,
)
from actions.changes import ActionApplyChange
from actions.common import NOT_LINKED, UNAVAILABLE
from actions.usage import CHANGE_QUESTION, REPAIR_HINT, ActionCheckUsage
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from tests.bot.actions_run import LINKED, make_tracker, run
from tests.bot.actions_run import USAGE as SHARED_USAGE
from tests.bot.served_facts import served_facts

ALERT = {
    "id": 7,
    "start_day": "2026-11-20",
    "start_day_text": "20/11",
    "last_day": "2026-11-26",
    "is_open": True,
    "explanation": "Tuần qua nhà bạn dùng cao hơn mức dự kiến theo thời tiết khoảng 35%.",
    "lasting_change": None,
    "note": None,
    "repaired_on": None,
    "repaired_on_text": None,
}
USAGE = {
    **SHARED_USAGE,
    "neighbours_median_kwh": None,
    "anomaly": {
        "is_anomaly": True,
        "anomaly_id": 7,
        "lasting_change": None,
        "feedback_note": None,
        "repaired_on": None,
        "repair_offered": True,
        "explanation": ALERT["explanation"],
    },
}
# as the backend's CHANGE_KINDS say them back
KINDS = {
    "air_conditioner": "dùng điều hòa nhiều hơn (backend)",
    "people": "có thêm người ở (backend)",
    "appliance": "có thêm thiết bị khác (backend)",
}
FEEDBACK = "/api/v1/service/households/hh-1/anomalies/7/feedback"
REPAIRED = "/api/v1/service/households/hh-1/anomalies/7/repaired"
CLOSED = "Cảnh báo này đã đóng, không cần báo sửa nữa."
STAYS = "/api/v1/service/households/hh-1/guest-stays"


def period(body: dict[str, Any]) -> str:
    return f"từ {body['first_day']} đến {body['last_day']} (backend)"


class Backend:
    """The backend's answers for one household with one usage alert (`alert`, None: none)."""

    def __init__(self) -> None:
        self.alert: dict[str, Any] | None = dict(ALERT)
        self.usage: dict[str, Any] = {**USAGE, "anomaly": dict(USAGE["anomaly"])}
        self.stays: list[dict[str, Any]] = []
        self.kinds: dict[str, str] | None = KINDS  # None: a backend that offers no kinds

    def __call__(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/api/v1/facts":
            return 200, served_facts()
        if path == "/api/v1/service/senders/hh-1":
            return 200, LINKED
        if path.startswith("/api/v1/service/senders/"):
            return 200, {"household_id": None, "linked": False}
        if path == "/api/v1/service/households/hh-1/usage":
            return 200, self.usage
        if path == "/api/v1/service/households/hh-1/anomalies/latest":
            kinds = {"change_kinds": self.kinds} if self.kinds else {}
            return 200, {"anomaly": self.alert, **kinds}
        if path == f"{STAYS}/preview" and method == "POST":
            if body["first_day"] < "2026-11-13":  # as the backend: told more than a week late
                return 422, {"code": "invalid", "message": "Quá muộn.", "field": "first_day"}
            return 200, {"stay": {**body, "period_text": period(body)}}
        if path == STAYS and method == "POST":
            self.stays.append(body)
            return 201, {"stay": {**body, "id": len(self.stays), "period_text": period(body)}}
        if path == FEEDBACK and method == "POST" and self.alert is not None:
            if body.get("change") not in (None, *KINDS):  # as the backend: 422 on an unknown
                return 422, {"code": "invalid", "message": "?", "field": "change"}
            kept = self.alert.get("change_text") if self.alert["lasting_change"] else None
            self.alert = {**self.alert, "lasting_change": body["lasting_change"]}
            self.alert["note"] = body["note"]
            # as the backend: a yes that says nothing keeps what an earlier yes said
            said = KINDS.get(body.get("change") or "")
            self.alert["change_text"] = (said or kept) if body["lasting_change"] else None
            return 200, {"anomaly": self.alert}
        if path == REPAIRED and method == "POST" and self.alert is not None:
            if not self.alert["is_open"]:  # as the backend: a closed alert needs no repair
                return 409, {"code": "conflict", "message": CLOSED, "field": "anomaly_id"}
            self.alert = {**self.alert, "lasting_change": False, "note": None}
            self.alert.update(repaired_on="2026-11-27", repaired_on_text="27/11")
            return 200, {"anomaly": self.alert}
        return 404, {"code": "not_found", "message": path}


@pytest.fixture
def backend(fake_server, monkeypatch):
    state = Backend()
    server = fake_server(state)
    server.state = state  # type: ignore[attr-defined]
    monkeypatch.setenv("BACKEND_URL", server.url)
    return server


def tracker(text: str, intent: str, sender: str = "hh-1", slots: dict | None = None) -> Tracker:
    return make_tracker(sender=sender, text=text, intent=intent, slots=slots)


def pending(events: list) -> Any:
    return next(e["value"] for e in events if e.get("name") == "pending_change")


def answer(events: list, intent: str, sender: str = "hh-1") -> tuple[list[dict], list]:
    return run(
        ActionApplyChange(),
        tracker("", intent, sender=sender, slots={"pending_change": pending(events)}),
    )


def posts(server) -> list:
    return [c for c in server.calls if c[0] == "POST"]


def test_a_lasting_change_is_asked_back_then_recorded_on_yes(backend):
    text = "có, nhà mới mua thêm điều hòa"
    messages, events = run(ActionPrepareAlertFeedback(), tracker(text, "confirm_lasting_change"))
    assert not posts(backend)  # nothing stored before the yes
    question = messages[-1]["text"]
    assert "từ ngày 20/11" in question and "thay đổi lâu dài" in question
    assert f'("{text}")' in question and "mức dùng mới" in question and "nhân viên" in question
    assert f'thay đổi lâu dài — dùng điều hòa nhiều hơn (backend) ("{text}")' in question
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/affirm", "/deny"]
    assert pending(events) == {
        "kind": "alert_feedback",
        "anomaly_id": 7,
        "lasting_change": True,
        "note": text,
        "start_day_text": "20/11",
        "change": "air_conditioner",
    }
    messages, events = answer(events, "affirm")
    [post] = posts(backend)
    assert post[1] == FEEDBACK
    assert post[2] == {"lasting_change": True, "note": text, "change": "air_conditioner"}
    assert post[3]["Authorization"] == "Bearer dev-service-token"
    reply = messages[-1]["text"]
    assert reply.startswith(
        "Đã ghi lại: nhà bạn có thay đổi lâu dài từ ngày 20/11 — dùng điều hòa nhiều hơn (backend)."
    )
    assert "mức dùng mới" in reply and "nhân viên chăm sóc khách hàng" in reply
    assert SlotSet("pending_change", None) in events
    assert backend.state.alert["lasting_change"] is True


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("có, nhà mới lắp thêm máy lạnh", "air_conditioner"),
        ("co nha moi mua them dieu hoa phong ngu", "air_conditioner"),
        ("đúng rồi, nhà có em bé mới sinh", "people"),
        ("co, nha them 2 nguoi o ghep", "people"),
        ("có, nhà mới mua xe máy điện", "appliance"),
        ("đúng, mua thêm tủ đông để bán hàng", "appliance"),
        ("có em bé nên bật điều hòa suốt đêm", "people"),  # the first named
        ("có, mua máy giặt mới, điều hòa thì vẫn vậy", "appliance"),
        ("có, mua tủ lạnh cho người thuê", "appliance"),
        ("có, không phải điều hòa mà là máy sấy", "appliance"),  # denied names are skipped
        ("có thêm người ở, chưa lắp điều hòa", "people"),
        ("có, không thêm người nào, chỉ mua máy sấy", "appliance"),
        ("có, thiết bị khác, không phải điều hòa", None),
        ("đúng rồi, cha mẹ tôi lên ở cùng", "people"),  # "cha" is not "chả"
        ("có, chàng rể mới về ở chung", "people"),
        ("có, không phải do cái máy lạnh, mà do mới mua tủ đông", "appliance"),
        ("có, chưa mua thêm cái điều hòa nào, chỉ có thêm người ở", "people"),
        ("đâu phải điều hòa, mua máy sấy", "appliance"),
        ("co, hong phai dieu hoa, may say do moi mua", "appliance"),
        ("điều hòa thì không, chỉ mua thêm máy giặt", "appliance"),  # denied after the name
        ("có, bình nóng lạnh tôi cài tự động bật cả ngày", None),
        ("vợ tôi nghỉ sinh, bé cả ngày ở nhà", None),  # "bé cả" is not a fish tank
        ("có, bình nóng lạnh để chế độ tự động cả ngày", None),  # nor "tự động" a freezer
        ("có, nhà mới thay bình nóng lạnh to hơn", None),  # follows the cold: not said
        ("có, dạo này làm việc ở nhà", None),
    ],
)
def test_what_changed_is_read_from_the_words_and_said_back(backend, text, kind):
    messages, events = run(ActionPrepareAlertFeedback(), tracker(text, "confirm_lasting_change"))
    assert pending(events).get("change") == kind
    question = messages[-1]["text"]
    expected = f"thay đổi lâu dài — {KINDS[kind]}" if kind else f'thay đổi lâu dài ("{text}")'
    assert expected in question
    messages, _ = answer(events, "affirm")
    [post] = posts(backend)
    assert post[2].get("change") == kind
    said = f"từ ngày 20/11 — {KINDS[kind]}." if kind else "từ ngày 20/11. "
    assert said in messages[-1]["text"]


def test_a_yes_that_names_nothing_offers_what_changed_as_buttons(backend):
    """The usage answer's button ("Có thay đổi lâu dài") sends no words: the yes buttons say what
    changed, as the app's card asks, and a plain yes is still there."""
    messages, events = run(
        ActionPrepareAlertFeedback(), tracker("/confirm_lasting_change", "confirm_lasting_change")
    )
    question = messages[-1]
    assert question["text"].endswith(
        "Bạn đồng ý không? Nếu biết, bạn chọn luôn điều gì đã thay đổi nhé."
    )
    assert [(b["title"], b["payload"]) for b in question["buttons"]] == [
        (f"Đồng ý — {KINDS['air_conditioner']}", '/affirm{"change_kind": "air_conditioner"}'),
        (f"Đồng ý — {KINDS['people']}", '/affirm{"change_kind": "people"}'),
        (f"Đồng ý — {KINDS['appliance']}", '/affirm{"change_kind": "appliance"}'),
        ("Đồng ý, thay đổi khác hoặc không rõ", "/affirm"),
        ("Không", "/deny"),
    ]
    assert "change" not in pending(events)


@pytest.mark.parametrize(
    ("text", "entities", "kind"),
    [
        (
            '/affirm{"change_kind": "people"}',
            [{"entity": "change_kind", "value": "people"}],
            "people",
        ),
        ("ừ đúng, nhà mới lắp máy lạnh", [], "air_conditioner"),  # a typed yes that names it
        ("/affirm", [], None),
        ('/affirm{"change_kind": "pool"}', [{"entity": "change_kind", "value": "pool"}], None),
    ],
)
def test_the_yes_that_chose_what_changed_is_recorded_with_it(backend, text, entities, kind):
    _, events = run(
        ActionPrepareAlertFeedback(), tracker("/confirm_lasting_change", "confirm_lasting_change")
    )
    slots = {"pending_change": pending(events)}
    yes = make_tracker(sender="hh-1", text=text, intent="affirm", slots=slots, entities=entities)
    messages, _ = run(ActionApplyChange(), yes)
    [post] = posts(backend)
    assert post[2].get("change") == kind
    said = f"từ ngày 20/11 — {KINDS[kind]}." if kind else "từ ngày 20/11. "
    assert said in messages[-1]["text"]


def test_a_second_yes_that_names_nothing_keeps_what_the_first_said(backend):
    backend.state.alert.update(lasting_change=True, change_text=KINDS["people"])
    messages, events = run(
        ActionPrepareAlertFeedback(), tracker("có thay đổi lâu dài", "confirm_lasting_change")
    )
    question = messages[-1]
    assert f"thay đổi lâu dài — {KINDS['people']}" in question["text"]
    assert "thay cho câu trả lời trước" in question["text"]
    assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny"]  # nothing to pick
    answer(events, "affirm")
    [post] = posts(backend)
    assert "change" not in post[2]  # the backend keeps what the first yes said


@pytest.mark.parametrize(
    "text",
    [
        "có, nhà mới thay bình nóng lạnh to hơn",  # follows the weather: no kind fits
        "có, nhà mới lắp máy lạnh",  # named, though this backend does not take it
    ],
)
def test_no_kinds_are_offered_when_the_words_name_a_device(backend, text):
    backend.state.kinds = {"people": KINDS["people"], "appliance": KINDS["appliance"]}
    messages, events = run(ActionPrepareAlertFeedback(), tracker(text, "confirm_lasting_change"))
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/affirm", "/deny"]
    assert "offered" not in pending(events) and "change" not in pending(events)


@pytest.mark.parametrize(
    ("typed", "kind"),
    [(f"Đồng ý — {KINDS['people']}", "people"), ("Đồng ý, thay đổi khác hoặc không rõ", None)],
)
def test_a_kind_typed_in_answer_to_the_kinds_question_is_the_yes(backend, typed, kind):
    """Zalo shows the buttons as text to type: the typed title, read as a lasting change, is the
    yes to the question just asked, not a new answer to ask about again."""
    _, events = run(
        ActionPrepareAlertFeedback(), tracker("/confirm_lasting_change", "confirm_lasting_change")
    )
    asked = [
        {"event": "action", "name": "action_prepare_alert_feedback"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": typed},
    ]
    again = make_tracker(
        sender="hh-1",
        text=typed,
        intent="confirm_lasting_change",
        slots={"pending_change": pending(events)},
        events=asked,
    )
    messages, events = run(ActionPrepareAlertFeedback(), again)
    [post] = posts(backend)
    assert post[2].get("change") == kind
    assert messages[-1]["text"].startswith("Đã ghi lại: nhà bạn có thay đổi lâu dài")
    assert SlotSet("pending_change", None) in events


def test_a_kind_the_backend_does_not_take_is_left_unsaid(backend):
    backend.state.kinds = {"people": KINDS["people"]}  # no air conditioner among them
    messages, events = run(
        ActionPrepareAlertFeedback(),
        tracker("có, nhà mới lắp thêm máy lạnh", "confirm_lasting_change"),
    )
    assert "change" not in pending(events)
    assert 'thay đổi lâu dài ("có, nhà mới lắp thêm máy lạnh")' in messages[-1]["text"]


def test_a_no_says_nothing_changed_whatever_its_words(backend):
    text = "không, điều hòa vẫn như cũ"
    _, events = run(ActionPrepareAlertFeedback(), tracker(text, "deny_lasting_change"))
    assert "change" not in pending(events)


def test_nothing_changed_is_recorded_as_no_lasting_change(backend):
    text = "không, không có gì thay đổi"
    messages, events = run(ActionPrepareAlertFeedback(), tracker(text, "deny_lasting_change"))
    assert "không có thay đổi lâu dài nào" in messages[-1]["text"]
    assert pending(events)["lasting_change"] is False
    messages, _ = answer(events, "affirm")
    assert posts(backend)[0][2] == {"lasting_change": False, "note": text}
    assert messages[-1]["text"].startswith("Đã ghi lại: nhà bạn không có thay đổi lâu dài nào.")


@pytest.mark.parametrize("intent", ["deny", "out_of_scope"])
def test_without_a_yes_nothing_is_recorded(backend, intent):
    _, events = run(
        ActionPrepareAlertFeedback(), tracker("đúng rồi, nhà có em bé", "confirm_lasting_change")
    )
    messages, events = answer(events, intent)
    assert not posts(backend)
    assert "chưa ghi lại" in messages[-1]["text"]
    assert SlotSet("pending_change", None) in events
    assert backend.state.alert["lasting_change"] is None


def test_an_unlinked_chat_is_told_to_link_first(backend):
    messages, events = run(
        ActionPrepareAlertFeedback(),
        tracker("có, nhà mới mua thêm điều hòa", "confirm_lasting_change", sender="zalo-999"),
    )
    assert messages[-1]["text"] == NOT_LINKED
    assert not [c for c in backend.calls if "/anomalies/" in c[1]]
    assert SlotSet("pending_change", None) in events and len(events) == 1


def test_without_a_recent_alert_there_is_nothing_to_answer(backend):
    backend.state.alert = None
    messages, events = run(
        ActionPrepareAlertFeedback(),
        tracker("có, nhà mới mua thêm điều hòa", "confirm_lasting_change"),
    )
    assert messages[-1]["text"] == NO_ALERT
    assert events == [SlotSet("pending_change", None)]


def test_a_bare_yes_answers_only_an_open_unanswered_alert(backend):
    # the usage answer asked: a bare "có" is the yes, with no words for staff
    messages, events = run(ActionPrepareAlertFeedback(), tracker("có", "affirm"))
    assert pending(events)["lasting_change"] is True and pending(events)["note"] is None
    # once answered, a bare "có" after a usage answer is not taken as a second answer
    backend.state.alert["lasting_change"] = True
    messages, events = run(ActionPrepareAlertFeedback(), tracker("có", "affirm"))
    assert [m.get("response") for m in messages] == ["utter_anything_else"]
    assert events == [SlotSet("pending_change", None)]


@pytest.mark.parametrize("intent", ["affirm", "deny"])
def test_a_bare_yes_or_no_answers_nothing_once_use_is_back_to_normal(backend, intent):
    """The usage answer of an easing alert asks no question: a bare "có" (meant, say, as "I fixed
    it") must not become "my use changed for good", which would teach the model the fault."""
    backend.state.alert["easing"] = True
    messages, events = run(ActionPrepareAlertFeedback(), tracker("có", intent))
    assert [m.get("response") for m in messages] == ["utter_anything_else"]
    assert events == [SlotSet("pending_change", None)]
    # said in words, the answer is still taken (and asked back before anything is stored)
    messages, events = run(
        ActionPrepareAlertFeedback(),
        tracker("có, nhà mới mua thêm điều hòa", "confirm_lasting_change"),
    )
    assert pending(events)["lasting_change"] is True and not posts(backend)


def test_a_later_answer_says_it_replaces_the_earlier_one(backend):
    backend.state.alert["lasting_change"] = False
    messages, _ = run(
        ActionPrepareAlertFeedback(), tracker("đúng rồi, nhà có em bé", "confirm_lasting_change")
    )
    assert "thay cho câu trả lời trước" in messages[-1]["text"]


def test_backend_down_when_recording_says_it_was_not_recorded(backend, monkeypatch):
    _, events = run(
        ActionPrepareAlertFeedback(), tracker("đúng rồi, nhà có em bé", "confirm_lasting_change")
    )
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")  # nothing listens there
    messages, _ = answer(events, "affirm")
    assert messages[-1]["text"] == UNAVAILABLE + " Câu trả lời của bạn chưa được ghi lại."


def test_the_usage_answer_asks_the_question_with_buttons_until_answered(backend):
    messages, _ = run(ActionCheckUsage(), tracker("nhà tôi dùng điện có bình thường không", ""))
    # the question last, which a bare "có" answers
    assert messages[-1]["text"].endswith(f"{REPAIR_HINT} {CHANGE_QUESTION}")
    payloads = [b["payload"] for b in messages[-1]["buttons"]]
    assert payloads == [
        "/confirm_lasting_change",
        "/deny_lasting_change",
        "/report_repair",
        "/ask_saving_tips",
    ]
    backend.state.usage["anomaly"]["lasting_change"] = True  # a new normal: nothing to repair
    backend.state.usage["anomaly"]["repair_offered"] = False
    messages, _ = run(ActionCheckUsage(), tracker("nhà tôi dùng điện có bình thường không", ""))
    assert CHANGE_QUESTION not in messages[-1]["text"] and REPAIR_HINT not in messages[-1]["text"]
    assert [b["payload"] for b in messages[-1]["buttons"]] == [
        "/ask_bill_spike",
        "/ask_saving_tips",
    ]


@pytest.mark.parametrize("offered", [True, False])
def test_the_usage_answer_offers_the_repair_as_the_backend_decides(backend, offered):
    """The backend decides (not once told, nor after a new normal or guests), for the app too."""
    backend.state.usage["anomaly"].update(lasting_change=False, repair_offered=offered)
    messages, _ = run(ActionCheckUsage(), tracker("nhà tôi dùng điện có bình thường không", ""))
    assert messages[-1]["text"].endswith(REPAIR_HINT) is offered
    assert CHANGE_QUESTION not in messages[-1]["text"]
    assert ("/report_repair" in [b["payload"] for b in messages[-1]["buttons"]]) is offered


@pytest.mark.parametrize("easing", [False, True])
def test_the_usage_answer_says_use_is_higher_only_while_the_alerts_last_week_is(backend, easing):
    """An alert still open after its excess stopped: the backend's explanation says use is back to
    normal, and the bot does not put "using more than usual" in front of it."""
    backend.state.usage["anomaly"]["easing"] = easing
    messages, _ = run(ActionCheckUsage(), tracker("nhà tôi dùng điện có bình thường không", ""))
    said = messages[-1]["text"]
    assert ("đang dùng điện nhiều hơn thường lệ" in said) is not easing
    assert USAGE["anomaly"]["explanation"] in said
    # whether use changed for good is not asked of a week back to normal; a repair still may be
    assert (CHANGE_QUESTION in said) is not easing and said.count(REPAIR_HINT) == 1
    # nor the hedge that points at a new normal it no longer asks about
    assert ("thêm người ở hay thêm thiết bị" in said) is not easing
    payloads = [b["payload"] for b in messages[-1]["buttons"]]
    assert ("/confirm_lasting_change" in payloads) is not easing and "/report_repair" in payloads


REPAIR_TEXT = "thợ thay rơ le bình nóng lạnh rồi, sửa xong rồi"


def test_a_repair_is_asked_back_then_recorded_on_yes(backend):
    messages, events = run(ActionPrepareAlertRepair(), tracker(REPAIR_TEXT, "report_repair"))
    assert not posts(backend)  # nothing stored before the yes
    question = messages[-1]["text"]
    assert question.startswith("Tôi sẽ ghi lại cho cảnh báo dùng điện bất thường từ ngày 20/11:")
    assert "đã sửa xong chỗ gây tốn điện (ghi ngày hôm nay)" in question
    assert "nếu vẫn cao hơn mức dự kiến, mức dùng sẽ lại được báo là bất thường" in question
    assert "sẽ đóng sau lần kiểm tra ban đêm có số điện thực tế từ hôm nay" in question
    assert "thay cho câu trả lời trước" not in question and question.endswith("Bạn đồng ý không?")
    # Zalo shows buttons as text to type: the yes does not repeat the repair's words
    assert [(b["title"], b["payload"]) for b in messages[-1]["buttons"]] == [
        ("Đúng, ghi lại", "/affirm"),
        ("Không", "/deny"),
    ]
    assert pending(events) == {"kind": "alert_repair", "anomaly_id": 7, "start_day_text": "20/11"}
    messages, events = answer(events, "affirm")
    [post] = posts(backend)
    assert post[1] == REPAIRED and post[3]["Authorization"] == "Bearer dev-service-token"
    reply = messages[-1]["text"]
    assert reply.startswith("Đã ghi lại: nhà bạn đã sửa xong chỗ gây tốn điện (ngày 27/11).")
    assert "Tôi theo dõi lại mức dùng của nhà bạn từ đầu, tính từ ngày 27/11" in reply
    assert "nhân viên chăm sóc khách hàng cũng thấy việc này" in reply
    assert SlotSet("pending_change", None) in events
    assert backend.state.alert["repaired_on"] == "2026-11-27"


def test_a_no_to_the_repair_records_nothing(backend):
    _, events = run(ActionPrepareAlertRepair(), tracker(REPAIR_TEXT, "report_repair"))
    messages, events = answer(events, "deny")
    assert not posts(backend) and backend.state.alert["repaired_on"] is None
    assert messages[-1]["text"] == "Vâng, tôi chưa ghi lại gì. Khi cần, bạn cứ nhắn lại cho tôi."


def test_a_repair_after_a_lasting_change_says_it_replaces_that_answer(backend):
    backend.state.alert["lasting_change"] = True
    messages, _ = run(ActionPrepareAlertRepair(), tracker(REPAIR_TEXT, "report_repair"))
    said = "Việc này thay cho câu trả lời trước: mức dự kiến sẽ không theo mức dùng mới nữa."
    assert said in messages[-1]["text"]


@pytest.mark.parametrize(
    ("alert", "said"),
    [
        (None, NO_ALERT_REPAIR),
        (
            {"is_open": False},
            "Cảnh báo dùng điện bất thường từ ngày 20/11 đã đóng vì mức dùng không còn cao hơn "
            "mức dự kiến, nên không cần ghi thêm gì. Cảm ơn bạn đã báo.",
        ),
        (
            {"repaired_on": "2026-11-25", "repaired_on_text": "25/11"},
            "Bạn đã báo sửa xong ngày 25/11 cho cảnh báo dùng điện bất thường từ ngày 20/11. Tôi "
            "theo dõi lại mức dùng của nhà bạn từ đầu, tính từ hôm đó: nếu vẫn cao hơn mức dự "
            "kiến, mức dùng sẽ lại được báo là bất thường.",
        ),
    ],
)
def test_a_repair_with_nothing_to_record_is_said_and_asks_nothing(backend, alert, said):
    if alert is None:
        backend.state.alert = None
    else:
        backend.state.alert.update(alert)
    messages, events = run(ActionPrepareAlertRepair(), tracker(REPAIR_TEXT, "report_repair"))
    assert [m["text"] for m in messages] == [said] and not messages[-1].get("buttons")
    assert events == [SlotSet("pending_change", None)] and not posts(backend)


def test_an_alert_closed_before_the_yes_is_said_back_and_nothing_stored(backend):
    _, events = run(ActionPrepareAlertRepair(), tracker(REPAIR_TEXT, "report_repair"))
    backend.state.alert["is_open"] = False  # the nightly scoring closed it meanwhile
    messages, _ = answer(events, "affirm")
    assert messages[-1]["text"] == f"Tôi chưa ghi được. {CLOSED}"
    assert backend.state.alert["repaired_on"] is None


def test_a_repair_from_an_unlinked_chat_is_told_to_link_first(backend):
    messages, events = run(
        ActionPrepareAlertRepair(), tracker(REPAIR_TEXT, "report_repair", sender="zalo-999")
    )
    assert messages[-1]["text"] == NOT_LINKED and events == [SlotSet("pending_change", None)]
    assert not [c for c in backend.calls if "/anomalies/" in c[1]]


def test_backend_down_when_recording_a_repair_says_it_was_not_recorded(backend, monkeypatch):
    _, events = run(ActionPrepareAlertRepair(), tracker(REPAIR_TEXT, "report_repair"))
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")  # nothing listens there
    messages, _ = answer(events, "affirm")
    assert messages[-1]["text"] == UNAVAILABLE + " Việc sửa xong chưa được ghi lại."


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("có", None),
        ("đúng rồi", None),
        ("/confirm_lasting_change", None),
        ("  có,  nhà có em bé ", "có, nhà có em bé"),
        ("x " * 400, ("x " * 250).strip()),  # the backend's 500 characters at most
    ],
)
def test_only_words_beyond_a_yes_or_no_become_the_note(text, note):
    assert note_from(text) == note


@pytest.fixture
def guests_backend(backend, monkeypatch):
    monkeypatch.setattr(alert_feedback, "vietnam_today", lambda: date(2026, 11, 27))
    return backend


@pytest.mark.parametrize(
    ("text", "is_open", "first", "last"),
    [
        ("không, chỉ là mấy hôm có khách thôi", True, "2026-11-20", "2026-11-27"),
        (
            "không phải, có khách ở chơi thôi, tháng sau lại bình thường",
            False,
            "2026-11-20",
            "2026-11-26",
        ),
        ("ko, mẹ lên chơi từ 18 đến 25/11 thôi", True, "2026-11-18", "2026-11-25"),
    ],
)
def test_an_alert_put_down_to_guests_offers_to_record_the_stay_then_both(
    guests_backend, text, is_open, first, last
):
    guests_backend.state.alert["is_open"] = is_open
    messages, events = run(ActionPrepareAlertFeedback(), tracker(text, "deny_lasting_change"))
    question = messages[-1]["text"]
    assert f"chỉ là có khách từ {first} đến {last} (backend)" in question
    assert "từ ngày 20/11" in question and "không gửi cảnh báo" in question
    assert pending(events) == {
        "kind": "guest_stay",
        "first_day": first,
        "last_day": last,
        "anomaly_id": 7,
        "note": text,
    }
    assert [c[1] for c in posts(guests_backend)] == [f"{STAYS}/preview"]  # nothing stored yet
    messages, _ = answer(events, "affirm")
    assert guests_backend.state.stays == [{"first_day": first, "last_day": last}]
    assert guests_backend.state.alert["lasting_change"] is False
    assert guests_backend.state.alert["note"] == text
    reply = messages[-1]["text"]
    assert reply.startswith(f"Đã ghi: nhà bạn có khách từ {first} đến {last} (backend).")
    assert "Cảnh báo được ghi là do có khách, không phải thay đổi lâu dài." in reply


def test_a_no_to_the_guest_stay_stores_neither(guests_backend):
    _, events = run(
        ActionPrepareAlertFeedback(),
        tracker("không, có khách đến chơi thôi", "deny_lasting_change"),
    )
    messages, _ = answer(events, "deny")
    assert guests_backend.state.stays == [] and guests_backend.state.alert["lasting_change"] is None
    assert messages[-1]["text"] == "Vâng, tôi chưa ghi lại đợt khách nào."


@pytest.mark.parametrize(
    ("text", "alert"),
    [
        # an alert of two weeks ago: the backend refuses a stay told this late
        (
            "không, chỉ là có khách thôi",
            {"start_day": "2026-11-10", "last_day": "2026-11-16", "is_open": False},
        ),
        ("không, tôi đã hỏi chăm sóc khách hàng rồi, nhà không thay đổi gì", {}),  # a customer
    ],
)
def test_otherwise_the_answer_is_the_usual_no_lasting_change(guests_backend, text, alert):
    guests_backend.state.alert.update(alert)
    messages, events = run(ActionPrepareAlertFeedback(), tracker(text, "deny_lasting_change"))
    assert pending(events)["kind"] == "alert_feedback"
    assert "không có thay đổi lâu dài nào" in messages[-1]["text"]
    assert guests_backend.state.stays == []


def asked_events(events: list) -> list[dict]:
    """The tracker's events after the repair question was asked and answered by a message."""
    return [
        {"event": "action", "name": "action_prepare_alert_repair"},
        {"event": "slot", "name": "pending_change", "value": pending(events)},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "đúng, đã sửa xong"},
    ]


def test_the_repair_said_again_in_answer_to_its_question_is_the_yes(backend):
    """On Zalo the household types its answer: "đúng, đã sửa xong" reads as the repair again."""
    _, events = run(ActionPrepareAlertRepair(), tracker(REPAIR_TEXT, "report_repair"))
    again = make_tracker(
        text="đúng, đã sửa xong",
        intent="report_repair",
        slots={"pending_change": pending(events)},
        events=asked_events(events),
    )
    messages, events = run(ActionPrepareAlertRepair(), again)
    assert [c[1] for c in posts(backend)] == [REPAIRED]
    assert messages[-1]["text"].startswith("Đã ghi lại: nhà bạn đã sửa xong")
    assert events == [SlotSet("pending_change", None)]


def test_a_repair_said_again_after_another_question_is_asked_afresh(backend):
    _, events = run(ActionPrepareAlertRepair(), tracker(REPAIR_TEXT, "report_repair"))
    later = asked_events(events)
    later[-1:-1] = [
        {"event": "user", "text": "giá điện bậc 2"},
        {"event": "action", "name": "action_explain_tariff"},
        {"event": "action", "name": "action_listen"},
    ]
    again = make_tracker(
        text=REPAIR_TEXT,
        intent="report_repair",
        slots={"pending_change": pending(events)},
        events=later,
    )
    messages, events = run(ActionPrepareAlertRepair(), again)
    assert not posts(backend) and messages[-1]["text"].endswith("Bạn đồng ý không?")
    assert pending(events)["kind"] == "alert_repair"
