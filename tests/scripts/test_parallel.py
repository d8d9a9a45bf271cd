"""scripts/parallel.py: independent steps side by side, each in its own log, failures shown."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def parallel(tmp_path: Path, *jobs: str, every: str = "0.2") -> subprocess.CompletedProcess[str]:
    args = [sys.executable, str(ROOT / "scripts" / "parallel.py"), "--label", "[3/5] test-app"]
    args += ["--logs", str(tmp_path / "logs"), "--every", every]
    for job in jobs:
        args += ["--job", job]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def test_every_job_runs_and_its_output_goes_to_its_own_log(tmp_path):
    done = parallel(tmp_path, "first=echo one; echo '3 passed in 0.1s'", "second=echo two")
    assert done.returncode == 0, done.stdout
    assert (tmp_path / "logs" / "first.log").read_text() == "one\n3 passed in 0.1s\n"
    assert (tmp_path / "logs" / "second.log").read_text() == "two\n"
    assert re.search(r"==> \[3/5\] test-app: first passed in \d+ s — 3 passed in 0.1s", done.stdout)
    assert re.fullmatch(
        r"==> \[3/5\] test-app: all 2 passed in \d+ s", done.stdout.splitlines()[-1]
    )


def test_one_failing_job_fails_the_step_and_shows_the_end_of_its_log(tmp_path):
    done = parallel(tmp_path, "good=true", "bad=echo 'E   assert 1 == 2'; exit 3")
    assert done.returncode == 1
    assert "==> [3/5] test-app: bad FAILED (exit 3)" in done.stdout
    assert "---- the end of" in done.stdout and "E   assert 1 == 2" in done.stdout
    assert "FAILED (bad)" in done.stdout.splitlines()[-1]


def test_jobs_run_side_by_side_with_status_lines_while_they_run(tmp_path):
    # each job waits for the other's file: only jobs running at the same time can both finish
    a, b = tmp_path / "a", tmp_path / "b"
    wait = "for i in $(seq 200); do [ -f {0} ] && break; sleep 0.05; done; [ -f {0} ]"
    done = parallel(
        tmp_path,
        f"left=echo '.. [ 40%]'; touch {a}; {wait.format(b)}",
        f"right=touch {b}; {wait.format(a)}",
        every="0.05",
    )
    assert done.returncode == 0, done.stdout
    assert "all 2 passed" in done.stdout


def test_a_job_without_a_command_is_refused(tmp_path):
    done = parallel(tmp_path, "nameonly")
    assert done.returncode == 2
    assert "NAME=COMMAND" in done.stderr
