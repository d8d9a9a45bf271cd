"""The JSON API under /api/v1 (and /healthz), one flask-smorest blueprint per area."""

from __future__ import annotations

from flask import request
from flask_smorest import Api
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

# flask-smorest's Api: the blueprints below and the OpenAPI document at /docs (bound in create_app)
api = DocumentedApi()


def json_bodies_only() -> None:
    """A body the API cannot read must not pass as an empty one (a PUT of form data would
    otherwise be a silent no-op): anything sent to /api/ with a body is JSON."""
    if request.path.startswith("/api/") and request.content_length and not request.is_json:
        raise UnsupportedMediaType("Dữ liệu gửi lên phải là JSON (Content-Type: application/json).")


def register_api(api: Api) -> None:
    for blueprint in (health, chat, bills, facts, me, me_app, service):
        csrf.exempt(blueprint)  # bearer tokens, not cookies: CSRF does not apply
        api.register_blueprint(blueprint)
