"""The staff console at /staff: conversations, corrections, take-over, dashboard, audit."""

from __future__ import annotations

from flask import Flask

from backend.extensions import login_manager
from backend.staff import (  # noqa: F401  (their routes, on the blueprint)
    accounts,
    audit,
    auth,
    canned,
    conversations,
    dashboard,
    dead_letters,
    training,
)
from backend.staff.blueprint import bp
from backend.staff.cli import register


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
    register(app)
