"""Supervisors revealing a conversation's personal data, and the audit log of those reveals."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import AuditRecord
from backend.services.paging import paged

REVEAL = "pii_revealed"


def subject_of(sender_id: str) -> str:
    """A one-way hash: the log keeps no id, and still shows every reveal of a conversation."""
    return hashlib.sha256(sender_id.encode()).hexdigest()[:16]


def record_reveal(session: Session, sender_id: str, actor: str, reason: str) -> AuditRecord:
    record = AuditRecord(
        action=REVEAL,
        actor=actor,
        subject=subject_of(sender_id),
        details={"reason": reason.strip()},
    )
    session.add(record)
    session.commit()
    return record


def reveals_of(session: Session, sender_id: str) -> list[AuditRecord]:
    return list(
        session.scalars(
            select(AuditRecord)
            .where(AuditRecord.action == REVEAL, AuditRecord.subject == subject_of(sender_id))
            .order_by(AuditRecord.at.desc())
        )
    )


def audit_page(session: Session, page: int, size: int = 50) -> tuple[list[AuditRecord], int]:
    """Every audit record, newest first; and the number of pages."""
    query = select(AuditRecord).order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
    rows, _, pages, _ = paged(session, query, page=page, size=size)
    return rows, pages
