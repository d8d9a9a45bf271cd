from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import Model


class WeatherObservation(Model):
    """Observed daily mean temperature of a province (imported with `flask weather import`)."""

    __tablename__ = "weather_observations"

    province_code: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    avg_temp_c: Mapped[float]
