from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.clock import utc_now
from backend.extensions import Model


class DailyReading(Model):
    """kWh used on one day (remote-read meters). One row per household and day."""

    __tablename__ = "daily_readings"

    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    kwh: Mapped[float]
    source: Mapped[str] = mapped_column(String(16), default="meter")
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class MeterIndex(Model):
    """A meter index reported by the household (chat or app)."""

    __tablename__ = "meter_indexes"
    __table_args__ = (UniqueConstraint("household_id", "read_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    read_on: Mapped[date]
    reading: Mapped[int]
    source: Mapped[str] = mapped_column(String(16), default="app")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Bill(Model):
    """A bill the household received (period, kWh, amount in đồng)."""

    __tablename__ = "bills"
    __table_args__ = (UniqueConstraint("household_id", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[date]
    period_end: Mapped[date]
    kwh: Mapped[int]
    amount: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
