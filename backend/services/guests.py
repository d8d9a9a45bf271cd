"""Guest stays the household announces beforehand ("nhà có khách từ 10/1 đến 15/1").

Guests staying are the largest single cause of false usage alerts on the simulated households
the model was not tuned on (ml/EVALUATION.md): only the household knows they are coming. Days of
an announced stay are not learnt as the household's normal use and raise no usage alert
(`UnusualUsageModel.score_frame(announced=...)`); an alert already open before the guests came
goes on. Overlapping or touching stays are merged into one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.content.dates import date_vi
from backend.models import MAX_INTEGER, GuestStay, Household
from backend.services.errors import InvalidInput, NotFound

MAX_STAY_DAYS = 31
TOLD_LATE_DAYS = 7  # a stay may be told up to this many days after the guests came
AHEAD_DAYS = 365  # … and at most this far ahead
SHOWN_AFTER_DAYS = 30  # stays that ended this many days ago or less are still listed


def period_text(first_day: date, last_day: date) -> str:
    """ "từ 24/12/2026 đến 27/12/2026", or "ngày 24/12/2026" for one day."""
    if first_day == last_day:
        return f"ngày {date_vi(first_day)}"
    return f"từ {date_vi(first_day)} đến {date_vi(last_day)}"


def describe(first_day: date, last_day: date) -> dict[str, Any]:
    """A stay as the API states it (the texts for households)."""
    period = period_text(first_day, last_day)
    return {
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "days": (last_day - first_day).days + 1,
        "period_text": period,
        "text": f"Có khách {period}",
    }


def as_dict(stay: GuestStay) -> dict[str, Any]:
    return {"id": stay.id, **describe(stay.first_day, stay.last_day)}


def check_stay(
    *, first_day: date, last_day: date, today: date, alert_start: date | None = None
) -> None:
    """InvalidInput naming the refused field, in Vietnamese (each message starts with the field's
    label, backend.errors.FIELD_LABELS, so it reads as it is). `alert_start`: the first day of
    the household's recent usage alert (anomalies.alert_start): a stay that answers it may begin
    there, however late it is told."""
    earliest = today - timedelta(days=TOLD_LATE_DAYS)
    if alert_start is not None and alert_start < earliest:
        if first_day < alert_start:
            raise InvalidInput(
                f"Ngày khách tới sớm hơn ngày bắt đầu cảnh báo dùng điện gần đây "
                f"({date_vi(alert_start)}): chỉ báo được đợt khách tới từ ngày đó trở đi.",
                "first_day",
            )
    elif first_day < earliest:
        raise InvalidInput(
            f"Ngày khách tới đã qua quá {TOLD_LATE_DAYS} ngày: chỉ báo được đợt khách tới "
            f"từ {date_vi(earliest)} trở đi.",
            "first_day",
        )
    if first_day > today + timedelta(days=AHEAD_DAYS):
        raise InvalidInput(
            "Ngày khách tới quá xa: chỉ báo được đợt khách tới trong vòng một năm.", "first_day"
        )
    if last_day < first_day:
        raise InvalidInput("Ngày khách về phải từ ngày khách tới trở đi.", "last_day")
    if (last_day - first_day).days + 1 > MAX_STAY_DAYS:
        raise InvalidInput(
            f"Ngày khách về quá xa: mỗi lần báo có khách tối đa {MAX_STAY_DAYS} ngày "
            "(khách ở lâu hơn là thay đổi lâu dài của nhà bạn).",
            "last_day",
        )


def add_stay(
    session: Session,
    *,
    household: Household,
    first_day: date,
    last_day: date,
    today: date,
    alert_start: date | None = None,
) -> GuestStay:
    """Store a stay (merged with those it overlaps or touches) and return it."""
    check_stay(first_day=first_day, last_day=last_day, today=today, alert_start=alert_start)
    touching = list(
        session.scalars(
            select(GuestStay).where(
                GuestStay.household_id == household.id,
                GuestStay.first_day <= last_day + timedelta(days=1),
                GuestStay.last_day >= first_day - timedelta(days=1),
            )
        )
    )
    first = min([first_day, *(s.first_day for s in touching)])
    last = max([last_day, *(s.last_day for s in touching)])
    if (last - first).days + 1 > MAX_STAY_DAYS:
        raise InvalidInput(
            f"Ngày khách về quá xa: gộp với đợt khách đã báo, đợt này dài quá {MAX_STAY_DAYS} "
            "ngày.",
            "last_day",
        )
    for stay in touching[1:]:
        session.delete(stay)
    stay = touching[0] if touching else GuestStay(household_id=household.id)
    stay.first_day, stay.last_day = first, last
    session.add(stay)
    session.commit()
    return stay


def list_stays(session: Session, *, household: Household, today: date) -> list[GuestStay]:
    """The household's stays that are coming, going on or ended in the last SHOWN_AFTER_DAYS."""
    return list(
        session.scalars(
            select(GuestStay)
            .where(
                GuestStay.household_id == household.id,
                GuestStay.last_day >= today - timedelta(days=SHOWN_AFTER_DAYS),
            )
            .order_by(GuestStay.first_day)
        )
    )


def stay_of(session: Session, *, household: Household, stay_id: int) -> GuestStay:
    """The household's stay `stay_id`; NotFound for another household's or none."""
    stay = session.get(GuestStay, stay_id) if stay_id <= MAX_INTEGER else None
    if stay is None or stay.household_id != household.id:
        raise NotFound("Không tìm thấy đợt khách này.", "stay_id")
    return stay


def remove_stay(session: Session, *, household: Household, stay_id: int) -> dict[str, Any]:
    """Forget a stay (the guests did not come) and return it as it was (as_dict); NotFound for
    another household's."""
    removed = as_dict(stay_of(session, household=household, stay_id=stay_id))
    session.execute(delete(GuestStay).where(GuestStay.id == stay_id))
    session.commit()
    return removed


def stay_covering(
    session: Session, *, household: Household, first: date, last: date
) -> GuestStay | None:
    """The household's stay that takes in every day from `first` to `last` (an alert's days:
    the alert was the guests'), or None; a stay that ended before the alert's last day leaves
    the days after it unexplained."""
    return session.scalar(
        select(GuestStay).where(
            GuestStay.household_id == household.id,
            GuestStay.first_day <= first,
            GuestStay.last_day >= last,
        )
    )


def announced_stays(
    session: Session, household_ids: list[str]
) -> dict[str, list[tuple[date, date]]]:
    """household_id → (first, last) day of every stay it announced, for the model."""
    out: dict[str, list[tuple[date, date]]] = {}
    rows = session.execute(
        select(GuestStay.household_id, GuestStay.first_day, GuestStay.last_day).where(
            GuestStay.household_id.in_(household_ids)
        )
    )
    for household_id, first, last in rows:
        out.setdefault(household_id, []).append((first, last))
    return out
