"""Storing Rasa's conversation events, read from its SQL event broker, in the backend's tables.

Rasa's SQL broker appends one row per event to `events(id, sender_id, data)`. We read the rows
after a stored cursor in id order, turn user and bot events into `ChatMessage` rows and keep each
`Conversation`'s summary (counts, lowest confidence, fallback, human requested). The cursor moves
in the same transaction as the rows it covers, and every message carries a unique event key, so
a crash, a restart or a re-read from an older cursor never loses or duplicates a message.

One bad event never stops the consumer: when a batch fails, its events are applied one at a
time, each committed with the cursor; an event that still fails after `attempts` tries (or one
that can never be stored, such as a sender id longer than the column) is written to
`dead_letter_events` with the reason, and the cursor moves past it. Only the database going
away (OperationalError) stops a run, with the cursor where it was, for the caller to retry.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from backend.clock import utc_now
from backend.models import ChatMessage, Conversation, DeadLetterEvent, EventCursor, Household
from backend.models.conversations import SENDER_ID_MAX
from backend.services.paging import paged
from backend.services.privacy import Forgotten, purge_broker_events
from backend.services.storable import storable

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_two_stage_fallback"})
HANDOFF_ACTIONS = frozenset({"action_handoff"})
HANDOFF_INTENT = "request_human"
ZALO_PREFIX = "zalo-"
ENTITY_KEYS = ("entity", "value", "start", "end")
MAX_ATTEMPTS = 3  # tries of one failing event before it becomes a dead letter
KEPT_CHARS = 4000  # of a dead letter's payload and reason; the bad value may be huge


class BadEvent(ValueError):
    """An event that can never be stored as it is; its message is the dead letter's reason."""


@dataclass
class ConsumeReport:
    events: int = 0
    messages: int = 0
    last_id: int = 0
    dead_letters: int = 0


def consume(
    session: Session,
    events: Engine,
    source: str = "rasa",
    batch: int = 500,
    *,
    attempts: int = MAX_ATTEMPTS,
    forget_key: bytes | None = None,
) -> ConsumeReport:
    """Store every event after the cursor of `source`; returns what was read.

    With `forget_key`, events of deleted senders (their tombstones) are not stored but removed
    from the broker's table, so a re-read from any cursor never brings a deleted household back."""
    cursor = session.get(EventCursor, source)
    if cursor is None:
        cursor = EventCursor(source=source, last_id=0)
        session.add(cursor)
        session.commit()
    report = ConsumeReport(last_id=cursor.last_id)
    if not inspect(events).has_table("events"):  # Rasa has not published anything yet
        return report
    query = text("SELECT id, sender_id, data FROM events WHERE id > :after ORDER BY id LIMIT :n")
    last_actions: dict[str, str] = {}  # Rasa logs the action before the messages it utters
    forgotten = Forgotten(session, forget_key) if forget_key else None
    while True:
        with events.connect() as connection:
            rows = connection.execute(query, {"after": cursor.last_id, "n": batch}).all()
        if not rows:
            return report
        skipped = {
            row_id
            for row_id, sender_id, data in rows
            if forgotten is not None and forgotten.covers(str(sender_id or ""), data)
        }
        if skipped:
            purge_broker_events(events, sorted(skipped))
        kept = [row for row in rows if row[0] not in skipped]
        try:
            stored = sum(
                apply_event(session, f"{source}:{row_id}", sender_id, data, last_actions)
                for row_id, sender_id, data in kept
            )
            cursor.last_id = rows[-1][0]
            session.commit()
        except OperationalError:
            session.rollback()
            raise  # the database went away: the cursor did not move, the caller retries
        except Exception as exc:  # one of these events is bad: find it, keep the others
            session.rollback()
            log.warning("event batch after %s failed (%s); one at a time", cursor.last_id, exc)
            stored = 0
            for row in kept:
                stored += _apply_alone(session, cursor, source, row, last_actions, attempts, report)
            cursor.last_id = rows[-1][0]  # the skipped (deleted senders') rows are gone too
            session.commit()
        report.messages += stored
        report.last_id = cursor.last_id
        report.events += len(rows)


def _apply_alone(
    session: Session,
    cursor: EventCursor,
    source: str,
    row: Any,
    last_actions: dict[str, str],
    attempts: int,
    report: ConsumeReport,
) -> int:
    """Apply one event and move the cursor past it in one transaction; after `attempts`
    failures (or at once for a BadEvent), store it as a dead letter instead."""
    row_id, sender_id, data = row
    reason, attempt = "", 0
    for attempt in range(1, max(attempts, 1) + 1):
        try:
            stored = apply_event(session, f"{source}:{row_id}", sender_id, data, last_actions)
            cursor.last_id = row_id
            session.commit()
            return stored
        except OperationalError:
            session.rollback()
            raise
        except BadEvent as exc:
            session.rollback()
            reason = str(exc)
            break
        except Exception as exc:
            session.rollback()
            reason = _reason(exc)
            log.warning("event %s:%s, try %d of %d: %s", source, row_id, attempt, attempts, reason)
    _dead_letter(session, source, row_id, sender_id, data, reason, attempt)
    cursor.last_id = row_id
    session.commit()
    report.dead_letters += 1
    log.error("event %s:%s kept as a dead letter: %s", source, row_id, reason)
    return 0


def _reason(exc: Exception) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:  # the driver's words, not the SQL
        return f"{type(exc.orig).__name__}: {exc.orig}".strip()[:KEPT_CHARS]
    return f"{type(exc).__name__}: {exc}"[:KEPT_CHARS]


def _dead_letter(
    session: Session,
    source: str,
    row_id: int,
    sender_id: str | None,
    data: str | None,
    reason: str,
    attempts: int,
) -> None:
    existing = session.scalar(
        select(DeadLetterEvent).where(
            DeadLetterEvent.source == source, DeadLetterEvent.event_id == row_id
        )
    )
    if existing is not None:  # re-read from an older cursor
        existing.reason, existing.attempts = reason, existing.attempts + attempts
        return
    try:
        kind = str(json.loads(data or "").get("event") or "")[:32]
    except (ValueError, AttributeError, RecursionError):
        kind = ""
    session.add(
        DeadLetterEvent(
            source=source,
            event_id=row_id,
            sender_id=storable(str(sender_id or ""))[:200],
            event_kind=storable(kind),
            reason=storable(reason),
            attempts=attempts,
            payload=storable(str(data or ""))[:KEPT_CHARS],
        )
    )


def apply_event(
    session: Session,
    key: str,
    sender_id: str | None,
    data: str | None,
    last_actions: dict[str, str],
) -> int:
    """Apply one broker row; returns the number of messages stored (0 or 1)."""
    try:
        event: dict[str, Any] = storable(json.loads(data or ""))
    except ValueError:
        log.warning("event %s is not JSON, left out: %.200r", key, data)
        return 0
    if not isinstance(event, dict):
        raise BadEvent(f"the event is a JSON {type(event).__name__}, not an object")
    sender = storable(str(sender_id or event.get("sender_id") or ""))
    kind = event.get("event")
    if not sender or kind not in ("user", "bot", "action"):
        return 0
    if len(sender) > SENDER_ID_MAX:
        raise BadEvent(f"the sender id is {len(sender)} characters, at most {SENDER_ID_MAX}")
    if kind == "action":
        last_actions[sender] = str(event.get("name") or "")
        _apply_action(session, sender, last_actions[sender])
        return 0
    if session.scalar(select(ChatMessage.id).where(ChatMessage.event_key == key)) is not None:
        return 0  # read before: the cursor was older than the stored messages
    conversation = conversation_for(session, sender, event.get("input_channel"))
    message = _message(key, sender, kind, event, last_actions.get(sender))
    if message.role == "user" and message.text.startswith("/"):
        message.button_title = _pressed_button(session, sender, message.text)
    session.add(message)
    summarise(conversation, message)
    return 1


def _message(
    key: str, sender: str, kind: str, event: dict[str, Any], last_action: str | None
) -> ChatMessage:
    at = _time(event.get("timestamp"))
    if kind == "bot":
        metadata = event.get("metadata") or {}
        return ChatMessage(
            event_key=key,
            sender_id=sender,
            at=at,
            role="bot",
            text=event.get("text") or "",
            action=metadata.get("utter_action") or last_action,
            entities=[],
            buttons=_buttons(event.get("data")),
        )
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name = intent.get("name")
    return ChatMessage(
        event_key=key,
        sender_id=sender,
        at=at,
        role="user",
        text=event.get("text") or "",
        intent=name,
        confidence=_float(intent.get("confidence")),
        entities=[
            {k: entity[k] for k in ENTITY_KEYS if k in entity}
            for entity in parse.get("entities") or []
            if isinstance(entity, dict)
        ],
        is_fallback=name == FALLBACK_INTENT,
    )


def _buttons(data: Any) -> list[dict[str, str]] | None:
    buttons = data.get("buttons") if isinstance(data, dict) else None
    if not isinstance(buttons, list) or not buttons:
        return None
    return [
        {"title": str(b.get("title") or "")[:200], "payload": str(b.get("payload") or "")[:200]}
        for b in buttons
        if isinstance(b, dict)
    ]


def _pressed_button(session: Session, sender: str, payload: str) -> str | None:
    """The title of the button whose payload the household sent (the latest bot message that
    offered buttons), so staff read "Tính tiền điện", not "/calculate_bill"."""
    offered = session.scalars(
        select(ChatMessage)
        .where(
            ChatMessage.sender_id == sender,
            ChatMessage.role == "bot",
            ChatMessage.buttons.is_not(None),
        )
        .order_by(ChatMessage.id.desc())
        .limit(1)
    ).first()
    for button in (offered.buttons or []) if offered is not None else []:
        if button.get("payload") == payload.strip():
            return button.get("title") or None
    return None


def summarise(conversation: Conversation, message: ChatMessage) -> None:
    """Keep the conversation's summary (counts, times, confidence, markers) up to date; a new
    message from the household clears "reviewed" (there is something new to look at)."""
    conversation.message_count = (conversation.message_count or 0) + 1
    if message.role == "user":
        conversation.reviewed_at = None
        conversation.reviewed_by = None
    if conversation.last_message_at is None or message.at > conversation.last_message_at:
        conversation.last_message_at = message.at
    if message.at < conversation.started_at:
        conversation.started_at = message.at
    if message.role != "user":
        return
    if message.confidence is not None and (
        conversation.min_confidence is None or message.confidence < conversation.min_confidence
    ):
        conversation.min_confidence = message.confidence
    conversation.had_fallback = bool(conversation.had_fallback or message.is_fallback)
    if message.intent == HANDOFF_INTENT:
        conversation.human_requested = True


def _apply_action(session: Session, sender: str, name: str) -> None:
    """A fallback action marks the user message it answered; a hand-off marks the conversation."""
    if name not in FALLBACK_ACTIONS and name not in HANDOFF_ACTIONS:
        return
    conversation = session.get(Conversation, sender)
    if conversation is None:
        return
    if name in HANDOFF_ACTIONS:
        conversation.human_requested = True
        return
    conversation.had_fallback = True
    last_user = session.scalars(
        select(ChatMessage)
        .where(ChatMessage.sender_id == sender, ChatMessage.role == "user")
        .order_by(ChatMessage.id.desc())
        .limit(1)
    ).first()
    if last_user is not None:
        last_user.is_fallback = True


def conversation_for(session: Session, sender: str, channel: Any) -> Conversation:
    """The sender's conversation, created on its first message. The event consumer and a chat
    request (the backend's own replies) may create it at the same moment: the one that loses the
    race reads the row the other one stored instead of failing the turn."""
    conversation = session.get(Conversation, sender)
    if conversation is None:
        zalo = sender.startswith(ZALO_PREFIX)
        conversation = Conversation(
            sender_id=sender,
            channel="zalo" if zalo else str(channel or "rest"),
            household_id=_household_of(session, sender),
            started_at=utc_now(),
            message_count=0,
            tags=[],
        )
        try:
            with session.begin_nested():  # a savepoint: losing the race keeps the transaction
                session.add(conversation)
        except IntegrityError:
            stored = session.get(Conversation, sender)
            if stored is None:  # not a duplicate after all
                raise
            conversation = stored
    elif conversation.household_id is None:  # linked to a household since the last message
        conversation.household_id = _household_of(session, sender)
    return conversation


def _household_of(session: Session, sender: str) -> str | None:
    if sender.startswith(ZALO_PREFIX):
        return session.scalar(
            select(Household.id).where(Household.zalo_user_id == sender.removeprefix(ZALO_PREFIX))
        )
    return sender if session.get(Household, sender) is not None else None


def _time(timestamp: Any) -> datetime:
    value = _float(timestamp)
    if value is None:
        return utc_now()
    return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def dead_letter_page(
    session: Session, page: int, size: int = 50
) -> tuple[list[DeadLetterEvent], int, int]:
    """Dead letters, newest first: (rows of `page`, number of pages, total)."""
    query = select(DeadLetterEvent).order_by(
        DeadLetterEvent.created_at.desc(), DeadLetterEvent.id.desc()
    )
    rows, _, pages, total = paged(session, query, page=page, size=size)
    return rows, pages, total
