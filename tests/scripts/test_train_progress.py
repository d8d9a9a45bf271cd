"""bot/scripts/train.sh on a copy of the bot with a stand-in `rasa` that writes Rasa's log lines:
a line per stage with the elapsed time, the expected total, the log's tail when training fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.scripts.conftest import ROOT

FAKE_RASA = """#!/usr/bin/env bash
# stand-in for `rasa train`: Rasa's INFO lines and tqdm bar; exit status from FAKE_RASA_EXIT
echo "$@" > rasa-args  # train.sh runs it in bot/
cp "$VAR_DIR/bot-training.json" marker-seen 2>/dev/null || true  # what the backend reads meanwhile
hooks="INFO     rasa.engine.training.hooks  -"
echo "2026-12-01 23:40:00 $hooks Starting to train component 'TEDPolicy'."
for i in 0 30 60; do printf 'Epochs:  %d%%|##  | %d/60 [00:01<00:02]\\r' $((i * 100 / 60)) "$i"; done
echo
if [ "${FAKE_RASA_EXIT:-0}" != 0 ]; then
  echo "tensorflow: something deep went wrong"; exit "$FAKE_RASA_EXIT"
fi
echo "2026-12-01 23:40:09 $hooks Finished training component 'TEDPolicy'."
mkdir -p models && echo model > models/current.tar.gz
echo "Your Rasa model is trained and saved at 'models/current.tar.gz'."
"""


@pytest.fixture
def bot_copy(tmp_path: Path) -> Path:
    """ROOT/bot/scripts and ROOT/scripts/rasa_progress.py under tmp_path, with a fake rasa."""
    bot = tmp_path / "bot"
    shutil.copytree(ROOT / "bot/scripts", bot / "scripts")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/rasa_progress.py", tmp_path / "scripts")
    for name in ("requirements.txt", "config.yml", "domain.yml"):
        (bot / name).write_text(name)
    (bot / "data").mkdir()
    (bot / "components").mkdir()
    rasa = bot / ".venv/bin/rasa"
    rasa.parent.mkdir(parents=True)
    rasa.write_text(FAKE_RASA)
    rasa.chmod(0o755)
    return bot


def train(bot: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(bot / "scripts/train.sh")],
        env=os.environ | {"VAR_DIR": str(bot.parent / "var")} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_training_prints_a_line_per_stage_and_records_the_fingerprint(bot_copy):
    done = train(bot_copy)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "6–18 min on 2 cores" in lines[0]
    stages = [line.split("] ", 1)[1] for line in lines if line.startswith("bot: [")]
    assert stages == [
        "training TEDPolicy …",
        "TEDPolicy: epoch 30/60",
        "TEDPolicy: epoch 60/60",
        "TEDPolicy done (00:00)",
        "model saved",
    ]
    assert lines[-1].startswith("bot: trained in 0 min ")
    assert "--quiet" not in (bot_copy / "rasa-args").read_text()
    assert (bot_copy / "models/current.fingerprint").exists()
    assert "Epochs:" in (bot_copy / "models/train.log").read_text()
    again = train(bot_copy)
    assert again.stdout.startswith("bot: model up to date")


def test_failed_training_exits_non_zero_with_the_end_of_the_log(bot_copy):
    done = train(bot_copy, FAKE_RASA_EXIT="3")
    assert done.returncode == 1
    assert "bot: training FAILED after" in done.stderr
    assert "tensorflow: something deep went wrong" in done.stderr
    assert not (bot_copy / "models/current.fingerprint").exists()


@pytest.mark.parametrize("exit_status", ["0", "3"])
def test_while_training_a_marker_tells_the_backend_how_long_it_should_take(bot_copy, exit_status):
    (bot_copy / "models").mkdir()
    (bot_copy / "models/train.seconds").write_text("420\n")  # the last training here
    train(bot_copy, FAKE_RASA_EXIT=exit_status)
    seen = json.loads((bot_copy / "marker-seen").read_text())
    assert seen["expected_s"] == 420 and seen["started"] > 0
    assert not (bot_copy.parent / "var/bot-training.json").exists()  # gone, trained or failed
    if exit_status == "0":  # the next marker expects this training's duration
        assert int((bot_copy / "models/train.seconds").read_text()) < 60
