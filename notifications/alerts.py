"""Usage alerts from the consumption model: one per anomaly episode."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.models import AnomalyEpisode, Household, Notification
from notifications.outbox import enqueue

TITLE = "Mức dùng điện cao bất thường"


def enqueue_usage_alert(session: Session, episode: AnomalyEpisode) -> Notification | None:
    household = session.get(Household, episode.household_id)
    if household is None:
        return None
    return enqueue(
        session,
        household,
        "usage_alert",
        f"usage-alert:{episode.id}",
        TITLE,
        episode.explanation,
        {"episode_id": episode.id, "excess_days": episode.excess_days},
    )
