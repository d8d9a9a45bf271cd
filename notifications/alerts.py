"""Usage alerts from the consumption model: one per anomaly episode."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from backend.models import AnomalyEpisode, Household, Notification
from backend.services.anomalies import ScoreSummary, score_all
from ml.model import UnusualUsageModel
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


def score_and_alert(session: Session, model: UnusualUsageModel, *, today: date) -> ScoreSummary:
    """Nightly scoring; each new episode queues one usage alert (never one per day)."""
    summary = score_all(session, model, today=today)
    for episode_id in summary.new_episodes:
        episode = session.get(AnomalyEpisode, episode_id)
        if episode is not None:
            enqueue_usage_alert(session, episode)
    return summary
