"""Usage alerts from the consumption model: one per anomaly episode."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from backend.models import AnomalyEpisode, Household, Notification
from backend.services.anomalies import ScoreSummary, easing, score_all
from ml.model import UnusualUsageModel
from notifications.outbox import enqueue

TITLE = "Mức dùng điện cao bất thường"
# the alert's question: a "yes" in the app (POST /api/v1/me/anomalies/<id>/feedback) or in chat
# (bot/actions/alert_feedback.py, after a confirmation) makes the nightly scoring learn the
# household's new level instead of flagging it again
QUESTION = (
    "Nếu nhà bạn vừa có thay đổi lâu dài (mua thêm thiết bị, có thêm người ở), hãy trả lời trong "
    'ứng dụng hoặc nhắn cho trợ lý (ví dụ: "có, nhà mới mua thêm điều hòa") để mức dự kiến được '
    "tính theo mức dùng mới."
)
# guests staying raise use for a few days: told, those days raise no alert and are not learnt
# (backend/services/guests.py; the answer in chat bot/actions/alert_feedback.py, in the app the
# alert card's "Không, chỉ là nhà đang có khách"; beforehand Cài đặt → Nhà có khách)
GUESTS_HINT = (
    'Nếu chỉ là có khách ở chơi, bạn bấm "Không, chỉ là nhà đang có khách" trong ứng dụng hoặc '
    'nhắn cho trợ lý (ví dụ: "không, chỉ là nhà có khách") để ghi lại những ngày đó; lần sau '
    'có khách, bạn báo trước (ví dụ: "nhà có khách từ 24/12 đến 27/12") để không bị cảnh báo.'
)


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
        f"{episode.explanation} {QUESTION} {GUESTS_HINT}",
        {"episode_id": episode.id, "excess_days": episode.excess_days},
    )


def score_and_alert(session: Session, model: UnusualUsageModel, *, today: date) -> ScoreSummary:
    """Nightly scoring; each new episode queues one usage alert (never one per day)."""
    summary = score_all(session, model, today=today)
    for episode_id in summary.new_episodes:
        episode = session.get(AnomalyEpisode, episode_id)
        # an alert whose own days are not above the expected use has nothing to tell
        if episode is not None and not easing(episode):
            enqueue_usage_alert(session, episode)
    return summary
