from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.clock import utc_now
from backend.extensions import Model


class NotificationStatus(StrEnum):
    """A notification's way through the outbox: pending → leased → sent | failed | skipped."""

    PENDING = "pending"
    LEASED = "leased"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # no channel left to try


class DeliveryStatus(StrEnum):
    """The outcome of one notification on one channel."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


class Notification(Model):
    """The durable outbox: one row per message to a household, at most one per dedupe key."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))  # weekly_tip, outage, usage_alert
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=NotificationStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    lease_until: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(12))
    provider_message_id: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    read_at: Mapped[datetime | None] = mapped_column()  # opened in the household's app inbox
    sent_at: Mapped[datetime | None]


class NotificationDelivery(Model):
    """The outcome of one notification on one channel (push, zalo or log).

    A notification may go out on push and Zalo; when one channel must be retried the other's
    outcome is kept here, so the retry never sends the delivered channel again."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (UniqueConstraint("notification_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # the unique constraint (notification_id, channel) doubles as the lookup index
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))  # push, zalo, log
    status: Mapped[str] = mapped_column(String(8))  # a DeliveryStatus
    via: Mapped[str] = mapped_column(String(8), default="")  # fcm, log, cs (OA message), zns
    provider_message_id: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
