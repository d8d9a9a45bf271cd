"""The bot's two inner doors, served for real on loopback: the REST channel takes only turns
signed by the backend's chat proxy; the action server answers only calls carrying Rasa's token."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from channels.rest import verify

from tests.fakes import chat_signed, start_server, stop_server

HERE = Path(__file__).parent
BOT = HERE.parents[1] / "bot"
SECRET = "test-rasa-token"
ACTION_TOKEN = "test-action-token"


def serve(
    command: Callable[[int], list[str]],
    health: Callable[[int], str],
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, int]:
    return start_server(command, health, cwd=BOT, env={**os.environ, **(env or {})})


def signed(body: dict, secret: str = SECRET, at: float | None = None) -> tuple[bytes, dict]:
    """Signed as backend/services/chat.py signs: HMAC-SHA256 over "<ts>.<raw body>"."""
    raw = json.dumps(body).encode()
    return raw, chat_signed(secret, raw, at)


@pytest.fixture(scope="module")
def rest() -> Iterator[str]:
    process, port = serve(
        lambda port: [sys.executable, str(HERE / "rest_echo_app.py"), str(port), SECRET],
        lambda port: f"http://127.0.0.1:{port}/webhooks/rest/",
    )
    yield f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    stop_server(process)


def test_a_signed_turn_is_answered_as_its_sender(rest):
    raw, headers = signed({"sender": "demo-1", "message": "xin chào"})
    replies = requests.post(rest, data=raw, headers=headers, timeout=10).json()
    assert [r["text"] for r in replies] == ["echo: xin chào (demo-1)"]


@pytest.mark.parametrize(
    "forgery",
    ["unsigned", "wrong key", "an hour old", "sender changed after signing", "bad timestamp"],
)
def test_a_turn_not_signed_by_the_proxy_is_refused(rest, forgery):
    body = {"sender": "demo-2", "message": "/delete_my_data"}
    raw, headers = signed(body, secret="guess" if forgery == "wrong key" else SECRET)
    if forgery == "unsigned":
        headers = {"Content-Type": "application/json"}
    elif forgery == "an hour old":
        raw, headers = signed(body, at=time.time() - 3600)
    elif forgery == "sender changed after signing":
        raw = raw.replace(b"demo-2", b"demo-3")
    elif forgery == "bad timestamp":
        headers["X-Chat-Timestamp"] = "soon"
    response = requests.post(rest, data=raw, headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "reason": response.json()["reason"]}


def test_a_channel_without_a_secret_refuses_everything():
    raw, headers = signed({"sender": "demo-1", "message": "hi"}, secret="")
    assert verify("", headers, raw, time.time()) == "the channel has no secret configured"


@pytest.fixture(scope="module")
def actions() -> Iterator[str]:
    process, port = serve(
        lambda port: [
            str(BOT / ".venv" / "bin" / "python"),
            "action_server.py",
            "--port",
            str(port),
        ],
        lambda port: f"http://127.0.0.1:{port}/health",
        {
            "ACTION_SERVER_TOKEN": ACTION_TOKEN,
            "BACKEND_URL": "http://127.0.0.1:9",
            "PYTHONPATH": f"{BOT}:{BOT.parent}",
        },
    )
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


CALL = {
    "next_action": "action_greet_user",
    "sender_id": "demo-1",
    "tracker": {"sender_id": "demo-1", "slots": {}, "latest_message": {}, "events": []},
    "domain": {},
    "version": "3.6.2",
}


@pytest.mark.parametrize("token", [None, "", "guessed", ACTION_TOKEN + "x"])
def test_the_action_server_refuses_a_call_without_rasas_token(actions, token):
    params = None if token is None else {"token": token}
    response = requests.post(actions + "/webhook", json=CALL, params=params, timeout=10)
    assert response.status_code == 401
    listed = requests.get(actions + "/actions", params=params, timeout=10)
    assert listed.status_code == 401


def test_the_action_server_serves_rasa(actions):
    listed = requests.get(actions + "/actions", params={"token": ACTION_TOKEN}, timeout=10)
    assert listed.status_code == 200
    assert {"name": "action_link_account"} in listed.json()
    assert requests.get(actions + "/health", timeout=10).status_code == 200


def test_the_action_server_listens_on_127_0_0_1_only(actions):
    """Bound to 127.0.0.1 unless ACTIONS_INTERFACE says otherwise. A server on every interface
    would also answer on 127.0.0.2 (all of 127/8 reaches this host on Linux); this one does not."""
    port = int(actions.rsplit(":", 1)[1])
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex(("127.0.0.2", port)) != 0
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex(("127.0.0.1", port)) == 0
