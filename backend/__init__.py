"""Flask backend of the household energy-saving advisor."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from backend.config import DEV_SECRET_KEY, DEV_SERVICE_TOKEN, Config


def create_app(config: type[Config] | Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(Config)
    if isinstance(config, Mapping):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    _refuse_unsafe_production(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if database.startswith("sqlite:///"):  # the folder of a file database must exist
        Path(database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    from backend import cli, errors, models, staff  # noqa: F401  (models: register tables)
    from backend.api import json_bodies_only, register_api
    from backend.chat import bp as chat_bp
    from backend.extensions import api, csrf, db, limiter, migrate
    from backend.guards import storable_text_only

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(__file__), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    api.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    register_api(api)
    app.before_request(json_bodies_only)
    app.before_request(storable_text_only)
    app.register_blueprint(chat_bp)
    staff.init_app(app)
    errors.register_error_handlers(app)
    cli.register(app)
    return app


def _refuse_unsafe_production(app: Flask) -> None:
    if app.config["APP_ENV"] != "production":
        return
    if app.config["AUTH_MODE"] != "firebase":
        raise RuntimeError(
            "APP_ENV=production requires AUTH_MODE=firebase: demo tokens are refused"
        )
    if os.environ.get("FIREBASE_AUTH_EMULATOR_HOST"):
        raise RuntimeError("FIREBASE_AUTH_EMULATOR_HOST must never be set in production")
    if (
        app.config["SECRET_KEY"] == DEV_SECRET_KEY
        or app.config["SERVICE_TOKEN"] == DEV_SERVICE_TOKEN
    ):
        raise RuntimeError("set SECRET_KEY and SERVICE_TOKEN in production")
