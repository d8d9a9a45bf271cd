from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.clock import utc_now
from backend.extensions import Model


class ConversationStatus(StrEnum):
    """Who answers a conversation (stored as its value)."""

    BOT = "bot"  # the assistant answers
    WAITING = "waiting"  # a person was requested
    TAKEN_OVER = "taken_over"  # staff answer; the bot is paused


SENDER_ID_MAX = 96  # conversations.sender_id: every channel refuses a longer sender at its edge


class Conversation(Model):
    """A chat sender (app household or Zalo user), its summary and whether staff must step in.

    The summary columns (counts, lowest confidence, fallback, human requested) are kept up to date
    by the event consumer so the staff list can filter without scanning every message.
    """

    __tablename__ = "conversations"

    sender_id: Mapped[str] = mapped_column(String(SENDER_ID_MAX), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="rest")
    household_id: Mapped[str | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.BOT, index=True)
    waiting_since: Mapped[datetime | None]
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    taken_over_by: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    last_message_at: Mapped[datetime | None] = mapped_column(index=True)
    message_count: Mapped[int] = mapped_column(default=0)
    min_confidence: Mapped[float | None]
    had_fallback: Mapped[bool] = mapped_column(default=False)
    human_requested: Mapped[bool] = mapped_column(default=False)
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    # the agent responsible for the conversation (staff login), set in the inbox
    assigned_to: Mapped[str | None] = mapped_column(String(64), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class ChatMessage(Model):
    """One message of a conversation: the user's (with Rasa's reading of it), the bot's, or staff's."""

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.sender_id", ondelete="CASCADE"), index=True
    )
    # "<source>:<broker row id>" for Rasa events, "agent:<uuid>" for staff: re-reading never duplicates
    event_key: Mapped[str] = mapped_column(String(120), unique=True)
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    role: Mapped[str] = mapped_column(String(8))  # user, bot, agent
    text: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str | None] = mapped_column(String(64), index=True)
    confidence: Mapped[float | None]
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    is_fallback: Mapped[bool] = mapped_column(default=False)
    action: Mapped[str | None] = mapped_column(String(96))  # for bot replies: who uttered it
    author: Mapped[str | None] = mapped_column(String(64))  # for agent messages: the staff login
    # bot messages: the buttons offered [{"title", "payload"}]; user messages that were a button
    # click ("/affirm"): the title of the button the household pressed, as staff read it
    buttons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    button_title: Mapped[str | None] = mapped_column(String(200))
    corrected_intent: Mapped[str | None] = mapped_column(String(64))
    corrected_entities: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    corrected_by: Mapped[str | None] = mapped_column(String(64))
    corrected_at: Mapped[datetime | None]


class ConversationRead(Model):
    """How far a staff account has read a conversation (the last message id it saw)."""

    __tablename__ = "conversation_reads"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    sender_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.sender_id", ondelete="CASCADE"), primary_key=True
    )
    last_message_id: Mapped[int] = mapped_column(default=0)


class CannedReply(Model):
    """A ready answer agents insert in the reply box; supervisors edit the list."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80), unique=True)
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class EventCursor(Model):
    """How far the consumer has read an event source (the id of the last row stored)."""

    __tablename__ = "event_cursors"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class DeadLetterEvent(Model):
    """A broker event the consumer could not store after its retries, kept with the reason.

    The consumer moves past it so one bad event never stops the others; staff see it in the
    console. `sender_id` and `payload` are cut to a readable length (the bad value may be huge).
    """

    __tablename__ = "dead_letter_events"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int]
    sender_id: Mapped[str] = mapped_column(String(200), default="", index=True)
    event_kind: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    payload: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
