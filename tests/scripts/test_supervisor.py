"""scripts/supervisor.py, the one process supervisor of `make run` and the production shape:
one service dying stops the others; Ctrl-C (SIGTERM) stops every process tree."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.scripts.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from supervisor import Service, Supervisor

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)"]


def test_a_service_that_dies_stops_the_rest(tmp_path: Path):
    supervisor = Supervisor(echo=False, logs=tmp_path)
    services = [
        Service("steady", SLEEPER),
        Service("broken", [sys.executable, "-c", "import sys; print('bye'); sys.exit(3)"]),
    ]
    for service in services:
        supervisor.start(service, {})
    code = supervisor.watch(services, threading.Event(), "test")
    supervisor.stop(services, grace=5)
    assert code == 3
    assert all(s.process is not None and s.process.poll() is not None for s in services)
    assert (tmp_path / "broken.log").read_text().strip() == "bye"


def test_a_stop_request_ends_every_process_tree(tmp_path: Path):
    """The child of a service (bash running python, as bot/scripts/run_rasa.sh does) stops too."""
    supervisor = Supervisor(echo=False, logs=tmp_path)
    pid_file = tmp_path / "child.pid"
    tree = ["bash", "-c", f'{" ".join(SLEEPER[:2])} "$0" & echo $! > {pid_file}; wait', SLEEPER[2]]
    service = Service("tree", tree)
    supervisor.start(service, {})
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(pid_file.read_text())
    stopping = threading.Event()
    threading.Timer(0.2, stopping.set).start()
    assert supervisor.watch([service], stopping, "test") == 0
    supervisor.stop([service], grace=5)
    assert service.process is not None and service.process.returncode == -signal.SIGTERM
    assert wait_until(lambda: not alive(child)), "the service's child outlived it"


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to be reaped has stopped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def wait_until(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_waiting_for_a_service_that_exits_says_which(tmp_path: Path):
    supervisor = Supervisor(echo=False, logs=tmp_path)
    service = Service("early", [sys.executable, "-c", "pass"], health="http://127.0.0.1:9/")
    supervisor.start(service, {})
    service.process.wait(10)  # type: ignore[union-attr]
    with pytest.raises(RuntimeError, match=r"early exited; see .*early\.log"):
        supervisor.wait_ready([service], timeout=30)
