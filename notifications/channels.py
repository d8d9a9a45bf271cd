"""The outcome of one notification on one channel, and the retry delays shared by the channels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from backend.models import DeliveryStatus

QUOTA_BACKOFF = timedelta(minutes=1)  # FCM asks for at least a minute after QUOTA_EXCEEDED
SERVER_BACKOFF = timedelta(seconds=30)


@dataclass(frozen=True)
class Outcome:
    """sent (with the provider's message id), retry (after `delay`), failed or skipped."""

    status: DeliveryStatus
    via: str = ""
    message_id: str | None = None
    error: str | None = None
    delay: timedelta | None = None

    @classmethod
    def sent(cls, via: str, message_id: str) -> Outcome:
        return cls(DeliveryStatus.SENT, via, message_id)

    @classmethod
    def retry(cls, error: str, delay: timedelta) -> Outcome:
        return cls(DeliveryStatus.RETRY, error=error, delay=delay)

    @classmethod
    def failed(cls, error: str) -> Outcome:
        return cls(DeliveryStatus.FAILED, error=error)

    @classmethod
    def skipped(cls, reason: str) -> Outcome:
        return cls(DeliveryStatus.SKIPPED, error=reason)


def backoff(base: timedelta, attempts: int) -> timedelta:
    """Exponential: base, 2×base, 4×base… for the 1st, 2nd, 3rd… attempt."""
    return base * 2 ** max(attempts - 1, 0)
