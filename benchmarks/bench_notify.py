"""Weekly tips for many households: the paged fan-out, then delivery through a fake FCM with the
real firebase-admin `send_each`, with one worker process and with two.

Needs PostgreSQL (`make bench-notify` starts a throwaway cluster with scripts/with-postgres.sh):
    scripts/with-postgres.sh .venv/bin/python benchmarks/bench_notify.py \
        [--households 1000000] [--deliver 100000]
Households (one device each, two weeks of daily readings) are generated inside PostgreSQL with
INSERT … SELECT generate_series. The fan-out covers every household; delivery covers `--deliver`
messages per run (the rest of the outbox is held back), a first slice with one worker, a second
slice with two. Each run checks that the fake FCM received every message exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import time
import urllib.request
import warnings
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import firebase_admin
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from firebase_admin import credentials, messaging
from flask_migrate import upgrade
from prod_local import free_port
from sqlalchemy import text
from vietnam_provinces import Province

from backend.app import create_app
from backend.extensions import db
from notifications import delivery
from notifications.delivery import TOKEN_DEPRECATED, tune_fcm_session
from notifications.weekly import enqueue_page, page_bounds

HERE = Path(__file__).resolve().parent
PROJECT = "bench-tiet-kiem-dien"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}})


def generate(connection: Any, households: int, today: date) -> None:
    provinces = [int(p.code.value) for p in Province.iter_all()]
    began = time.perf_counter()
    connection.execute(
        text(
            """
            INSERT INTO households (id, display_name, province_code, occupants, appliances,
                meter_kind, households_on_meter, renter_status, notify_weekly_tips,
                notify_outages, notify_usage_alerts, channel_push, channel_zalo, reading_day,
                quiet_start, quiet_end, created_at, updated_at)
            SELECT 'hh-' || lpad(i::text, 8, '0'), '', (:provinces)[1 + i % cardinality(:provinces)],
                1 + i % 6,
                CASE WHEN i % 3 = 0 THEN '{"air_conditioner": {"count": 1}}'::json
                     ELSE '{"water_heater": true}'::json END,
                'postpaid', 1, 'owner', true, true, true, true, false, 15,
                '00:00', '00:00', now(), now()  -- no quiet hours: the benchmark runs any time
            FROM generate_series(1, :n) AS i
            """
        ),
        {"n": households, "provinces": provinces},
    )
    connection.execute(
        text(
            "INSERT INTO devices (household_id, token, platform, created_at, last_seen_at) "
            "SELECT id, 'bench-token-' || id, 'android', now(), now() FROM households"
        )
    )
    connection.execute(
        text(
            """
            INSERT INTO daily_readings (household_id, day, kwh, source, updated_at)
            SELECT h.id, CAST(:today AS date) - d, 5 + (hashtext(h.id || d) & 1023) / 100.0,
                'meter', now()
            FROM households h, generate_series(1, 14) AS d
            """
        ),
        {"today": today},
    )
    connection.commit()
    connection.execute(text("ANALYZE"))
    connection.commit()
    print(
        f"generated {households:,} households, {households:,} devices and "
        f"{households * 14:,} daily readings in {time.perf_counter() - began:.0f} s"
    )


def quiet_full_pool() -> None:
    """With the library's session (10 connections per host, 500 threads) urllib3 logs a warning
    for every connection it discards: hundreds per send_each call; not shown here."""
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)


def fanout_worker(url: str, today: date, pages: Any, results: Any) -> None:
    queued = 0
    with make_app(url).app_context():
        while (bounds := pages.get()) is not None:
            queued += enqueue_page(db.session(), *bounds, today=today)
    results.put((queued, peak_rss_mb()))


def deliver_worker(url: str, account: dict, fcm_base: str, pool: int, results: Any) -> None:
    quiet_full_pool()
    messaging._MessagingService.FCM_URL = fcm_base + "/v1/projects/{0}/messages:send"
    fcm = firebase_admin.initialize_app(credentials.Certificate(account), name="bench")
    if (
        pool
    ):  # as the worker does (notifications/providers.py); 0: firebase-admin's own session settings
        tune_fcm_session(fcm, pool)
    in_send_each = [0.0, 0.0]  # wall, CPU of the process (all its threads)
    real_send_each = messaging.send_each

    def timed_send_each(*args: Any, **kwargs: Any) -> Any:
        began, cpu = time.perf_counter(), time.process_time()
        try:
            return real_send_each(*args, **kwargs)
        finally:
            in_send_each[0] += time.perf_counter() - began
            in_send_each[1] += time.process_time() - cpu

    messaging.send_each = timed_send_each
    sent = other = 0
    with make_app(url).app_context():
        began, cpu = time.perf_counter(), time.process_time()
        while True:
            report = delivery.deliver_due(db.session(), fcm, limit=500)  # one send_each per pass
            sent += report.sent
            other += report.retried + report.failed + report.deferred
            if not (report.sent or report.retried or report.failed or report.deferred):
                break
        busy, cpu = time.perf_counter() - began, time.process_time() - cpu
    results.put((sent, other, peak_rss_mb(), busy, *in_send_each, cpu))


def run_workers(target: Any, count: int, args: tuple, feed: list | None = None) -> tuple:
    context = mp.get_context("spawn")
    pages, results = context.Queue(), context.Queue()
    began = time.perf_counter()
    workers = [
        context.Process(
            target=target, args=(*args, pages, results) if feed is not None else (*args, results)
        )
        for _ in range(count)
    ]
    for worker in workers:
        worker.start()
    for item in feed or []:
        pages.put(item)
    for _ in range(count if feed is not None else 0):
        pages.put(None)
    outcomes = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    return time.perf_counter() - began, outcomes


def fanout(app: Any, url: str, today: date, workers: int) -> int:
    with app.app_context():
        db.session.execute(text("TRUNCATE notifications CASCADE"))
        db.session.commit()
        began = time.perf_counter()
        bounds = list(page_bounds(db.session()))
        listing = time.perf_counter() - began
    seconds, outcomes = run_workers(fanout_worker, workers, (url, today), bounds)
    queued = sum(q for q, _ in outcomes)
    rss = ", ".join(f"{r:.0f}" for _, r in outcomes)
    print(
        f"fan-out, {workers} worker(s): {queued:,} tips queued from {len(bounds):,} pages in "
        f"{listing + seconds:.1f} s ({queued / (listing + seconds):,.0f} households/s; "
        f"listing the pages {listing:.1f} s); peak RSS per worker {rss} MB"
    )
    return queued


def hold_back_all_but(app: Any, first: int, count: int) -> None:
    """Only outbox rows first … first+count-1 (by id order) are due; the rest wait for later."""
    with app.app_context():
        low = db.session.execute(text("SELECT min(id) FROM notifications")).scalar_one()
        db.session.execute(
            text(
                "UPDATE notifications SET next_attempt_at = CASE WHEN id >= :a AND id < :b "
                "THEN now() at time zone 'utc' - interval '1 minute' ELSE now() + interval '1 year' END"
            ),
            {"a": low + first, "b": low + first + count},
        )
        db.session.commit()


def fake_stats(base: str) -> dict[str, int]:
    with urllib.request.urlopen(base + "/stats") as answer:
        return json.load(answer)


def service_account(base: str) -> dict[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "bench",
        "private_key": pem,
        "client_email": f"fcm@{PROJECT}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": base + "/token",
    }


def deliver(app: Any, url: str, base: str, workers: int, first: int, count: int, pool: int) -> None:
    hold_back_all_but(app, first, count)
    before = fake_stats(base)
    account = service_account(base)
    seconds, outcomes = run_workers(deliver_worker, workers, (url, account, base, pool))
    after = fake_stats(base)
    sent = sum(o[0] for o in outcomes)
    busy = max(o[3] for o in outcomes)  # from each worker's first lease to its last (no start-up)
    received = after["received"] - before["received"]
    distinct = after["distinct"] - before["distinct"]
    print(
        f"delivery, {workers} worker(s), "
        + (f"tuned session (pool {pool}, environment read once)" if pool else "library's session")
        + f": {sent:,} "
        f"messages in {busy:.1f} s of sending ({seconds:.1f} s with process start-up) = "
        f"{sent / busy:,.0f} messages/s ({sent / busy / workers:,.0f} per worker); "
        + "; ".join(
            f"worker {i + 1}: {o[0]:,} sent, {o[4]:.1f} of {o[3]:.1f} s inside send_each, "
            f"CPU {o[6] / max(o[0], 1) * 1e6:,.0f} µs per message "
            f"({o[5] / max(o[0], 1) * 1e6:,.0f} inside send_each), peak RSS {o[2]:.0f} MB"
            for i, o in enumerate(outcomes)
        )
        + f"; fake FCM received {received:,}, distinct {distinct:,}, "
        f"other outcomes {sum(o[1] for o in outcomes)}"
    )
    assert sent == count == received == distinct, "a message was lost or sent twice"


def library_alone(base: str, batches: int = 10) -> None:
    """firebase-admin without the database: send_each (a thread per message) with the library's
    session and with the worker's tuned one, and, for comparison, send_each_async (httpx on one
    event loop), 500 messages per call."""
    quiet_full_pool()
    messaging._MessagingService.FCM_URL = base + "/v1/projects/{0}/messages:send"
    fcm = firebase_admin.initialize_app(credentials.Certificate(service_account(base)), name="lib")
    with warnings.catch_warnings():  # registration tokens, as the worker sends
        warnings.filterwarnings("ignore", TOKEN_DEPRECATED, DeprecationWarning)
        messages = [
            messaging.Message(
                token=f"t-{i}",
                notification=messaging.Notification(title="Điện nhà bạn tuần qua", body="x" * 300),
                data={"notification_id": f"lib-{i}"},
            )
            for i in range(500)
        ]

    def send_each() -> tuple[float, float]:
        messaging.send_each(messages[:10], app=fcm)  # token fetch, connections
        began, cpu = time.perf_counter(), time.process_time()
        for _ in range(batches):
            assert messaging.send_each(messages, app=fcm).success_count == 500
        seconds = time.perf_counter() - began
        return 500 * batches / seconds, (time.process_time() - cpu) / (500 * batches) * 1e6

    async def send_async() -> tuple[float, float]:
        await messaging.send_each_async(messages[:10], app=fcm)
        began, cpu = time.perf_counter(), time.process_time()
        for _ in range(batches):
            assert (await messaging.send_each_async(messages, app=fcm)).success_count == 500
        seconds = time.perf_counter() - began
        return 500 * batches / seconds, (time.process_time() - cpu) / (500 * batches) * 1e6

    shipped = send_each()
    tune_fcm_session(fcm)
    tuned = send_each()
    asynchronous = asyncio.run(send_async())
    print(
        f"firebase-admin alone, no database, {batches} × 500 messages: "
        + "; ".join(
            f"{name} {rate:,.0f} messages/s ({cpu:,.0f} µs CPU each)"
            for name, (rate, cpu) in [
                ("send_each, library's session", shipped),
                ("send_each, tuned session", tuned),
                ("send_each_async", asynchronous),
            ]
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--deliver", type=int, default=50_000, help="messages per delivery run")
    parser.add_argument(
        "--pools",
        default="0,500",
        help="HTTP connection pool sizes to compare (0: library default)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("bench-notify needs PostgreSQL: run it through scripts/with-postgres.sh")
    print(f"machine: {os.cpu_count()} cores; PostgreSQL at {url.rsplit('@', 1)[-1]}")
    app = make_app(url)
    today = date.today()
    with app.app_context():
        upgrade()
        generate(db.session.connection(), args.households, today)
    queued = fanout(app, url, today, 1)
    assert queued == args.households
    assert fanout(app, url, today, 2) == args.households  # pages shared, nothing twice

    port = free_port()
    fake = subprocess.Popen([sys.executable, str(HERE / "fake_fcm.py"), str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        time.sleep(1)
        alone = subprocess.run(
            [sys.executable, str(HERE / "fake_fcm.py"), str(port), "--load", "50000"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"fake FCM alone (64 keep-alive connections, another process): {alone} requests/s")
        library_alone(base)
        first = 0
        for pool in (int(p) for p in args.pools.split(",")):
            for workers in (1, 2):
                count = min(args.deliver, args.households - first)
                deliver(app, url, base, workers, first, count, pool)
                first += count
    finally:
        fake.terminate()
        fake.wait(10)


if __name__ == "__main__":
    main()
