"""The nightly projected-bill job: households per minute on one worker, and its memory.

1. End to end, as `flask notify project-all` runs it: a SQLite file with N households × 180 days
   of readings (a third with a budget), pages of 500 households: read readings and weather,
   project (ml/projection.py), price expected/low/high and the tier by the bill engine, queue
   alerts in the outbox. RSS after every page shows whether memory stays flat. The run works on
   a fresh copy of the filled file, so every run queues the same alerts. A process pays some
   costs once (imports on first use, the bill cache filling, the first full garbage collection):
   the first page's CPU beyond the others' is reported as the fixed cost, the later pages' CPU
   per household as the marginal cost, and from both the rate of a run of 100,000 households.
2. The computation alone for 100,000 households (no database): the projection and the engine.
With `--model PATH` (a skops file from `flask train`) the households that model knows are
projected from the trained consumption model (ml/projection.py), the others from the light fit;
`--train` trains that model on the database first when the file is missing (as the nightly
retraining does: every household's readings up to the bench's day).
Usage: .venv/bin/python benchmarks/bench_projection.py [--households 20000] [--compute 100000]
       [--model var/models/anomaly.skops [--train]] [--database-url sqlite:////tmp/….db]
       [--skip-compute]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.app import create_app  # noqa: E402
from backend.billing import estimate_bill  # noqa: E402
from backend.extensions import db  # noqa: E402
from backend.models import Budget, DailyReading, Household  # noqa: E402
from backend.services.anomalies import train_model  # noqa: E402
from backend.services.households import household_pages  # noqa: E402
from backend.services.projection import trained_consumption  # noqa: E402
from benchmarks.database import fill, household  # noqa: E402
from ml.api import save_model  # noqa: E402
from ml.projection import project  # noqa: E402
from notifications.projection import PAGE, alert_page  # noqa: E402

TODAY = date(2025, 7, 25)
NOW = datetime(2025, 7, 25, 12, 0)
HISTORY = 180


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def page_rows(rng: random.Random, ids: list[str]):
    """Per page: the households, a budget for about a third, then HISTORY days of readings."""
    yield (
        Household,
        [
            {
                **household(rng, h),
                "reading_day": rng.choice([5, 10, 15, 20, 25, 28]),
                "appliances": {"air_conditioner": {"count": rng.randint(0, 2)}},
            }
            for h in ids
        ],
    )
    yield (
        Budget,
        [
            {"household_id": h, "amount": rng.choice([400_000, 600_000, 900_000])}
            for h in ids
            if rng.random() < 1 / 3
        ],
    )
    rows = []
    for h in ids:
        level = rng.uniform(4, 16)
        for d in range(HISTORY):
            rows.append(
                {
                    "household_id": h,
                    "day": TODAY - timedelta(days=d),
                    "kwh": round(level * rng.uniform(0.8, 1.2), 2),
                }
            )
    yield DailyReading, rows


def end_to_end(url: str, model_path: str | None = None) -> None:
    """The nightly job over every household of `url` (SQLite: on a fresh copy of the file)."""
    sqlite_file = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    with tempfile.TemporaryDirectory(prefix="bench-projection-") as scratch:
        if sqlite_file is not None:
            copy = os.path.join(scratch, "run.db")
            shutil.copyfile(sqlite_file, copy)
            url = f"sqlite:///{copy}"
        _end_to_end(url, model_path)


def _end_to_end(url: str, model_path: str | None) -> None:
    cpu = time.process_time()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    model = trained_consumption(model_path) if model_path else None
    if model_path and model is None:
        raise SystemExit(f"no readable model at {model_path}")
    setup = time.process_time() - cpu
    with app.app_context():
        session = db.session()
        count = alerts = 0
        sizes, page_cpu, samples = [], [], []
        began, cpu = time.perf_counter(), time.process_time()
        last = cpu
        for households in household_pages(session, page=PAGE):
            alerts += sum(alert_page(session, households, today=TODAY, now=NOW, model=model))
            count += len(households)
            session.expunge_all()
            # each page's CPU from the end of the one before: its households' query included
            page_cpu.append(time.process_time() - last)
            last += page_cpu[-1]
            sizes.append(len(households))
            samples.append(rss_mb())
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(
        f"end to end ({url.split(':')[0]}, pages of {PAGE}"
        f"{', trained model' if model is not None else ''}): {count:,} households in "
        f"{elapsed:.1f} s wall, {cpu:.1f} s CPU = {count / elapsed * 60:,.0f} households/min "
        f"wall, {count / cpu * 60:,.0f} per CPU-minute; {alerts:,} alerts queued; "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"before the first page: app created and model loaded in {setup:.1f} s CPU (not counted "
        "above; the app's imports were paid by the fill)"
    )
    if len(page_cpu) > 1:
        # the later pages' CPU per household: what one more household costs; the first page's
        # CPU beyond that: what the process pays once
        marginal = sum(page_cpu[1:]) / sum(sizes[1:])
        fixed = cpu - marginal * count
        print(
            f"marginal {marginal * 1e3:.3f} ms CPU per household "
            f"({60 / marginal:,.0f} households per CPU-minute, pages 2–{len(page_cpu)}); "
            f"fixed {fixed:.2f} s CPU once per process (first page {page_cpu[0]:.2f} s); "
            f"so 100,000 households: {100_000 / (fixed + marginal * 100_000) * 60:,.0f} "
            f"per CPU-minute ({100_000 / (setup + fixed + marginal * 100_000) * 60:,.0f} "
            f"with the app and model loading)"
        )
    quarter = max(len(samples) // 4, 1)
    print(
        f"RSS after the first pages {np.mean(samples[:quarter]):.0f} MB, after the last "
        f"{np.mean(samples[-quarter:]):.0f} MB (max {max(samples):.0f} MB); every page: "
        + " ".join(f"{v:.0f}" for v in samples)
    )


def trained_model(url: str, path: str) -> None:
    """Train the consumption model on the database's readings up to TODAY, saved at `path`."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    began, cpu = time.perf_counter(), time.process_time()
    with app.app_context():
        model, frame = train_model(db.session(), TODAY)
    save_model(model, path)
    print(
        f"model trained on {len(frame):,} household-days in {time.perf_counter() - began:.0f} s "
        f"wall, {time.process_time() - cpu:.0f} s CPU: {path}"
    )


def compute_only(households: int) -> None:
    rng = np.random.default_rng(1)
    start, end = date(2025, 7, 16), date(2025, 8, 15)
    project_time = bill_time = 0.0
    began, cpu = time.perf_counter(), time.process_time()
    for _ in range(0, households, PAGE):
        n = PAGE
        temp = 26 + 4 * rng.standard_normal((n, HISTORY))
        kwh = np.maximum(6 + 0.8 * np.maximum(temp - 24, 0) + rng.normal(0, 1, (n, HISTORY)), 0)
        p_kwh = np.full((n, 31), np.nan)
        p_kwh[:, :10] = kwh[:, -10:]
        t0 = time.perf_counter()
        result = project(
            history_kwh=kwh,
            history_temp=temp,
            history_weekend=np.zeros((n, HISTORY), dtype=bool),
            period_kwh=p_kwh,
            period_temp=np.full((n, 31), 29.0),
            period_weekend=np.zeros((n, 31), dtype=bool),
            period_valid=np.ones((n, 31), dtype=bool),
            period_forecast=np.ones((n, 31), dtype=bool),
        )
        t1 = time.perf_counter()
        for values in (result.expected, result.low, result.high, kwh[:, -10:].sum(axis=1)):
            for v in values:
                estimate_bill(round(float(v)), period_start=start, period_end=end)
        bill_time += time.perf_counter() - t1
        project_time += t1 - t0
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(
        f"computation alone: {households:,} households in {elapsed:.1f} s wall, {cpu:.1f} s CPU "
        f"= {households / elapsed * 60:,.0f} households/min wall (projection {project_time:.1f} s, "
        f"4 bills each {bill_time:.1f} s); peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--compute", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--model", default=None, help="skops file: project with the trained model")
    parser.add_argument(
        "--train", action="store_true", help="train the --model file first when it is missing"
    )
    parser.add_argument("--skip-compute", action="store_true", help="the end-to-end run only")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:////tmp/bench_projection_{args.households}.db"
    began = time.perf_counter()
    fill(url, households=args.households, page=500, rows=page_rows)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"database: {url} with {args.households:,} households × {HISTORY} days "
        f"(ready in {time.perf_counter() - began:.0f} s)"
    )
    if args.model and args.train and not os.path.exists(args.model):
        # in a process of its own: training pays this process's one-off costs (the calendar's
        # holidays, the model's imports), which the run below must measure
        training = multiprocessing.get_context("spawn").Process(
            target=trained_model, args=(url, args.model)
        )
        training.start()
        training.join()
        if training.exitcode != 0:
            raise SystemExit(f"training failed ({training.exitcode})")
    if not args.skip_compute:
        compute_only(args.compute)
    end_to_end(url, args.model)


if __name__ == "__main__":
    main()
