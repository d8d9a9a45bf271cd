"""Load: 50 simulated households for 60 s against the chat proxy and the usage API (locust,
headless, loopback only). Every request must succeed; the figures are printed and written to
var/bench/load.json for docs/benchmarks.md."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import requests

from tests.scale.conftest import ROOT, make_households

USERS, SPAWN_RATE, RUN_TIME = 50, 10, "60s"


def test_fifty_households_for_a_minute_without_one_error(stack, stack_app, tmp_path):
    households = make_households(stack_app, "load", USERS)
    days = [
        {"date": (date.today() - timedelta(days=n)).isoformat(), "kwh": 7} for n in range(1, 61)
    ]
    for _, token in households:  # two months of readings each, so usage has work to do
        response = requests.post(
            stack.url("backend") + "/api/v1/me/readings",
            json={"readings": days},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.status_code == 200
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps([token for _, token in households]))

    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f", str(ROOT / "tests" / "scale" / "locustfile.py"),
            "--headless", "--only-summary",
            "--users", str(USERS), "--spawn-rate", str(SPAWN_RATE), "--run-time", RUN_TIME,
            "--stop-timeout", "30",
            "--host", stack.url("backend"),
            "--csv", str(tmp_path / "load"),
        ],
        env={**os.environ, "LOCUST_TOKENS": str(tokens)},
        capture_output=True,
        text=True,
        timeout=240,
    )  # fmt: skip
    with open(tmp_path / "load_stats.csv", newline="") as stats_file:
        stats = {row["Name"]: row for row in csv.DictReader(stats_file)}
    figures = {
        name: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "req_per_s": round(float(row["Requests/s"]), 1),
            "p50_ms": int(float(row["50%"])),
            "p95_ms": int(float(row["95%"])),
            "max_ms": int(float(row["Max Response Time"])),
        }
        for name, row in stats.items()
    }
    print(f"\nload: {USERS} households, {RUN_TIME}, spawn {SPAWN_RATE}/s")
    for name, figure in figures.items():
        print(f"  {name:<22} {figure}")
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(
        json.dumps({"users": USERS, "run_time": RUN_TIME, "figures": figures}, indent=2)
    )
    failures = (tmp_path / "load_failures.csv").read_text()
    assert figures["Aggregated"]["failures"] == 0, failures + result.stderr[-2000:]
    assert figures["POST /api/v1/chat"]["requests"] > 100
    assert figures["GET /api/v1/me/usage"]["requests"] > 100
