"""Bill engine and /api/v1/bills/estimate throughput (prints figures; not a test).

Engine: estimate_bill() in one process over varied kWh and periods.
Endpoint: a real gunicorn server on loopback (1 worker), sequential HTTP requests with keep-alive.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from prod_local import free_port  # noqa: E402  (one free_port for scripts and benchmarks)

from backend.billing import (  # noqa: E402
    PeriodUsage,
    compare_bills,
    estimate_bill,
    explain_comparison_vi,
)


def engine_cases(kind: str, count: int) -> list[tuple[int, date | None, date | None]]:
    """kind: 'period' (27–33 days in 2024–2026, some across a price change), 'across' (every
    period across the 10/5/2025 change), 'unscaled' (no period: today's tariff)."""
    rng = random.Random(1)
    cases: list[tuple[int, date | None, date | None]] = []
    for _ in range(count):
        kwh = rng.randrange(0, 1200)
        if kind == "unscaled":
            cases.append((kwh, None, None))
            continue
        if kind == "across":
            start = date(2025, 4, 12) + timedelta(days=rng.randrange(27))
        else:
            start = date(2024, 1, 1) + timedelta(days=rng.randrange(900))
        cases.append((kwh, start, start + timedelta(days=rng.randrange(27, 34))))
    return cases


def bench_engine(count: int, kind: str = "period") -> float:
    cases = engine_cases(kind, count)
    today = date(2026, 6, 1)
    began = time.perf_counter()
    for kwh, start, end in cases:
        estimate_bill(kwh, period_start=start, period_end=end, today=today)
    return count / (time.perf_counter() - began)


def bench_compare(count: int) -> float:
    rng = random.Random(2)
    pairs = []
    for _ in range(count):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(800))
        middle = start + timedelta(days=rng.randrange(27, 34))
        end = middle + timedelta(days=rng.randrange(27, 34))
        pairs.append(
            (
                PeriodUsage(rng.randrange(0, 900), start, middle - timedelta(days=1)),
                PeriodUsage(rng.randrange(0, 900), middle, end),
            )
        )
    began = time.perf_counter()
    for previous, current in pairs:
        explain_comparison_vi(compare_bills(previous, current))
    return count / (time.perf_counter() - began)


def bench_endpoint(count: int) -> tuple[float, float, float]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL="sqlite://", VAR_DIR="/tmp/bench-bills")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--log-level=warning",
            "backend.app:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/api/v1/bills/estimate"
    session = requests.Session()
    try:
        for _ in range(300):
            try:
                session.post(url, json={"kwh": 1}, timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        latencies = []
        began = time.perf_counter()
        for index in range(count):
            body = {
                "kwh": 50 + index % 700,
                "period_start": "2026-06-15",
                "period_end": "2026-07-14",
            }
            started = time.perf_counter()
            response = session.post(url, json=body, timeout=5)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(10)
    quantiles = statistics.quantiles(latencies, n=100)
    return count / elapsed, quantiles[49] * 1000, quantiles[94] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bills", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    for kind in ("period", "across", "unscaled"):
        rate = bench_engine(args.bills, kind)
        print(f"engine ({kind}): {rate:,.0f} bills/s ({args.bills:,} bills, one process)")
    comparisons = max(args.bills // 10, 1)
    rate = bench_compare(comparisons)
    print(f"compare + explanation: {rate:,.0f} comparisons/s ({comparisons:,})")
    rps, p50, p95 = bench_endpoint(args.requests)
    print(
        f"endpoint: {rps:,.0f} requests/s, p50 {p50:.2f} ms, p95 {p95:.2f} ms "
        f"({args.requests:,} sequential requests, gunicorn 1 worker, loopback)"
    )


if __name__ == "__main__":
    main()
