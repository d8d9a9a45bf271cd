"""scripts/prereqs.py and the Makefile's check: a missing system prerequisite stops `make test`
and `make run` in their first seconds with the install command; .ci/run installs the same list."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from tests.scripts.conftest import ROOT, run

CHECK = ["python3", "scripts/prereqs.py", "check"]


def test_make_test_without_redis_stops_at_once_with_the_install_command(tool_path, tmp_path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    path = tool_path(without={"redis-server"})
    started = time.monotonic()
    # -n: should the check ever be missing, make prints the recipes instead of running them
    done = run(["make", "-n", "test"], path, CHROMIUM=str(chromium))
    assert time.monotonic() - started < 30
    assert done.returncode != 0
    assert "redis-server" in done.stderr
    assert "needed by test-bot: the bot's lock-store tests" in done.stderr
    assert "needed by test-scale" in done.stderr
    assert "apt-get install -y redis-server\n" in done.stderr
    assert "system prerequisites missing" in done.stderr
    assert "pytest" not in done.stdout  # nothing of the suites was about to run


def test_make_run_needs_no_redis_but_make_test_backend_needs_chromium(tool_path):
    path = tool_path(without={"redis-server"})
    assert run(["make", "-n", "run"], path).returncode == 0
    done = run(["make", "-n", "test-backend"], path, CHROMIUM="/nonexistent/chromium")
    assert done.returncode != 0
    assert "Chromium (/usr/bin/chromium, or CHROMIUM=path)" in done.stderr
    assert "needed by test-backend: browser tests" in done.stderr
    assert "apt-get install -y chromium\n" in done.stderr
    assert "redis-server" not in done.stderr


def test_everything_present_passes_silently(tool_path, tmp_path):
    path = tool_path(fakes={"redis-server", "chromium"})
    chromium = str(Path(path) / "chromium")
    done = run([*CHECK, "test", "run", "run-prod-local"], path, CHROMIUM=chromium)
    # stderr may only carry the note that uv will download Python 3.10 (no bot/.venv, no 3.10)
    assert done.returncode == 0
    assert "missing" not in done.stderr and "Install with" not in done.stderr
    made = run(["make", "-n", "test"], path, CHROMIUM=chromium)
    assert made.returncode == 0, made.stderr
    assert "[3/5] test-app" in made.stdout


def test_several_missing_are_listed_together_in_one_install_command(tool_path):
    path = tool_path(without={"redis-server"})
    done = run([*CHECK, "test"], path, CHROMIUM="/nonexistent/chromium")
    assert done.returncode == 1
    assert "apt-get install -y redis-server chromium\n" in done.stderr


def test_targets_without_prerequisites_pass(tool_path):
    path = tool_path(without={"redis-server", "chromium"})
    done = run([*CHECK, "help", "lint", "doctor"], path, CHROMIUM="/nonexistent")
    assert (done.returncode, done.stderr) == (0, "")
    assert run(["make", "help"], path).returncode == 0


def test_ci_installs_the_packages_make_test_checks():
    packages = run([sys.executable, "scripts/prereqs.py", "packages", "test"], os.environ["PATH"])
    assert packages.stdout.split() == [
        "python3",
        "python3-venv",
        "make",
        "postgresql",
        "redis-server",
        "chromium",
        "nginx-light",
    ]
    ci = (ROOT / ".ci/run").read_text()
    assert "scripts/prereqs.py packages test" in ci
    for package in ("postgresql", "redis-server", "chromium", "nginx"):  # no second list to drift
        assert package not in ci
    assert ci.rstrip().endswith("make test")
    readme = (ROOT / "README.md").read_text()
    assert f"sudo apt-get install -y {packages.stdout.strip()}`" in readme


def test_unknown_target_is_refused_by_packages():
    done = run([sys.executable, "scripts/prereqs.py", "packages", "tset"], os.environ["PATH"])
    assert done.returncode == 2
    assert "unknown target(s): tset" in done.stderr
