"""Round-trip latency through the REST channel (Rasa → action server → backend), single-turn.

Needs the stack running (`make run`). Prints p50/p95 and requests/s at 1 and 20 concurrent users.
Usage: bot/.venv/bin/python bot/scripts/bench.py [--url http://127.0.0.1:5005] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from channels.rest import signature

SECRET = os.environ.get("RASA_AUTH_TOKEN", "dev-rasa-token")

QUESTIONS = [
    "350 số điện hết bao nhiêu tiền",  # action → backend bill engine
    "gio cao diem la may h",  # action with shipped data
    "giá điện bậc thang hiện nay",  # action → backend tariffs
    "xin chào",  # response only
]


def run(url: str, users: int, total: int) -> tuple[float, float, float, int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_user = max(1, total // users)

    def user(index: int) -> None:
        nonlocal errors
        session = requests.Session()
        for turn in range(per_user):
            sender = f"bench-{uuid.uuid4().hex[:8]}"  # single-turn: a fresh conversation each time
            started = time.perf_counter()
            try:
                message = QUESTIONS[(index + turn) % len(QUESTIONS)]
                raw = json.dumps({"sender": sender, "message": message}).encode()
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/json",
                    "X-Chat-Timestamp": stamp,
                    "X-Chat-Signature": signature(SECRET, stamp, raw),
                }
                response = session.post(
                    f"{url}/webhooks/rest/webhook", data=raw, headers=headers, timeout=30
                )
                ok = response.status_code == 200 and response.json()
            except requests.RequestException:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - started)
                errors += not ok

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, q[49] * 1000, q[94] * 1000, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    for users in (1, 20):
        rps, p50, p95, errors = run(args.url, users, args.requests)
        print(
            f"{users:>2} users: {rps:6.1f} req/s, p50 {p50:6.0f} ms, p95 {p95:6.0f} ms, errors {errors}"
        )


if __name__ == "__main__":
    main()
