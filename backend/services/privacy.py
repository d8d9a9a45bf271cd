"""Export and deletion of a household's data (Nghị định 13/2023/NĐ-CP)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.models import (
    AuditRecord,
    Bill,
    Conversation,
    DailyReading,
    DeadLetterEvent,
    Device,
    Household,
    MeterIndex,
    Notification,
)
from backend.services.errors import ServiceError
from backend.services.households import profile


class TrackerUnavailable(ServiceError):
    status = 503
    code = "unavailable"


def export_household(session: Session, household: Household) -> dict[str, Any]:
    def rows(model: Any, *columns: str) -> list[dict[str, Any]]:
        items = session.scalars(select(model).where(model.household_id == household.id))
        return [{c: getattr(item, c) for c in columns} for item in items]

    return {
        "profile": profile(household),
        "devices": rows(Device, "token", "platform", "created_at", "last_seen_at", "dead_at"),
        "daily_readings": rows(DailyReading, "day", "kwh", "source"),
        "meter_indexes": rows(MeterIndex, "read_on", "reading", "source"),
        "bills": rows(Bill, "period_start", "period_end", "kwh", "amount"),
        "conversations": rows(Conversation, "sender_id", "channel", "status"),
        "notifications": rows(
            Notification, "kind", "title", "body", "status", "created_at", "sent_at"
        ),
    }


def sender_ids(household: Household) -> list[str]:
    ids = [household.id]
    if household.zalo_user_id:
        ids.append(f"zalo-{household.zalo_user_id}")
    return ids


def delete_tracker_events(tracker_db_url: str, senders: list[str]) -> int:
    """Remove the household's events from Rasa's SQL tracker store (skipped if it has none)."""
    if not tracker_db_url:
        return 0
    url = make_url(tracker_db_url)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        return 0  # Rasa has not written a tracker yet
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            deleted = 0
            for sender in senders:
                result = connection.execute(
                    text("DELETE FROM events WHERE sender_id = :s"), {"s": sender}
                )
                deleted += result.rowcount or 0
            return deleted
    except SQLAlchemyError as exc:
        raise TrackerUnavailable(
            "the conversation store is unavailable; nothing was deleted, please retry"
        ) from exc
    finally:
        engine.dispose()


def delete_household(
    session: Session, household: Household, tracker_db_url: str, actor: str
) -> dict[str, int]:
    """Delete everything of the household (FK cascades) and its Rasa events; keep an audit record
    that holds counts and a one-way hash, never the id, name, phone or address."""
    counts = {
        name: session.scalar(
            select(func.count()).select_from(model).where(model.household_id == household.id)
        )
        or 0
        for name, model in (
            ("readings", DailyReading),
            ("meter_indexes", MeterIndex),
            ("bills", Bill),
            ("devices", Device),
            ("conversations", Conversation),
            ("notifications", Notification),
        )
    }
    counts["tracker_events"] = delete_tracker_events(tracker_db_url, sender_ids(household))
    subject = hashlib.sha256(household.id.encode()).hexdigest()[:16]
    session.execute(delete(Conversation).where(Conversation.sender_id.in_(sender_ids(household))))
    session.execute(  # a bad event of this household set aside by the consumer holds its text
        delete(DeadLetterEvent).where(DeadLetterEvent.sender_id.in_(sender_ids(household)))
    )
    session.delete(household)
    session.add(
        AuditRecord(action="household_deleted", actor=actor, subject=subject, details=counts)
    )
    session.commit()
    return counts
