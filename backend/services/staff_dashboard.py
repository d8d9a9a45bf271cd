"""Figures of the staff dashboard over a window of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.models import ChatMessage, Conversation, Notification


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


def dashboard(session: Session, today: date, days: int = 30) -> Dashboard:
    start = today - timedelta(days=days - 1)
    since = datetime.combine(start, time())
    until = datetime.combine(today + timedelta(days=1), time())
    in_window = (Conversation.started_at >= since, Conversation.started_at < until)
    # func.date() gives a string on SQLite and a date on PostgreSQL: key both by the ISO text
    started = {
        str(day): count
        for day, count in session.execute(
            select(func.date(Conversation.started_at), func.count())
            .where(*in_window)
            .group_by(func.date(Conversation.started_at))
        )
    }
    per_day = [
        (day, int(started.get(day.isoformat(), 0)))
        for day in (start + timedelta(days=i) for i in range(days))
    ]
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
                Notification.status == "sent",
                Notification.sent_at >= since,
                Notification.sent_at < until,
            )
            .group_by(Notification.kind)
        ).all()
    )
    waiting = session.scalar(select(func.count()).where(Conversation.status == "waiting"))
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
