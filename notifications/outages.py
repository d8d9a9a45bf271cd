"""Planned-outage notices: outages not yet over fan out to the households of their area.

A notice's dedupe key carries the outage's version, so a household gets one notice per version:
the first announcement, then one per change or cancellation — never the same version twice.
The feed itself is imported by the backend (backend/services/outages.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.clock import to_local
from backend.content.dates import span_vi
from backend.models import Outage
from backend.services.households import household_pages
from backend.services.outages import households_of
from notifications.outbox import enqueue_many

URGENT_WITHIN = timedelta(hours=12)  # may pass quiet hours
PAGE = 1000


def notice_text(outage: Outage) -> tuple[str, str]:
    when = span_vi(outage.starts_at, outage.ends_at)
    if outage.cancelled:
        return "Hủy lịch cắt điện", f"Lịch cắt điện {when} tại {outage.area_name} đã được hủy."
    title = "Lịch cắt điện" if outage.version == 1 else "Thay đổi lịch cắt điện"
    reason = (outage.reason or "").strip().rstrip(".")
    because = f" Lý do: {reason}." if reason else ""
    return (
        title,
        f"Cắt điện {when} tại {outage.area_name}.{because} Bạn chủ động sắp xếp sinh hoạt nhé.",
    )


def enqueue_outage_notices(session: Session, *, now: datetime) -> int:
    """One notice per household in the area and outage version, for outages not yet over.

    `now` is naive UTC like every stored instant; outages are stored in Việt Nam time, so they
    are compared with `now` in Việt Nam time."""
    now_local = to_local(now)
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
        data = {**details, "urgent": urgent}
        for households in household_pages(session, households_of(outage), page=PAGE):
            items = [
                (
                    household,
                    f"outage:{outage.id}:{household.id}:v{outage.version}",
                    title,
                    body,
                    data,
                )
                for household in households
            ]
            count += enqueue_many(session, "outage", items)
    return count
