from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from backend.clock import utc_now
from backend.extensions import Model


class ForgottenSender(Model):
    """A deletion tombstone: a chat sender whose data was deleted, as a keyed hash only.

    Rasa saves the turn that carried the deletion after the backend deleted the household, so its
    tracker store and event broker receive the session again. Events of this sender timestamped up
    to `covers_until` are skipped by the conversation consumer and purged from both stores; the
    `*_after` watermarks (the stores' highest row id at deletion time) bound the purge's scan."""

    __tablename__ = "forgotten_senders"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)  # HMAC-SHA256, hex
    deleted_at: Mapped[datetime] = mapped_column(default=utc_now)
    covers_until: Mapped[datetime]
    tracker_after: Mapped[int] = mapped_column(default=0)
    events_after: Mapped[int] = mapped_column(default=0)
    settled_at: Mapped[datetime | None] = mapped_column(index=True)
