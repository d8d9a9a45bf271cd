"""Progress of long steps: Rasa training as a line per stage, `make test` numbered and timed."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.scripts.conftest import ROOT, run

# The shape of `rasa train`'s output at log level INFO (rasa.engine.training.hooks and tqdm, whose
# bar is redrawn with carriage returns), abridged.
RASA_OUTPUT = (
    b"2026-12-01 23:40:00 INFO     rasa.engine.training.hooks  - Restored component "
    b"'RegexFeaturizer' from cache.\n"
    b"2026-12-01 23:40:01 INFO     rasa.engine.training.hooks  - Starting to train component "
    b"'DIETClassifier'.\n"
    + b"".join(
        b"Epochs:  %3d%%|####      | %d/120 [00:10<00:20, 1.2it/s, t_loss=1.0]\r"
        % (done * 100 // 120, done)
        for done in range(0, 121)
    )
    + b"\n2026-12-01 23:42:00 INFO     rasa.engine.training.hooks  - Finished training component "
    b"'DIETClassifier'.\n"
    b"2026-12-01 23:42:00 WARNING  rasa.shared.utils.common  - something Rasa warns about\n"
    b"Your Rasa model is trained and saved at 'models/current.tar.gz'.\n"
)


def test_rasa_output_becomes_a_line_per_stage_and_epoch_fifth(tmp_path):
    log = tmp_path / "train.log"
    done = subprocess.run(
        [sys.executable, "scripts/rasa_progress.py", "--log", str(log)],
        cwd=ROOT,
        input=RASA_OUTPUT,
        capture_output=True,
        check=True,
    )
    lines = [line.split("] ", 1)[1] for line in done.stdout.decode().splitlines()]
    assert lines == [
        "training DIETClassifier …",
        "DIETClassifier: epoch 24/120",
        "DIETClassifier: epoch 48/120",
        "DIETClassifier: epoch 72/120",
        "DIETClassifier: epoch 96/120",
        "DIETClassifier: epoch 120/120",
        "DIETClassifier done (00:00)",
        "1 components restored from Rasa's cache",
        "model saved",
    ]
    assert all(line.startswith("bot: [00:0") for line in done.stdout.decode().splitlines())
    assert log.read_bytes() == RASA_OUTPUT  # everything kept for the tail on failure


def test_rasa_errors_are_shown():
    done = subprocess.run(
        [sys.executable, "scripts/rasa_progress.py"],
        cwd=ROOT,
        input=b"Traceback (most recent call last):\nValueError: bad\n",
        capture_output=True,
        check=True,
    )
    assert "Traceback (most recent call last):" in done.stdout.decode()
    assert "ValueError: bad" in done.stdout.decode()


def test_timed_keeps_the_exit_status_and_reports_elapsed_time():
    ok = run(["scripts/timed.sh", "[2/5] test-backend", "true"], os.environ["PATH"])
    assert ok.returncode == 0
    first, last = ok.stdout.splitlines()
    assert first.startswith("==> [2/5] test-backend (")
    assert last == "==> [2/5] test-backend: done in 0 s"
    failed = run(["scripts/timed.sh", "step", "sh", "-c", "exit 3"], os.environ["PATH"])
    assert failed.returncode == 3
    assert failed.stdout.splitlines()[-1] == "==> step: FAILED (exit 3) after 0 s"


def test_make_test_runs_its_five_steps_numbered():
    made = run(["make", "-n", "test"], os.environ["PATH"], SKIP_PREREQS="1")
    assert made.returncode == 0, made.stderr
    out = made.stdout
    steps = [
        "[1/5] setup",
        "[2/5] lint",
        "[3/5] test-app",
        "[4/5] test-bot-model",
        "[5/5] test-scale",
    ]
    positions = [out.index(step) for step in steps]
    assert positions == sorted(positions)
    # step 3: the two database suites, the bot's training and its unit tests side by side
    app_step = out[out.index("[3/5] test-app") : out.index("[4/5] test-bot-model")]
    assert '--job "test-backend=.venv/bin/python -m pytest -q"' in app_step
    assert (
        "scripts/with-postgres.sh .venv/bin/python -m pytest -q tests/backend tests/notifications"
        in app_step
    )
    assert '--job "bot-train=bash bot/scripts/train.sh"' in app_step
    assert '--job "bot-unit=bash bot/scripts/test.sh unit"' in app_step
    assert 'test-bot-model" bash bot/scripts/test.sh model' in out
    assert '-o addopts="-ra --strict-markers" tests/scale' in out
    alone = run(
        ["make", "-n", "test-postgres"],
        os.environ["PATH"],
        SKIP_PREREQS="1",
        TEST_DATABASE_URL="postgresql+psycopg://app@127.0.0.1:1/app",
    )
    assert (
        'scripts/timed.sh "test-postgres" .venv/bin/python -m pytest -q tests/backend'
        in alone.stdout
    )
