"""`flask --app backend ...` commands."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from typing import TextIO

import click
from flask import Flask, current_app
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from backend.auth import issue_demo_token
from backend.clock import local_today, utc_now
from backend.extensions import db
from backend.models import Household
from backend.services.anomalies import retrain
from backend.services.conversation_events import consume
from backend.services.demo import seed_demo as seed
from backend.services.forecast import ForecastUnavailable, fetch_forecasts
from backend.services.outages import OutageImportError, import_outages
from backend.services.weather import WeatherImportError, import_observations
from ml.api import RETRAIN_HOLDOUT_DAYS

PLUGINS = "tiet_kiem_dien.cli"  # entry point group: commands of other packages (notifications)


def register(app: Flask) -> None:
    """The backend's commands, then those other packages declare as plugins (pyproject.toml), so
    `flask --app backend notify ...` works while the backend never imports notifications."""
    for plugin in entry_points(group=PLUGINS):
        app.cli.add_command(plugin.load(), plugin.name)
    app.cli.add_command(dev_token)
    app.cli.add_command(seed_demo)
    app.cli.add_command(ml_group)
    app.cli.add_command(weather_group)
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
    help="recent days left out of the training of households with a year of history "
    "(default: ml.api.RETRAIN_HOLDOUT_DAYS, as evaluated)",
)
def train(model_path: str | None, holdout_days: int | None) -> None:
    """Train the consumption model on every household's own readings (also run monthly)."""

    path = model_path or current_app.config["ANOMALY_MODEL_PATH"]
    days = RETRAIN_HOLDOUT_DAYS if holdout_days is None else holdout_days
    try:
        rows = retrain(db.session(), path, today=local_today(), holdout_days=days)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"trained on {rows} household-days → {path} (model card beside it)")


@click.group("weather")
def weather_group() -> None:
    """Observed temperatures per province."""


@weather_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def weather_import(path: str) -> None:
    """Import observed daily means from CSV (province_code,date,avg_temp_c); all rows or none."""

    try:
        with text_file(path) as handle:
            count = import_observations(db.session(), handle)
    except WeatherImportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"imported {count} observations")


@weather_group.command("forecast")
@click.option("--force", is_flag=True, help="Fetch even if the stored forecast is recent.")
def weather_forecast(force: bool) -> None:
    """Fetch every province's daily temperatures from Open-Meteo (past week, next 16 days);
    offline, projections keep to the climate normals and say so."""
    url = current_app.config["OPEN_METEO_URL"]
    if not url:
        raise click.ClickException("OPEN_METEO_URL is empty: forecasts are off")
    try:
        result = fetch_forecasts(
            db.session(), url=url, now=utc_now(), today=local_today(), force=force
        )
    except ForecastUnavailable as exc:
        raise click.ClickException(f"Open-Meteo unavailable ({exc}); normals stay in use") from exc
    if result.skipped:
        click.echo("forecast is recent; nothing fetched (use --force)")
        return
    click.echo(
        f"stored {result.forecast_days} forecast days and {result.observed_days} observed days "
        f"for {result.provinces} provinces"
    )


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
    fmt = fmt or ("csv" if path.lower().endswith(".csv") else "json")
    try:
        with text_file(path, "utf-8-sig") as handle:
            created, changed = import_outages(db.session(), handle, fmt)
    except OutageImportError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"outages: {created} created, {changed} changed")


@click.group("chat")
def chat_group() -> None:
    """Conversations from the assistant."""


@chat_group.command("consume")
@click.option("--follow", is_flag=True, help="keep reading new events until stopped")
@click.option("--interval", default=1.0, show_default=True, help="seconds between polls")
def chat_consume(follow: bool, interval: float) -> None:
    """Store Rasa's events (SQL event broker) as conversations and messages; idempotent."""

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
