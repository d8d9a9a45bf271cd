"""Delivering leased outbox rows: FCM through firebase-admin, or the local log channel.

Without Firebase credentials (the default of `make run`) rows are "delivered" to the log channel
so the whole flow works on a laptop and staff can see what would have been sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import firebase_admin
from firebase_admin import exceptions, messaging
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Device, Household, Notification
from notifications.outbox import fail, in_quiet_hours, lease, mark_sent, retry_later

log = logging.getLogger("notifications")
BATCH = 500  # FCM's limit for one send_each call
QUOTA_BACKOFF = timedelta(minutes=1)
SERVER_BACKOFF = timedelta(seconds=30)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    dead_tokens: list[str] = field(default_factory=list)


def is_dead_token(error: Exception) -> bool:
    if isinstance(error, (messaging.UnregisteredError, messaging.SenderIdMismatchError)):
        return True
    if isinstance(error, exceptions.InvalidArgumentError):
        text = str(error).lower()
        return "registration token" in text or "not a valid fcm" in text
    return False


def retry_delay(error: Exception, attempts: int) -> timedelta | None:
    """How long to wait before retrying, or None when retrying cannot help."""
    exponent = max(attempts - 1, 0)
    if isinstance(error, messaging.QuotaExceededError):
        return QUOTA_BACKOFF * 2**exponent
    if isinstance(
        error,
        (exceptions.UnavailableError, exceptions.InternalError, exceptions.DeadlineExceededError),
    ):
        response = getattr(error, "http_response", None)
        header = response.headers.get("Retry-After") if response is not None else None
        if header and header.isdigit():
            return max(timedelta(seconds=int(header)), SERVER_BACKOFF * 2**exponent)
        return SERVER_BACKOFF * 2**exponent
    return None


def build_message(row: Notification, token: str) -> messaging.Message:
    data = {key: str(value) for key, value in (row.data or {}).items()}
    data.update(kind=row.kind, notification_id=str(row.id))
    return messaging.Message(
        token=token,
        notification=messaging.Notification(title=row.title, body=row.body),
        data=data,
        android=messaging.AndroidConfig(
            priority="high" if row.kind == "outage" else "normal",
            notification=messaging.AndroidNotification(channel_id=row.kind),
        ),
        apns=messaging.APNSConfig(
            payload=messaging.APNSPayload(aps=messaging.Aps(sound="default"))
        ),
    )


def deliver_fcm(
    session: Session,
    rows: Sequence[Notification],
    app: firebase_admin.App,
    now: datetime,
    report: DeliveryReport,
) -> None:
    targets: list[tuple[Notification, Device]] = []
    for row in rows:
        devices = list(
            session.scalars(
                select(Device).where(
                    Device.household_id == row.household_id, Device.dead_at.is_(None)
                )
            )
        )
        if not devices:
            fail(row, "no live push token", status="skipped")
            report.failed += 1
        targets.extend((row, device) for device in devices)
    outcomes: dict[int, list[tuple[Device, messaging.SendResponse]]] = {}
    for start in range(0, len(targets), BATCH):
        chunk = targets[start : start + BATCH]
        batch = messaging.send_each(
            [build_message(row, device.token) for row, device in chunk], app=app
        )
        for (row, device), response in zip(chunk, batch.responses, strict=True):
            outcomes.setdefault(row.id, []).append((device, response))
    for row in rows:
        results = outcomes.get(row.id)
        if not results:
            continue
        for device, response in results:
            if not response.success and is_dead_token(response.exception):
                device.dead_at, device.dead_reason = now, type(response.exception).__name__
                report.dead_tokens.append(device.token)
        delivered = [r for _, r in results if r.success]
        if delivered:
            mark_sent(row, "push", delivered[0].message_id, now)
            report.sent += 1
            continue
        errors = [r.exception for _, r in results if r.exception is not None]
        delays = [d for d in (retry_delay(e, row.attempts) for e in errors) if d is not None]
        if delays and not all(is_dead_token(e) for e in errors):
            retry_later(row, f"{type(errors[0]).__name__}: {errors[0]}", max(delays))
            report.retried += 1
        else:
            fail(row, "; ".join(f"{type(e).__name__}: {e}" for e in errors))
            report.failed += 1


def deliver_log(rows: Sequence[Notification], now: datetime, report: DeliveryReport) -> None:
    for row in rows:
        log.info(
            "notification %s to %s [%s]: %s — %s",
            row.id,
            row.household_id,
            row.kind,
            row.title,
            row.body,
        )
        mark_sent(row, "log", f"log-{row.id}", now)
        report.sent += 1


def deliver_due(
    session: Session, app: firebase_admin.App | None, now: datetime | None = None, limit: int = 2000
) -> DeliveryReport:
    """One pass over the outbox: lease due rows, respect quiet hours, send, record outcomes."""
    now = now or datetime.utcnow()
    report = DeliveryReport()
    rows = lease(session, now, limit)
    ready = []
    for row in rows:
        household = session.get(Household, row.household_id)
        quiet_until = in_quiet_hours(household, now) if household is not None else None
        if quiet_until is not None and not (row.data or {}).get("urgent"):
            row.status, row.next_attempt_at, row.lease_until = "pending", quiet_until, None
            row.attempts -= 1  # waiting for the morning is not a failed attempt
            report.deferred += 1
        else:
            ready.append(row)
    if app is None:
        deliver_log(ready, now, report)
    else:
        deliver_fcm(session, ready, app, now, report)
    session.commit()
    return report
