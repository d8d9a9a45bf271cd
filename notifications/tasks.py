"""The job queue (Huey): periodic fan-outs and the outbox sender.

`make run` uses SqliteHuey in var/huey.db; with REDIS_URL set, RedisHuey lets several consumers on
several machines share the schedule (`huey_consumer notifications.tasks.huey -w 2`). Every job is
idempotent (dedupe keys, leases), so a job run twice never sends twice.
"""

from __future__ import annotations

import os
import threading
from datetime import date

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab

from backend.app import create_app
from backend.clock import local_today, utc_now
from backend.config import VAR_DIR
from backend.extensions import db
from backend.services.anomalies import retrain
from backend.services.forecast import ForecastUnavailable, fetch_forecasts
from backend.services.privacy import Stores, purge_expired, purge_forgotten
from backend.services.projection import configured_consumption
from ml.api import load_model
from notifications.alerts import score_and_alert
from notifications.delivery import deliver_due
from notifications.outages import enqueue_outage_notices
from notifications.projection import alert_projections
from notifications.providers import push_app, zalo_channel
from notifications.weekly import enqueue_page, page_bounds

if os.environ.get("REDIS_URL"):
    huey = RedisHuey("tiet-kiem-dien", url=os.environ["REDIS_URL"], utc=True)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    huey = SqliteHuey("tiet-kiem-dien", filename=str(VAR_DIR / "huey.db"), utc=True)


_app: Flask | None = None
_app_lock = threading.Lock()


def app() -> Flask:
    """The worker's one Flask app, created by whichever task thread needs it first."""
    global _app
    with _app_lock:
        if _app is None:
            _app = create_app()
        return _app


@huey.periodic_task(crontab(minute="*"))
def deliver() -> None:
    """Every minute: send what is due."""

    with app().app_context():
        config = app().config
        deliver_due(db.session(), push_app(config), now=utc_now(), zalo=zalo_channel(config))


@huey.periodic_task(crontab(minute="5"))
def outage_notices() -> None:
    """Hourly: notices for new, changed or cancelled planned outages."""

    with app().app_context():
        enqueue_outage_notices(db.session(), now=utc_now())


# Monday 08:00 in Việt Nam, and a catch-up at 12:00: a Redis job taken by a consumer that is then
# killed is not re-queued, so the second run queues the tips of any lost page (and nothing twice).
@huey.periodic_task(crontab(day_of_week="1", hour="1,5", minute="0"))
def weekly_tips() -> None:
    """Split the week's fan-out into one job per page of households, for any worker to take."""

    today = local_today().isoformat()
    with app().app_context():
        for after, upto in page_bounds(db.session()):
            weekly_tips_page(today, after, upto)


@huey.task(retries=3, retry_delay=60)
def weekly_tips_page(today: str, after: str, upto: str) -> None:
    """One page of weekly tips (a page run twice queues nothing twice: dedupe keys)."""

    with app().app_context():
        enqueue_page(db.session(), after, upto, today=date.fromisoformat(today))


@huey.periodic_task(crontab(day="1", hour="18", minute="0"))  # 01:00 on the 2nd in Việt Nam
def monthly_retraining() -> None:
    """Retrain on everyone's readings, before that night's scoring: households that were new
    learn their own summer, and the evaluation's figures are those of a monthly retraining."""

    with app().app_context():
        retrain(db.session(), app().config["ANOMALY_MODEL_PATH"], today=local_today())


@huey.periodic_task(crontab(hour="19", minute="30"))  # 02:30 in Việt Nam
def nightly_scoring() -> None:
    """Score every household; a new anomaly episode queues one usage alert."""

    with app().app_context():
        score_and_alert(
            db.session(), load_model(app().config["ANOMALY_MODEL_PATH"]), today=local_today()
        )


@huey.periodic_task(crontab(hour="*/6", minute="20"))
def weather_forecast() -> None:
    """Every 6 hours: Open-Meteo's forecast per province (offline: the normals stay in use)."""

    with app().app_context():
        url = app().config["OPEN_METEO_URL"]
        if url:
            try:
                fetch_forecasts(db.session(), url=url, now=utc_now(), today=local_today())
            except ForecastUnavailable:
                db.session.rollback()


@huey.periodic_task(crontab(hour="12", minute="0"))  # 19:00 in Việt Nam, outside quiet hours
def nightly_projections() -> None:
    """Project every household's bill; queue budget and tier alerts (after the day's readings;
    the outbox still holds them through quiet hours)."""

    with app().app_context():
        alert_projections(
            db.session(),
            today=local_today(),
            now=utc_now(),
            model=configured_consumption(app().config),
        )


@huey.periodic_task(crontab(minute="*"))
def forget_purge() -> None:
    """Every minute: remove what Rasa wrote back after a deletion (the Zalo channel's final turn;
    the chat proxy does it at once for the app); a no-op query when no deletion is pending."""

    with app().app_context():
        purge_forgotten(db.session(), stores=Stores.from_config(app().config), now=utc_now())


@huey.periodic_task(crontab(hour="20", minute="15"))  # 03:15 in Việt Nam
def conversation_retention() -> None:
    """Daily: purge conversations older than CONVERSATION_RETENTION_MONTHS from every store."""

    config = app().config
    with app().app_context():
        purge_expired(
            db.session(),
            stores=Stores.from_config(config),
            now=utc_now(),
            months=config["CONVERSATION_RETENTION_MONTHS"],
        )
