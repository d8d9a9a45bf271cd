"""`flask --app backend ...` commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import click
from flask import Flask, current_app

from backend.clock import local_today, utc_now
from backend.extensions import db
from backend.models import Household


def register(app: Flask) -> None:
    app.cli.add_command(dev_token)
    app.cli.add_command(seed_demo)
    app.cli.add_command(ml_group)
    app.cli.add_command(weather_group)
    app.cli.add_command(notify_group)
    app.cli.add_command(outages_import)
    app.cli.add_command(chat_group)


@contextmanager
def text_file(path: str, encoding: str = "utf-8") -> Iterator[TextIO]:
    """An operator's input file; bytes that are not UTF-8 are a clear error, not a traceback."""
    try:
        with open(path, encoding=encoding, newline="") as handle:
            yield handle
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); nothing imported"
        ) from exc


@click.command("dev-token")
@click.option("--household-id", required=True, help="Household id; created if missing.")
def dev_token(household_id: str) -> None:
    """Demo mode only: create the household if missing and print a bearer token for it."""
    from backend.auth import issue_demo_token

    if current_app.config["AUTH_MODE"] != "demo":
        raise click.ClickException("dev-token works only in demo mode (AUTH_MODE=demo)")
    household_id = household_id.strip()
    if not household_id or len(household_id) > 64:
        raise click.BadParameter("1–64 characters", param_hint="--household-id")
    if db.session.get(Household, household_id) is None:
        db.session.add(Household(id=household_id, display_name=f"Hộ {household_id}"))
        db.session.commit()
    click.echo(issue_demo_token(household_id))


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the demo households with a year of readings (skips what already exists)."""
    from backend.services.demo import seed_demo as seed

    created = seed(db.session(), today=local_today())
    click.echo(f"demo: {len(created)} households created" if created else "demo: already loaded")


@click.group("ml")
def ml_group() -> None:
    """The consumption model in the product."""


@ml_group.command("train")
@click.option(
    "--model", "model_path", default=None, help="skops file (default: ANOMALY_MODEL_PATH)"
)
@click.option(
    "--holdout-days",
    type=int,
    default=None,
    help="recent days left out of training (default: ml.api.RETRAIN_HOLDOUT_DAYS, as evaluated)",
)
def train(model_path: str | None, holdout_days: int | None) -> None:
    """Train the consumption model on every household's own readings (also run monthly)."""
    from backend.services.anomalies import retrain
    from ml.api import RETRAIN_HOLDOUT_DAYS

    path = model_path or current_app.config["ANOMALY_MODEL_PATH"]
    days = RETRAIN_HOLDOUT_DAYS if holdout_days is None else holdout_days
    try:
        rows = retrain(db.session(), path, today=local_today(), holdout_days=days)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"trained on {rows} household-days → {path} (model card beside it)")


@ml_group.command("score-all")
@click.option(
    "--model", "model_path", default=None, help="skops file (default: ANOMALY_MODEL_PATH)"
)
def score_all(model_path: str | None) -> None:
    """Score every household, store daily verdicts and open/close anomaly episodes."""
    from ml.api import load_model
    from notifications.alerts import score_and_alert

    path = model_path or current_app.config["ANOMALY_MODEL_PATH"]
    try:
        model = load_model(path)
    except FileNotFoundError as exc:
        raise click.ClickException(f"no model at {path}: run `make train` first") from exc
    summary = score_and_alert(db.session(), model, today=local_today())
    click.echo(
        f"scored {summary.rows} household-days of {summary.households} households: "
        f"{summary.flagged_now} flagged now, {len(summary.new_episodes)} new episodes, "
        f"{summary.closed_episodes} closed"
    )


@click.group("weather")
def weather_group() -> None:
    """Observed temperatures per province."""


@weather_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def weather_import(path: str) -> None:
    """Import observed daily means from CSV (province_code,date,avg_temp_c); all rows or none."""
    from backend.services.weather import WeatherImportError, import_observations

    try:
        with text_file(path) as handle:
            count = import_observations(db.session(), handle)
    except WeatherImportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"imported {count} observations")


@click.group("notify")
def notify_group() -> None:
    """The notification outbox."""


def _firebase_or_none():
    if not current_app.config["FIREBASE_CREDENTIALS"]:
        return None  # no credentials: the local log channel
    from backend.firebase import firebase_app
    from notifications.delivery import tune_fcm_session

    app = firebase_app()
    tune_fcm_session(app, proxy=current_app.config["FCM_PROXY"] or None)
    return app


@notify_group.command("outages")
def notify_outages() -> None:
    """Queue planned-outage notices for the households of each area (one per outage version)."""
    from notifications.outages import enqueue_outage_notices

    count = enqueue_outage_notices(db.session(), now=utc_now())
    click.echo(f"queued {count} outage notices")


@click.command("outages-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    help="Feed format (default: from the file name's extension, else JSON).",
)
def outages_import(path: str, fmt: str | None) -> None:
    """Import planned outages from a JSON or CSV feed (all outages or none)."""
    from notifications.outages import OutageImportError, import_outages

    fmt = fmt or ("csv" if path.lower().endswith(".csv") else "json")
    try:
        with text_file(path, "utf-8-sig") as handle:
            created, changed = import_outages(db.session(), handle, fmt)
    except OutageImportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"outages: {created} created, {changed} changed")


@notify_group.command("weekly")
def notify_weekly() -> None:
    """Queue this week's personalised tips (once per household and ISO week)."""
    from notifications.weekly import enqueue_weekly_tips

    count = enqueue_weekly_tips(db.session(), today=local_today())
    click.echo(f"queued {count} weekly tips")


@notify_group.command("send")
def notify_send() -> None:
    """Deliver what is due once (FCM and Zalo; the log channel for what is not configured)."""
    from notifications.delivery import deliver_due
    from notifications.zalo_channel import ZaloChannel

    zalo = ZaloChannel.from_config(current_app.config)
    report = deliver_due(db.session(), _firebase_or_none(), now=utc_now(), zalo=zalo)
    click.echo(
        f"sent {report.sent}, retry later {report.retried}, failed {report.failed}, "
        f"deferred for quiet hours {report.deferred}, dead tokens {len(report.dead_tokens)}"
    )


@click.group("chat")
def chat_group() -> None:
    """Conversations from the assistant."""


@chat_group.command("consume")
@click.option("--follow", is_flag=True, help="keep reading new events until stopped")
@click.option("--interval", default=1.0, show_default=True, help="seconds between polls")
def chat_consume(follow: bool, interval: float) -> None:
    """Store Rasa's events (SQL event broker) as conversations and messages; idempotent."""
    import logging
    import time

    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from backend.services.conversation_events import consume

    events = create_engine(current_app.config["RASA_EVENTS_DB_URL"], pool_pre_ping=True)
    while True:
        try:
            report = consume(
                db.session(), events, forget_key=current_app.config["SECRET_KEY"].encode()
            )
        except SQLAlchemyError as exc:  # a database restarting: the cursor did not move
            if not follow:
                raise click.ClickException(f"could not read events: {exc}") from exc
            db.session.rollback()
            logging.getLogger(__name__).warning("event consumer: %s; retrying", exc)
            time.sleep(interval * 5)
            continue
        if report.events or not follow:
            click.echo(
                f"read {report.events} events, stored {report.messages} messages, "
                f"{report.dead_letters} dead letters (cursor {report.last_id})"
            )
        if not follow:
            return
        time.sleep(interval)
