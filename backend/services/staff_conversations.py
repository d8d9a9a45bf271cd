"""What the staff console reads and changes in conversations: the filtered list, the queue,
review, tags, notes and corrections of the assistant's reading of a user message."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, String, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from backend.clock import utc_now, utc_start_of
from backend.models import (
    CannedReply,
    ChatMessage,
    Conversation,
    ConversationRead,
    ConversationStatus,
    Household,
    StaffUser,
)
from backend.services.errors import Conflict, InvalidInput, NotFound
from backend.services.nlu_export import ENTITIES, INTENTS, Correction
from backend.services.paging import paged

PAGE_SIZE = 25
MAX_TAGS = 10


@dataclass(frozen=True)
class Filters:
    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    channel: str = ""
    intent: str = ""
    confidence_below: float | None = None
    fallback: bool = False
    human_requested: bool = False
    reviewed: str = ""  # "", "yes", "no"
    tag: str = ""
    province: int | None = None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filtered(filters: Filters) -> Select[Conversation]:
    query = select(Conversation)
    if filters.date_from:
        query = query.where(Conversation.last_message_at >= utc_start_of(filters.date_from))
    if filters.date_to:
        end = utc_start_of(filters.date_to + timedelta(days=1))
        query = query.where(Conversation.started_at < end)
    if filters.channel:
        query = query.where(Conversation.channel == filters.channel)
    if filters.confidence_below is not None:
        query = query.where(Conversation.min_confidence < filters.confidence_below)
    if filters.fallback:
        query = query.where(Conversation.had_fallback.is_(True))
    if filters.human_requested:
        query = query.where(Conversation.human_requested.is_(True))
    if filters.reviewed == "yes":
        query = query.where(Conversation.reviewed_at.is_not(None))
    elif filters.reviewed == "no":
        query = query.where(Conversation.reviewed_at.is_(None))
    if filters.tag:
        # The JSON list as text (SQLite text, PostgreSQL json) holds the tag as a JSON string,
        # escaped (\uXXXX) by the default serialiser, or raw by one with ensure_ascii=False.
        tags = cast(Conversation.tags, String)
        query = query.where(
            or_(
                *(
                    tags.like(_like(json.dumps(filters.tag, ensure_ascii=escaped)), escape="\\")
                    for escaped in (True, False)
                )
            )
        )
    if filters.province is not None:
        query = query.where(
            Conversation.household_id.in_(
                select(Household.id).where(Household.province_code == filters.province)
            )
        )
    if filters.intent:
        query = query.where(
            exists().where(
                ChatMessage.sender_id == Conversation.sender_id,
                ChatMessage.role == "user",
                or_(
                    ChatMessage.intent == filters.intent,
                    ChatMessage.corrected_intent == filters.intent,
                ),
            )
        )
    if filters.q:
        query = query.where(
            or_(
                Conversation.sender_id.ilike(_like(filters.q), escape="\\"),
                exists().where(
                    ChatMessage.sender_id == Conversation.sender_id,
                    ChatMessage.text.ilike(_like(filters.q), escape="\\"),
                ),
            )
        )
    return query


@dataclass(frozen=True)
class Page:
    items: list[Conversation]
    page: int
    pages: int
    total: int


def conversation_page(session: Session, filters: Filters, page: int, size: int = PAGE_SIZE) -> Page:
    query = filtered(filters).order_by(
        Conversation.last_message_at.desc().nulls_last(), Conversation.sender_id
    )
    items, page, pages, total = paged(session, query, page=page, size=size)
    return Page(items, page, pages, total)


def queue(session: Session) -> list[Conversation]:
    """Conversations waiting for staff (longest wait first), then those staff have taken over."""
    waiting = session.scalars(
        select(Conversation)
        .where(Conversation.status == ConversationStatus.WAITING)
        .order_by(Conversation.waiting_since.asc().nulls_last())
    ).all()
    taken = session.scalars(
        select(Conversation)
        .where(Conversation.status == ConversationStatus.TAKEN_OVER)
        .order_by(Conversation.last_message_at.desc().nulls_last())
    ).all()
    return [*waiting, *taken]


def get_conversation(session: Session, sender_id: str) -> Conversation:
    conversation = session.get(Conversation, sender_id)
    if conversation is None:
        raise NotFound("Không tìm thấy hội thoại.", "sender_id")
    return conversation


def messages_of(session: Session, sender_id: str) -> list[ChatMessage]:
    return list(
        session.scalars(
            select(ChatMessage)
            .where(ChatMessage.sender_id == sender_id)
            .order_by(ChatMessage.at, ChatMessage.id)
        )
    )


def mark_reviewed(session: Session, conversation: Conversation, staff: str) -> None:
    conversation.reviewed_at = utc_now()
    conversation.reviewed_by = staff
    session.commit()


def parse_tags(text: str) -> list[str]:
    tags: list[str] = []
    for raw in text.split(","):
        tag = " ".join(raw.split()).lower()
        if tag and tag not in tags:
            if len(tag) > 40 or '"' in tag:
                raise InvalidInput("mỗi nhãn tối đa 40 ký tự, không có dấu ngoặc kép", "tags")
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"tối đa {MAX_TAGS} nhãn", "tags")
    return tags


def set_tags(session: Session, conversation: Conversation, text: str) -> None:
    conversation.tags = parse_tags(text)
    session.commit()


def set_note(session: Session, conversation: Conversation, note: str) -> None:
    conversation.note = note.strip() or None
    session.commit()


_ENTITY_LINE = re.compile(r"^\s*(\w+)\s*:\s*(.+?)\s*(?:=\s*(.+?)\s*)?$")


def parse_entities(text: str, lines: str) -> list[dict[str, Any]]:
    """Lines "entity: span" or "entity: span = value"; each span must occur in the message (the
    first occurrence after the previous entity is used)."""
    entities: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for number, line in enumerate(lines.splitlines(), start=1):
        if not line.strip():
            continue
        match = _ENTITY_LINE.match(line)
        if match is None:
            raise InvalidInput(
                f"dòng {number}: cần dạng 'loại: đoạn' hoặc 'loại: đoạn = giá trị'", "entities"
            )
        entity, span, value = match.groups()
        if entity not in ENTITIES:
            raise InvalidInput(
                f"dòng {number}: '{entity}' không phải loại thực thể ({', '.join(ENTITIES)})",
                "entities",
            )
        start = _free_occurrence(text, span, taken)
        if start is None:
            raise InvalidInput(f"dòng {number}: không thấy '{span}' trong tin nhắn", "entities")
        taken.append((start, start + len(span)))
        entities.append(
            {"entity": entity, "value": value or span, "start": start, "end": start + len(span)}
        )
    return sorted(entities, key=lambda e: e["start"])


def _free_occurrence(text: str, span: str, taken: list[tuple[int, int]]) -> int | None:
    start = text.find(span)
    while start != -1:
        end = start + len(span)
        if all(end <= a or start >= b for a, b in taken):
            return start
        start = text.find(span, start + 1)
    return None


def entity_lines(text: str, entities: list[dict[str, Any]] | None) -> str:
    """The form's pre-filled text for entities (the inverse of parse_entities)."""
    lines = []
    for entity in entities or []:
        try:
            span = text[entity["start"] : entity["end"]]
        except (KeyError, TypeError):
            continue
        value = str(entity.get("value", span))
        lines.append(f"{entity['entity']}: {span}" + ("" if value == span else f" = {value}"))
    return "\n".join(lines)


def correct_message(
    session: Session, sender_id: str, message_id: int, intent: str, entity_text: str, staff: str
) -> ChatMessage:
    message = session.get(ChatMessage, message_id)
    if message is None or message.sender_id != sender_id or message.role != "user":
        raise NotFound("Không tìm thấy tin nhắn của khách trong hội thoại này.", "message_id")
    if intent not in INTENTS:
        raise InvalidInput(f"ý định '{intent}' không có trong danh sách cố định", "intent")
    entities = parse_entities(message.text, entity_text)  # before any change: all or nothing
    message.corrected_intent = intent
    message.corrected_entities = entities
    message.corrected_by = staff
    message.corrected_at = utc_now()
    session.commit()
    return message


def reviewed_corrections(session: Session) -> list[Correction]:
    """Corrections in conversations marked reviewed, oldest correction first."""
    rows = session.scalars(
        select(ChatMessage)
        .join(Conversation, Conversation.sender_id == ChatMessage.sender_id)
        .where(ChatMessage.corrected_intent.is_not(None), Conversation.reviewed_at.is_not(None))
        .order_by(ChatMessage.corrected_at, ChatMessage.id)
    )
    return [
        Correction(
            m.text,
            m.corrected_intent or "",
            m.corrected_entities if m.corrected_entities is not None else (m.entities or []),
        )
        for m in rows
    ]


def unreviewed_corrections(session: Session) -> int:
    """Corrections waiting for their conversation to be marked reviewed (not exported yet)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ChatMessage)
            .join(Conversation, Conversation.sender_id == ChatMessage.sender_id)
            .where(ChatMessage.corrected_intent.is_not(None), Conversation.reviewed_at.is_(None))
        )
        or 0
    )


# --- the live inbox: last message, unread counts, assignment, canned replies ---------------------


def last_messages(session: Session, sender_ids: list[str]) -> dict[str, ChatMessage]:
    """The latest message of each conversation (what the list shows under its name)."""
    if not sender_ids:
        return {}
    latest = (
        select(func.max(ChatMessage.id))
        .where(ChatMessage.sender_id.in_(sender_ids))
        .group_by(ChatMessage.sender_id)
    )
    rows = session.scalars(select(ChatMessage).where(ChatMessage.id.in_(latest)))
    return {m.sender_id: m for m in rows}


def unread_counts(session: Session, *, staff_id: int, sender_ids: list[str]) -> dict[str, int]:
    """Household messages this staff account has not seen yet, per conversation."""
    if not sender_ids:
        return {}
    seen = func.coalesce(ConversationRead.last_message_id, 0)
    rows = session.execute(
        select(ChatMessage.sender_id, func.count())
        .select_from(ChatMessage)
        .outerjoin(
            ConversationRead,
            (ConversationRead.sender_id == ChatMessage.sender_id)
            & (ConversationRead.staff_id == staff_id),
        )
        .where(
            ChatMessage.sender_id.in_(sender_ids),
            ChatMessage.role == "user",
            ChatMessage.id > seen,
        )
        .group_by(ChatMessage.sender_id)
    )
    return {sender: count for sender, count in rows}


def mark_read(session: Session, *, staff_id: int, sender_id: str, last_message_id: int) -> None:
    read = session.get(ConversationRead, (staff_id, sender_id))
    if read is None:
        session.add(
            ConversationRead(
                staff_id=staff_id, sender_id=sender_id, last_message_id=last_message_id
            )
        )
    elif last_message_id > read.last_message_id:
        read.last_message_id = last_message_id
    session.commit()


def messages_after(session: Session, sender_id: str, after_id: int) -> list[ChatMessage]:
    return list(
        session.scalars(
            select(ChatMessage)
            .where(ChatMessage.sender_id == sender_id, ChatMessage.id > after_id)
            .order_by(ChatMessage.at, ChatMessage.id)
        )
    )


def assignable_staff(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(StaffUser.login).where(StaffUser.active.is_(True)).order_by(StaffUser.login)
        )
    )


def assign(session: Session, conversation: Conversation, login: str) -> None:
    """Give the conversation to an active staff account ("" takes it off anyone)."""
    if login and login not in assignable_staff(session):
        raise InvalidInput(f"không có nhân viên '{login}' đang hoạt động", "assignee")
    conversation.assigned_to = login or None
    session.commit()


MAX_CANNED_TITLE = 80
MAX_CANNED_TEXT = 2000


def canned_replies(session: Session) -> list[CannedReply]:
    return list(session.scalars(select(CannedReply).order_by(CannedReply.title)))


def save_canned_reply(
    session: Session, *, reply_id: int | None, title: str, text: str, staff: str
) -> CannedReply:
    title, text = " ".join(title.split()), text.strip()
    if not title or len(title) > MAX_CANNED_TITLE:
        raise InvalidInput(f"tên cần 1–{MAX_CANNED_TITLE} ký tự", "title")
    if not text or len(text) > MAX_CANNED_TEXT:
        raise InvalidInput(f"nội dung cần 1–{MAX_CANNED_TEXT} ký tự", "text")
    same = session.scalar(select(CannedReply).where(CannedReply.title == title))
    if same is not None and same.id != reply_id:
        raise Conflict(f"đã có câu trả lời mẫu tên '{title}'", "title")
    reply = session.get(CannedReply, reply_id) if reply_id else CannedReply()
    if reply is None:
        raise NotFound("Không tìm thấy câu trả lời mẫu.", "id")
    reply.title, reply.text, reply.updated_by = title, text, staff
    session.add(reply)
    session.commit()
    return reply


def delete_canned_reply(session: Session, reply_id: int) -> None:
    reply = session.get(CannedReply, reply_id)
    if reply is not None:
        session.delete(reply)
        session.commit()
