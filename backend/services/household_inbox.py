"""What the household's app shows of its own conversation and notices: the chat history from the
conversation log, and the notifications it received as an inbox with read state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend.models import ChatMessage, Household, Notification
from backend.services.errors import NotFound

NOTICE_KINDS = ("weekly_tip", "outage", "usage_alert")


def chat_history(
    session: Session, *, household: Household, before_id: int | None, limit: int
) -> list[ChatMessage]:
    """The household's own messages, the assistant's and staff's replies (web/app chat: the
    sender id is the household id), the `limit` newest before `before_id`, oldest first."""
    query = select(ChatMessage).where(ChatMessage.sender_id == household.id)
    if before_id is not None:
        query = query.where(ChatMessage.id < before_id)
    rows = session.scalars(query.order_by(ChatMessage.id.desc()).limit(limit)).all()
    return list(reversed(rows))


def notices(
    session: Session, *, household: Household, kind: str | None, limit: int
) -> tuple[list[Notification], int]:
    """The household's notifications, newest first, and how many are unread (of every kind)."""
    query = select(Notification).where(Notification.household_id == household.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    rows = session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).all()
    unread = session.scalar(
        select(func.count()).where(
            Notification.household_id == household.id, Notification.read_at.is_(None)
        )
    )
    return list(rows), int(unread or 0)


def mark_read(
    session: Session, *, household: Household, notice_id: int, now: datetime
) -> Notification:
    """Mark one of the household's notifications read (idempotent; the first time is kept)."""
    notice = session.get(Notification, notice_id)
    if notice is None or notice.household_id != household.id:
        raise NotFound("Không tìm thấy thông báo này.", "id")
    if notice.read_at is None:
        notice.read_at = now
        session.commit()
    return notice


def mark_all_read(session: Session, *, household: Household, now: datetime) -> int:
    """Mark every unread notification of the household read; returns how many changed."""
    result = session.execute(
        update(Notification)
        .where(Notification.household_id == household.id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)  # a CursorResult for an UPDATE
