"""The household's page at / : an installable web app (PWA) and the reference client of the mobile
API (/api/v1). The page is a static shell; everything it shows comes from the API with the
household's bearer token (in demo mode a demo token for `demo-1`, or ?household=ID)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from backend.auth import issue_demo_token
from backend.extensions import db
from backend.models import Household
from backend.security import content_security_policy, csp_nonce

bp = Blueprint("webchat", __name__)
DEMO_HOUSEHOLD = "demo-1"
# What the Firebase web SDK needs to hand out an FCM token, and where it asks for one
WEB_PUSH_KEYS = ("apiKey", "projectId", "messagingSenderId", "appId")
FCM_SIGNUP_ORIGINS = (
    "https://firebaseinstallations.googleapis.com",
    "https://fcmregistrations.googleapis.com",
)


ASSET_MAX_AGE = 365 * 24 * 3600
_asset_versions: dict[str, tuple[float, str]] = {}


def _asset_version(filename: str) -> str:
    """A short hash of a static file's content (recomputed when the file changes)."""
    path = Path(_static_folder()) / filename
    mtime = path.stat().st_mtime
    known = _asset_versions.get(filename)
    if known is None or known[0] != mtime:
        known = (mtime, hashlib.sha256(path.read_bytes()).hexdigest()[:12])
        _asset_versions[filename] = known
    return known[1]


@bp.app_template_global()
def asset(filename: str) -> str:
    """The static file's URL with its content hash (?v=…): cached a year, a new URL on change."""
    return url_for("static", filename=filename, v=_asset_version(filename))


@bp.after_app_request
def _cache_versioned_assets(response: Response) -> Response:
    """A static file asked for by its current content hash never changes: browsers keep it."""
    version = request.args.get("v")
    if request.endpoint == "static" and version and response.status_code == 200:
        filename = (request.view_args or {}).get("filename", "")
        try:
            current = _asset_version(filename)
        except OSError:
            return response
        if version == current:
            response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}, immutable"
    return response


def web_push_config(config) -> dict | None:
    """The page's web push settings, or None (no Firebase web config or VAPID key): then the
    page loads no push SDK and notices reach its inbox only (the log channel)."""
    firebase = config["FIREBASE_WEB_CONFIG"]
    if not config["FIREBASE_VAPID_KEY"] or not all(firebase.get(key) for key in WEB_PUSH_KEYS):
        return None
    return {"firebase": firebase, "vapidKey": config["FIREBASE_VAPID_KEY"]}


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
    push = web_push_config(current_app.config)
    response = current_app.make_response(
        render_template("app.html", token=token, household=household, web_push=push)
    )
    response.headers["Cache-Control"] = "no-cache"  # the service worker keeps the offline copy
    if push:  # the SDK asks Google's endpoints for the FCM token
        response.headers["Content-Security-Policy"] = content_security_policy(
            csp_nonce(), html=True, connect=FCM_SIGNUP_ORIGINS
        )
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
