"""What households say reaches the staff console's tables: Rasa (two servers) publishes every
event to its SQL event broker on PostgreSQL, the backend's consumer stores them."""

from __future__ import annotations

import time

from sqlalchemy import select

from backend.extensions import db
from backend.models import ChatMessage, Conversation
from tests.scale.conftest import chat, make_households


def test_turns_on_both_servers_are_stored_once_with_their_intents(stack, stack_app):
    [(household, token)] = make_households(stack_app, "conversation-log", 1)
    for text in ("giá điện bậc 1 bao nhiêu", "cảm ơn nhé", "cho tôi gặp nhân viên"):
        assert chat(stack, token, text).status_code == 200
    with stack_app.app_context():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.rollback()  # a fresh snapshot each poll
            said = db.session.scalars(
                select(ChatMessage)
                .where(ChatMessage.sender_id == household, ChatMessage.role == "user")
                .order_by(ChatMessage.at)
            ).all()
            if len(said) >= 3:
                break
            time.sleep(1)
        assert [(m.text, m.intent) for m in said] == [
            ("giá điện bậc 1 bao nhiêu", "ask_tariff"),
            ("cảm ơn nhé", "thank"),
            ("cho tôi gặp nhân viên", "request_human"),
        ]
        assert all(m.confidence and m.confidence > 0.5 for m in said)
        conversation = db.session.get(Conversation, household)
        assert conversation.household_id == household and conversation.human_requested
        assert conversation.status == "waiting"  # the bot's hand-off queued it for staff
        bot_replies = db.session.scalars(
            select(ChatMessage).where(ChatMessage.sender_id == household, ChatMessage.role == "bot")
        ).all()
        assert bot_replies and all(reply.text for reply in bot_replies)
