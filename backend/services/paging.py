"""One page of a query's rows for the staff lists (conversations, audit log, dead letters)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def paged(
    session: Session, query: Select[Any], *, page: int, size: int
) -> tuple[list[Any], int, int, int]:
    """(rows, page, pages, total): `page` clamped to 1..pages; there is always one page."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    rows = session.scalars(query.limit(size).offset((page - 1) * size)).all()
    return list(rows), page, pages, total
