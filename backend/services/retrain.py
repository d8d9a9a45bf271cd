"""Retraining the assistant from the console: a candidate model trained in the background, its
held-out accuracy beside the current model's, and the supervisor's decision to put it live.

A run is a folder under `runs_dir` (`<UTC time>-<login>`): `state.json` (status, who, when, the
result) and `output.log`. The web process starts `python -m backend.services.retrain <folder>
<command…>` as its own session, so the run outlives the request and any one worker; every worker
reads the state from the folder. The command (RETRAIN_COMMAND) must print, as its last line, JSON
`{"candidate": accuracy, "current": accuracy or null, "model": path of the candidate model,
"fingerprint"?: path}`; `bot/scripts/candidate.sh` does (tests use a fake command).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from backend.clock import utc_now
from backend.services.errors import Conflict, NotFound

STATE = "state.json"
OUTPUT = "output.log"


class RunStatus(StrEnum):
    """A run's way (stored in its state.json as the value): running → succeeded | failed;
    succeeded → promoted once its model is put live."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PROMOTED = "promoted"


@dataclass(frozen=True)
class Run:
    name: str
    folder: Path
    status: RunStatus
    started_by: str
    started_at: str
    finished_at: str | None
    candidate: float | None
    current: float | None
    model: str | None
    fingerprint: str | None
    output_tail: str

    @property
    def better(self) -> bool | None:
        if self.candidate is None:
            return None
        return self.current is None or self.candidate >= self.current


def _write_state(folder: Path, state: dict[str, Any]) -> None:
    temporary = folder / (STATE + ".tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    temporary.replace(folder / STATE)  # readers never see half a file


def _read(folder: Path) -> Run:
    state = json.loads((folder / STATE).read_text(encoding="utf-8"))
    output = folder / OUTPUT
    tail = output.read_text(encoding="utf-8", errors="replace")[-4000:] if output.exists() else ""
    return Run(
        name=folder.name,
        folder=folder,
        status=RunStatus(state["status"]),
        started_by=state.get("started_by", ""),
        started_at=state.get("started_at", ""),
        finished_at=state.get("finished_at"),
        candidate=state.get("candidate"),
        current=state.get("current"),
        model=state.get("model"),
        fingerprint=state.get("fingerprint"),
        output_tail=tail,
    )


def runs(*, runs_dir: Path) -> list[Run]:
    """Every run, newest first."""
    if not runs_dir.is_dir():
        return []
    folders = [f for f in runs_dir.iterdir() if (f / STATE).is_file()]
    return [_read(f) for f in sorted(folders, key=lambda f: f.name, reverse=True)]


def start_run(*, command: list[str], runs_dir: Path, started_by: str, now: datetime) -> Run:
    """Start the command in the background; one run at a time."""
    if any(run.status == RunStatus.RUNNING for run in runs(runs_dir=runs_dir)):
        raise Conflict("một lần huấn luyện đang chạy; hãy chờ nó xong", "retrain")
    folder = runs_dir / f"{now:%Y%m%dT%H%M%S%f}-{started_by}"
    folder.mkdir(parents=True)
    _write_state(
        folder,
        {"status": RunStatus.RUNNING, "started_by": started_by, "started_at": now.isoformat()},
    )
    subprocess.Popen(
        [sys.executable, "-m", "backend.services.retrain", str(folder), *command],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # outlives the request and the worker that started it
    )
    return _read(folder)


def run_in_background(folder: Path, command: list[str]) -> int:
    """The body of a run (in its own process): the command's output to output.log, its last
    JSON line into the state."""
    state = json.loads((folder / STATE).read_text(encoding="utf-8"))
    with (folder / OUTPUT).open("w", encoding="utf-8") as log:
        try:
            done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False)
            code = done.returncode
        except OSError as exc:
            log.write(f"\n{exc}\n")
            code = 127
    lines = (folder / OUTPUT).read_text(encoding="utf-8", errors="replace").strip().splitlines()
    result: dict[str, Any] = {}
    try:
        parsed = json.loads(lines[-1]) if lines else {}
        result = parsed if isinstance(parsed, dict) else {}
    except ValueError:
        result = {}
    ok = code == 0 and isinstance(result.get("candidate"), int | float) and result.get("model")
    state.update(
        status=RunStatus.SUCCEEDED if ok else RunStatus.FAILED,
        finished_at=utc_now().isoformat(),
        returncode=code,
        candidate=result.get("candidate") if ok else None,
        current=result.get("current") if ok else None,
        model=result.get("model") if ok else None,
        fingerprint=result.get("fingerprint") if ok else None,
    )
    _write_state(folder, state)
    return code


def promote(*, runs_dir: Path, name: str, live_model: Path, promoted_by: str) -> Run:
    """Put a finished run's candidate model in place of the live one (and its data fingerprint,
    so `make bot-train` does not train it again)."""
    folder = runs_dir / name
    if "/" in name or not (folder / STATE).is_file():
        raise NotFound("Không tìm thấy lần huấn luyện này.", "run")
    run = _read(folder)
    if run.status != RunStatus.SUCCEEDED or not run.model or not Path(run.model).is_file():
        raise Conflict("lần huấn luyện này chưa có mô hình mới dùng được", "run")
    temporary = live_model.with_suffix(".tmp")
    shutil.copyfile(run.model, temporary)
    temporary.replace(live_model)
    if run.fingerprint and Path(run.fingerprint).is_file():
        shutil.copyfile(run.fingerprint, live_model.parent / "current.fingerprint")
    state = json.loads((folder / STATE).read_text(encoding="utf-8"))
    state.update(status=RunStatus.PROMOTED, promoted_by=promoted_by)
    _write_state(folder, state)
    return _read(folder)


if __name__ == "__main__":
    sys.exit(run_in_background(Path(sys.argv[1]), sys.argv[2:]))
