"""Daily readings (idempotent bulk upload), manual meter indexes and bills."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.billing.engine import MAX_PERIOD_DAYS
from backend.clock import utc_now
from backend.content.dates import date_vi
from backend.models import Bill, DailyReading, Household, MeterIndex
from backend.services.errors import Conflict, InvalidInput

MAX_ROWS = 5000
MAX_DAILY_KWH = 1000.0
EARLIEST_DATE = date(2000, 1, 1)  # no household keeps readings, indexes or bills from before
TOO_EARLY = f"Ngày phải từ {date_vi(EARLIEST_DATE)} trở đi."


@dataclass(frozen=True)
class UploadResult:
    received: int
    created: int
    replaced: int


def record_readings(
    session: Session, household: Household, rows: Iterable[dict[str, Any]], *, today: date
) -> UploadResult:
    """Upsert per (household, day): posting a day again replaces it. All rows or none."""
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"mỗi lần gửi tối đa {MAX_ROWS} ngày số liệu", "readings")
    seen: set[date] = set()
    for index, row in enumerate(rows):
        day, kwh = row["date"], row["kwh"]
        if day > today:
            raise InvalidInput(
                "không thể ghi số điện cho một ngày trong tương lai", f"readings.{index}.date"
            )
        if day < EARLIEST_DATE:
            raise InvalidInput(TOO_EARLY, f"readings.{index}.date")
        if day in seen:
            raise InvalidInput(
                "một ngày xuất hiện hai lần trong lần gửi này", f"readings.{index}.date"
            )
        if not 0 <= kwh <= MAX_DAILY_KWH:
            raise InvalidInput(f"số kWh phải từ 0 đến {MAX_DAILY_KWH:g}", f"readings.{index}.kwh")
        seen.add(day)
    if not rows:
        return UploadResult(0, 0, 0)
    existing = set(
        session.scalars(
            select(DailyReading.day).where(
                DailyReading.household_id == household.id, DailyReading.day.in_(seen)
            )
        )
    )
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = [
        {
            "household_id": household.id,
            "day": r["date"],
            "kwh": float(r["kwh"]),
            "source": r.get("source", "meter"),
            "updated_at": utc_now(),
        }
        for r in rows
    ]
    statement = insert(DailyReading).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=["household_id", "day"],
        set_={
            "kwh": statement.excluded.kwh,
            "source": statement.excluded.source,
            "updated_at": statement.excluded.updated_at,
        },
    )
    session.execute(statement)
    session.commit()
    return UploadResult(len(rows), len(rows) - len(existing), len(existing))


def readings_between(
    session: Session, household: Household, start: date, end: date
) -> list[DailyReading]:
    return list(
        session.scalars(
            select(DailyReading)
            .where(DailyReading.household_id == household.id, DailyReading.day.between(start, end))
            .order_by(DailyReading.day)
        )
    )


@dataclass(frozen=True)
class IndexResult:
    reading: int
    read_on: date
    consumption_kwh: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "reading": self.reading,
            "read_on": self.read_on.isoformat(),
            "read_on_text": date_vi(self.read_on),
            "consumption_kwh": self.consumption_kwh,
        }


def record_meter_index(
    session: Session,
    household: Household,
    reading: int,
    read_on: date,
    *,
    today: date,
    source: str,
) -> IndexResult:
    """Store a meter index; consumption is the difference with the previous one (never negative)."""
    if read_on > today:
        raise InvalidInput("không thể ghi chỉ số công tơ cho một ngày trong tương lai", "read_on")
    if read_on < EARLIEST_DATE:
        raise InvalidInput(TOO_EARLY, "read_on")
    if not 0 <= reading <= 999_999_999:
        raise InvalidInput("chỉ số công tơ là số nguyên từ 0 đến 999.999.999", "reading")
    previous = session.scalar(
        select(MeterIndex)
        .where(MeterIndex.household_id == household.id, MeterIndex.read_on < read_on)
        .order_by(MeterIndex.read_on.desc())
        .limit(1)
    )
    following = session.scalar(
        select(MeterIndex)
        .where(MeterIndex.household_id == household.id, MeterIndex.read_on > read_on)
        .order_by(MeterIndex.read_on)
        .limit(1)
    )
    if previous is not None and reading < previous.reading:
        raise Conflict(
            f"chỉ số {reading} nhỏ hơn chỉ số {previous.reading} ghi ngày {date_vi(previous.read_on)}",
            "reading",
            code="index_backwards",
        )
    if following is not None and reading > following.reading:
        raise Conflict(
            f"chỉ số {reading} lớn hơn chỉ số {following.reading} ghi sau đó, ngày {date_vi(following.read_on)}",
            "reading",
            code="index_backwards",
        )
    session.execute(
        delete(MeterIndex).where(
            MeterIndex.household_id == household.id, MeterIndex.read_on == read_on
        )
    )
    session.add(
        MeterIndex(household_id=household.id, read_on=read_on, reading=reading, source=source)
    )
    session.commit()
    return IndexResult(reading, read_on, reading - previous.reading if previous else None)


def add_bill(session: Session, household: Household, data: dict[str, Any]) -> Bill:
    if data["period_end"] < data["period_start"]:
        raise InvalidInput("không được trước ngày đầu kỳ.", "period_end")
    if data["period_start"] < EARLIEST_DATE:
        raise InvalidInput(TOO_EARLY, "period_start")
    if (data["period_end"] - data["period_start"]).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidInput(f"một kỳ hóa đơn dài tối đa {MAX_PERIOD_DAYS} ngày.", "period_end")
    start, end = data["period_start"], data["period_end"]
    # one writer per household at a time (a row lock on PostgreSQL; SQLite serialises writers),
    # so two overlapping bills sent at once cannot both pass the check below
    session.execute(select(Household.id).where(Household.id == household.id).with_for_update())
    stored = overlapping_bill(session, household.id, start, end)
    if stored is not None:
        session.rollback()
        raise Conflict(bill_overlap_message(stored, start, end), "period_start")
    bill = Bill(household_id=household.id, **data)
    session.add(bill)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(SAME_PERIOD, "period_start") from exc
    return bill


# The same period again: the body documented word for word for 409 (backend/api/openapi.py)
SAME_PERIOD = "Đã có hóa đơn cho kỳ này."


def overlapping_bill(session: Session, household_id: str, start: date, end: date) -> Bill | None:
    """The household's stored bill sharing at least one day with start..end (both inclusive),
    the earliest if several. Touching periods (one ends the day before the next starts) do not
    overlap."""
    return session.scalars(
        select(Bill)
        .where(
            Bill.household_id == household_id,
            Bill.period_start <= end,
            Bill.period_end >= start,
        )
        .order_by(Bill.period_start)
        .limit(1)
    ).first()


def bill_overlap_message(stored: Bill, start: date, end: date) -> str:
    """The same period: the documented sentence; an overlap: a clause the error handler leads
    with the field's label ("Ngày đầu kỳ: kỳ … trùng với …")."""
    if (stored.period_start, stored.period_end) == (start, end):
        return SAME_PERIOD
    stored_period = f"{date_vi(stored.period_start)}–{date_vi(stored.period_end)}"
    return (
        f"kỳ {date_vi(start)}–{date_vi(end)} trùng với hóa đơn đã lưu cho kỳ {stored_period}; "
        "mỗi ngày chỉ thuộc một kỳ hóa đơn."
    )


def latest_bills(session: Session, household: Household, limit: int = 12) -> list[Bill]:
    return list(
        session.scalars(
            select(Bill)
            .where(Bill.household_id == household.id)
            .order_by(Bill.period_end.desc())
            .limit(limit)
        )
    )
