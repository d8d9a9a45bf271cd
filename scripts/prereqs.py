#!/usr/bin/env python3
"""System prerequisites of every make target, checked before the target starts.

One list for `make` and `.ci/run`, so the two cannot drift:

    python3 scripts/prereqs.py check test        # exit 1 at once, naming what is missing,
                                                 # what needs it and the install command
    python3 scripts/prereqs.py packages test     # Debian packages the target needs (.ci/run)

The Makefile runs `check` with its goals before anything else (SKIP_PREREQS=1 skips it).

Standard library only: it runs before any environment exists.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALL_DOC = "README.md, 'Requirements on a new machine'"


@dataclass(frozen=True)
class Prereq:
    key: str
    label: str
    debian: tuple[str, ...]  # Debian/Ubuntu packages providing it (empty: not packaged there)
    find: Callable[[], str | None]  # what was found (version or path), or None when missing
    hint: str = ""  # extra advice printed when it is missing
    required: bool = True  # False: missing is a note, not a stop (there is a fallback)


def _run(*command: str) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def find_python3() -> str | None:
    """`python3` on the PATH, 3.11 or newer, able to create the .tools venv that bootstraps uv."""
    python3 = shutil.which("python3")
    if not python3:
        return None
    version = _run(python3, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])")
    if not version or tuple(int(part) for part in version.split(".")[:2]) < (3, 11):
        return None
    # Debian's python3 cannot create a venv without python3-venv (no ensurepip); only needed
    # until `make` has bootstrapped uv into .tools/.
    if (
        not (ROOT / ".tools/bin/uv").exists()
        and _run(python3, "-m", "ensurepip", "--version") is None
    ):
        return None
    return version


def find_python310() -> str | None:
    """The interpreter scripts/find-python310.sh picks for bot/.venv (Rasa 3.6 needs 3.10)."""
    if (ROOT / "bot/.venv/bin/python").exists():
        return _run(str(ROOT / "bot/.venv/bin/python"), "--version") or "bot/.venv"
    found = _run("bash", str(ROOT / "scripts/find-python310.sh"))
    if not found or found == "3.10":  # "3.10": none installed, uv would have to download one
        return None
    return found


def find_make() -> str | None:
    make = shutil.which("make")
    return (_run(make, "--version") or "make").splitlines()[0] if make else None


def postgres_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin with initdb and pg_ctl, as scripts/with-postgres.sh
    and scripts/prod_local.py look for them."""
    candidates = sorted(
        (Path(path).parent for path in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda bindir: [int(p) if p.isdigit() else 0 for p in bindir.parent.name.split(".")],
    )
    for bindir in reversed(candidates):
        if os.access(bindir / "initdb", os.X_OK) and os.access(bindir / "pg_ctl", os.X_OK):
            return bindir
    return None


def find_postgres() -> str | None:
    bindir = postgres_bindir()
    if bindir is None:
        return None
    return _run(str(bindir / "postgres"), "--version") or str(bindir)


def find_redis() -> str | None:
    server = shutil.which("redis-server")
    return (_run(server, "--version") or server) if server else None


def find_nginx() -> str | None:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    return found


def chromium_path() -> Path:
    """Where tests/browser/conftest.py launches Chromium from."""
    return Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def find_chromium() -> str | None:
    path = chromium_path()
    # presence only: `chromium --version` takes about a second (`make doctor` asks it)
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


PREREQS: dict[str, Prereq] = {
    prereq.key: prereq
    for prereq in (
        Prereq(
            "python3",
            "Python >= 3.11 as `python3`, with venv",
            ("python3", "python3-venv"),
            find_python3,
        ),
        Prereq(
            "python3.10",
            "Python 3.10 (pyenv, on the PATH, or /usr/bin/python3.10)",
            (),
            find_python310,
            hint="not found: uv downloads CPython 3.10 for bot/.venv (needs network); "
            "Debian 12 has no python3.10 package, `pyenv install 3.10` gives a local one",
            required=False,
        ),
        Prereq("make", "GNU make", ("make",), find_make),
        Prereq(
            "postgresql",
            "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb, pg_ctl)",
            ("postgresql",),
            find_postgres,
        ),
        Prereq("redis-server", "redis-server on the PATH", ("redis-server",), find_redis),
        Prereq(
            "chromium",
            "Chromium (/usr/bin/chromium, or CHROMIUM=path)",
            ("chromium",),
            find_chromium,
        ),
        Prereq("nginx", "nginx (on the PATH or /usr/sbin/nginx)", ("nginx-light",), find_nginx),
    )
}

_ENVS = {"python3": "builds .venv and bootstraps uv", "make": "runs every task"}
_BOT_ENV = {"python3.10": "bot/.venv (Rasa 3.6 runs on Python 3.10 only)"}
_SETUP = _ENVS | _BOT_ENV

# What each make target needs, and why. Composite targets are the union of their parts.
TARGETS: dict[str, dict[str, str]] = {
    "setup": _SETUP,
    "db": _ENVS,
    "bot-train": _SETUP,
    "train": _SETUP,
    "run": _SETUP,
    "run-prod-local": _SETUP
    | {"postgresql": "the production-shape database", "redis-server": "lock store, queue"},
    "test-backend": _ENVS
    | {
        "chromium": "browser tests (tests/browser: staff console, web chat)",
        "nginx": "deploy/nginx.conf served for real (tests/backend/test_security.py)",
    },
    "test-postgres": _ENVS
    | {
        "postgresql": "a throwaway cluster for the backend tests (unless TEST_DATABASE_URL)",
        "nginx": "deploy/nginx.conf served for real (tests/backend/test_security.py)",
    },
    "test-bot": _SETUP
    | {"redis-server": "the bot's lock-store tests (tests/bot/test_lock_store.py)"},
    "test-scale": _SETUP
    | {
        "postgresql": "the prod-local stack (tests/scale)",
        "redis-server": "the prod-local stack (tests/scale)",
    },
    "bot-eval": _SETUP,
    "ml-eval": _ENVS,
    "lint": _ENVS,
    "format": _ENVS,
    "bench-bills": _ENVS,
    "bench-api": _ENVS,
    "bench-ml": _ENVS,
    "bench-notify": _ENVS | {"postgresql": "the notification benchmark's database"},
    "bench-bot": _SETUP,
    "bench-lighthouse": _ENVS | {"chromium": "Lighthouse measures the household page in it"},
    "bench-load": _SETUP
    | {"postgresql": "the prod-local stack", "redis-server": "the prod-local stack"},
}
COMPOSITE = {
    "test": ["setup", "lint", "test-app", "test-bot-model", "test-scale"],
    "test-app": ["test-backend", "test-postgres", "bot-train", "test-bot"],
    "test-bot-model": ["test-bot"],
    "bench": ["bench-bills", "bench-api", "bench-ml", "bench-notify", "bench-load"],
}


def _expand(targets: list[str]) -> list[str]:
    """Composite targets (which may name composites) as the plain targets they run."""
    return [
        part
        for target in targets
        for part in (_expand(COMPOSITE[target]) if target in COMPOSITE else [target])
    ]


def needs(targets: list[str]) -> dict[str, list[str]]:
    """Prerequisite key -> ["target: why", ...] for the given targets (unknown targets need nothing)."""
    expanded = _expand(targets)
    result: dict[str, list[str]] = {}
    for target in expanded:
        for key, why in TARGETS.get(target, {}).items():
            if (
                key == "postgresql"
                and target == "test-postgres"
                and os.environ.get("TEST_DATABASE_URL")
            ):
                continue
            reason = f"{target}: {why}"
            if reason not in result.setdefault(key, []):
                result[key].append(reason)
    return {key: result[key] for key in PREREQS if key in result}  # stable order


def debian_packages(keys: list[str]) -> list[str]:
    return [package for key in keys for package in PREREQS[key].debian]


def install_command(packages: list[str]) -> str:
    """The command that installs the packages here; on other systems, what to look for."""
    if Path("/etc/debian_version").exists() or shutil.which("apt-get"):
        sudo = "" if os.geteuid() == 0 else "sudo "
        return f"{sudo}apt-get install -y {' '.join(packages)}"
    return (
        "(not Debian/Ubuntu: the scripts expect Debian's layout) the equivalents of the "
        f"Debian packages {' '.join(packages)}"
    )


def check(targets: list[str], out=sys.stderr) -> int:
    required = needs(targets)
    absent = [key for key in required if PREREQS[key].find() is None]
    for key in absent:
        if not PREREQS[key].required:
            print(f"prereqs: {PREREQS[key].label}: {PREREQS[key].hint}", file=out)
    missing = [key for key in absent if PREREQS[key].required]
    if not missing:
        return 0
    goal = " ".join(targets)
    print(f"\nprereqs: `make {goal}` cannot start; missing system prerequisites:", file=out)
    for key in missing:
        print(f"  - {PREREQS[key].label}", file=out)
        for reason in required[key]:
            print(f"      needed by {reason}", file=out)
    packages = debian_packages(missing)
    if packages:
        print(f"\nInstall with:\n  {install_command(packages)}", file=out)
    print(
        f"then run `make {goal}` again. `make doctor` shows everything the project sees.\n",
        file=out,
    )
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("check", "exit 1 listing what is missing for the targets"),
        ("packages", "print the Debian packages the targets need (all of them, installed or not)"),
    ):
        sub.add_parser(name, help=text).add_argument("targets", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "check":  # any make goal; targets without prerequisites pass
        return check(args.targets)
    unknown = [t for t in args.targets if t not in TARGETS and t not in COMPOSITE]
    if unknown:
        parser.error(f"unknown target(s): {' '.join(unknown)}")
    print(" ".join(debian_packages(list(needs(args.targets)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
