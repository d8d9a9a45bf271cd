"""The JSON API under /api/v1 (and /healthz), one flask-smorest blueprint per area."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import UnsupportedMediaType

from backend.api.bills import blp as bills
from backend.api.chat import blp as chat
from backend.api.facts import blp as facts
from backend.api.health import blp as health
from backend.api.household_app import blp as me_app
from backend.api.households import blp as me
from backend.api.openapi import DocumentedApi
from backend.api.service import blp as service
from backend.extensions import csrf

EXTENSION = "documented_api"


def json_bodies_only() -> None:
    """A body the API cannot read must not pass as an empty one (a PUT of form data would
    otherwise be a silent no-op): anything sent to /api/ with a body is JSON."""
    if request.path.startswith("/api/") and request.content_length and not request.is_json:
        raise UnsupportedMediaType("Dữ liệu gửi lên phải là JSON (Content-Type: application/json).")


def init_api(app: Flask) -> DocumentedApi:
    """flask-smorest's Api for this app: the blueprints below and the OpenAPI document at /docs.

    One Api per app, never a module-level one: flask-smorest's Api remembers the app it was bound
    to, so a shared one breaks when two apps are created at once (the queue worker's threads)."""
    api = DocumentedApi(app)
    for blueprint in (health, chat, bills, facts, me, me_app, service):
        csrf.exempt(blueprint)  # bearer tokens, not cookies: CSRF does not apply
        api.register_blueprint(blueprint)
    app.extensions[EXTENSION] = api
    return api


def api_of(app: Flask) -> DocumentedApi:
    """The Api `init_api` bound to `app` (its OpenAPI document: `api_of(app).document()`)."""
    api: DocumentedApi = app.extensions[EXTENSION]
    return api
