#!/usr/bin/env python3
"""`make doctor`: the environment the project sees.

Versions of the system prerequisites and of both Python environments, the trained models, whether
the services of `make run` answer, which optional credentials are set and what works without
them, and which make targets could start. Reports only: exits 0 whatever is down or missing.
Standard library only (it must work before `make setup`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import urllib.error
import urllib.request
from pathlib import Path

import prereqs  # scripts/prereqs.py: the script's own directory is first on sys.path

ROOT = prereqs.ROOT
WIDTH = 22


def line(name: str, text: str) -> None:
    print(f"  {name:<{WIDTH}} {text}")


def run(*command: str) -> str | None:
    output = prereqs._run(*command)
    return output.splitlines()[0] if output else None


def system() -> None:
    print("System prerequisites")
    python3 = shutil.which("python3")
    python3_version = run(python3, "--version") if python3 else None
    found = prereqs.find_python3()
    line(
        "python3",
        f"{python3_version} ({python3})"
        if found
        else f"MISSING or too old ({python3_version or 'not on PATH'}; 3.11+ with venv needed)",
    )
    python310 = run("bash", str(ROOT / "scripts/find-python310.sh"))
    line(
        "python3.10",
        f"{run(python310, '--version')} ({python310})"
        if python310 and python310 != "3.10"
        else "not found: uv downloads CPython 3.10 for bot/.venv (needs network)",
    )
    line("make", prereqs.find_make() or "MISSING")
    line("PostgreSQL", prereqs.find_postgres() or "MISSING (PostgreSQL server binaries)")
    line("redis-server", prereqs.find_redis() or "MISSING")
    chromium = prereqs.find_chromium()
    line(
        "Chromium",
        (run(chromium, "--version") or chromium)
        if chromium
        else f"MISSING ({prereqs.chromium_path()}; set CHROMIUM=path)",
    )


def package_versions(python: Path, *names: str) -> str:
    code = (
        "import importlib.metadata as m, sys\n"
        "for n in sys.argv[1:]:\n"
        "    try: print(n, m.version(n))\n"
        "    except m.PackageNotFoundError: print(n, 'not installed')"
    )
    return ", ".join((prereqs._run(str(python), "-c", code, *names) or "").splitlines())


def project() -> None:
    print("Project environments and models")
    uv = ROOT / ".tools/bin/uv"
    line("uv", run(str(uv), "--version") if uv.exists() else "not yet (`make setup` installs it)")
    venv = ROOT / ".venv/bin/python"
    line(
        ".venv",
        f"{run(str(venv), '--version')}, {package_versions(venv, 'flask', 'scikit-learn')}"
        if venv.exists()
        else "not yet (`make setup`)",
    )
    bot = ROOT / "bot/.venv/bin/python"
    line(
        "bot/.venv",
        f"{run(str(bot), '--version')}, {package_versions(bot, 'rasa', 'rasa-sdk')}"
        if bot.exists()
        else "not yet (`make setup`)",
    )
    model = ROOT / "bot/models/current.tar.gz"
    if model.exists():
        fingerprint = run("bash", str(ROOT / "bot/scripts/fingerprint.sh"))
        stored = (
            (ROOT / "bot/models/current.fingerprint").read_text().strip()
            if (ROOT / "bot/models/current.fingerprint").exists()
            else None
        )
        state = (
            "up to date" if fingerprint and fingerprint == stored else "stale (`make bot-train`)"
        )
        line("Rasa model", f"bot/models/current.tar.gz, {state}")
    else:
        line("Rasa model", "not trained yet (`make bot-train`, 6–18 min on 2 cores)")
    var = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    anomaly = Path(os.environ.get("ANOMALY_MODEL_PATH", var / "models/anomaly.skops"))
    line("anomaly model", str(anomaly) if anomaly.exists() else "not trained yet (`make db`)")
    database = os.environ.get("DATABASE_URL", "")
    if database:
        line("database", f"{database.split(':', 1)[0]} (DATABASE_URL)")
    else:
        sqlite = var / "app.db"
        line(
            "database",
            f"SQLite {sqlite}" + ("" if sqlite.exists() else " (not created: `make db`)"),
        )


def probe(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            body = response.read(2000).decode("utf-8", "replace").strip()
    except urllib.error.HTTPError as error:
        return f"answers HTTP {error.code}"
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return f"down ({reason})"
    try:
        data = json.loads(body)
    except ValueError:
        return f"up ({body[:60]})"
    if isinstance(data, dict) and "status" in data:
        details = ", ".join(f"{k} {v}" for k, v in data.items() if k != "status")
        return f"up: {data['status']}" + (f" ({details})" if details else "")
    return "up"


def services() -> None:
    print("Services (`make run` starts them; down is fine when nothing runs)")
    backend = os.environ.get("BACKEND_URL", "http://127.0.0.1:5000").rstrip("/")
    rasa = os.environ.get("RASA_URL", "http://127.0.0.1:5005").split(",")[0].strip().rstrip("/")
    actions = os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055").rstrip("/")
    for name, url in (
        ("backend", f"{backend}/healthz"),
        ("Rasa", f"{rasa}/"),
        ("action server", f"{actions}/health"),
    ):
        line(name, f"{url}: {probe(url)}")


def is_set(name: str) -> bool:
    return bool(os.environ.get(name, "").strip())


def credentials() -> None:
    print("Optional credentials (values never printed)")
    firebase = is_set("FIREBASE_CREDENTIALS")
    line(
        "FIREBASE_CREDENTIALS",
        "set: push notifications through FCM"
        if firebase
        else "not set: notifications go to the log channel (the worker's log); all else works",
    )
    auth = os.environ.get("AUTH_MODE", "demo")
    line(
        "AUTH_MODE",
        f"{auth}"
        + (
            ": demo tokens (`flask --app backend dev-token`), web chat signed in as demo-1"
            if auth == "demo"
            else ""
        ),
    )
    zalo = ["ZALO_APP_ID", "ZALO_OA_SECRET_KEY", "ZALO_APP_SECRET_KEY"]
    present = [name for name in zalo if is_set(name)]
    if len(present) == len(zalo):
        zalo_text = "all set: Zalo OA webhook, replies and staff answers on Zalo"
    else:
        zalo_text = (
            f"{'not set' if not present else 'incomplete (' + ', '.join(present) + ' set)'}: "
            "no Zalo OA channel (staff cannot answer on Zalo, Zalo notifications go to the log "
            "channel); web and app chat work"
        )
    line("ZALO_APP_ID, …", zalo_text)
    line(
        "ZALO_ZNS_TEMPLATES",
        "set" if is_set("ZALO_ZNS_TEMPLATES") else "not set: no ZNS outside Zalo's 48 h window",
    )
    line(
        "REDIS_URL",
        "set: Huey queue on Redis" if is_set("REDIS_URL") else "not set: Huey queue in var/huey.db",
    )


def targets() -> None:
    print("Make targets (system prerequisites)")
    for target in ("run", "test", "run-prod-local"):
        required = prereqs.needs([target])
        missing = [
            prereqs.PREREQS[key]
            for key in required
            if prereqs.PREREQS[key].required and prereqs.PREREQS[key].find() is None
        ]
        if missing:
            packages = prereqs.debian_packages([p.key for p in missing])
            line(
                f"make {target}",
                f"cannot start: missing {', '.join(p.key for p in missing)} "
                f"({prereqs.install_command(packages)})",
            )
        else:
            line(f"make {target}", "ready")


def main() -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `make doctor | head` ends quietly
    print(f"Project: {ROOT}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"Machine: {os.cpu_count()} cores, load average {load} (Rasa training: 6–18 min on 2 cores)"
    )
    for section in (system, project, services, credentials, targets):
        print()
        section()
    return 0


if __name__ == "__main__":
    sys.exit(main())
