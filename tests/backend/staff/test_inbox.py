"""The live inbox: what the lists show, unread counts, assignment, canned replies, Vietnamese
labels, button clicks, every bot message in the transcript and "reviewed" clearing."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import create_engine, select, text

from backend.config import ROOT
from backend.content.labels import ACTION_LABELS, INTENT_LABELS
from backend.extensions import db
from backend.models import CannedReply, ChatMessage, Conversation, Household
from backend.services import staff_conversations as service
from backend.services.conversation_events import consume
from backend.services.nlu_export import INTENTS
from backend.services.staff_demo import bot, user
from tests.backend.staff.conftest import conversation, sign_in
from tests.conftest import bearer

LONG_ID = "zalo-" + "9" * 91  # 96 characters: the longest sender id a channel lets through


def test_every_intent_and_action_of_the_bot_has_a_vietnamese_label():
    domain = (ROOT / "bot" / "domain.yml").read_text(encoding="utf-8")
    actions = re.findall(r"^  - ((?:action|validate)_\w+)$", domain, re.M)
    responses = re.findall(r"^  (utter_\w+):$", domain, re.M)
    intents = re.findall(r"^  - (\w+)$", domain.split("intents:")[1].split("entities:")[0], re.M)
    assert actions and responses and intents
    assert set(INTENTS) | set(intents) <= set(INTENT_LABELS)
    assert set(actions) | set(responses) <= set(ACTION_LABELS)


def test_the_list_shows_the_masked_name_the_last_message_and_unread(agent, household):
    db.session.get(Household, household.id).display_name = "Nguyễn Thị Lan"
    db.session.commit()
    conversation(
        household.id,
        [user("350 số hết bao nhiêu", "calculate_bill", 0.9), bot("Khoảng 979.560 đ.")],
        household_id=household.id,
    )
    page = agent.get("/staff/conversations").get_data(as_text=True)
    row = row_of(page, household.id)
    assert "Nguyễn Thị Lan" not in page
    assert "Trợ lý: Khoảng 979.560 đ." in row
    assert "1 chưa đọc" in row
    agent.get(f"/staff/conversations/{household.id}")  # opened: read
    page = agent.get("/staff/conversations").get_data(as_text=True)
    assert "chưa đọc" not in row_of(page, household.id)


def row_of(page: str, sender_id: str) -> str:
    return re.search(rf'<tr>(?:(?!</tr>).)*title="{sender_id}"(?:(?!</tr>).)*</tr>', page, re.S)[0]


def test_the_masked_name_never_shows_the_whole_name(agent, household):
    db.session.get(Household, household.id).display_name = "Nguyễn Thị Lan"
    db.session.commit()
    conversation(household.id, [user("chào", "greet", 0.9)], household_id=household.id)
    page = agent.get("/staff/conversations").get_data(as_text=True)
    assert "Nguyễn Thị Lan" not in page
    assert re.search(r'class="conv-name">[^<]*N', page)


def test_unread_counts_are_per_staff_account(app, client, staff, household):
    conversation(household.id, [user("a", "greet", 0.9), user("b", "greet", 0.9)])
    ids = [household.id]
    an, binh = staff["agent"], staff["supervisor"]
    assert service.unread_counts(db.session(), staff_id=an.id, sender_ids=ids) == {household.id: 2}
    last = service.messages_after(db.session(), household.id, 0)[-1].id
    service.mark_read(db.session(), staff_id=an.id, sender_id=household.id, last_message_id=last)
    assert service.unread_counts(db.session(), staff_id=an.id, sender_ids=ids) == {}
    assert service.unread_counts(db.session(), staff_id=binh.id, sender_ids=ids) == {
        household.id: 2
    }


def test_a_long_conversation_id_is_cut_with_the_whole_id_in_its_tooltip(agent):
    conversation(LONG_ID, [user("chào", "greet", 0.9)], channel="zalo", status="waiting")
    page = agent.get("/staff/conversations").get_data(as_text=True)
    assert f'class="conv-id" href="/staff/conversations/{LONG_ID}" title="{LONG_ID}"' in page
    assert ".conv-id { display: inline-block; max-width: 16rem; overflow: hidden;" in page
    assert agent.get(f"/staff/conversations/{LONG_ID}").status_code == 200


def test_intents_and_actions_read_as_labels_with_the_id_in_a_tooltip(agent, conversations):
    page = agent.get("/staff/conversations/web-unsure").get_data(as_text=True)
    assert '<span class="label" title="ask_tariff">Hỏi giá điện</span>' in page
    assert '<option title="ask_solar" value="ask_solar">Hỏi về điện mặt trời</option>' in page
    listing = agent.get("/staff/conversations").get_data(as_text=True)
    assert '<option title="request_human" value="request_human">Gặp nhân viên</option>' in listing


def test_assignment_to_an_agent(agent, staff, conversations):
    response = agent.post(
        "/staff/conversations/web-waiting/assign", data={"assignee": "binh"}, follow_redirects=True
    )
    assert "Đã giao hội thoại cho binh." in response.get_data(as_text=True)
    assert db.session.get(Conversation, "web-waiting").assigned_to == "binh"
    queue = agent.get("/staff/inbox/queue").get_json()["html"]
    assert "binh" in queue
    refused = agent.post(
        "/staff/conversations/web-waiting/assign", data={"assignee": "ai-do"}, follow_redirects=True
    )
    assert "Giao cho: không có nhân viên &#39;ai-do&#39; đang hoạt động" in refused.get_data(
        as_text=True
    )
    assert db.session.get(Conversation, "web-waiting").assigned_to == "binh"


def test_supervisors_edit_canned_replies_and_agents_insert_them(client, staff, conversations):
    sign_in(client, "an")
    assert client.get("/staff/canned-replies").status_code == 403
    assert client.post("/staff/canned-replies", data={"title": "x", "text": "y"}).status_code == 403
    client.post("/staff/logout")
    sign_in(client, "binh")
    client.post("/staff/canned-replies", data={"title": "Chào", "text": "Em chào anh/chị ạ."})
    reply = db.session.scalars(select(CannedReply)).one()
    assert (reply.title, reply.updated_by) == ("Chào", "binh")
    client.post(
        f"/staff/canned-replies/{reply.id}",
        data={"title": "Chào khách", "text": "Em là nhân viên CSKH, em giúp gì được ạ?"},
    )
    db.session.refresh(reply)
    assert reply.title == "Chào khách"
    page = client.post(
        "/staff/canned-replies", data={"title": "Chào khách", "text": "khác"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Tên: đã có câu trả lời mẫu tên" in page
    # in the reply box of a conversation the agent took over
    conv = db.session.get(Conversation, "web-waiting")
    conv.status, conv.taken_over_by = "taken_over", "binh"
    db.session.commit()
    page = client.get("/staff/conversations/web-waiting").get_data(as_text=True)
    assert 'data-text="Em là nhân viên CSKH, em giúp gì được ạ?">Chào khách</option>' in page
    client.post(f"/staff/canned-replies/{reply.id}/delete")
    assert db.session.scalars(select(CannedReply)).all() == []


def test_live_messages_after_a_cursor_and_reviewed_clears(agent, conversations, staff):
    first = agent.get("/staff/conversations/web-unsure/live?after=0").get_json()
    assert first["last_id"] > 0 and "Hỏi giá điện" in first["html"]
    assert (
        agent.get(f"/staff/conversations/web-unsure/live?after={first['last_id']}")
        .get_json()["html"]
        .strip()
        == ""
    )
    conv = db.session.get(Conversation, "web-unsure")
    service.mark_reviewed(db.session(), conv, "an")
    assert agent.get("/staff/conversations/web-unsure/live?after=0").get_json()["reviewed"]
    for cursor in ("2147483648", "9" * 30, "-1", "x", "²"):  # never a database error or a 500
        assert agent.get(f"/staff/conversations/web-unsure/live?after={cursor}").status_code == 200


def event_row(connection, sender: str, event: dict) -> None:
    connection.execute(
        text("INSERT INTO events (sender_id, data) VALUES (:s, :d)"),
        {"s": sender, "d": json.dumps(event, ensure_ascii=False)},
    )


@pytest.fixture
def broker(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'events.db'}")
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)")
        )
    yield engine
    engine.dispose()


def test_a_button_click_reads_as_the_buttons_title_and_new_messages_clear_reviewed(
    app, agent, household, broker
):
    buttons = [
        {"title": "Tính tiền điện", "payload": "/calculate_bill"},
        {"title": "Mẹo tiết kiệm", "payload": "/ask_saving_tips"},
    ]
    with broker.begin() as c:
        event_row(c, household.id, {"event": "bot", "timestamp": 1.0, "text": "Chào bạn!",
                                    "data": {"buttons": buttons}, "metadata": {}})  # fmt: skip
        event_row(c, household.id, {"event": "user", "timestamp": 2.0, "text": "/ask_saving_tips",
                                    "parse_data": {"intent": {"name": "ask_saving_tips",
                                                              "confidence": 1.0}}})  # fmt: skip
    consume(db.session(), broker)
    stored = service.messages_after(db.session(), household.id, 0)
    assert stored[0].buttons == buttons and stored[1].button_title == "Mẹo tiết kiệm"
    page = agent.get(f"/staff/conversations/{household.id}").get_data(as_text=True)
    assert '<div class="text button-click" title="/ask_saving_tips">' in page
    assert "Bấm nút: <strong>Mẹo tiết kiệm</strong>" in page
    conv = db.session.get(Conversation, household.id)
    service.mark_reviewed(db.session(), conv, "an")
    with broker.begin() as c:
        event_row(c, household.id, {"event": "user", "timestamp": 3.0, "text": "/deny",
                                    "parse_data": {"intent": {"name": "deny"}}})  # fmt: skip
    consume(db.session(), broker)
    db.session.refresh(conv)
    assert conv.reviewed_at is None and conv.reviewed_by is None
    latest = service.messages_after(db.session(), household.id, stored[-1].id)[0]
    assert latest.button_title is None  # no button offered it: the intent's label is shown
    assert "Bấm nút: <strong>Từ chối</strong>" in agent.get(
        f"/staff/conversations/{household.id}"
    ).get_data(as_text=True)


def test_the_backends_own_replies_are_in_the_transcript(app, client, household, rasa):
    db.session.add(
        Conversation(sender_id=household.id, household_id=household.id, status="waiting", tags=[])
    )
    db.session.commit()
    # Rasa answers nothing while the conversation waits for staff: the backend says so itself
    answer = client.post("/api/v1/chat", json={"message": "có ai không"}, headers=bearer(household))
    said = answer.get_json()["messages"][0]["text"]
    stored = db.session.scalars(
        select(ChatMessage).where(ChatMessage.sender_id == household.id)
    ).all()
    assert [(m.role, m.text, m.action) for m in stored] == [("bot", said, "backend_waiting")]
    assert stored[0].buttons == [{"title": "Quay lại trợ lý tự động", "payload": "/resume_bot"}]
    client.post("/api/v1/chat", json={"message": "/resume_bot"}, headers=bearer(household))
    last = db.session.scalars(
        select(ChatMessage)
        .where(ChatMessage.sender_id == household.id)
        .order_by(ChatMessage.id.desc())
    ).first()
    assert last.action == "backend_resumed" and "quay lại" in last.text
