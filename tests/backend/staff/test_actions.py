"""Staff actions: review, tags, note, intent corrections, take-over, reveal and its audit log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from backend.clock import local_today
from backend.config import DEV_RASA_AUTH_TOKEN as TOKEN
from backend.extensions import db
from backend.models import AuditRecord, ChatMessage, Conversation, GuestStay


def first_user_message(sender: str) -> ChatMessage:
    return db.session.scalars(
        db.select(ChatMessage).where(ChatMessage.sender_id == sender, ChatMessage.role == "user")
    ).first()


def test_mark_reviewed(agent, conversations):
    response = agent.post("/staff/conversations/web-unsure/review")
    assert response.status_code == 303
    conv = db.session.get(Conversation, "web-unsure")
    assert conv.reviewed_by == "an" and conv.reviewed_at is not None
    assert "Đã xem xét bởi an" in agent.get("/staff/conversations/web-unsure").get_data(
        as_text=True
    )


def test_tags_and_note(agent, conversations):
    agent.post("/staff/conversations/hh-1/tags", data={"tags": " Hoá đơn ,hoá đơn, gọi lại "})
    agent.post("/staff/conversations/hh-1/note", data={"note": "Khách hỏi lại vào thứ hai."})
    conv = db.session.get(Conversation, "hh-1")
    assert conv.tags == ["hoá đơn", "gọi lại"]
    assert conv.note == "Khách hỏi lại vào thứ hai."


def test_a_staff_note_with_nul_is_refused_and_the_old_note_kept(agent, conversations):
    agent.post("/staff/conversations/hh-1/note", data={"note": "Gọi lại thứ hai."})
    response = agent.post("/staff/conversations/hh-1/note", data={"note": "a\x00b"})
    assert response.status_code == 422
    assert "không hợp lệ" in response.get_data(as_text=True)
    assert db.session.get(Conversation, "hh-1").note == "Gọi lại thứ hai."


def test_too_many_tags_are_refused_with_a_message(agent, conversations):
    response = agent.post(
        "/staff/conversations/hh-1/tags",
        data={"tags": ",".join(f"t{i}" for i in range(11))},
        follow_redirects=True,
    )
    assert "Nhãn: tối đa 10 nhãn" in response.get_data(as_text=True)
    assert db.session.get(Conversation, "hh-1").tags == []


def test_correct_intent_and_entities(agent, conversations):
    message = first_user_message("web-unsure")
    response = agent.post(
        "/staff/conversations/web-unsure/correct",
        data={
            "message_id": message.id,
            "intent": "ask_solar",
            "entities": "appliance: pin mặt trời = solar_panel",
        },
        follow_redirects=True,
    )
    assert "Đã sửa ý định thành Hỏi về điện mặt trời" in response.get_data(as_text=True)
    db.session.refresh(message)
    start = message.text.index("pin mặt trời")
    assert message.corrected_intent == "ask_solar" and message.corrected_by == "an"
    assert message.corrected_entities == [
        {
            "entity": "appliance",
            "value": "solar_panel",
            "start": start,
            "end": start + len("pin mặt trời"),
        }
    ]
    assert message.intent == "ask_tariff"  # what Rasa said stays for comparison


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"intent": "ask_weather", "entities": ""}, "Lựa chọn không hợp lệ"),
        ({"intent": "ask_solar", "entities": "colour: đỏ"}, "không phải loại thực thể"),
        (
            {"intent": "ask_solar", "entities": "appliance: máy giặt"},
            "không thấy &#39;máy giặt&#39; trong tin nhắn",
        ),
        ({"intent": "ask_solar", "entities": "chỉ có chữ"}, "dòng 1: cần dạng"),
    ],
)
def test_bad_corrections_are_refused_and_nothing_changes(agent, conversations, data, message):
    target = first_user_message("web-unsure")
    response = agent.post(
        "/staff/conversations/web-unsure/correct",
        data={"message_id": target.id, **data},
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)
    db.session.refresh(target)
    assert target.corrected_intent is None


def test_a_message_of_another_conversation_cannot_be_corrected_here(agent, conversations):
    other = first_user_message("zalo-777")
    response = agent.post(
        "/staff/conversations/web-unsure/correct",
        data={"message_id": other.id, "intent": "greet"},
        follow_redirects=True,
    )
    assert "Không tìm thấy tin nhắn" in response.get_data(as_text=True)
    db.session.refresh(other)
    assert other.corrected_intent is None


def test_take_over_send_and_hand_back(agent, conversations, rasa, household):
    page = agent.post("/staff/conversations/hh-1/take-over", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Bạn đã tiếp quản hội thoại" in page and "Trả lại cho trợ lý" in page
    assert rasa.calls[-1][1:3] == (
        f"/conversations/hh-1/tracker/events?token={TOKEN}",
        {"event": "pause"},
    )
    agent.post("/staff/conversations/hh-1/send", data={"text": "Chào chị, em là An bên CSKH."})
    sent = db.session.scalars(db.select(ChatMessage).where(ChatMessage.role == "agent")).one()
    assert (sent.sender_id, sent.author, sent.text) == (
        "hh-1",
        "an",
        "Chào chị, em là An bên CSKH.",
    )
    page = agent.post("/staff/conversations/hh-1/hand-back", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Đã trả hội thoại lại cho trợ lý tự động." in page
    assert rasa.calls[-1][1:3] == (
        f"/conversations/hh-1/tracker/events?token={TOKEN}",
        {"event": "resume"},
    )
    assert db.session.get(Conversation, "hh-1").status == "bot"


def test_sending_without_taking_over_is_refused(agent, conversations):
    page = agent.post(
        "/staff/conversations/hh-1/send", data={"text": "xin chào"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "hãy tiếp quản hội thoại trước khi trả lời" in page
    assert db.session.scalars(db.select(ChatMessage).where(ChatMessage.role == "agent")).all() == []


def test_take_over_while_rasa_is_down_says_so_and_changes_nothing(agent, conversations, app):
    app.config.update(RASA_URL="http://127.0.0.1:9", RASA_TIMEOUT=0.5)
    page = agent.post("/staff/conversations/web-waiting/take-over", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Không liên lạc được với trợ lý (Rasa)" in page
    assert db.session.get(Conversation, "web-waiting").status == "waiting"


def test_agents_cannot_reveal_personal_data(agent, conversations):
    assert (
        agent.post("/staff/conversations/web-unsure/reveal", data={"reason": "x"}).status_code
        == 403
    )
    assert db.session.scalars(db.select(AuditRecord)).all() == []


def test_a_supervisor_reveal_shows_one_conversation_and_is_audited(supervisor, conversations):
    response = supervisor.post(
        "/staff/conversations/web-unsure/reveal",
        data={"reason": "khách gọi tổng đài hỏi hoá đơn"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "0912 345 678" in page and "PE01000123456" in page
    other = supervisor.get("/staff/conversations/zalo-777").get_data(as_text=True)
    # only the revealed conversation; a whole word, as the page's CSRF tokens are random letters
    assert not re.search(r"\bHoa\b", other)
    record = db.session.scalars(db.select(AuditRecord)).one()
    assert (record.action, record.actor, record.details) == (
        "pii_revealed",
        "binh",
        {"reason": "khách gọi tổng đài hỏi hoá đơn"},
    )
    assert "web-unsure" not in record.subject  # a hash, not the id
    audit = supervisor.get("/staff/audit").get_data(as_text=True)
    assert "Xem dữ liệu cá nhân" in audit and "binh" in audit and "khách gọi tổng đài" in audit
    assert record.subject in audit


def test_a_reason_quoting_a_phone_number_is_masked_in_the_log(supervisor, conversations):
    supervisor.post(
        "/staff/conversations/web-unsure/reveal", data={"reason": "khách gọi từ 0912345678"}
    )
    audit = supervisor.get("/staff/audit").get_data(as_text=True)
    assert "0912345678" not in audit and "091*****78" in audit


def test_a_reveal_needs_a_reason(supervisor, conversations):
    page = supervisor.post(
        "/staff/conversations/web-unsure/reveal", data={"reason": ""}, follow_redirects=True
    )
    assert "0912 345 678" not in page.get_data(as_text=True)
    assert db.session.scalars(db.select(AuditRecord)).all() == []


def test_a_reveal_expires(supervisor, conversations):
    supervisor.post("/staff/conversations/web-unsure/reveal", data={"reason": "kiểm tra hoá đơn"})
    assert "0912 345 678" in supervisor.get("/staff/conversations/web-unsure").get_data(
        as_text=True
    )
    with supervisor.session_transaction() as session:
        session["staff_revealed"] = {**session["staff_revealed"], "until": "2000-01-01T00:00:00"}
    assert "0912 345 678" not in supervisor.get("/staff/conversations/web-unsure").get_data(
        as_text=True
    )


def test_staff_see_the_guest_stays_the_household_announced(agent, conversations, household):
    page = agent.get(f"/staff/conversations/{household.id}").get_data(as_text=True)
    assert 'id="guest-stays"' not in page  # none announced: nothing shown
    first = local_today() + timedelta(days=2)
    db.session.add(GuestStay(household_id=household.id, first_day=first, last_day=first))
    db.session.commit()
    page = agent.get(f"/staff/conversations/{household.id}").get_data(as_text=True)
    assert f"<li>Có khách ngày {first.day}/{first.month}/{first.year}</li>" in page
