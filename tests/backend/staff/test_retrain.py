"""The retraining loop: the export as a download and what it changes, a candidate model trained in
the background (a fake trainer command: no Rasa training here), its held-out accuracy beside the
current model's, and the supervisor putting it live."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import pytest

from backend.services import retrain
from tests.backend.staff.conftest import sign_in
from tests.backend.staff.test_export import corrected

FAKE_TRAINER = """
import json, pathlib, sys, time
folder = pathlib.Path(sys.argv[1])
while (folder / "wait").exists() and not (folder / "go").exists():
    time.sleep(0.02)  # the test opens the gate once it has seen the run running
print("bot: training a candidate model…")
if (folder / "fail").exists():
    print("rasa: out of memory")
    sys.exit(1)
(folder / "candidate.tar.gz").write_text("candidate model")
(folder / "candidate.fingerprint").write_text("abc123")
print(json.dumps({"candidate": 0.935, "current": 0.912,
                  "model": str(folder / "candidate.tar.gz"),
                  "fingerprint": str(folder / "candidate.fingerprint")}))
"""


@pytest.fixture
def trainer(app, tmp_path):
    """The console's retrain command replaced by a small script (configured like the real one)."""
    script = tmp_path / "fake_trainer.py"
    script.write_text(FAKE_TRAINER, encoding="utf-8")
    app.config["RETRAIN_COMMAND"] = shlex.join([sys.executable, str(script), str(tmp_path)])
    app.config["RETRAIN_DIR"] = str(tmp_path / "runs")
    live = tmp_path / "models" / "current.tar.gz"
    live.parent.mkdir()
    live.write_text("current model")
    app.config["BOT_MODEL_PATH"] = str(live)
    return tmp_path


def wait_until_finished(runs_dir: Path, timeout: float = 60) -> retrain.Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = retrain.runs(runs_dir=runs_dir)
        if runs and runs[0].status != retrain.RunStatus.RUNNING:
            return runs[0]
        time.sleep(0.05)  # polling a condition, bounded by the deadline
    raise AssertionError("the run did not finish")


def test_the_export_is_a_download_and_shows_what_changed(app, client, staff, tmp_path):
    app.config["NLU_EXPORT_DIR"] = str(tmp_path)
    corrected("web-1", "lắp pin mặt trời lợi ko", "ask_solar")
    sign_in(client, "binh")
    page = client.get("/staff/nlu/export").get_data(as_text=True)
    assert '<tr class="added">' in page and "lắp pin mặt trời lợi ko" in page
    assert 'title="ask_solar">Hỏi về điện mặt trời</span>' in page
    download = client.get("/staff/nlu/export/corrections.yml")
    assert download.headers["Content-Disposition"] == 'attachment; filename="corrections.yml"'
    assert "- intent: ask_solar" in download.get_data(as_text=True)
    client.post("/staff/nlu/export")  # written: nothing left to change
    page = client.get("/staff/nlu/export").get_data(as_text=True)
    assert "Không có thay đổi" in page and '<tr class="added">' not in page


def test_agents_cannot_retrain(client, staff, trainer):
    sign_in(client, "an")
    assert client.post("/staff/nlu/retrain").status_code == 403
    assert client.get("/staff/nlu/retrain/runs").status_code == 403


def test_a_retrain_runs_in_the_background_and_is_put_live_by_a_supervisor(
    app, client, staff, trainer
):
    (trainer / "wait").write_text("")
    sign_in(client, "binh")
    client.post("/staff/nlu/retrain")
    runs_dir = Path(app.config["RETRAIN_DIR"])
    assert retrain.runs(runs_dir=runs_dir)[0].status == retrain.RunStatus.RUNNING
    live = client.get("/staff/nlu/retrain/runs").get_json()
    assert live["running"] and "Đang huấn luyện" in live["html"]
    again = client.post("/staff/nlu/retrain", follow_redirects=True).get_data(as_text=True)
    assert "một lần huấn luyện đang chạy" in again  # one at a time
    (trainer / "go").write_text("")
    run = wait_until_finished(runs_dir)
    assert (run.status, run.candidate, run.current) == ("succeeded", 0.935, 0.912)
    page = client.get("/staff/nlu/export").get_data(as_text=True)
    assert '<td class="candidate">93.5 %</td>' in page and '<td class="current">91.2 %</td>' in page
    assert Path(app.config["BOT_MODEL_PATH"]).read_text() == "current model"  # not live yet
    client.post(f"/staff/nlu/retrain/{run.name}/promote")
    assert Path(app.config["BOT_MODEL_PATH"]).read_text() == "candidate model"
    assert (trainer / "models" / "current.fingerprint").read_text() == "abc123"
    assert retrain.runs(runs_dir=runs_dir)[0].status == retrain.RunStatus.PROMOTED


def test_a_failed_retrain_shows_its_log_and_cannot_go_live(app, client, staff, trainer):
    (trainer / "fail").write_text("")
    sign_in(client, "binh")
    client.post("/staff/nlu/retrain")
    run = wait_until_finished(Path(app.config["RETRAIN_DIR"]))
    assert run.status == retrain.RunStatus.FAILED and "out of memory" in run.output_tail
    page = client.get("/staff/nlu/export").get_data(as_text=True)
    assert "rasa: out of memory" in page and "Đưa vào sử dụng</button>" not in page
    refused = client.post(f"/staff/nlu/retrain/{run.name}/promote", follow_redirects=True)
    assert "chưa có mô hình mới dùng được" in refused.get_data(as_text=True)
    assert Path(app.config["BOT_MODEL_PATH"]).read_text() == "current model"


def test_the_real_command_prints_the_line_the_console_reads():
    script = (Path(__file__).resolve().parents[3] / "bot" / "scripts" / "candidate.sh").read_text()
    assert "--fixed-model-name candidate" in script  # never overwrites the live model
    assert "scripts/eval.py" in script
    assert '{"candidate": %s, "current": %s, "model": "%s", "fingerprint": "%s"}' in script
