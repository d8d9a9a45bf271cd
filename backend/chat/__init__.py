"""The household's page at / : an installable web app (PWA) and the reference client of the mobile
API (/api/v1). The page is a static shell; everything it shows comes from the API with the
household's bearer token (in demo mode a demo token for `demo-1`, or ?household=ID)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from backend.auth import issue_demo_token
from backend.extensions import db
from backend.models import Household

bp = Blueprint("webchat", __name__)
DEMO_HOUSEHOLD = "demo-1"


def _demo_household() -> Household | None:
    household_id = request.args.get("household")
    if household_id:
        household = db.session.get(Household, household_id)
        if household is None:
            abort(404)
        return household
    return (
        db.session.get(Household, DEMO_HOUSEHOLD)
        or db.session.query(Household).order_by(Household.id).first()
    )


@bp.get("/")
def index():
    """In demo mode the page signs in as `demo-1` (or ?household=ID); with Firebase sign-in
    the page carries no token (a mobile build signs in with Firebase and calls the same API)."""
    token = None
    household = None
    if current_app.config["AUTH_MODE"] == "demo":
        household = _demo_household()
        token = issue_demo_token(household.id) if household else None
    response = current_app.make_response(
        render_template("app.html", token=token, household=household)
    )
    response.headers["Cache-Control"] = "no-cache"  # the service worker keeps the offline copy
    return response


def _static_folder() -> str:
    folder = current_app.static_folder
    assert folder is not None  # Flask(__name__) has one: backend/static
    return folder


@bp.get("/sw.js")
def service_worker():
    """Served from the root so that its scope is the whole page."""
    response = send_from_directory(_static_folder(), "app/sw.js", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    # a worker runs under its own script's policy: it may fetch (and cache) this origin only
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    response = send_from_directory(_static_folder(), "app/manifest.webmanifest", max_age=0)
    response.mimetype = "application/manifest+json"
    return response
