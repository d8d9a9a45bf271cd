"""Planned-outage notices: imported or created outages fan out to the households of the area.

A notice's dedupe key carries the outage's version, so a household gets one notice per version:
the first announcement, then one per change or cancellation — never the same version twice.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session

from backend.models import Household, Outage
from backend.services.households import household_pages, province_exists
from notifications.outbox import enqueue

URGENT_WITHIN = timedelta(hours=12)  # may pass quiet hours
PAGE = 1000
FIELDS = ("province_code", "ward_code", "area_name", "starts_at", "ends_at", "reason", "cancelled")


class OutageImportError(ValueError):
    pass


def _parse(item: dict[str, Any], index: int) -> dict[str, Any]:
    try:
        values: dict[str, Any] = {
            "province_code": int(item["province_code"]),
            "ward_code": int(item["ward_code"])
            if item.get("ward_code") not in (None, "")
            else None,
            "area_name": str(item.get("area_name") or ""),
            "starts_at": datetime.fromisoformat(item["start"]),
            "ends_at": datetime.fromisoformat(item["end"]),
            "reason": str(item.get("reason") or ""),
            "cancelled": bool(item.get("cancelled", False)),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise OutageImportError(f"item {index}: {exc}") from exc
    if not province_exists(values["province_code"]):
        raise OutageImportError(f"item {index}: unknown province {values['province_code']}")
    if values["ends_at"] <= values["starts_at"]:
        raise OutageImportError(f"item {index}: end is not after start")
    return values


def import_outages(session: Session, handle: TextIO) -> tuple[int, int]:
    """JSON list of {id?, province_code, ward_code?, area_name, start, end, reason, cancelled?}
    (local times). An item with the id of a known outage updates it and bumps its version when
    anything changed. All items or none. Returns (created, changed)."""
    try:
        items = json.load(handle)
    except ValueError as exc:
        raise OutageImportError(f"not JSON: {exc}") from exc
    if not isinstance(items, list):
        raise OutageImportError("expected a JSON list of outages")
    parsed = [(item.get("id"), _parse(item, index)) for index, item in enumerate(items)]
    created = changed = 0
    for outage_id, values in parsed:
        outage = session.get(Outage, outage_id) if outage_id is not None else None
        if outage is None:
            session.add(Outage(**values))
            created += 1
        elif any(getattr(outage, key) != values[key] for key in FIELDS):
            for key in FIELDS:
                setattr(outage, key, values[key])
            outage.version += 1
            changed += 1
    session.commit()
    return created, changed


def notice_text(outage: Outage) -> tuple[str, str]:
    when = f"{outage.starts_at:%H:%M} ngày {outage.starts_at:%d/%m} đến {outage.ends_at:%H:%M} ngày {outage.ends_at:%d/%m}"
    if outage.cancelled:
        return "Hủy lịch cắt điện", f"Lịch cắt điện {when} tại {outage.area_name} đã được hủy."
    title = "Lịch cắt điện" if outage.version == 1 else "Thay đổi lịch cắt điện"
    return (
        title,
        f"Cắt điện từ {when} tại {outage.area_name}. Lý do: {outage.reason}. Bạn chủ động sắp xếp sinh hoạt nhé.",
    )


def enqueue_outage_notices(session: Session, now_local: datetime) -> int:
    """One notice per household in the area and outage version, for outages not yet over."""
    count = 0
    outages = session.scalars(select(Outage).where(Outage.ends_at > now_local))
    for outage in outages:
        title, body = notice_text(outage)
        urgent = outage.starts_at - now_local <= URGENT_WITHIN
        details = {
            "outage_id": outage.id,
            "version": outage.version,
            "area": outage.area_name,
            "start": f"{outage.starts_at:%H:%M %d/%m/%Y}",
            "end": f"{outage.ends_at:%H:%M %d/%m/%Y}",
            "reason": outage.reason,
            "cancelled": outage.cancelled,
        }
        area = (
            Household.province_code == outage.province_code,
            or_(
                true() if outage.ward_code is None else false(),
                Household.ward_code == outage.ward_code,
            ),
        )
        for households in household_pages(session, *area, page=PAGE):
            for household in households:
                key = f"outage:{outage.id}:{household.id}:v{outage.version}"
                data = {**details, "urgent": urgent}
                if enqueue(session, household, "outage", key, title, body, data) is not None:
                    count += 1
    return count
