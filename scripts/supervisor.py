"""One process supervisor for `make run` (scripts/run_stack.py) and the production shape on
loopback (scripts/prod_local.py, tests/scale): start services in their own process groups, show or
log their output, wait until they answer, stop them all when one dies or on Ctrl-C/SIGTERM.
Standard library only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
COLOURS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m"]
RESET = "\033[0m"


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status < 500
    except OSError:
        return False


@dataclass
class Service:
    name: str
    command: list[str]
    health: str = ""  # URL answering < 500 once the service is ready ("" = no probe)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Spawns services; with `echo`, their output goes to stdout prefixed with the name (in
    colour on a terminal), otherwise to `logs/NAME.log`."""

    def __init__(self, *, echo: bool, logs: Path | None = None) -> None:
        self.echo, self.logs = echo, logs
        self._colours = 0

    def spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start in its own process group (so stopping it stops the whole tree)."""
        if self.logs is not None:
            self.logs.mkdir(parents=True, exist_ok=True)
        out: int | IO[bytes] = subprocess.PIPE
        log = None
        if not self.echo:
            assert self.logs is not None, "a supervisor that does not echo needs a log folder"
            log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115  (closed below)
            out = log
        try:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            if log is not None:
                log.close()
        if self.echo:
            colour = COLOURS[self._colours % len(COLOURS)]
            self._colours += 1
            threading.Thread(
                target=self._pump, args=(name, colour, process.stdout), daemon=True
            ).start()
        return process

    @staticmethod
    def _pump(name: str, colour: str, stream: IO[bytes]) -> None:
        prefix = f"{colour}{name:>8} |{RESET} " if sys.stdout.isatty() else f"{name:>8} | "
        for line in iter(stream.readline, b""):
            sys.stdout.write(prefix + line.decode("utf-8", "replace"))
            sys.stdout.flush()

    def start(self, service: Service, env: dict[str, str]) -> None:
        service.process = self.spawn(service.name, service.command, {**env, **service.env})

    def wait_ready(self, services: Iterable[Service], timeout: float) -> None:
        """Until every service with a health URL answers; raises if one exits or time is up."""
        deadline = time.monotonic() + timeout
        for service in services:
            while service.health and not http_ok(service.health):
                if not service.running:
                    where = f"; see {self.logs / service.name}.log" if self.logs else ""
                    raise RuntimeError(f"{service.name} exited{where}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{service.name} not ready after {timeout:.0f} s")
                time.sleep(1)

    @staticmethod
    def kill(service: Service, sig: signal.Signals = signal.SIGKILL) -> None:
        if service.process is not None and service.running:
            os.killpg(service.process.pid, sig)
            service.process.wait(timeout=60)

    @staticmethod
    def stop(services: Iterable[Service], grace: float = 20) -> None:
        """SIGTERM every process group (last started first), SIGKILL what outlives `grace`."""
        services = list(services)
        for service in reversed(services):
            if service.process is not None and service.running:
                os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for service in services:
            if service.process is None:
                continue
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(service.process.pid, signal.SIGKILL)

    @staticmethod
    def watch(services: Iterable[Service], stopping: threading.Event, label: str) -> int:
        """Block until `stopping` is set (0) or a service exits (its exit code, at least 1)."""
        services = list(services)
        while not stopping.wait(0.5):
            for service in services:
                if service.process is not None and service.process.poll() is not None:
                    code = service.process.returncode
                    print(f"{label}: {service.name} exited with code {code}; stopping all",
                          flush=True)  # fmt: skip
                    return code or 1
        return 0


def stop_on_signals() -> threading.Event:
    """An event set by Ctrl-C or SIGTERM."""
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    return stopping
