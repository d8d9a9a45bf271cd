"""Planned-outage notices: imported or created outages fan out to the households of the area.

A notice's dedupe key carries the outage's version, so a household gets one notice per version:
the first announcement, then one per change or cancellation — never the same version twice.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TextIO

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session

from backend.clock import to_local
from backend.content.dates import span_vi
from backend.models import Household, Outage
from backend.services.households import household_pages, province_exists, ward_in_province
from backend.services.storable import UNSTORABLE
from notifications.outbox import enqueue_many

URGENT_WITHIN = timedelta(hours=12)  # may pass quiet hours
PAGE = 1000
FIELDS = ("province_code", "ward_code", "area_name", "starts_at", "ends_at", "reason", "cancelled")
FEED_FIELDS = ("province_code", "ward_code", "area_name", "start", "end", "reason", "cancelled")
REQUIRED = ("province_code", "start", "end")


class OutageImportError(ValueError):
    pass


TRUE, FALSE = {"1", "true", "yes", "có"}, {"0", "false", "no", "không"}


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in TRUE | FALSE:
        raise ValueError("expected true or false")
    return text in TRUE


def _text(value: Any) -> str:
    text = str(value)
    if UNSTORABLE.search(text):
        raise ValueError("holds NUL or a lone surrogate, which the database cannot store")
    return text


def _field(item: dict[str, Any], name: str, convert: Callable[[Any], Any], where: str) -> Any:
    """`item[name]` converted; a missing or bad value names the item (or line) and the field."""
    raw = item.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if name in REQUIRED:
            raise OutageImportError(f"{where}, field '{name}': missing")
        return None
    try:
        return convert(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError) as exc:
        raise OutageImportError(f"{where}, field '{name}': {raw!r} is not valid ({exc})") from exc


def _parse(item: Any, where: str) -> tuple[int | None, dict[str, Any]]:
    if not isinstance(item, dict):
        raise OutageImportError(f"{where}: expected an object with the outage's fields")
    values: dict[str, Any] = {
        "province_code": _field(item, "province_code", int, where),
        "ward_code": _field(item, "ward_code", int, where),
        "area_name": _field(item, "area_name", _text, where) or "",
        "starts_at": _field(item, "start", datetime.fromisoformat, where),
        "ends_at": _field(item, "end", datetime.fromisoformat, where),
        "reason": _field(item, "reason", _text, where) or "",
        "cancelled": _field(item, "cancelled", _flag, where) or False,
    }
    if not province_exists(values["province_code"]):
        raise OutageImportError(
            f"{where}, field 'province_code': unknown province {values['province_code']}"
        )
    ward = values["ward_code"]
    if ward is not None and not ward_in_province(ward, values["province_code"]):
        raise OutageImportError(
            f"{where}, field 'ward_code': ward {ward} is not in province {values['province_code']}"
        )
    if values["ends_at"] <= values["starts_at"]:
        raise OutageImportError(f"{where}, field 'end': not after start")
    return _field(item, "id", int, where), values


def read_json(handle: TextIO) -> list[tuple[int | None, dict[str, Any]]]:
    try:
        items = json.load(handle)
    except UnicodeDecodeError:
        raise  # not a JSON error: the file is not UTF-8
    except ValueError as exc:
        raise OutageImportError(f"not JSON: {exc}") from exc
    if not isinstance(items, list):
        raise OutageImportError("expected a JSON list of outages")
    return [_parse(item, f"item {index}") for index, item in enumerate(items)]


def read_csv(handle: TextIO) -> list[tuple[int | None, dict[str, Any]]]:
    """A header line naming the columns (the JSON fields), then one outage per line."""
    reader = csv.DictReader(handle)
    columns = set(reader.fieldnames or ())
    if missing := [name for name in REQUIRED if name not in columns]:
        raise OutageImportError(f"CSV header: missing column(s) {', '.join(missing)}")
    if unknown := sorted(columns - {"id", *FEED_FIELDS}):
        raise OutageImportError(f"CSV header: unknown column(s) {', '.join(unknown)}")
    try:
        return [_parse(row, f"line {reader.line_num}") for row in reader]
    except csv.Error as exc:
        raise OutageImportError(f"line {reader.line_num}: {exc}") from exc


READERS = {"json": read_json, "csv": read_csv}


def import_outages(session: Session, handle: TextIO, fmt: str = "json") -> tuple[int, int]:
    """A feed of outages, JSON (a list of objects) or CSV (a header line, then one per line),
    with the fields id?, province_code, ward_code?, area_name, start, end, reason, cancelled?
    (local times, ISO 8601). An outage with the id of a known outage updates it and bumps its
    version when anything changed. All outages or none. Returns (created, changed)."""
    parsed = READERS[fmt](handle)
    created = changed = 0
    try:
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
    except Exception:
        session.rollback()
        raise
    return created, changed


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
        area = (
            Household.province_code == outage.province_code,
            or_(
                true() if outage.ward_code is None else false(),
                Household.ward_code == outage.ward_code,
            ),
        )
        data = {**details, "urgent": urgent}
        for households in household_pages(session, *area, page=PAGE):
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
