"""Rate limits hold for the whole service, not per gunicorn worker.

Under `make run` gunicorn runs two workers; with the old default (memory://) each counted on
its own and the per-household chat limit let 57 of 67 messages through. These tests start a
real gunicorn with two workers on the default storage and count what it accepts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade

from backend.app import create_app
from backend.auth import issue_demo_token
from backend.config import ROOT, TestConfig
from backend.extensions import db
from backend.models import Household
from backend.rate_limit_storage import SQLiteStorage
from tests.fakes import start_server, stop_server

LIMIT = 5


def slow_rasa(method, path, body):
    """Rasa taking a moment to answer: the worker that forwards a message stays busy, so the
    next one is taken by the other worker."""
    time.sleep(0.2)
    return 200, [{"recipient_id": body.get("sender"), "text": "ok"}]


@pytest.fixture
def gunicorn(tmp_path, fake_server):
    rasa = fake_server(slow_rasa)
    database = tmp_path / "app.db"

    class Seeded(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    app = create_app(Seeded)
    with app.app_context():
        upgrade()
        db.session.add(Household(id="hh-limit", display_name="Nhà thử", province_code=1))
        db.session.commit()
        token = issue_demo_token("hh-limit")
        db.engine.dispose()
    env = {
        **os.environ,
        "VAR_DIR": str(tmp_path),  # the default limiter storage: tmp_path/ratelimit.db
        "DATABASE_URL": f"sqlite:///{database}",
        "RASA_URL": rasa.url,
        "CHAT_RATE_LIMIT": f"{LIMIT} per minute",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "AUTH_MODE": "demo",
        "APP_ENV": "development",
    }
    env.pop("RATELIMIT_STORAGE_URI", None)
    process, port = start_server(
        lambda port: [
            str(Path(sys.executable).parent / "gunicorn"),
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--threads=1",
            "backend.app:create_app()",
        ],
        lambda port: f"http://127.0.0.1:{port}/openapi.json",
        # the backend's own API description, not another server's that took the port first
        ready=lambda status, body: status == 200 and b'"openapi"' in body,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    url = f"http://127.0.0.1:{port}"
    yield url, {"Authorization": f"Bearer {token}"}
    stop_server(process)


def test_two_gunicorn_workers_accept_exactly_the_limit_between_them(gunicorn):
    url, auth = gunicorn

    def send(n: int) -> int:
        reply = requests.post(
            f"{url}/api/v1/chat", json={"message": f"tin {n}"}, headers=auth, timeout=30
        )
        return reply.status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(send, range(LIMIT + 5)))
    assert statuses.count(200) == LIMIT, statuses
    assert statuses.count(429) == 5, statuses


def test_two_processes_share_one_moving_window(tmp_path):
    """The storage itself, from two OS processes at once: exactly `limit` entries are granted."""
    uri = f"sqlite:///{tmp_path / 'limits.db'}"
    script = (
        "import sys\n"
        "from backend.rate_limit_storage import SQLiteStorage\n"
        "s = SQLiteStorage(sys.argv[1])\n"
        "print(sum(s.acquire_entry('chat:hh', 50, 60) for _ in range(40)))\n"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, uri], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    granted = [int(run.communicate(timeout=60)[0]) for run in runs]
    assert sum(granted) == 50 and all(g >= 10 for g in granted)
    storage = SQLiteStorage(uri)
    start, used = storage.get_moving_window("chat:hh", 50, 60)
    assert used == 50 and time.time() - 60 < start <= time.time()
    assert not storage.acquire_entry("chat:hh", 50, 60)
    storage.clear("chat:hh")
    assert storage.acquire_entry("chat:hh", 50, 60)


def test_fixed_window_counts_and_expires(tmp_path):
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'fixed.db'}")
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") > time.time()
    assert storage.incr("short", 0) == 1 and storage.get("short") == 0  # expired at once
    assert storage.check() and storage.reset() >= 1 and storage.get("k") == 0


def test_workers_opening_a_new_limits_file_at_once_all_start(tmp_path):
    """Switching a new file to WAL needs an exclusive lock, and SQLite refuses it at once
    ("database is locked") while another process has the file open: eight processes opening
    the same new file at the same instant must all get their entry."""
    uri = f"sqlite:///{tmp_path / 'limits.db'}"
    start = time.time() + 3  # every process imports first, then they open the file together
    script = (
        "import sys, time\n"
        "from backend.rate_limit_storage import SQLiteStorage\n"
        "s = SQLiteStorage(sys.argv[1])\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
        "print(int(s.acquire_entry('chat:hh', 50, 60)))\n"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, uri, str(start)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    outcomes = [run.communicate(timeout=120) for run in runs]
    assert [out.strip() for out, _ in outcomes] == ["1"] * 8, [err for _, err in outcomes]


def test_requests_on_ever_new_threads_reuse_the_processs_connections(tmp_path):
    """Under gunicorn's gevent workers each request runs in a new greenlet: a connection per
    thread(-local) meant a new connection, set up afresh, for every request. The store keeps a
    pool per process instead, and still counts every request."""
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.db'}")
    answers: list[bool] = []

    for _ in range(20):  # one request after the other, each on a thread of its own
        thread = threading.Thread(target=lambda: answers.append(storage.acquire_entry("k", 50, 60)))
        thread.start()
        thread.join()

    assert answers == [True] * 20
    assert storage.get_moving_window("k", 50, 60)[1] == 20
    assert storage.opened == 1


def test_concurrent_requests_each_get_a_connection_of_their_own(tmp_path):
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.db'}")
    start = threading.Barrier(8)
    answers: list[bool] = []

    def hit() -> None:
        start.wait()
        for _ in range(10):
            answers.append(storage.acquire_entry("k", 75, 60))

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers.count(True) == 75
    assert answers.count(False) == 5
    assert 1 <= storage.opened <= 8
