"""`make doctor`: what the project sees, reported without failing when things are down."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.scripts.conftest import run


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: connections are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


def test_doctor_reports_services_credentials_and_missing_tools_and_exits_0(
    tool_path, fake_server, closed_port
):
    backend = fake_server(
        lambda method, path, body: (
            (200, {"status": "degraded", "database": "ok", "rasa": "down", "action_server": "ok"})
            if path == "/healthz"
            else (404, {})
        )
    )
    actions = fake_server(lambda method, path, body: (200, {"status": "ok"}))
    done = run(
        ["make", "doctor"],
        tool_path(without={"redis-server"}),
        CHROMIUM="/nonexistent/chromium",
        BACKEND_URL=backend.url,
        RASA_URL=f"http://127.0.0.1:{closed_port}",
        ACTION_SERVER_URL=actions.url,
        FIREBASE_CREDENTIALS="/secret/service-account.json",
        ZALO_APP_ID="1234",
        ZALO_OA_SECRET_KEY="",
        ZALO_APP_SECRET_KEY="",
        AUTH_MODE="demo",
    )
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.strip()}
    out = done.stdout
    assert f"{backend.url}/healthz: up: degraded (database ok, rasa down, action_server ok)" in out
    assert f"http://127.0.0.1:{closed_port}/: down (" in out
    assert f"{actions.url}/health: up: ok" in out
    assert "FIREBASE_CREDENTIALS   set: push notifications through FCM" in out
    assert "/secret/service-account.json" not in out and "1234" not in out
    assert "incomplete (ZALO_APP_ID set): no Zalo OA channel" in out
    assert "web and app chat work" in out
    assert "MISSING" in lines["redis-server"]
    assert "MISSING" in lines["Chromium"]
    assert "Python 3." in lines["python3"]
    assert "make test              cannot start: missing redis-server, chromium" in out
    assert "apt-get install -y redis-server chromium" in out
    assert "make run               ready" in out
    assert "cores, load average" in out


def test_doctor_without_credentials_says_what_works_without_them(tool_path, closed_port):
    down = f"http://127.0.0.1:{closed_port}"
    done = run(
        ["python3", "scripts/doctor.py"],
        tool_path(),
        BACKEND_URL=down,
        RASA_URL=down,
        ACTION_SERVER_URL=down,
        FIREBASE_CREDENTIALS="",
        ZALO_APP_ID="",
        ZALO_OA_SECRET_KEY="",
        ZALO_APP_SECRET_KEY="",
        REDIS_URL="",
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count(": down (") == 3
    assert "not set: notifications go to the log channel" in out
    assert "ZALO_APP_ID, …         not set: no Zalo OA channel" in out
    assert "not set: Huey queue in var/huey.db" in out
