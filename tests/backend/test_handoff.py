"""Staff take over a conversation, answer on its own channel, and hand it back to the bot."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from backend.extensions import db
from backend.models import ChatMessage, Conversation
from backend.services import handoff
from backend.services.chat import AssistantUnavailable, RasaLink
from backend.services.errors import Conflict
from tests.conftest import bearer, make_household
from zalo.tokens import TokenStore


def start(sender: str, channel: str = "rest", household_id: str | None = None) -> Conversation:
    conversation = Conversation(
        sender_id=sender, channel=channel, household_id=household_id, status="waiting", tags=[]
    )
    db.session.add(conversation)
    db.session.commit()
    return conversation


def take(app, sender: str, agent: str = "lan.cskh") -> Conversation:
    return handoff.take_over(db.session(), RasaLink.from_config(app.config), sender, agent)


def test_take_over_pauses_the_bot_for_that_sender(app, household, rasa):
    start(household.id, household_id=household.id)
    conversation = take(app, household.id)
    assert (conversation.status, conversation.taken_over_by) == ("taken_over", "lan.cskh")
    assert rasa.calls[-1][1:3] == (
        f"/conversations/{household.id}/tracker/events?token={app.config['RASA_AUTH_TOKEN']}",
        {"event": "pause"},
    )


def test_take_over_with_a_wrong_rasa_token_changes_nothing(app, household, rasa):
    start(household.id, household_id=household.id)
    app.config["RASA_AUTH_TOKEN"] = "not-the-token"
    with pytest.raises(AssistantUnavailable):
        take(app, household.id)
    assert rasa.calls == [] and len(rasa.refused) == 1
    assert db.session.get(Conversation, household.id).status == "waiting"


def test_the_web_chat_receives_staff_messages_and_no_other_household_does(
    app, client, household, other_household, rasa
):
    start(household.id, household_id=household.id)
    take(app, household.id)
    sent = handoff.agent_send(
        db.session(), app.config, household.id, "lan.cskh", "Chào chị Lan, em kiểm tra giúp chị ạ."
    )
    polled = client.get("/api/v1/chat/messages?after=0", headers=bearer(household)).get_json()
    assert polled["status"] == "taken_over"
    assert [(m["id"], m["text"]) for m in polled["messages"]] == [(sent.id, sent.text)]
    later = client.get(f"/api/v1/chat/messages?after={sent.id}", headers=bearer(household))
    assert later.get_json()["messages"] == []
    other = client.get("/api/v1/chat/messages", headers=bearer(other_household)).get_json()
    assert other == {"status": "bot", "messages": []}


def test_zalo_conversations_are_answered_through_the_oa_api(app, rasa, fake_server, tmp_path):
    zalo = fake_server(
        lambda method, path, body: (
            200,
            {"error": 0, "message": "Success", "data": {"message_id": "z1"}},
        )
    )
    TokenStore(tmp_path / "zalo.json").write(
        {"access_token": "tok", "refresh_token": "r", "expires_at": 0}
    )
    app.config.update(
        ZALO_APP_ID="app", ZALO_API_BASE=zalo.url, ZALO_TOKEN_FILE=str(tmp_path / "zalo.json")
    )
    make_household("hh-z", zalo_user_id="8421")
    start("zalo-8421", channel="zalo", household_id="hh-z")
    take(app, "zalo-8421")
    handoff.agent_send(db.session(), app.config, "zalo-8421", "lan.cskh", "Dạ em chào anh.")
    assert zalo.calls[-1][1:3] == (
        "/v3.0/oa/message/cs",
        {"recipient": {"user_id": "8421"}, "message": {"text": "Dạ em chào anh."}},
    )


def test_a_zalo_refusal_is_reported_and_nothing_is_stored_as_sent(
    app, client, rasa, fake_server, tmp_path
):
    zalo = fake_server(lambda method, path, body: (200, {"error": -230, "message": "silent user"}))
    app.config.update(
        ZALO_APP_ID="app", ZALO_API_BASE=zalo.url, ZALO_TOKEN_FILE=str(tmp_path / "z.json")
    )
    start("zalo-77", channel="zalo")
    take(app, "zalo-77")
    with pytest.raises(handoff.ChannelUnavailable, match="silent user"):
        handoff.agent_send(db.session(), app.config, "zalo-77", "lan.cskh", "Dạ em chào anh.")
    assert db.session.query(ChatMessage).count() == 0


def test_only_the_agent_who_took_over_may_answer(app, household, rasa):
    start(household.id, household_id=household.id)
    with pytest.raises(Conflict):
        handoff.agent_send(db.session(), app.config, household.id, "lan.cskh", "xin chào")
    take(app, household.id, "lan.cskh")
    with pytest.raises(Conflict):
        take(app, household.id, "minh.cskh")
    with pytest.raises(Conflict):
        handoff.agent_send(db.session(), app.config, household.id, "minh.cskh", "xin chào")


def test_hand_back_resumes_the_bot(app, household, rasa):
    start(household.id, household_id=household.id)
    take(app, household.id)
    handoff.hand_back(db.session(), RasaLink.from_config(app.config), household.id)
    conversation = db.session.get(Conversation, household.id)
    assert (conversation.status, conversation.taken_over_by) == ("bot", None)
    assert rasa.calls[-1][2] == {"event": "resume"}


@pytest.mark.parametrize("after", [2**31, 2**70, -1])
def test_an_out_of_range_cursor_is_a_clear_422(client, household, after):
    response = client.get(f"/api/v1/chat/messages?after={after}", headers=bearer(household))
    assert response.status_code == 422
    assert "after" in response.get_data(as_text=True)


def test_a_reply_recorded_while_the_consumer_creates_the_conversation_is_kept(app, household):
    """The event consumer (another process) stores the sender's first message at the moment
    the chat request records its own reply ("the assistant has a problem"): both create the
    conversation. The request that loses the race keeps its reply in the same conversation
    instead of answering the household with a 500."""
    consumer = Session(db.engine)  # another connection, committed on its own
    raced: list[bool] = []

    def consumer_first(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CONVERSATIONS") and not raced:
            raced.append(True)
            consumer.add(
                Conversation(
                    sender_id="hh-1",
                    channel="rest",
                    household_id="hh-1",
                    started_at=datetime(2026, 12, 5, 11, 39),
                    message_count=0,
                    tags=[],
                )
            )
            consumer.commit()

    event.listen(db.engine, "before_cursor_execute", consumer_first)
    try:
        reply = handoff.record_reply(
            db.session(),
            sender_id="hh-1",
            text="Xin lỗi, trợ lý đang gặp sự cố",
            action="backend_no_answer",
            now=datetime(2026, 12, 5, 11, 39, 1),
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", consumer_first)
        consumer.close()
    assert raced, "the other process never inserted first: the test proved nothing"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1
    conversation = db.session.get(Conversation, "hh-1")
    assert conversation is not None and conversation.message_count == 1
    assert db.session.get(ChatMessage, reply.id).text == "Xin lỗi, trợ lý đang gặp sự cố"
