"""Figures of the staff dashboard over a window of days."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.clock import local_day_of, utc_start_of
from backend.models import (
    ChatMessage,
    Conversation,
    ConversationStatus,
    Notification,
    NotificationStatus,
)


@dataclass(frozen=True)
class Dashboard:
    start: date
    end: date
    per_day: list[tuple[date, int]]
    conversations: int
    fallback_rate: float | None
    handoff_rate: float | None
    mean_confidence: float | None
    top_intents: list[tuple[str, int]]
    notices_sent: dict[str, int]
    waiting: int


def dashboard(session: Session, *, today: date, days: int = 30) -> Dashboard:
    """`today` and the days are Vietnamese calendar days (stored times are UTC)."""
    start = today - timedelta(days=days - 1)
    since, until = utc_start_of(start), utc_start_of(today + timedelta(days=1))
    in_window = (Conversation.started_at >= since, Conversation.started_at < until)
    started = Counter(
        local_day_of(at)
        for at in session.scalars(select(Conversation.started_at).where(*in_window))
    )
    per_day = [(day, started[day]) for day in (start + timedelta(days=i) for i in range(days))]
    total, fallbacks, handoffs = session.execute(
        select(
            func.count(),
            func.count().filter(Conversation.had_fallback.is_(True)),
            func.count().filter(Conversation.human_requested.is_(True)),
        ).where(*in_window)
    ).one()
    user_messages = (
        ChatMessage.role == "user",
        ChatMessage.at >= since,
        ChatMessage.at < until,
    )
    mean_confidence = session.scalar(select(func.avg(ChatMessage.confidence)).where(*user_messages))
    intent = func.coalesce(ChatMessage.corrected_intent, ChatMessage.intent)
    top = session.execute(
        select(intent, func.count())
        .where(*user_messages, intent.is_not(None))
        .group_by(intent)
        .order_by(func.count().desc(), intent)
        .limit(10)
    ).all()
    sent = dict(
        session.execute(
            select(Notification.kind, func.count())
            .where(
                Notification.status == NotificationStatus.SENT,
                Notification.sent_at >= since,
                Notification.sent_at < until,
            )
            .group_by(Notification.kind)
        ).all()
    )
    waiting = session.scalar(
        select(func.count()).where(Conversation.status == ConversationStatus.WAITING)
    )
    return Dashboard(
        start,
        today,
        per_day,
        int(total),
        fallbacks / total if total else None,
        handoffs / total if total else None,
        float(mean_confidence) if mean_confidence is not None else None,
        [(str(name), int(count)) for name, count in top],
        {str(k): int(v) for k, v in sent.items()},
        int(waiting or 0),
    )
