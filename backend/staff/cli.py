"""`flask staff ...` and `flask nlu export`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from backend.clock import local_today
from backend.extensions import db
from backend.models.staff import ROLES
from backend.services.errors import ServiceError
from backend.services.nlu_export import write_export
from backend.services.staff_conversations import reviewed_corrections
from backend.services.staff_demo import seed_canned_replies, seed_conversations
from backend.services.staff_users import create_staff, ensure_staff, get_staff
from backend.services.staff_users import set_password as store_password
from backend.services.staff_users import unlock as unlock_account

DEV_ADMIN_LOGIN = "admin"
DEV_ADMIN_PASSWORD = "admin-dev-password"  # development only; documented in the README


def register(app: Flask) -> None:
    app.cli.add_command(staff_group)
    app.cli.add_command(nlu_group)


@click.group("staff")
def staff_group() -> None:
    """Staff console accounts."""


@staff_group.command("create")
@click.option("--login", required=True, help="Sign-in name (stored lower-case).")
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True)
@click.password_option(
    "--password", help="At least 10 characters; asked (hidden, twice) when not given."
)
def create(login: str, role: str, password: str) -> None:
    """Create a staff account with a hashed password."""
    try:
        user = create_staff(db.session(), login, password, role)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created {user.role} {user.login}")


@staff_group.command("unlock")
@click.option("--login", required=True)
def unlock(login: str) -> None:
    """Lift a lockout after repeated failed sign-ins."""
    try:
        user = get_staff(db.session(), login)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    unlock_account(db.session(), user)
    click.echo(f"unlocked {user.login}")


@staff_group.command("set-password")
@click.option("--login", required=True)
@click.password_option("--password", help="At least 10 characters; asked when not given.")
def set_password(login: str, password: str) -> None:
    """Give an account a new password (and lift any lockout); its sessions end."""
    try:
        store_password(db.session(), get_staff(db.session(), login), password)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"new password set for {login.strip().lower()}")


@staff_group.command("seed-demo")
def seed_demo() -> None:
    """Development only: an admin account (admin / admin-dev-password) and demo conversations."""
    if current_app.config["APP_ENV"] != "development":
        raise click.ClickException("staff seed-demo works only with APP_ENV=development")
    created = ensure_staff(db.session(), DEV_ADMIN_LOGIN, DEV_ADMIN_PASSWORD, "admin")
    conversations = seed_conversations(db.session(), today=local_today())
    seed_canned_replies(db.session())
    if created:
        click.echo(f"staff console: sign in as {DEV_ADMIN_LOGIN} / {DEV_ADMIN_PASSWORD}")
    click.echo(f"staff demo: {conversations} conversations created")


@click.group("nlu")
def nlu_group() -> None:
    """Training data for the assistant."""


@nlu_group.command("export")
@click.option("--out-dir", default=None, help="NLU folder (default: NLU_EXPORT_DIR, bot/data/nlu).")
def export(out_dir: str | None) -> None:
    """Write reviewed staff corrections to corrections.yml (Rasa 3.x NLU YAML)."""
    result = write_export(
        reviewed_corrections(db.session()), Path(out_dir or current_app.config["NLU_EXPORT_DIR"])
    )
    click.echo(
        f"wrote {result.examples} examples for {result.intents} intents to {result.path}"
        f" ({result.skipped_known} already in the training data)"
    )
