from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC timestamp (stored without zone so SQLite and PostgreSQL agree)."""
    return datetime.now(UTC).replace(tzinfo=None)
