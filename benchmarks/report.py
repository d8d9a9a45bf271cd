"""Run every benchmark target and write docs/benchmarks.md: the machine, the date, the figures.

    .venv/bin/python benchmarks/report.py bench-bills bench-api ...   (what `make bench` does)
    .venv/bin/python benchmarks/report.py --update bench-notify      (that section only)

Each target runs through `make` as a user would; its output is kept verbatim (the figures are
what the benchmark prints, after the command make ran, with its arguments). A target the
Makefile does not define is listed as missing. `--update` rewrites only the named targets'
sections of an existing report and keeps the others (each section gives its own date, commit
and load). `make bench` runs bench-notify at the size of BENCH_NOTIFY_ARGS (Makefile).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "benchmarks.md"


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def machine() -> list[str]:
    meminfo = (
        Path("/proc/meminfo").read_text().splitlines() if Path("/proc/meminfo").exists() else []
    )
    total_kb = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal")), 0)
    os_name = next(
        (
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.platform(),
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    servers = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3])
    )
    postgres = servers[-1] if servers else None
    return [
        f"- CPU: {os.cpu_count()} cores (`nproc`), {cpu}",
        f"- Memory: {total_kb / 1024 / 1024:.1f} GiB",
        f"- OS: {os_name}, kernel {platform.release()}",
        f"- Python: app {platform.python_version()}, bot "
        + _run([str(ROOT / "bot" / ".venv" / "bin" / "python"), "-c", "import platform; print(platform.python_version())"]),
        f"- PostgreSQL: {_run([str(postgres), '--version']) if postgres else 'not installed'}",
        f"- Redis: {_run(['redis-server', '--version'])}",
        f"- Commit: `{_run(['git', 'rev-parse', '--short', 'HEAD'])}`",
        f"- Load average when the report started: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]  # fmt: skip


def defined(target: str) -> bool:
    return subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True).returncode == 0


def run(target: str) -> tuple[str, float, int]:
    started = time.monotonic()
    result = subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    print(result.stdout, flush=True)
    return result.stdout.strip(), time.monotonic() - started, result.returncode


def merge(report: str, sections: list[str]) -> str:
    """The report with each new section in place of the old one of the same target (or added)."""
    note = "Sections rewritten later by `report.py --update` give their own date and commit."
    if note not in report:
        head, _, rest = report.partition("\n\n## ")
        report = f"{head} {note}\n\n## {rest}"
    parts = report.split("\n## ")
    for section in sections:
        title = section.split("\n", 1)[0]  # "## `make target`"
        same = [i for i, part in enumerate(parts) if i and "## " + part.split("\n", 1)[0] == title]
        if same:
            parts[same[0]] = section.removeprefix("## ").rstrip("\n") + "\n"
        else:
            parts.append(section.removeprefix("## "))
    return "\n## ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="+")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--update", action="store_true", help="rewrite only these targets' sections"
    )
    args = parser.parse_args()
    started = datetime.now(UTC)
    sections, failed = [], []
    for target in args.targets:
        if not defined(target):
            sections.append(f"## `make {target}`\n\nNot defined in this checkout's Makefile.\n")
            continue
        print(f"bench: make {target}", flush=True)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())  # other jobs skew the figures
        began = datetime.now(UTC)
        output, seconds, code = run(target)
        status = "ok" if code == 0 else f"**failed (exit {code})**"
        if code:
            failed.append(target)
        sections.append(
            f"## `make {target}`\n\n{status}, {seconds:.0f} s wall time, started "
            f"{began:%Y-%m-%d %H:%M} UTC at commit "
            f"`{_run(['git', 'rev-parse', '--short', 'HEAD'])}`, load average {load} when it "
            f"started.\n\n```\n{output}\n```\n"
        )
    if args.update and args.out.exists():
        text = merge(args.out.read_text(), sections)
    else:
        text = "\n".join(
            [
                "# Benchmarks",
                "",
                f"Written by `make bench` on {started:%Y-%m-%d %H:%M} UTC; every figure below is "
                "the benchmark's own output on this machine. Reproduce with `make bench` (or one "
                "target).",
                "",
                "## Machine",
                "",
                *machine(),
                "",
                *sections,
            ]
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"bench: wrote {args.out}" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
