"""The product's clock and time zone: the one place that reads the wall clock.

Servers run in UTC; households live in Việt Nam (UTC+7 all year, no daylight saving). The database
stores instants as naive UTC (`created_at`, `next_attempt_at`, …), except the times of planned
outages, which the feeds give and the models store as naive Việt Nam wall time. "Today", "this
week", "this month" and "this billing period" are always Việt Nam's.

Services take `now` (or `today`) from their caller; entry points (views, commands, jobs) read it
here. Tests either pass `now` or run the whole product at a chosen instant with `frozen(...)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

_frozen: datetime | None = None  # naive UTC while `frozen(...)` is active


def _as_utc(moment: datetime) -> datetime:
    """Naive UTC from an aware instant, or a naive one taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def utc_now() -> datetime:
    """The current instant as naive UTC (stored without zone so SQLite and PostgreSQL agree)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(utc: datetime) -> datetime:
    """Naive UTC (as stored) → naive Việt Nam wall time."""
    return _as_utc(utc).replace(tzinfo=UTC).astimezone(ZONE).replace(tzinfo=None)


def to_utc(local: datetime) -> datetime:
    """Naive Việt Nam wall time (an outage's start, a quiet hour) → naive UTC."""
    if local.tzinfo is not None:
        return _as_utc(local)
    return local.replace(tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None)


def local_now(now: datetime | None = None) -> datetime:
    """Việt Nam wall time (naive) at `now` (naive UTC or aware; default: the clock)."""
    return to_local(utc_now() if now is None else now)


def local_today(now: datetime | None = None) -> date:
    """Việt Nam's calendar day at `now` (naive UTC or aware; default: the clock)."""
    return local_now(now).date()


def utc_start_of(day: date) -> datetime:
    """The naive UTC instant at which this Việt Nam calendar day begins."""
    return to_utc(datetime.combine(day, time()))


def local_day_of(utc: datetime) -> date:
    """The Việt Nam calendar day a stored (naive UTC) instant falls on."""
    return to_local(utc).date()


@contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Run the product at `at` (aware, or naive UTC) until the block ends: every `utc_now()`,
    `local_now()` and `local_today()` answers from it, in every thread. For tests and replays.
    Yields the instant as naive UTC."""
    global _frozen
    previous, _frozen = _frozen, _as_utc(at)
    try:
        yield _frozen
    finally:
        _frozen = previous
