"""scripts/prepare_db.py, `make db` and the first step of `make run`: every database step in one
process, the model trained only when missing or stale, and a second run that changes nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.scripts.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from prepare_db import model_is_stale


def prepare(var: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var / 'app.db'}"}
    env.pop("ANOMALY_MODEL_PATH", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "prepare_db.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )


def labels(output: str) -> list[str]:
    return re.findall(r"^==> (db: [^(\n]+?) \(\d\d:\d\d:\d\d\)", output, flags=re.M)


def test_a_first_run_prepares_everything_and_a_second_only_checks(tmp_path: Path):
    first = prepare(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert labels(first.stdout) == [
        "db: migrate",
        "db: demo households and readings",
        "db: demo staff console",
        "db: train the anomaly model",
        "db: score every household",
    ]
    assert "demo: 5 households created" in first.stdout
    assert (tmp_path / "models" / "anomaly.skops").is_file()

    second = prepare(tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "db: train the anomaly model" not in labels(second.stdout)  # not stale
    assert "demo: already loaded" in second.stdout
    assert "staff demo: 0 conversations created" in second.stdout


def test_a_failing_step_stops_with_its_exit_status(tmp_path: Path):
    (tmp_path / "app.db").write_text("not a database")
    failed = prepare(tmp_path)
    assert failed.returncode != 0
    assert re.search(r"==> db: migrate: FAILED \(exit \d+\)", failed.stdout)
    assert "db: demo households and readings" not in failed.stdout


def test_the_model_is_stale_when_missing_or_older_than_its_code(tmp_path: Path):
    code = tmp_path / "ml"
    code.mkdir()
    (code / "model.py").write_text("")
    model = tmp_path / "anomaly.skops"
    assert model_is_stale(model, code)
    model.write_text("")
    later = time.time() + 10
    os.utime(model, (later, later))
    assert not model_is_stale(model, code)
    os.utime(code / "model.py", (later + 10, later + 10))
    assert model_is_stale(model, code)
