"""The web chat page at / (the mobile app talks to /api/v1/chat directly)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from backend.auth import issue_demo_token
from backend.extensions import db
from backend.models import Household

bp = Blueprint("webchat", __name__)


@bp.get("/")
def index():
    """In demo mode the page signs in as a demo household (?household=ID, default the first)."""
    token = None
    household = None
    if current_app.config["AUTH_MODE"] == "demo":
        household_id = request.args.get("household")
        if household_id:
            household = db.session.get(Household, household_id)
            if household is None:
                abort(404)
        else:
            household = db.session.query(Household).order_by(Household.id).first()
        token = issue_demo_token(household.id) if household else None
    return render_template("chat.html", token=token, household=household)
