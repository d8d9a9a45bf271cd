"""Household profiles: validation of what households may change, devices, Zalo link codes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from backend.clock import utc_now
from backend.models import Device, Household, ZaloLinkCode, ZaloLinkFailure
from backend.services.errors import InvalidInput, NotFound, TooManyAttempts

CUSTOMER_CODE = re.compile(r"^P[A-Z][0-9A-Z]{11}$")
PHONE = re.compile(r"^(0|\+?84)(3|5|7|8|9)\d{8}$")
APPLIANCES = {
    "air_conditioner",
    "water_heater",
    "fridge",
    "washing_machine",
    "cooking",
    "tv",
    "fan",
    "lighting",
    "water_pump",
    "dryer",
    "ev_charger",
    "solar_panels",
}
CONSENT_VERSION = "ND13-2023-v1"
LINK_CODE_MINUTES = 10
# A Zalo user may send this many wrong codes per window before being told to wait; every code
# is void once this many wrong codes (from anyone) arrived while it was outstanding. Together:
# with 10^6 codes, the odds of guessing a given household's code stay below 1 in 40,000.
LINK_FAILURES_PER_SENDER = 5
LINK_FAILURE_WINDOW = timedelta(minutes=15)
LINK_CODE_MAX_WRONG_GUESSES = 25


def province_name(code: int) -> str | None:
    """The province's name as `vietnam-provinces` gives it (the API and staff pages alike)."""
    try:
        return str(Province.from_code(ProvinceCode(code)).name)
    except (ValueError, KeyError):
        return None


def province_codes() -> list[int]:
    return sorted(int(province.code.value) for province in Province.iter_all())


def province_exists(code: int) -> bool:
    try:
        Province.from_code(ProvinceCode(code))
    except (ValueError, KeyError):
        return False
    return True


def ward_in_province(ward_code: int, province_code: int) -> bool:
    try:
        ward = Ward.from_code(WardCode(ward_code))
    except (ValueError, KeyError):
        return False
    return int(ward.province_code.value) == province_code


def validate_appliances(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput("danh sách thiết bị phải là một đối tượng JSON", "appliances")
    for key, item in value.items():
        if key not in APPLIANCES:
            raise InvalidInput(f"không có loại thiết bị '{key}'", f"appliances.{key}")
        if isinstance(item, dict):
            count = item.get("count", 1)
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 20:
                raise InvalidInput(
                    "số lượng phải là số nguyên từ 0 đến 20", f"appliances.{key}.count"
                )
            if "inverter" in item and not isinstance(item["inverter"], bool):
                raise InvalidInput("inverter phải là true hoặc false", f"appliances.{key}.inverter")
            unknown = set(item) - {"count", "inverter", "kind"}
            if unknown:
                raise InvalidInput(f"không có trường '{sorted(unknown)[0]}'", f"appliances.{key}")
        elif not isinstance(item, (bool, str)):
            raise InvalidInput(
                "phải là true/false, một loại thiết bị hoặc {count, inverter}", f"appliances.{key}"
            )
    return value


def update_profile(session: Session, household: Household, changes: dict[str, Any]) -> Household:
    """Apply validated changes (a PUT /me body); nothing is written when any field is invalid."""
    province = changes.get("province_code", household.province_code)
    if "province_code" in changes and not province_exists(changes["province_code"]):
        raise InvalidInput(
            "mã tỉnh/thành không tồn tại (theo bản đồ hành chính 2025)", "province_code"
        )
    if changes.get("ward_code") is not None and (
        province is None or not ward_in_province(changes["ward_code"], province)
    ):
        raise InvalidInput("phường/xã không thuộc tỉnh/thành đã chọn", "ward_code")
    if changes.get("customer_code") and not CUSTOMER_CODE.match(changes["customer_code"]):
        raise InvalidInput("mã khách hàng EVN gồm 13 ký tự, ví dụ PE01000123456", "customer_code")
    if changes.get("phone") and not PHONE.match(changes["phone"]):
        raise InvalidInput("cần số điện thoại di động Việt Nam, ví dụ 0912345678", "phone")
    if "appliances" in changes:
        validate_appliances(changes["appliances"])
    simple = (
        "display_name",
        "province_code",
        "ward_code",
        "address",
        "phone",
        "customer_code",
        "meter_kind",
        "households_on_meter",
        "occupants",
        "renter_status",
        "appliances",
        "reading_day",
    )
    for field in simple:
        if field in changes:
            setattr(household, field, changes[field])
    if "province_code" in changes and "ward_code" not in changes:
        household.ward_code = None  # a ward of the old province no longer applies
    for kind, column in (
        ("weekly_tips", "notify_weekly_tips"),
        ("outage_notices", "notify_outages"),
        ("usage_alerts", "notify_usage_alerts"),
    ):
        if kind in changes.get("notifications", {}):
            setattr(household, column, changes["notifications"][kind])
    for channel, column in (("push", "channel_push"), ("zalo", "channel_zalo")):
        if channel in changes.get("channels", {}):
            setattr(household, column, changes["channels"][channel])
    quiet = changes.get("quiet_hours") or {}
    if "start" in quiet:
        household.quiet_start = quiet["start"]
    if "end" in quiet:
        household.quiet_end = quiet["end"]
    if "consent" in changes:
        given = changes["consent"]
        household.consent_at = utc_now() if given else None
        household.consent_version = CONSENT_VERSION if given else None
    session.commit()
    return household


def set_subscriptions(
    session: Session, household: Household, changes: dict[str, bool]
) -> Household:
    return update_profile(session, household, {"notifications": changes})


def profile(household: Household) -> dict[str, Any]:
    return {
        "id": household.id,
        "display_name": household.display_name,
        "province_code": household.province_code,
        "ward_code": household.ward_code,
        "address": household.address,
        "phone": household.phone,
        "customer_code": household.customer_code,
        "meter_kind": household.meter_kind,
        "households_on_meter": household.households_on_meter,
        "occupants": household.occupants,
        "renter_status": household.renter_status,
        "reading_day": household.reading_day,
        "appliances": household.appliances or {},
        "notifications": notification_preferences(household),
        "channels": {"push": household.channel_push, "zalo": household.channel_zalo},
        "quiet_hours": {"start": household.quiet_start, "end": household.quiet_end},
        "consent_at": household.consent_at,
        "consent_version": household.consent_version,
        "zalo_linked": household.zalo_user_id is not None,
        "created_at": household.created_at,
        "updated_at": household.updated_at,
    }


def notification_preferences(household: Household) -> dict[str, bool]:
    return {
        "weekly_tips": household.notify_weekly_tips,
        "outage_notices": household.notify_outages,
        "usage_alerts": household.notify_usage_alerts,
    }


def register_device(session: Session, household: Household, token: str, platform: str) -> Device:
    """Idempotent on the token; a token seen again moves to this household and comes back to life."""
    device = session.scalar(select(Device).where(Device.token == token))
    if device is None:
        device = Device(household_id=household.id, token=token, platform=platform)
        session.add(device)
    device.household_id = household.id
    device.platform = platform
    device.last_seen_at = utc_now()
    device.dead_at = None
    device.dead_reason = None
    session.commit()
    return device


def remove_device(session: Session, household: Household, token: str) -> None:
    device = session.scalar(
        select(Device).where(Device.token == token, Device.household_id == household.id)
    )
    if device is None:
        raise NotFound("Không tìm thấy thiết bị này của hộ.", "token")
    session.delete(device)
    session.commit()


def new_link_code(session: Session, household: Household) -> ZaloLinkCode:
    session.query(ZaloLinkCode).filter(ZaloLinkCode.household_id == household.id).delete()
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        if session.get(ZaloLinkCode, code) is None:
            break
    link = ZaloLinkCode(
        code=code,
        household_id=household.id,
        expires_at=utc_now() + timedelta(minutes=LINK_CODE_MINUTES),
    )
    session.add(link)
    session.commit()
    return link


def _sender_key(zalo_user_id: str, key: str) -> str:
    return hmac.new(key.encode(), zalo_user_id.encode(), hashlib.sha256).hexdigest()


def link_zalo_user(
    session: Session, *, code: str, zalo_user_id: str, key: str, now: datetime
) -> Household:
    """Link the Zalo user to the household whose outstanding code this is.

    Refused (429) after LINK_FAILURES_PER_SENDER wrong codes from this user within the window;
    a wrong code counts against the sender and against every outstanding code. `key` makes the
    stored sender key a keyed hash, so failures hold no Zalo id."""
    sender_key = _sender_key(zalo_user_id, key)
    session.execute(delete(ZaloLinkFailure).where(ZaloLinkFailure.at < now - timedelta(days=1)))
    recent = session.scalar(
        select(func.count())
        .select_from(ZaloLinkFailure)
        .where(
            ZaloLinkFailure.sender_key == sender_key,
            ZaloLinkFailure.at >= now - LINK_FAILURE_WINDOW,
        )
    )
    if (recent or 0) >= LINK_FAILURES_PER_SENDER:
        session.commit()
        minutes = int(LINK_FAILURE_WINDOW.total_seconds() // 60)
        raise TooManyAttempts(
            f"Bạn đã nhập sai mã {LINK_FAILURES_PER_SENDER} lần; vui lòng thử lại sau {minutes} phút.",
            "code",
        )
    link = session.get(ZaloLinkCode, code)
    if link is None or link.expires_at < now or link.wrong_guesses >= LINK_CODE_MAX_WRONG_GUESSES:
        session.add(ZaloLinkFailure(sender_key=sender_key, at=now))
        session.execute(
            update(ZaloLinkCode)
            .where(ZaloLinkCode.expires_at >= now)
            .values(wrong_guesses=ZaloLinkCode.wrong_guesses + 1)
        )
        session.commit()
        raise NotFound("Mã liên kết sai hoặc đã hết hạn.", "code", code="invalid_code")
    household = session.get(Household, link.household_id)
    assert household is not None  # FK
    previous = session.scalar(select(Household).where(Household.zalo_user_id == zalo_user_id))
    if previous is not None and previous.id != household.id:
        previous.zalo_user_id = None
        previous.channel_zalo = False
        session.flush()
    household.zalo_user_id = zalo_user_id
    household.channel_zalo = True
    session.delete(link)
    session.execute(delete(ZaloLinkFailure).where(ZaloLinkFailure.sender_key == sender_key))
    session.commit()
    return household


def household_for_sender(session: Session, sender_id: str) -> Household | None:
    if sender_id.startswith("zalo-"):
        return session.scalar(select(Household).where(Household.zalo_user_id == sender_id[5:]))
    return session.get(Household, sender_id)


def household_pages(
    session: Session, *conditions: Any, page: int = 1000
) -> Iterator[list[Household]]:
    """Households matching `conditions`, by id, a page at a time (memory stays flat)."""
    last_id = ""
    while True:
        rows = list(
            session.scalars(
                select(Household)
                .where(Household.id > last_id, *conditions)
                .order_by(Household.id)
                .limit(page)
            )
        )
        if not rows:
            return
        last_id = rows[-1].id
        yield rows


def parse_time(text: str) -> time:
    return datetime.strptime(text, "%H:%M").time()
