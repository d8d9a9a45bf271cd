from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.clock import utc_now
from backend.extensions import Model


class RenterStatus(StrEnum):
    """Who pays the meter's bill, for the renters' price (stored as its value)."""

    OWNER = "owner"  # or renters with their own contract with the utility
    RENTERS_REGISTERED = "renters_registered"  # renters registered with the utility
    RENTERS_UNREGISTERED = "renters_unregistered"


class Household(Model):
    """A household (one electricity customer) and its preferences."""

    __tablename__ = "households"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    firebase_uid: Mapped[str | None] = mapped_column(String(128), unique=True)
    zalo_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    province_code: Mapped[int | None] = mapped_column(index=True)
    ward_code: Mapped[int | None]
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(20))
    customer_code: Mapped[str | None] = mapped_column(String(13))
    meter_kind: Mapped[str] = mapped_column(String(10), default="postpaid")
    households_on_meter: Mapped[int] = mapped_column(default=1)
    occupants: Mapped[int] = mapped_column(default=3)
    renter_status: Mapped[str] = mapped_column(String(24), default=RenterStatus.OWNER)
    appliances: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notify_weekly_tips: Mapped[bool] = mapped_column(default=True)
    notify_outages: Mapped[bool] = mapped_column(default=True)
    notify_usage_alerts: Mapped[bool] = mapped_column(default=True)
    channel_push: Mapped[bool] = mapped_column(default=True)
    channel_zalo: Mapped[bool] = mapped_column(default=False)
    reading_day: Mapped[int] = mapped_column(default=15)  # the meter is read on this day each month
    zalo_last_message_at: Mapped[datetime | None]
    quiet_start: Mapped[time] = mapped_column(default=time(21, 0))
    quiet_end: Mapped[time] = mapped_column(default=time(7, 0))
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    devices: Mapped[list[Device]] = relationship(
        back_populates="household", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def air_conditioners(self) -> int:
        ac = (self.appliances or {}).get("air_conditioner")
        if isinstance(ac, dict):
            return int(ac.get("count", 1))  # as validate_appliances reads a count left out
        return 1 if ac is True else 0  # "air_conditioner": true, as the app shows it: one


class Device(Model):
    """A push token of one of the household's phones."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(4096), unique=True)
    platform: Mapped[str] = mapped_column(String(16), default="android")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    dead_at: Mapped[datetime | None]
    dead_reason: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship(back_populates="devices")


class ZaloLinkCode(Model):
    """A short-lived 6-digit code shown in the app that links a Zalo user to the household."""

    __tablename__ = "zalo_link_codes"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime]
    # wrong codes tried by anyone while this code was outstanding: past a bound the code is void,
    # so each code faces only a few guesses in its life however many Zalo accounts guess
    wrong_guesses: Mapped[int] = mapped_column(default=0, server_default="0")


class ZaloLinkFailure(Model):
    """A wrong link code sent by one Zalo user (keyed hash, kept one day): the per-sender limit."""

    __tablename__ = "zalo_link_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
