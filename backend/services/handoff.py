"""Conversation state shared by the chat proxy and staff: bot, waiting for staff, taken over.

Pausing and resuming go through Rasa's tracker events API, so every Rasa server sharing the
tracker store sees the same state; staff messages are stored as `ChatMessage` rows with role
"agent" and delivered on the conversation's own channel (Zalo OA, or the app/web chat, which
fetches them with GET /api/v1/chat/messages).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.clock import utc_now
from backend.models import ChatMessage, Conversation, ConversationStatus, Household
from backend.services.chat import RasaLink, nfc_trimmed, post_to_rasa
from backend.services.conversation_events import conversation_for, summarise
from backend.services.errors import Conflict, InvalidInput, NotFound, ServiceError
from backend.services.households import household_for_sender
from backend.services.zalo import oa_client
from zalo.oa import ZaloError

RESUME_COMMAND = "/resume_bot"
MAX_AGENT_TEXT = 2000


class ChannelUnavailable(ServiceError):
    status = 502
    code = "channel_unavailable"


def status_of(session: Session, sender_id: str) -> ConversationStatus:
    conversation = session.get(Conversation, sender_id)
    return ConversationStatus(conversation.status) if conversation else ConversationStatus.BOT


def queue_for_staff(
    session: Session, *, sender_id: str, channel: str, reason: str, now: datetime
) -> int:
    """Mark the conversation as waiting for staff (created if new); its place in the queue.

    A conversation already waiting keeps its place (`waiting_since` is not reset)."""
    conversation = session.get(Conversation, sender_id)
    if conversation is None:
        household = household_for_sender(session, sender_id)
        conversation = Conversation(
            sender_id=sender_id, household_id=household.id if household else None
        )
        session.add(conversation)
    conversation.channel = channel
    if conversation.status != ConversationStatus.WAITING:
        conversation.status = ConversationStatus.WAITING
        conversation.waiting_since = now
    conversation.handoff_reason = reason
    session.commit()
    ahead = session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.status == ConversationStatus.WAITING,
            Conversation.waiting_since < conversation.waiting_since,
        )
    )
    return (ahead or 0) + 1


def _tracker_event(rasa: RasaLink, sender_id: str, event: str) -> None:
    path = f"/conversations/{sender_id}/tracker/events"
    post_to_rasa(rasa, sender_id, path, {"event": event})


def _existing(session: Session, sender_id: str) -> Conversation:
    conversation = session.get(Conversation, sender_id)
    if conversation is None:
        raise NotFound(f"không có hội thoại {sender_id}", field="sender_id")
    return conversation


def take_over(session: Session, rasa: RasaLink, sender_id: str, agent: str) -> Conversation:
    """Staff answer from now on: the bot is paused for this sender until `hand_back`."""
    conversation = _existing(session, sender_id)
    if conversation.status == ConversationStatus.TAKEN_OVER and conversation.taken_over_by not in (
        None,
        agent,
    ):
        raise Conflict(
            f"hội thoại đang do {conversation.taken_over_by} tiếp quản", field="sender_id"
        )
    _tracker_event(rasa, sender_id, "pause")
    conversation.status = ConversationStatus.TAKEN_OVER
    conversation.taken_over_by = agent
    conversation.waiting_since = None
    session.commit()
    return conversation


def hand_back(session: Session, rasa: RasaLink, sender_id: str) -> None:
    """Un-pause the assistant for this sender (Rasa's `resume` event) and leave the queue."""
    _tracker_event(rasa, sender_id, "resume")
    conversation = session.get(Conversation, sender_id)
    if conversation is not None:
        conversation.status = ConversationStatus.BOT
        conversation.waiting_since = None
        conversation.taken_over_by = None
        session.commit()


def agent_send(
    session: Session, config: Mapping[str, Any], sender_id: str, agent: str, text: str
) -> ChatMessage:
    """Send a staff message on the conversation's channel and store it."""
    conversation = _existing(session, sender_id)
    text = nfc_trimmed(text)
    if not text or len(text) > MAX_AGENT_TEXT:
        raise InvalidInput(f"tin nhắn cần 1–{MAX_AGENT_TEXT} ký tự", field="text")
    if conversation.status != ConversationStatus.TAKEN_OVER or conversation.taken_over_by != agent:
        raise Conflict("hãy tiếp quản hội thoại trước khi trả lời", field="sender_id")
    if conversation.channel == "zalo":
        client = oa_client(config)
        if client is None:
            raise ChannelUnavailable("Zalo OA chưa được cấu hình (ZALO_APP_ID)")
        try:
            client.send_text(sender_id.removeprefix("zalo-"), text)
        except ZaloError as exc:
            raise ChannelUnavailable(f"Zalo không nhận tin nhắn: {exc.message}") from exc
    message = ChatMessage(
        sender_id=sender_id,
        event_key=f"agent:{uuid.uuid4()}",
        at=utc_now(),
        role="agent",
        text=text,
        author=agent,
        entities=[],
    )
    session.add(message)
    summarise(conversation, message)
    session.commit()
    return message


def record_reply(
    session: Session,
    *,
    sender_id: str,
    text: str,
    action: str,
    buttons: list[dict[str, str]] | None = None,
    now: datetime,
) -> ChatMessage:
    """A reply the backend gave the household itself (not Rasa: "you are waiting for staff",
    "the assistant is back", "the assistant has a problem"): into the transcript staff read."""
    conversation = conversation_for(session, sender_id, "rest")
    message = ChatMessage(
        sender_id=sender_id,
        event_key=f"backend:{uuid.uuid4()}",
        at=now,
        role="bot",
        text=text,
        action=action,
        buttons=buttons,
        entities=[],
    )
    session.add(message)
    summarise(conversation, message)
    session.commit()
    return message


def agent_messages(session: Session, household: Household, after_id: int) -> list[ChatMessage]:
    """Staff messages to the household's app/web chat after `after_id`, oldest first."""
    return list(
        session.scalars(
            select(ChatMessage)
            .where(
                ChatMessage.sender_id == household.id,
                ChatMessage.role == "agent",
                ChatMessage.id > after_id,
            )
            .order_by(ChatMessage.id)
            .limit(100)
        )
    )
