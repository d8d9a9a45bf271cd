from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.clock import utc_now
from backend.extensions import Model


class UsageScore(Model):
    """The consumption model's verdict for one household-day."""

    __tablename__ = "usage_scores"

    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    expected_kwh: Mapped[float]
    weather_kwh: Mapped[float] = mapped_column(default=0.0)
    score: Mapped[float]
    is_anomaly: Mapped[bool]


class AnomalyEpisode(Model):
    """A run of flagged days; one usage alert is raised per episode."""

    __tablename__ = "anomaly_episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    start_day: Mapped[date]
    last_day: Mapped[date]
    is_open: Mapped[bool] = mapped_column(default=True)
    expected_kwh: Mapped[float]
    actual_kwh: Mapped[float]
    weather_kwh: Mapped[float]
    excess_days: Mapped[int]
    explanation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # the household's answer to the usage alert's question: did its use change for good (a new
    # appliance, more people)? True: the scoring learns the new level from `start_day` on
    lasting_change: Mapped[bool | None] = mapped_column(default=None)
    # … and, with a yes, what changed if it said (services.anomalies.CHANGE_KINDS): more air
    # conditioning may be learnt as its peers' cooling, another appliance on the home's own
    # weather pattern
    change_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    feedback_note: Mapped[str | None] = mapped_column(Text, default=None)
    feedback_at: Mapped[datetime | None] = mapped_column(default=None)
    # the day the household said it had put the alert's cause right (a heater repaired): the
    # scoring restarts its evidence from that day, so the episode ends, or a new one opens if use
    # stays high
    repaired_on: Mapped[date | None] = mapped_column(default=None)


class GuestStay(Model):
    """Days the household said beforehand that guests would stay: not its normal use, so the
    consumption model neither learns from them nor raises a usage alert for them."""

    __tablename__ = "guest_stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    first_day: Mapped[date]
    last_day: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
