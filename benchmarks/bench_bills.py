"""Bill engine and /api/v1/bills/estimate throughput (prints figures; not a test).

Engine: estimate_bill() in one process over varied kWh and periods.
Endpoint: a real gunicorn server on loopback (1 worker), sequential HTTP requests with keep-alive.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.billing import estimate_bill  # noqa: E402


def bench_engine(count: int) -> float:
    rng = random.Random(1)
    cases = []
    for _ in range(count):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(900))
        cases.append((rng.randrange(0, 1200), start, start + timedelta(days=rng.randrange(27, 34))))
    began = time.perf_counter()
    for kwh, start, end in cases:
        estimate_bill(kwh, period_start=start, period_end=end)
    return count / (time.perf_counter() - began)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_endpoint(count: int) -> tuple[float, float, float]:
    port = free_port()
    env = dict(os.environ, DATABASE_URL="sqlite://", VAR_DIR="/tmp/bench-bills")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--log-level=warning",
            "backend:create_app()",
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
    print(f"engine:   {bench_engine(args.bills):,.0f} bills/s ({args.bills:,} bills, one process)")
    rps, p50, p95 = bench_endpoint(args.requests)
    print(
        f"endpoint: {rps:,.0f} requests/s, p50 {p50:.2f} ms, p95 {p95:.2f} ms "
        f"({args.requests:,} sequential requests, gunicorn 1 worker, loopback)"
    )


if __name__ == "__main__":
    main()
