"""Start every service of `make run` in the foreground with prefixed logs.

Ctrl-C or SIGTERM stops all.

If one service dies, the others are stopped too, so a broken stack never looks healthy.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
COLOURS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m"]
RESET = "\033[0m"

SERVICES: list[tuple[str, list[str]]] = [
    (
        "backend",
        [
            str(VENV_BIN / "gunicorn"),
            "--bind=127.0.0.1:5000",
            "--workers=2",
            "--threads=4",
            "--access-logfile=-",
            "backend:create_app()",
        ],
    ),
    ("rasa", ["bash", "bot/scripts/run_rasa.sh"]),
    ("actions", ["bash", "bot/scripts/run_actions.sh"]),
    ("worker", [str(VENV_BIN / "huey_consumer"), "notifications.tasks.huey", "--workers=2"]),
    ("events", [str(VENV_BIN / "flask"), "--app", "backend", "chat", "consume", "--follow"]),
]


def environment() -> dict[str, str]:
    var = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    env = dict(os.environ)
    env.setdefault("VAR_DIR", str(var))
    env.setdefault("RASA_TRACKER_DB", str(var / "rasa_tracker.db"))
    env.setdefault("RASA_EVENTS_DB", str(var / "rasa_events.db"))
    env.setdefault("BACKEND_URL", "http://127.0.0.1:5000")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def pump(name: str, colour: str, stream) -> None:
    prefix = f"{colour}{name:>8} |{RESET} " if sys.stdout.isatty() else f"{name:>8} | "
    for line in iter(stream.readline, b""):
        sys.stdout.write(prefix + line.decode("utf-8", "replace"))
        sys.stdout.flush()


def wait_healthy(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if json.load(response).get("status") == "ok":
                    return True
        except (OSError, ValueError):
            pass
        time.sleep(2)
    return False


def main() -> int:
    env = environment()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = threading.Event()

    def stop(*_: object) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for index, (name, command) in enumerate(SERVICES):
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: we stop the whole tree
        )
        processes[name] = process
        colour = COLOURS[index % len(COLOURS)]
        threading.Thread(target=pump, args=(name, colour, process.stdout), daemon=True).start()

    def announce() -> None:
        if wait_healthy("http://127.0.0.1:5000/healthz", timeout=300) and not stopping.is_set():
            print(
                "\n  Sẵn sàng / Ready:\n"
                "    Web chat:       http://127.0.0.1:5000/\n"
                "    Other households: http://127.0.0.1:5000/?household=demo-2 … demo-5\n"
                "    API docs:       http://127.0.0.1:5000/docs\n"
                "    Staff console:  http://127.0.0.1:5000/staff/ (admin / admin-dev-password)\n"
                "  Ctrl-C để dừng / to stop.\n",
                flush=True,
            )

    threading.Thread(target=announce, daemon=True).start()
    exit_code = 0
    while not stopping.is_set():
        for name, process in processes.items():
            if process.poll() is not None:
                print(
                    f"run: {name} exited with code {process.returncode}; stopping all", flush=True
                )
                exit_code = process.returncode or 1
                stopping.set()
                break
        time.sleep(0.5)

    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    print("run: all services stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
