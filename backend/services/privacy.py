"""Export and deletion of a household's data, and the retention of conversations
(Nghị định 13/2023/NĐ-CP).

A household's conversations live in four places: the backend's tables (conversation log and
everything keyed by the household), Rasa's SQL tracker store and Rasa's SQL event broker (both a
table `events` with a `sender_id`). A deletion removes the household's rows from all of them, then
leaves a tombstone (a keyed hash of each sender id, never the id): Rasa saves the turn that carried
the deletion after the backend answered, writing that session back to its tracker store and
publishing it again to the broker, and the tombstone is how the consumer skips those events and
`purge_forgotten` finds and removes them (right after the chat proxy's turn, and every minute from
the job queue for the Zalo channel).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, create_engine, delete, func, inspect, select, text, update
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from backend.models import (
    AnomalyEpisode,
    AuditRecord,
    Bill,
    Budget,
    ChatMessage,
    Conversation,
    DailyReading,
    Device,
    ForgottenSender,
    GuestStay,
    Household,
    MeterIndex,
    Notification,
)
from backend.services.errors import InvalidInput, ServiceError
from backend.services.households import profile
from backend.services.pii_audit import REVEAL, subject_of

log = logging.getLogger(__name__)

# Events of a deleted sender timestamped up to this long after the deletion belong to the turn
# that carried it (Rasa's action, the bot's confirmation, action_listen), written back after the
# backend answered; the margin also covers clock skew between the Rasa and backend machines.
FORGET_GRACE = timedelta(minutes=10)
DELETED_REASON = "(đã xóa cùng dữ liệu của hộ theo yêu cầu)"
BATCH = 1000


class TrackerUnavailable(ServiceError):
    status = 503
    code = "unavailable"


@dataclass(frozen=True)
class Stores:
    """Where Rasa keeps conversations, and the key of the keyed hashes (tombstones, audit)."""

    tracker_db_url: str
    events_db_url: str
    key: bytes

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Stores:
        return cls(
            tracker_db_url=str(config.get("RASA_TRACKER_DB_URL") or ""),
            events_db_url=str(config.get("RASA_EVENTS_DB_URL") or ""),
            key=str(config["SECRET_KEY"]).encode(),
        )


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 (hex): without the key, a guessed id ("demo-3") cannot be checked against it."""
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def tombstone_of(key: bytes, sender_id: str) -> str:
    return keyed_hash(key, "forgotten-sender", sender_id)


def export_household(session: Session, household: Household) -> dict[str, Any]:
    def rows(model: Any, *columns: str) -> list[dict[str, Any]]:
        items = session.scalars(select(model).where(model.household_id == household.id))
        return [{c: getattr(item, c) for c in columns} for item in items]

    return {
        "profile": profile(household),
        "devices": rows(Device, "token", "platform", "created_at", "last_seen_at", "dead_at"),
        "daily_readings": rows(DailyReading, "day", "kwh", "source"),
        "meter_indexes": rows(MeterIndex, "read_on", "reading", "source"),
        "bills": rows(Bill, "period_start", "period_end", "kwh", "amount"),
        "budget": rows(Budget, "amount", "kwh", "source", "created_at", "updated_at"),
        "guest_stays": rows(GuestStay, "first_day", "last_day", "created_at"),
        # usage alerts with the household's answers (a lasting change and what changed, its note, a
        # repair)
        "usage_alerts": rows(
            AnomalyEpisode,
            "start_day",
            "last_day",
            "is_open",
            "explanation",
            "lasting_change",
            "change_kind",
            "feedback_note",
            "feedback_at",
            "repaired_on",
        ),
        "conversations": rows(Conversation, "sender_id", "channel", "status"),
        "notifications": rows(
            Notification, "kind", "title", "body", "status", "created_at", "sent_at"
        ),
    }


def sender_ids(household: Household) -> list[str]:
    ids = [household.id]
    if household.zalo_user_id:
        ids.append(f"zalo-{household.zalo_user_id}")
    return ids


@contextmanager
def rasa_store(url: str) -> Iterator[Engine | None]:
    """An engine on one of Rasa's stores, or None when it has no `events` table yet (a SQLite
    file is never created here). Database errors become TrackerUnavailable (503, retry)."""
    if not url:
        yield None
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (
        parsed.database and Path(parsed.database).exists()
    ):
        yield None  # Rasa has not written anything yet
        return
    engine = create_engine(parsed)
    try:
        yield engine if inspect(engine).has_table("events") else None
    except SQLAlchemyError as exc:
        raise TrackerUnavailable(
            "the conversation store is unavailable; nothing was deleted, please retry"
        ) from exc
    finally:
        engine.dispose()


def _max_id(engine: Engine | None) -> int:
    if engine is None:
        return 0
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT MAX(id) FROM events")).scalar() or 0)


def _remove(engine: Engine, condition: str, params: dict[str, Any]) -> int:
    """Delete the rows of `events` matching `condition`, except the table's last row, which is
    blanked instead: SQLite gives a new row the highest id + 1, so deleting the last rows would
    hand their ids out again, below the consumer's cursor and the purge's watermarks, and those
    events (of any household) would never be read."""
    columns = inspect(engine).get_columns("events")
    blank = ", ".join(
        f"{c['name']} = " + ("'{}'" if c["name"] == "data" else "NULL" if c["nullable"] else "''")
        for c in columns
        if c["name"] != "id"
    )
    with engine.begin() as connection:
        last = connection.execute(text("SELECT MAX(id) FROM events")).scalar() or 0
        values = {**params, "last": last}
        removed = connection.execute(
            text(f"UPDATE events SET {blank} WHERE id = :last AND ({condition})"), values
        ).rowcount
        removed += connection.execute(
            text(f"DELETE FROM events WHERE id <> :last AND ({condition})"), values
        ).rowcount
    return removed or 0


def _delete_senders(engine: Engine | None, senders: list[str]) -> int:
    if engine is None:
        return 0
    return sum(_remove(engine, "sender_id = :s", {"s": sender}) for sender in senders)


def _delete_backend_rows(session: Session, household: Household, senders: list[str]) -> None:
    """Every row keyed by the household or one of its senders, in every backend table (a table
    added later with a `household_id` or `sender_id` column is covered without a change here)."""
    for table in reversed(Household.metadata.sorted_tables):
        if "sender_id" in table.c:
            session.execute(delete(table).where(table.c.sender_id.in_(senders)))
        if "household_id" in table.c:
            session.execute(delete(table).where(table.c.household_id == household.id))


def delete_household(
    session: Session, household: Household, *, stores: Stores, actor: str, now: datetime
) -> dict[str, int]:
    """Delete everything of the household from every store and leave a tombstone per sender.

    The audit record holds counts and a keyed hash, never the id, name, phone or address; the
    staff reveals of its conversations lose their link to it (subject) and their reason text."""
    senders = sender_ids(household)
    counts = {
        name: session.scalar(
            select(func.count()).select_from(model).where(model.household_id == household.id)
        )
        or 0
        for name, model in (
            ("readings", DailyReading),
            ("meter_indexes", MeterIndex),
            ("bills", Bill),
            ("devices", Device),
            ("conversations", Conversation),
            ("notifications", Notification),
        )
    }
    with rasa_store(stores.tracker_db_url) as tracker, rasa_store(stores.events_db_url) as events:
        tracker_after, events_after = _max_id(tracker), _max_id(events)
        counts["tracker_events"] = _delete_senders(tracker, senders)
        counts["broker_events"] = _delete_senders(events, senders)
    subject = keyed_hash(stores.key, "household", household.id)[:32]
    session.execute(
        update(AuditRecord)
        .where(
            AuditRecord.action == REVEAL,
            AuditRecord.subject.in_([subject_of(sender) for sender in senders]),
        )
        .values(subject=subject, details={"reason": DELETED_REASON})
    )
    _delete_backend_rows(session, household, senders)
    session.delete(household)
    for sender in senders:
        tombstone = session.get(ForgottenSender, tombstone_of(stores.key, sender))
        if tombstone is None:
            tombstone = ForgottenSender(subject=tombstone_of(stores.key, sender))
            session.add(tombstone)
        tombstone.deleted_at = now
        tombstone.covers_until = now + FORGET_GRACE
        tombstone.tracker_after = tracker_after
        tombstone.events_after = events_after
        tombstone.settled_at = None
    session.add(
        AuditRecord(action="household_deleted", actor=actor, subject=subject, details=counts)
    )
    session.commit()
    return counts


class Forgotten:
    """The tombstones, loaded once: does this event belong to a deleted sender?"""

    def __init__(self, session: Session, key: bytes) -> None:
        self.key = key
        self.until: dict[str, datetime] = {
            subject: until
            for subject, until in session.execute(
                select(ForgottenSender.subject, ForgottenSender.covers_until)
            ).all()
        }
        self._subjects: dict[str, str] = {}

    def covers_until(self, sender_id: str) -> datetime | None:
        if not self.until:
            return None
        if sender_id not in self._subjects:
            self._subjects[sender_id] = tombstone_of(self.key, sender_id)
        return self.until.get(self._subjects[sender_id])

    def covers(self, sender_id: str, data: str | None) -> bool:
        """True for an event of a tombstoned sender that is not newer than its tombstone (a
        Zalo user who writes again days after deleting starts a new, kept conversation)."""
        until = self.covers_until(sender_id)
        return until is not None and _event_time(data) <= until


def _event_time(data: str | None) -> datetime:
    """The event's own timestamp (UTC, naive); unreadable → the oldest time (covered)."""
    try:
        value = float(json.loads(data or "")["timestamp"])
        return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
    except (ValueError, TypeError, KeyError, OverflowError, OSError):
        return datetime.min


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()


def _senders_after(engine: Engine, after: int) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                text("SELECT DISTINCT sender_id FROM events WHERE id > :a"), {"a": after}
            ).scalars()
        )


def _delete_ids(engine: Engine, ids: list[int]) -> int:
    deleted = 0
    for start in range(0, len(ids), BATCH):
        chunk = ",".join(str(int(i)) for i in ids[start : start + BATCH])
        deleted += _remove(engine, f"id IN ({chunk})", {})
    return deleted


def purge_broker_events(engine: Engine, ids: list[int]) -> int:
    """Delete these rows of the event broker's table (the consumer's skipped events)."""
    return _delete_ids(engine, ids)


def purge_forgotten(session: Session, *, stores: Stores, now: datetime) -> dict[str, int]:
    """Remove what Rasa wrote back for deleted senders since their deletion.

    Scans only rows newer than the tombstones' watermarks, and only while a tombstone is not
    settled: it settles on the first run after `covers_until`, when no event it covers can
    still be written."""
    active = list(
        session.scalars(select(ForgottenSender).where(ForgottenSender.settled_at.is_(None)))
    )
    counts = {"tracker_events": 0, "broker_events": 0, "messages": 0}
    if not active:
        return counts
    forgotten = Forgotten(session, stores.key)
    found: dict[str, datetime] = {}  # in memory only: the clear sender ids met in the stores
    with rasa_store(stores.tracker_db_url) as tracker, rasa_store(stores.events_db_url) as events:
        if tracker is not None:
            after = min(t.tracker_after for t in active)
            for sender in _senders_after(tracker, after):
                until = forgotten.covers_until(sender)
                if until is None:
                    continue
                found[sender] = until
                counts["tracker_events"] += _remove(
                    tracker,
                    "sender_id = :s AND (timestamp IS NULL OR timestamp <= :u)",
                    {"s": sender, "u": _epoch(until)},
                )
        if events is not None:
            after = min(t.events_after for t in active)
            for sender in _senders_after(events, after):
                if forgotten.covers_until(sender) is None:
                    continue
                found[sender] = forgotten.covers_until(sender) or now
                with events.connect() as connection:
                    rows = connection.execute(
                        text("SELECT id, data FROM events WHERE sender_id = :s AND id > :a"),
                        {"s": sender, "a": after},
                    ).all()
                ids = [row_id for row_id, data in rows if forgotten.covers(sender, data)]
                counts["broker_events"] += _delete_ids(events, ids)
    for sender, until in found.items():
        counts["messages"] += _forget_log(session, sender, until)
    for tombstone in active:
        if now > tombstone.covers_until:
            tombstone.settled_at = now
    session.commit()
    if any(counts.values()):
        log.info("purged what Rasa wrote back after deletions: %s", counts)
    return counts


def _rowcount(session: Session, statement: Executable) -> int:
    """How many rows a DELETE or UPDATE statement touched."""
    result = cast("CursorResult[Any]", session.execute(statement))
    return result.rowcount or 0


def _forget_log(session: Session, sender: str, until: datetime) -> int:
    """The backend's conversation log of a deleted sender, up to its tombstone's time."""
    deleted = _rowcount(
        session,
        delete(ChatMessage).where(ChatMessage.sender_id == sender, ChatMessage.at <= until),
    )
    remaining = session.scalar(
        select(func.count()).select_from(ChatMessage).where(ChatMessage.sender_id == sender)
    )
    if not remaining:
        session.execute(delete(Conversation).where(Conversation.sender_id == sender))
    return deleted or 0


def settle_after_turn(
    session: Session, household_id: str, *, stores: Stores, now: datetime
) -> bool:
    """Called by the chat proxy once Rasa answered: when that turn deleted the household, Rasa
    has just saved it again; purge it now. Returns True when the household was deleted."""
    still_there = session.scalar(select(Household.id).where(Household.id == household_id))
    if still_there is not None:
        return False
    try:
        purge_forgotten(session, stores=stores, now=now)
    except TrackerUnavailable as exc:  # the job queue's run every minute tries again
        session.rollback()
        log.warning("purge after a deletion postponed: %s", exc.__cause__)
    return True


def retention_cutoff(now: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the last day of a shorter month)."""
    if months < 1:
        raise InvalidInput("the retention period must be at least 1 month", field="months")
    total = now.year * 12 + (now.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    next_month = datetime(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return now.replace(year=year, month=month, day=min(now.day, last_day))


def purge_expired(
    session: Session, *, stores: Stores, now: datetime, months: int
) -> dict[str, int]:
    """Retention: remove every conversation event older than `months` from every store (the
    backend's conversation log, Rasa's tracker store and event broker), and the deletion
    tombstones settled before then."""
    cutoff = retention_cutoff(now, months)
    counts = {"messages": 0, "conversations": 0, "tracker_events": 0, "broker_events": 0}
    # a settled tombstone has done its work (everything it covered is purged): drop it in time
    counts["tombstones"] = _rowcount(
        session, delete(ForgottenSender).where(ForgottenSender.settled_at < cutoff)
    )
    touched = set(
        session.scalars(select(ChatMessage.sender_id).where(ChatMessage.at < cutoff).distinct())
    )
    counts["messages"] = _rowcount(session, delete(ChatMessage).where(ChatMessage.at < cutoff))
    stale = select(Conversation.sender_id).where(
        func.coalesce(Conversation.last_message_at, Conversation.started_at) < cutoff
    )
    for sender in set(session.scalars(stale)) | touched:
        conversation = session.get(Conversation, sender)
        if conversation is None:
            continue
        left = session.execute(
            select(func.count(), func.min(ChatMessage.at)).where(ChatMessage.sender_id == sender)
        ).one()
        if left[0]:
            conversation.message_count, conversation.started_at = left[0], left[1]
        elif (conversation.last_message_at or conversation.started_at) < cutoff:
            session.delete(conversation)
            counts["conversations"] += 1
        else:
            conversation.message_count = 0
    session.commit()
    with rasa_store(stores.tracker_db_url) as tracker, rasa_store(stores.events_db_url) as events:
        if tracker is not None:
            counts["tracker_events"] = _remove(tracker, "timestamp < :c", {"c": _epoch(cutoff)})
        if events is not None:
            counts["broker_events"] = _purge_broker_before(events, cutoff)
    log.info("retention (%d months, before %s): %s", months, cutoff.isoformat(), counts)
    return counts


def _purge_broker_before(engine: Engine, cutoff: datetime) -> int:
    """The broker's rows hold the event's time only inside their JSON: read them in id order,
    a batch at a time, and delete those older than the cutoff (unreadable rows are kept)."""
    deleted, after = 0, 0
    query = text("SELECT id, data FROM events WHERE id > :a ORDER BY id LIMIT :n")
    while True:
        with engine.connect() as connection:
            rows = connection.execute(query, {"a": after, "n": BATCH}).all()
        if not rows:
            return deleted
        after = rows[-1][0]
        old = [row_id for row_id, data in rows if datetime.min < _event_time(data) < cutoff]
        deleted += _delete_ids(engine, old)
