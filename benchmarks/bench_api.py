"""GET /api/v1/me/usage and POST /api/v1/me/readings (365 rows) against a real gunicorn server.

Fills a database with N households × 1 year of daily readings (SQLite file by default, or
--database-url postgresql+psycopg://…), then times sequential requests on loopback.
Usage: .venv/bin/python benchmarks/bench_api.py [--households 10000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from prod_local import free_port  # noqa: E402  (one free_port for scripts and benchmarks)

from backend.app import create_app  # noqa: E402
from backend.auth import issue_demo_token  # noqa: E402
from backend.models import DailyReading, Household  # noqa: E402
from benchmarks.database import fill, household, household_id  # noqa: E402


def page_rows(today: date):
    """Per page: the households, then a year of daily readings each."""

    def rows(rng: random.Random, ids: list[str]):
        yield (
            Household,
            [{**household(rng, h), "appliances": {}} for h in ids],
        )
        yield (
            DailyReading,
            [
                {
                    "household_id": h,
                    "day": today - timedelta(days=d),
                    "kwh": round(rng.uniform(3, 20), 2),
                    "source": "meter",
                }
                for h in ids
                for d in range(1, 366)
            ],
        )

    return rows


def timed(call, count: int) -> tuple[float, float, float]:
    latencies = []
    began = time.perf_counter()
    for index in range(count):
        started = time.perf_counter()
        call(index)
        latencies.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100)
    return count / elapsed, q[49] * 1000, q[94] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.gettempdir()}/bench_api_{args.households}.db"
    today = date.today()
    began = time.perf_counter()
    fill(url, households=args.households, page=200, rows=page_rows(today))
    print(
        f"database: {url.split('@')[-1]} with {args.households:,} households × 365 days "
        f"(ready in {time.perf_counter() - began:.0f} s)"
    )
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=url,
        RASA_URL="http://127.0.0.1:9",
        ACTION_SERVER_URL="http://127.0.0.1:9",
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--log-level=warning",
            "backend.app:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        tokens = [issue_demo_token(household_id(i)) for i in range(args.households)]
    session = requests.Session()
    try:
        for _ in range(300):
            try:
                session.get(f"{base}/tariffs", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        rng = random.Random(2)

        def usage(_: int) -> None:
            token = rng.choice(tokens)
            response = session.get(
                f"{base}/me/usage", headers={"Authorization": f"Bearer {token}"}, timeout=10
            )
            assert response.status_code == 200, response.text

        rows = [
            {"date": (today - timedelta(days=d)).isoformat(), "kwh": 7.5} for d in range(1, 366)
        ]

        def upload(_: int) -> None:
            token = rng.choice(tokens)
            response = session.post(
                f"{base}/me/readings",
                json={"readings": rows},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert response.status_code == 200, response.text

        rps, p50, p95 = timed(usage, args.requests)
        print(
            f"GET /me/usage:            {rps:7.1f} req/s, p50 {p50:6.1f} ms, p95 {p95:6.1f} ms ({args.requests} sequential)"
        )
        count = max(20, args.requests // 5)
        rps, p50, p95 = timed(upload, count)
        print(
            f"POST /me/readings (365):  {rps:7.1f} req/s, p50 {p50:6.1f} ms, p95 {p95:6.1f} ms ({count} sequential)"
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
