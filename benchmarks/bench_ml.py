"""Training and scoring speed and peak memory of the consumption model on simulated households.

Usage: .venv/bin/python benchmarks/bench_ml.py [--households 10000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ml.model import UnusualUsageModel
from ml.simulate import simulate, year_split


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=10_000)
    args = parser.parse_args()
    start = date(2024, 1, 1)
    began = time.perf_counter()
    sim = simulate(args.households, start=start, days=730, seed=5)
    train, test = year_split(sim, start)
    test = test.reset_index(drop=True)
    print(f"simulated {len(sim.readings):,} household-days in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    model = UnusualUsageModel().fit(train)
    fit = time.perf_counter() - began
    print(f"train: {args.households:,} households × 365 days in {fit:.1f} s")
    began = time.perf_counter()
    model.score_frame(test)
    score = time.perf_counter() - began
    print(
        f"score: {len(test):,} household-days in {score:.1f} s = {len(test) / score:,.0f} household-days/s"
    )
    print(f"peak memory (RSS): {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
