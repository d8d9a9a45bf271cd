"""Planned outages: the operator's feed (JSON or CSV, all or nothing) and who an outage concerns.

Outage times are stored in Việt Nam time (the feed's local times); `now` is compared in that
time base. Notices for the households of an area are queued by notifications/outages.py.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from backend.models import Household, Outage
from backend.services.households import province_exists, ward_in_province
from backend.services.storable import UNSTORABLE

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


def households_of(outage: Outage) -> ColumnElement[bool]:
    """Households the outage concerns: its province, and its ward when it names one."""
    return and_(
        Household.province_code == outage.province_code,
        or_(
            true() if outage.ward_code is None else false(),
            Household.ward_code == outage.ward_code,
        ),
    )


def upcoming_for(
    session: Session, household: Household, *, now_local: datetime, limit: int = 10
) -> list[Outage]:
    """Outages in the household's province (whole province or its ward) not over yet and not
    cancelled, soonest first; `now_local` in Việt Nam time like the stored outages."""
    return list(
        session.scalars(
            select(Outage)
            .where(
                Outage.province_code == household.province_code,
                or_(Outage.ward_code.is_(None), Outage.ward_code == household.ward_code),
                Outage.ends_at > now_local,
                ~Outage.cancelled,
            )
            .order_by(Outage.starts_at)
            .limit(limit)
        )
    )


def upcoming_in_area(
    session: Session,
    *,
    province_code: int,
    ward_code: int | None,
    now_local: datetime,
    limit: int = 10,
) -> list[Outage]:
    """Outages of an area someone names (no household needed): the whole province's when no
    ward is given, else those of the ward and the province-wide ones; soonest first."""
    where = [
        Outage.province_code == province_code,
        Outage.ends_at > now_local,
        ~Outage.cancelled,
    ]
    if ward_code is not None:
        where.append(or_(Outage.ward_code.is_(None), Outage.ward_code == ward_code))
    return list(
        session.scalars(select(Outage).where(*where).order_by(Outage.starts_at).limit(limit))
    )
