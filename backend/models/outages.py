from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from backend.clock import utc_now
from backend.extensions import Model


class Outage(Model):
    """A planned outage in a province (or one ward of it). `version` grows with every change."""

    __tablename__ = "outages"

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column(index=True)
    ward_code: Mapped[int | None]
    area_name: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True)  # local time, Asia/Ho_Chi_Minh
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(300), default="")
    cancelled: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
