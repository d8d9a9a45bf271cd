from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import Model
from backend.models._time import utcnow


class Conversation(Model):
    """A chat sender (app household or Zalo user) and whether staff must step in."""

    __tablename__ = "conversations"

    sender_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="rest")
    household_id: Mapped[str | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    # "bot": the assistant answers; "waiting": a person was requested; "taken_over": staff answer
    status: Mapped[str] = mapped_column(String(16), default="bot", index=True)
    waiting_since: Mapped[datetime | None]
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
