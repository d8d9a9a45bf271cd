"""Conversation state shared by the chat proxy and staff: bot, waiting for staff, taken over."""

from __future__ import annotations

import requests
from sqlalchemy.orm import Session

from backend.models import Conversation
from backend.services.chat import AssistantUnavailable, rasa_servers

RESUME_COMMAND = "/resume_bot"


def status_of(session: Session, sender_id: str) -> str:
    conversation = session.get(Conversation, sender_id)
    return conversation.status if conversation else "bot"


def resume_bot(session: Session, rasa_url: str, sender_id: str, timeout: float) -> None:
    """Un-pause the assistant for this sender (Rasa's `resume` event) and leave the queue."""
    try:
        response = requests.post(
            f"{rasa_servers(rasa_url)[0]}/conversations/{sender_id}/tracker/events",
            json={"event": "resume"},
            timeout=timeout,
        )
        response.raise_for_status()
    except requests.RequestException as exc:
        raise AssistantUnavailable(str(exc)) from exc
    conversation = session.get(Conversation, sender_id)
    if conversation is not None:
        conversation.status = "bot"
        conversation.waiting_since = None
        session.commit()
