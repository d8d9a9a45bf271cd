from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.clock import utc_now
from backend.extensions import Model


class AuditRecord(Model):
    """What happened, without personal data (e.g. a household deleted its data)."""

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    action: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64), default="system")
    subject: Mapped[str] = mapped_column(String(128), default="")  # a hash, never a name or id
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
