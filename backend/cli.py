"""`flask --app backend ...` commands."""

from __future__ import annotations

import click
from flask import Flask, current_app

from backend.extensions import db
from backend.models import Household


def register(app: Flask) -> None:
    app.cli.add_command(dev_token)
    app.cli.add_command(seed_demo)


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
    from datetime import date

    from backend.services.demo import seed_demo as seed

    created = seed(db.session(), today=date.today())
    click.echo(f"demo: {len(created)} households created" if created else "demo: already loaded")
