"""Delivering leased outbox rows on the household's channels: push (FCM) and Zalo.

Routing per row: push to the household's live devices when it keeps push on; Zalo when it keeps
Zalo on and linked its account (notifications/zalo_channel.py chooses an OA message or ZNS). A
channel whose provider is not configured (no Firebase credentials, the default of `make run`; no
Zalo app) is replaced by the local log channel, so the whole flow works on a laptop and staff can
see what would have been sent. Each channel's outcome is kept in `notification_deliveries`, so a
retry of one channel never sends the other again.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import firebase_admin
from firebase_admin import exceptions, messaging
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from backend.clock import utc_now
from backend.models import (
    DeliveryStatus,
    Device,
    Household,
    Notification,
    NotificationDelivery,
    NotificationStatus,
)
from notifications.channels import QUOTA_BACKOFF, SERVER_BACKOFF, Outcome, backoff
from notifications.outbox import fail, in_quiet_hours, lease, mark_sent, retry_later
from notifications.zalo_channel import ZaloChannel

log = logging.getLogger("notifications")
BATCH = 500  # FCM's limit for one send_each call
Key = tuple[int, str]  # (notification id, channel)
# firebase-admin 7.5+ deprecates `Message.token` for `fid` (Firebase installation IDs). Devices
# register FCM registration tokens (POST /me/devices), which the FCM v1 API still accepts, and
# FCM warns against mixing the two registration APIs: moving to FIDs is an app change first.
TOKEN_DEPRECATED = r"Message\.token is deprecated"


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    dead_tokens: list[str] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)  # messages sent per channel


def is_dead_token(error: Exception) -> bool:
    if isinstance(error, (messaging.UnregisteredError, messaging.SenderIdMismatchError)):
        return True
    if isinstance(error, exceptions.InvalidArgumentError):
        text = str(error).lower()
        return "registration token" in text or "not a valid fcm" in text
    return False


def retry_delay(error: Exception, attempts: int) -> timedelta | None:
    """How long to wait before retrying, or None when retrying cannot help."""
    if isinstance(error, messaging.QuotaExceededError):
        return backoff(QUOTA_BACKOFF, attempts)
    if isinstance(
        error,
        (exceptions.UnavailableError, exceptions.InternalError, exceptions.DeadlineExceededError),
    ):
        response = getattr(error, "http_response", None)
        header = response.headers.get("Retry-After") if response is not None else None
        delay = backoff(SERVER_BACKOFF, attempts)
        if header and header.isdigit():
            return max(timedelta(seconds=int(header)), delay)
        return delay
    return None


def tune_fcm_session(app: firebase_admin.App, size: int = BATCH, proxy: str | None = None) -> None:
    """Set up firebase-admin's HTTP session for sending many messages.

    - Pool: send_each sends each message on its own thread (up to 500 at once), but the library
      keeps only 10 connections per host: every other message would open (in production: a TLS
      handshake) and then discard a connection. Keep up to `size` alive, same retry settings.
    - Environment read once, not per request: with `trust_env` on (requests' default), every
      request looks for ~/.netrc and re-reads the proxy variables, a sixth to a quarter of
      send_each's CPU. The proxy (`proxy`, i.e. FCM_PROXY, or else HTTPS_PROXY/HTTP_PROXY/NO_PROXY
      for the FCM URL) and a CA bundle (REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE) are fixed here, when
      the worker starts. Authorization comes from the service account, never from ~/.netrc."""
    service = messaging._get_messaging_service(app)
    session = service._client.session
    for prefix, adapter in list(session.adapters.items()):
        if getattr(adapter, "_pool_maxsize", 0) >= size:
            continue  # already widened: keep the live connections
        session.mount(
            prefix,
            HTTPAdapter(pool_connections=1, pool_maxsize=size, max_retries=adapter.max_retries),
        )
    if session.trust_env:
        session.proxies.update(
            {"http": proxy, "https": proxy} if proxy else get_environ_proxies(service._fcm_url)
        )
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle and session.verify is True:
            session.verify = bundle
        session.trust_env = False


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


def push_outcome(
    row: Notification,
    results: list[tuple[Device, messaging.SendResponse]],
    now: datetime,
    report: DeliveryReport,
) -> Outcome:
    """One outcome for a row sent to each of its devices; dead tokens are marked dead."""
    for device, response in results:
        if not response.success and is_dead_token(response.exception):
            device.dead_at, device.dead_reason = now, type(response.exception).__name__
            report.dead_tokens.append(device.token)
    delivered = [r for _, r in results if r.success]
    if delivered:
        return Outcome.sent("fcm", delivered[0].message_id)
    errors = [r.exception for _, r in results if r.exception is not None]
    text = "; ".join(f"{type(e).__name__}: {e}" for e in errors)
    delays = [d for d in (retry_delay(e, row.attempts) for e in errors) if d is not None]
    if delays:
        return Outcome.retry(text, max(delays))
    return Outcome.failed(text)


def send_push(
    rows: Sequence[Notification],
    devices: dict[str, list[Device]],
    app: firebase_admin.App,
    now: datetime,
    report: DeliveryReport,
) -> dict[int, Outcome]:
    """Every row to every live device of its household, ≤ 500 messages per send_each call."""
    targets = [(row, device) for row in rows for device in devices[row.household_id]]
    results: dict[int, list[tuple[Device, messaging.SendResponse]]] = {}
    for start in range(0, len(targets), BATCH):
        chunk = targets[start : start + BATCH]
        with warnings.catch_warnings():  # as firebase-admin does for MulticastMessage.tokens
            warnings.filterwarnings("ignore", TOKEN_DEPRECATED, DeprecationWarning)
            messages = [build_message(row, device.token) for row, device in chunk]
        batch = messaging.send_each(messages, app=app)
        for (row, device), response in zip(chunk, batch.responses, strict=True):
            results.setdefault(row.id, []).append((device, response))
    return {row.id: push_outcome(row, results[row.id], now, report) for row in rows}


def send_log(row: Notification) -> Outcome:
    log.info(
        "notification %s to %s [%s]: %s — %s",
        row.id,
        row.household_id,
        row.kind,
        row.title,
        row.body,
    )
    return Outcome.sent("log", f"log-{row.id}")


def route(
    household: Household, devices: list[Device], fcm: bool, zalo: bool
) -> tuple[list[str], list[str]]:
    """The channels a row goes out on, and why the others are not used."""
    channels: list[str] = []
    reasons: list[str] = []
    if not household.channel_push:
        reasons.append("push: turned off by the household")
    elif not fcm:
        channels.append("log")
    elif devices:
        channels.append("push")
    else:
        reasons.append("push: no live push token")
    if not household.channel_zalo:
        reasons.append("zalo: turned off by the household")
    elif not household.zalo_user_id:
        reasons.append("zalo: account not linked")
    elif (channel := "zalo" if zalo else "log") not in channels:
        channels.append(channel)
    return channels, reasons


def settle(row: Notification, results: dict[str, Outcome], now: datetime, report: DeliveryReport):
    """The row's state from its channels' outcomes: retry if any channel must be retried, sent if
    any channel delivered, otherwise failed (or skipped when no channel could be used)."""
    retry = [o for o in results.values() if o.status == DeliveryStatus.RETRY]
    sent = {channel: o for channel, o in results.items() if o.status == DeliveryStatus.SENT}
    errors = "; ".join(f"{c}: {o.error}" for c, o in results.items() if o.error)
    if retry:
        retry_later(row, errors, max(o.delay or timedelta(0) for o in retry), now=now)
        report.retried += row.status == NotificationStatus.PENDING
        report.failed += row.status == NotificationStatus.FAILED
    elif sent:
        mark_sent(row, "+".join(sent), next(iter(sent.values())).message_id or "", now)
        row.last_error = errors or None
        report.sent += 1
    else:
        skipped = all(o.status == DeliveryStatus.SKIPPED for o in results.values())
        fail(
            row, errors, status=NotificationStatus.SKIPPED if skipped else NotificationStatus.FAILED
        )
        report.failed += 1


def record(
    done: dict[Key, NotificationDelivery], new: dict[Key, dict], key: Key, outcome: Outcome
) -> None:
    """Keep a channel's outcome: an earlier delivery row is updated, a new one is collected for
    one bulk INSERT at the end of the pass (no ORM object and no RETURNING per message)."""
    values = {
        "status": outcome.status,
        "via": outcome.via,
        "error": outcome.error,
        "provider_message_id": outcome.message_id,
    }
    delivery = done.get(key)
    if delivery is None:
        new[key] = {"notification_id": key[0], "channel": key[1], **values}
        return
    for name, value in values.items():
        setattr(delivery, name, value)


def deliver_due(
    session: Session,
    app: firebase_admin.App | None,
    *,
    now: datetime | None = None,
    limit: int = 2000,
    zalo: ZaloChannel | None = None,
) -> DeliveryReport:
    """One pass over the outbox: lease due rows, respect quiet hours, send, record outcomes.
    `now` is naive UTC (default: the product's clock)."""
    now = now or utc_now()
    report = DeliveryReport()
    rows = lease(session, now, limit)
    ids = {row.household_id for row in rows}
    households = {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(ids)))}
    devices: dict[str, list[Device]] = {household_id: [] for household_id in ids}
    live = select(Device).where(Device.household_id.in_(ids), Device.dead_at.is_(None))
    for device in session.scalars(live):
        devices[device.household_id].append(device)
    ready = []
    for row in rows:
        household = households.get(row.household_id)
        quiet_until = in_quiet_hours(household, now) if household is not None else None
        if quiet_until is not None and not (row.data or {}).get("urgent"):
            row.status, row.lease_until = NotificationStatus.PENDING, None
            row.next_attempt_at = quiet_until
            row.attempts -= 1  # waiting for the morning is not a failed attempt
            report.deferred += 1
        else:
            ready.append(row)
    done = {
        (d.notification_id, d.channel): d
        for d in session.scalars(
            select(NotificationDelivery).where(
                NotificationDelivery.notification_id.in_([row.id for row in ready])
            )
        )
    }
    results: dict[int, dict[str, Outcome]] = {}
    todo: dict[str, list[Notification]] = {"push": [], "zalo": [], "log": []}
    for row in ready:
        household = households.get(row.household_id)
        channels, reasons = (
            route(household, devices[row.household_id], app is not None, zalo is not None)
            if household is not None
            else ([], ["household deleted"])
        )
        if not channels:
            fail(row, "no channel: " + "; ".join(reasons), status=NotificationStatus.SKIPPED)
            report.failed += 1
            continue
        results[row.id] = {}
        for channel in channels:
            earlier = done.get((row.id, channel))
            if earlier is not None and earlier.status != DeliveryStatus.RETRY:  # done before
                results[row.id][channel] = Outcome(
                    DeliveryStatus(earlier.status),
                    earlier.via,
                    earlier.provider_message_id,
                    earlier.error,
                )
            else:
                todo[channel].append(row)
    fresh: dict[Key, Outcome] = {}
    new: dict[Key, dict] = {}
    if todo["push"] and app is not None:
        for row_id, outcome in send_push(todo["push"], devices, app, now, report).items():
            fresh[(row_id, "push")] = outcome
    for row in todo["zalo"]:
        if zalo is not None:
            fresh[(row.id, "zalo")] = zalo.send(row, households[row.household_id], now)
    for row in todo["log"]:
        fresh[(row.id, "log")] = send_log(row)
    for key, outcome in fresh.items():
        record(done, new, key, outcome)
        results[key[0]][key[1]] = outcome
        if outcome.status == DeliveryStatus.SENT:
            report.channels[key[1]] = report.channels.get(key[1], 0) + 1
    for row in ready:
        if row.id in results:
            settle(row, results[row.id], now, report)
            if (
                row.status == NotificationStatus.FAILED
            ):  # gave up: no channel waits for a retry any more
                for channel, outcome in results[row.id].items():
                    if outcome.status == DeliveryStatus.RETRY:
                        record(done, new, (row.id, channel), Outcome.failed(outcome.error or ""))
    if new:
        session.execute(insert(NotificationDelivery), list(new.values()))
    session.commit()
    return report
