#!/usr/bin/env python3
"""Run independent long steps side by side, each into its own log, with one status line a minute.

    python3 scripts/parallel.py --label "[3/5] test-app" --logs var/test-logs \
        --job "test-backend=.venv/bin/python -m pytest -q" \
        --job "bot-train=bash bot/scripts/train.sh"

`make test` uses it for the steps that do not depend on each other (the SQLite and PostgreSQL
suites and the bot's training): on two cores they share the CPU instead of waiting in line.
Each job's output goes verbatim to <logs>/<name>.log; the terminal gets a start line, a status
line every --every seconds (pytest's percentage, or the job's last line), a line per job when it
ends with its last line (pytest's summary), and the end of the log of every job that failed.
Exit status: 0 when every job passed, otherwise 1. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PERCENT = re.compile(r"\[\s*(\d+)%\]")
FAILED_TAIL = 150


def took(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


@dataclass
class Job:
    name: str
    command: str
    log: Path
    started: float = 0.0
    ended: float | None = None
    process: subprocess.Popen[bytes] | None = None
    handle: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.handle = self.log.open("wb")
        self.started = time.monotonic()
        # a shell command in its own process group, so that stopping it stops its children too
        self.process = subprocess.Popen(
            self.command,
            shell=True,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def poll(self) -> int | None:
        assert self.process is not None
        code = self.process.poll()
        if code is not None and self.ended is None:
            self.ended = time.monotonic()
            assert self.handle is not None
            self.handle.close()
        return code

    def text(self) -> str:
        return self.log.read_bytes().decode("utf-8", "replace")

    def progress(self) -> str:
        """pytest's last percentage, else the last non-empty line (shortened)."""
        text = self.text()
        if found := PERCENT.findall(text):
            return f"{found[-1]}%"
        lines = [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]
        return (lines[-1][:90] + "…") if lines and len(lines[-1]) > 90 else (lines or ["…"])[-1]

    def last_line(self) -> str:
        lines = [line for line in self.text().splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""


def run(*, label: str, jobs: list[Job], every: float, out: IO[str]) -> int:
    start = time.monotonic()
    print(
        f"==> {label}: {len(jobs)} jobs side by side: " + ", ".join(j.name for j in jobs), file=out
    )
    for job in jobs:
        job.start()
        print(f"    {job.name}: {job.command}  (log: {job.log})", file=out, flush=True)
    next_status = start + every
    reported: set[str] = set()
    while len(reported) < len(jobs):
        for job in jobs:
            code = job.poll()
            if code is None or job.name in reported:
                continue
            reported.add(job.name)
            state = "passed" if code == 0 else f"FAILED (exit {code})"
            assert job.ended is not None
            print(
                f"==> {label}: {job.name} {state} in {took(job.ended - job.started)}"
                f" — {job.last_line()}",
                file=out,
                flush=True,
            )
        if len(reported) < len(jobs) and time.monotonic() >= next_status:
            running = [j for j in jobs if j.name not in reported]
            status = " · ".join(f"{j.name} {j.progress()}" for j in running)
            print(f"    [{took(time.monotonic() - start)}] {status}", file=out, flush=True)
            next_status += every
        time.sleep(0.5)
    failed = [job for job in jobs if job.process is not None and job.process.returncode != 0]
    for job in failed:
        tail = job.text().splitlines()[-FAILED_TAIL:]
        print(f"---- the end of {job.log} ({job.name} failed) ----", file=out)
        print("\n".join(tail), file=out)
    elapsed = took(time.monotonic() - start)
    if failed:
        names = ", ".join(j.name for j in failed)
        print(f"==> {label}: FAILED ({names}) after {elapsed}", file=out, flush=True)
        return 1
    print(f"==> {label}: all {len(jobs)} passed in {elapsed}", file=out, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--logs", type=Path, required=True, help="folder for <name>.log")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between status lines")
    parser.add_argument("--job", action="append", required=True, help="NAME=COMMAND")
    args = parser.parse_args(argv)
    jobs = []
    for spec in args.job:
        name, sep, command = spec.partition("=")
        if not sep or not name or not command:
            parser.error(f"--job needs NAME=COMMAND, got {spec!r}")
        jobs.append(Job(name=name, command=command, log=args.logs / f"{name}.log"))

    def stop_all(signum: int, _frame: object) -> None:
        for job in jobs:
            job.stop()
        sys.exit(128 + signum)

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    try:
        return run(label=args.label, jobs=jobs, every=args.every, out=sys.stdout)
    finally:
        for job in jobs:
            job.stop()


if __name__ == "__main__":
    sys.exit(main())
