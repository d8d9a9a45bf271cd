"""Start every service of `make run` in the foreground with prefixed logs.

Ctrl-C or SIGTERM stops all. If one service dies, the others are stopped too, so a broken stack
never looks healthy. The processes are managed by scripts/supervisor.py (shared with
scripts/prod_local.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from supervisor import ROOT, Service, Supervisor, stop_on_signals

VENV_BIN = ROOT / ".venv" / "bin"

# The backend runs twice (docs/deploy.md, "Chat under load"):
# - "backend" (:5000) faces households, the web page and staff: gevent workers, so a chat turn
#   waiting for Rasa holds a greenlet, not one of a few threads; at most CHAT_SLOTS turns per
#   worker talk to Rasa, CHAT_QUEUE more wait, the rest get a fast 503 with Retry-After;
# - "service" (:5001) serves only the action server (BACKEND_URL of the bot), so the backend calls
#   a chat turn's actions make never wait behind the chat turns themselves.
BACKEND_PORT = int(os.environ.get("BACKEND_PORT", "5000"))
SERVICE_PORT = int(os.environ.get("SERVICE_PORT", "5001"))
# started before the database step (they do not use the database)
EARLY = {"rasa", "actions"}
SERVICES: list[Service] = [
    Service(
        "backend",
        [
            str(VENV_BIN / "gunicorn"),
            f"--bind=127.0.0.1:{BACKEND_PORT}",
            "--workers=2",
            "--worker-class=gevent",
            "--worker-connections=200",
            "--access-logfile=-",
            "backend.app:create_app()",
        ],
    ),
    Service(
        "service",
        [
            str(VENV_BIN / "gunicorn"),
            f"--bind=127.0.0.1:{SERVICE_PORT}",
            "--workers=1",
            "--threads=8",
            "backend.app:create_app()",
        ],
    ),
    # trains first when the model is missing or stale (a line per stage); the rest of the stack
    # serves meanwhile and chat says the assistant is getting ready
    Service(
        "rasa", ["bash", "-c", "bash bot/scripts/train.sh && exec bash bot/scripts/run_rasa.sh"]
    ),
    Service(
        "actions",
        ["bash", "bot/scripts/run_actions.sh"],
        env={"BACKEND_URL": f"http://127.0.0.1:{SERVICE_PORT}"},
    ),
    Service("worker", [str(VENV_BIN / "huey_consumer"), "notifications.tasks.huey", "--workers=2"]),
    Service("events", [str(VENV_BIN / "flask"), "--app", "backend", "chat", "consume", "--follow"]),
]


def environment() -> dict[str, str]:
    var = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    env = dict(os.environ)
    env.setdefault("VAR_DIR", str(var))
    env.setdefault("RASA_TRACKER_DB", str(var / "rasa_tracker.db"))
    env.setdefault("RASA_EVENTS_DB", str(var / "rasa_events.db"))
    env.setdefault("BACKEND_URL", f"http://127.0.0.1:{BACKEND_PORT}")
    env.setdefault("PYTHONUNBUFFERED", "1")
    # one Rasa server: 2 workers × 6 turns in Rasa at once (docs/deploy.md, "Chat under load")
    env.setdefault("CHAT_SLOTS", "6")
    return env


def health(url: str) -> dict[str, str] | None:
    """/healthz's answer (200 or 503, JSON either way), None while the backend is not up."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        try:
            return json.load(error)
        except ValueError:
            return None
    except (OSError, ValueError):
        return None


def wait_for(url: str, ready: Callable[[dict[str, str]], bool], timeout: float) -> bool:
    """Until /healthz's answer satisfies `ready`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = health(url)
        if answer is not None and ready(answer):
            return True
        time.sleep(2)
    return False


def main() -> int:
    stopping = stop_on_signals()
    supervisor = Supervisor(echo=True)
    env = environment()
    # Rasa loads (or first trains) its model while the database is prepared: the two longest
    # start-up steps overlap, and nothing in Rasa or the action server needs the database
    early = [service for service in SERVICES if service.name in EARLY]
    for service in early:
        supervisor.start(service, env)
    prepared = subprocess.run(
        [str(VENV_BIN / "python"), str(ROOT / "scripts" / "prepare_db.py")],
        env=env,
        check=False,
    )
    if prepared.returncode != 0 or stopping.is_set():
        supervisor.stop(early, grace=15)
        why = "stopped" if stopping.is_set() else "the database step failed (see above)"
        print(f"run: {why}; all services stopped", flush=True)
        return prepared.returncode or (0 if stopping.is_set() else 1)
    for service in SERVICES:
        if service not in early:
            supervisor.start(service, env)

    def announce() -> None:
        url = f"http://127.0.0.1:{BACKEND_PORT}/healthz"
        if not wait_for(url, lambda answer: answer.get("database") == "ok", timeout=300):
            return
        if stopping.is_set():
            return
        everything = health(url) or {}
        if everything.get("status") != "ok":
            print(
                "\n  Web page, API and staff console are up; chat answers once the assistant is"
                " ready (the first run trains it: see the [rasa] lines).\n"
                f"    Web page:       http://127.0.0.1:{BACKEND_PORT}/\n"
                f"    Staff console:  http://127.0.0.1:{BACKEND_PORT}/staff/\n",
                flush=True,
            )
            # the first training takes minutes; Rasa then loads the model
            if not wait_for(url, lambda answer: answer.get("status") == "ok", timeout=3600):
                return
        if not stopping.is_set():
            print(
                "\n  Sẵn sàng / Ready:\n"
                f"    Web chat:       http://127.0.0.1:{BACKEND_PORT}/\n"
                f"    Other households: http://127.0.0.1:{BACKEND_PORT}/?household=demo-2 … demo-5\n"
                f"    API docs:       http://127.0.0.1:{BACKEND_PORT}/docs\n"
                f"    Staff console:  http://127.0.0.1:{BACKEND_PORT}/staff/ (admin / admin-dev-password)\n"
                "  Ctrl-C để dừng / to stop.\n",
                flush=True,
            )

    threading.Thread(target=announce, daemon=True).start()
    exit_code = supervisor.watch(SERVICES, stopping, "run")
    supervisor.stop(SERVICES, grace=15)
    print("run: all services stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
