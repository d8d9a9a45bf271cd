"""The Flask app factory: every blueprint, extension, command and error handler, put together.

`flask --app backend` and `gunicorn 'backend:create_app()'` reach it through backend/__init__.py;
code that builds an app imports it from here."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from backend import cli, errors, models, security, staff  # noqa: F401  (models: the tables)
from backend.api import init_api, json_bodies_only
from backend.chat import bp as chat_bp
from backend.config import Config, refuse_unsafe_production
from backend.extensions import csrf, db, limiter, migrate
from backend.guards import storable_text_only


def create_app(config: type[Config] | Mapping[str, Any] | None = None) -> Flask:
    app = Flask("backend")  # the package: its templates/ and static/, the name logs carry
    app.config.from_object(Config)
    if isinstance(config, Mapping):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    refuse_unsafe_production(app.config, os.environ)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if database.startswith("sqlite:///"):  # the folder of a file database must exist
        Path(database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(__file__), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    init_api(app)
    app.before_request(json_bodies_only)
    app.before_request(storable_text_only)
    app.register_blueprint(chat_bp)
    staff.init_app(app)
    errors.register_error_handlers(app)
    cli.register(app)
    return app
