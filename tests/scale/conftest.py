"""The prod-local stack (scripts/prod_local.py), started once per session and shared by every
test of this package: two Rasa servers on PostgreSQL + Redis, action server, gunicorn backend on
PostgreSQL, two Huey workers on Redis. Heavy (two Rasa servers), hence session scope."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import requests
from flask import Flask

from backend.app import create_app
from backend.auth import issue_demo_token
from backend.extensions import db
from backend.models import Household
from backend.services.chat import sign_body

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from prod_local import RASA_AUTH_TOKEN, SECRET_KEY, Stack  # noqa: E402

MODEL = ROOT / "bot" / "models" / "current.tar.gz"
API = {"token": RASA_AUTH_TOKEN}  # query parameters for Rasa's HTTP API (--auth-token)


ZALO_APP_ID, ZALO_OA_SECRET = "4321", "oa-secret"


class FakeZaloApi(BaseHTTPRequestHandler):
    """The Zalo OA message API: records what the bot sends."""

    sent: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        FakeZaloApi.sent.append(body)
        data = b'{"error": 0, "message": "Success", "data": {"message_id": "1"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def fake_zalo() -> Iterator[type[FakeZaloApi]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeZaloApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeZaloApi.url = f"http://127.0.0.1:{server.server_port}"  # type: ignore[attr-defined]
    yield FakeZaloApi
    server.shutdown()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, fake_zalo) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained Rasa model at {MODEL}: run `make bot-train` first")
    state = tmp_path_factory.mktemp("prod-local")
    tokens = state / "zalo_tokens.json"
    tokens.write_text(json.dumps({"access_token": "t", "refresh_token": "r", "expires_at": 0}))
    zalo = {
        "ZALO_APP_ID": ZALO_APP_ID,
        "ZALO_OA_SECRET_KEY": ZALO_OA_SECRET,
        "ZALO_APP_SECRET_KEY": "app-secret",
        "ZALO_API_BASE": fake_zalo.url,
        "ZALO_OAUTH_BASE": fake_zalo.url,
        "ZALO_TOKEN_FILE": str(tokens),
    }
    stack = Stack(state, extra_env=zalo)
    try:
        stack.start()
        stack.wait_ready()
    except BaseException:
        for log in sorted(stack.logs.glob("*.log")):
            print(f"--- {log.name}\n" + log.read_text(errors="replace")[-3000:])
        stack.stop()
        raise
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def stack_app(stack: Stack) -> Flask:
    """A backend app object on the stack's database, to create households and read the truth."""
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": stack.postgres.url("app"), "SECRET_KEY": SECRET_KEY}
    )


def make_households(app: Flask, prefix: str, count: int) -> list[tuple[str, str]]:
    """(household id, demo bearer token) for `count` new households."""
    with app.app_context():
        ids = [f"{prefix}-{n}" for n in range(count)]
        for household_id in ids:
            if db.session.get(Household, household_id) is None:
                db.session.add(Household(id=household_id, display_name=f"Hộ {household_id}"))
        db.session.commit()
        return [(household_id, issue_demo_token(household_id)) for household_id in ids]


def say(rasa_url: str, sender: str, text: str, timeout: float = 60) -> list[str]:
    """One turn on one Rasa server's REST channel, signed as the backend's proxy signs it; the
    texts of the replies."""
    raw = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        **sign_body(secret=RASA_AUTH_TOKEN, body=raw, now=time.time()),
    }
    response = requests.post(
        f"{rasa_url}/webhooks/rest/webhook", data=raw, headers=headers, timeout=timeout
    )
    response.raise_for_status()
    return [reply.get("text", "") for reply in response.json()]


def chat(stack: Stack, token: str, text: str) -> requests.Response:
    """One turn through the backend's chat proxy, as a household app would send it."""
    return requests.post(
        stack.url("backend") + "/api/v1/chat",
        json={"message": text},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
