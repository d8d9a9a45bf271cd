"""The durable outbox: idempotent enqueue, atomic leases, and the outcome of each attempt.

A worker leases due rows for a while; if it dies, the lease expires and another worker picks the
rows up again, so nothing is lost (at worst a message in flight at the kill is sent twice).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.clock import to_local, to_utc, utc_now
from backend.models import Household, Notification, NotificationStatus

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
PREFERENCE = {
    "weekly_tip": "notify_weekly_tips",
    "outage": "notify_outages",
    "usage_alert": "notify_usage_alerts",
    # projected-bill alerts (notifications/projection.py) follow the usage-alert opt-out
    "budget_alert": "notify_usage_alerts",
    "tier_alert": "notify_usage_alerts",
}


def enqueue(
    session: Session,
    household: Household,
    kind: str,
    dedupe_key: str,
    title: str,
    body: str,
    data: dict[str, Any] | None = None,
    not_before: datetime | None = None,
) -> Notification | None:
    """Add a notification unless the household opted out; the same dedupe key never twice.

    Returns the new row, or None when nothing was queued (opted out, or already queued)."""
    if not getattr(household, PREFERENCE[kind]):
        return None
    existing = session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key))
    if existing is not None:
        return None
    row = Notification(
        household_id=household.id,
        kind=kind,
        dedupe_key=dedupe_key,
        title=title,
        body=body,
        data=data or {},
        next_attempt_at=not_before or utc_now(),
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # another worker enqueued the same key first
        session.rollback()
        return None
    return row


def enqueue_many(
    session: Session,
    kind: str,
    items: list[tuple[Household, str, str, str, dict[str, Any]]],
    *,
    commit: bool = True,
) -> int:
    """Many (household, dedupe key, title, body, data) at once, in one statement: opted-out
    households are left out and keys already queued (by this or another worker) are skipped.
    Returns how many rows were added. `commit=False` leaves the commit to the caller (a commit
    expires every loaded household, and the next kind's items would reload them one by one)."""
    now = utc_now()
    values = [
        {
            "household_id": household.id,
            "kind": kind,
            "dedupe_key": key,
            "title": title,
            "body": body,
            "data": data,
            "next_attempt_at": now,
        }
        for household, key, title, body, data in items
        if getattr(household, PREFERENCE[kind])
    ]
    if not values:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Notification).on_conflict_do_nothing(index_elements=["dedupe_key"])
    added = len(session.execute(statement.returning(Notification.id), values).all())
    if commit:
        session.commit()
    return added


def lease(session: Session, now: datetime, limit: int = 500) -> list[Notification]:
    """Take up to `limit` due rows (pending, or leased by a worker whose lease ran out).

    One statement: UPDATE … WHERE id IN (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING.
    The status condition repeated outside the subquery makes the claim atomic on SQLite too."""
    due = or_(
        (Notification.status == NotificationStatus.PENDING) & (Notification.next_attempt_at <= now),
        (Notification.status == NotificationStatus.LEASED) & (Notification.lease_until < now),
    )
    query = select(Notification.id).where(due).order_by(Notification.next_attempt_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claim = (
        update(Notification)
        .where(Notification.id.in_(query.scalar_subquery()), due)
        .values(
            status=NotificationStatus.LEASED,
            lease_until=now + LEASE,
            attempts=Notification.attempts + 1,
        )
        .returning(Notification)
        # rows already in the session get the claimed values, not their stale ones
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = sorted(session.scalars(claim), key=lambda row: (row.next_attempt_at, row.id))
    for row in rows:  # keep the loaded rows out of commit's expiry: no reload, row by row, later
        session.expunge(row)
    session.commit()
    session.add_all(rows)
    return rows


def mark_sent(row: Notification, channel: str, message_id: str, now: datetime) -> None:
    row.status, row.channel = NotificationStatus.SENT, channel
    row.provider_message_id = message_id
    row.sent_at, row.lease_until, row.last_error = now, None, None


def retry_later(row: Notification, error: str, delay: timedelta, *, now: datetime) -> None:
    """Try again `delay` after `now` (naive UTC, the pass's clock), or give up after
    MAX_ATTEMPTS."""
    if row.attempts >= MAX_ATTEMPTS:
        fail(row, f"gave up after {row.attempts} attempts: {error}")
        return
    row.status, row.last_error, row.lease_until = NotificationStatus.PENDING, error, None
    row.next_attempt_at = now + delay


def fail(
    row: Notification, error: str, status: NotificationStatus = NotificationStatus.FAILED
) -> None:
    row.status, row.last_error, row.lease_until = status, error, None


def in_quiet_hours(household: Household, now_utc: datetime) -> datetime | None:
    """The UTC time quiet hours end, if `now_utc` falls inside the household's quiet hours
    (which are Việt Nam wall-clock times)."""
    local = to_local(now_utc)
    start, end = household.quiet_start, household.quiet_end
    clock = local.time()
    quiet = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return None
    end_day = local.date() if clock < end else local.date() + timedelta(days=1)
    return to_utc(datetime.combine(end_day, end if isinstance(end, time) else time(7)))
