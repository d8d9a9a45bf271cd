from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.clock import utc_now
from backend.extensions import Model


class Budget(Model):
    """A household's monthly budget: an amount in đồng or a kWh limit (exactly one is set)."""

    __tablename__ = "budgets"

    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    amount: Mapped[int | None]  # whole đồng, VAT included
    kwh: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(8), default="app")  # app, chat
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class ProjectionAlert(Model):
    """The last projected-bill alert of a kind in a billing period: a new one only when the
    projection worsens materially (see notifications/projection.py)."""

    __tablename__ = "projection_alerts"

    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    period_start: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # budget, tier
    projected_amount: Mapped[int]
    projected_tier: Mapped[int] = mapped_column(default=0)
    count: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class WeatherForecast(Model):
    """A forecast daily temperature of a province (Open-Meteo), with when it was fetched."""

    __tablename__ = "weather_forecasts"

    province_code: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    mean_temp_c: Mapped[float]
    max_temp_c: Mapped[float | None]
    fetched_at: Mapped[datetime] = mapped_column(default=utc_now)
