"""`flask --app backend notify ...`: the notification outbox from the command line.

Registered on the backend's CLI as a plugin (entry point group `tiet_kiem_dien.cli` in
pyproject.toml), so the backend never imports notifications.
"""

from __future__ import annotations

import click
from flask import current_app

from backend.clock import local_today, utc_now
from backend.extensions import db
from backend.services.projection import configured_consumption
from ml.api import load_model
from notifications.alerts import score_and_alert
from notifications.delivery import deliver_due
from notifications.outages import enqueue_outage_notices
from notifications.projection import alert_projections
from notifications.providers import push_app, zalo_channel
from notifications.weekly import enqueue_weekly_tips


@click.group("notify")
def notify_group() -> None:
    """The notification outbox."""


@notify_group.command("outages")
def notify_outages() -> None:
    """Queue planned-outage notices for the households of each area (one per outage version)."""
    count = enqueue_outage_notices(db.session(), now=utc_now())
    click.echo(f"queued {count} outage notices")


@notify_group.command("weekly")
def notify_weekly() -> None:
    """Queue this week's personalised tips (once per household and ISO week)."""
    count = enqueue_weekly_tips(db.session(), today=local_today())
    click.echo(f"queued {count} weekly tips")


@notify_group.command("send")
def notify_send() -> None:
    """Deliver what is due once (FCM and Zalo; the log channel for what is not configured)."""
    config = current_app.config
    report = deliver_due(db.session(), push_app(config), now=utc_now(), zalo=zalo_channel(config))
    click.echo(
        f"sent {report.sent}, retry later {report.retried}, failed {report.failed}, "
        f"deferred for quiet hours {report.deferred}, dead tokens {len(report.dead_tokens)}"
    )


@notify_group.command("score-all")
@click.option(
    "--model", "model_path", default=None, help="skops file (default: ANOMALY_MODEL_PATH)"
)
def score_all(model_path: str | None) -> None:
    """Score every household, store daily verdicts, open/close anomaly episodes and queue one
    usage alert per new episode."""
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


@notify_group.command("project-all")
def project_all() -> None:
    """Project every household's bill for its current period and queue budget and tier alerts
    (once per period and kind; again only if the projection worsens materially)."""
    summary = alert_projections(
        db.session(),
        today=local_today(),
        now=utc_now(),
        model=configured_consumption(current_app.config),
    )
    click.echo(
        f"projected {summary.projected} of {summary.households} households: "
        f"{summary.budget_alerts} budget alerts, {summary.tier_alerts} tier alerts"
    )
