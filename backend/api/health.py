from __future__ import annotations

import requests
from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import text

from backend.extensions import db
from backend.services.chat import rasa_servers

blp = Blueprint("health", __name__, description="Service health")


def _probe(url: str) -> str:
    try:
        response = requests.get(url, timeout=1.5)
    except requests.RequestException:
        return "down"
    return "ok" if response.status_code < 500 else "down"


@blp.route("/healthz")
@blp.response(200)
def healthz():
    """Status of the database, the Rasa server and the action server."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any driver error means the database is unusable
        db.session.rollback()
        database = "down"
    pool = [_probe(url + "/") for url in rasa_servers(current_app.config["RASA_URL"])]
    rasa = "ok" if pool and all(state == "ok" for state in pool) else "down"
    actions = _probe(current_app.config["ACTION_SERVER_URL"] + "/health")
    status = "ok" if database == rasa == actions == "ok" else "degraded"
    return {"status": status, "database": database, "rasa": rasa, "action_server": actions}
