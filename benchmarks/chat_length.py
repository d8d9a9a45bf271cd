"""Rasa's CPU per turn against the length of the conversation (issue 25).

`make bench-chat` keeps its first households talking through every level, so at 1-2 households
each conversation session grows to hundreds of turns; this measures what a turn costs Rasa as
its session grows. `--senders` households (distinct, one message at a time each, all at once)
send the standard message mix through Rasa's own REST input for `--turns` turns each; for every
`--bucket` turns the Rasa server's CPU ms per turn (from /proc: comparable across machine loads)
and the median wall time are printed; every reply goes to the JSON output (to compare two
versions turn by turn). Starts `make run`'s stack on free ports (bench_chat).

    .venv/bin/python benchmarks/chat_length.py [--turns 200] [--bucket 25] [--senders 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_chat import MESSAGES, ROOT, make_households, ports_of, rasa_turn, stack, stack_cpu


def run_turns(
    rasa: str, senders: list[str], numbers: range, replies: dict[str, list]
) -> tuple[list[float], int]:
    """Every sender sends the messages `numbers` of the mix, one at a time, all senders at once:
    the turns' wall times (ms) and the number of failed turns; each turn's reply texts are added
    to `replies[sender]`."""
    walls: list[float] = []
    errors = 0
    lock = threading.Lock()

    def household(sender: str) -> None:
        nonlocal errors
        session = requests.Session()
        for number in numbers:
            started = time.perf_counter()
            text = MESSAGES[number % len(MESSAGES)]
            outcome = rasa_turn(session, rasa, sender, text, replies[sender])
            with lock:
                walls.append((time.perf_counter() - started) * 1000)
                errors += outcome != "ok"

    threads = [threading.Thread(target=household, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return walls, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="per household")
    parser.add_argument("--bucket", type=int, default=25)
    parser.add_argument("--senders", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "chat_length.json")
    args = parser.parse_args()
    with stack(None, name="chat-length") as (process, urls):
        assert process is not None
        senders = [h for h, _ in make_households(urls["database"], "length", args.senders)]
        warm = make_households(urls["database"], "length-warm", 1)[0][0]
        rasa_turn(requests.Session(), urls["rasa"], warm, MESSAGES[0])
        print(f"{'turns':>9} | {'rasa cpu ms/turn':>16} {'p50 ms':>7} {'errors':>6} | load")
        rows = []
        replies: dict[str, list] = {sender: [] for sender in senders}
        for first in range(0, args.turns, args.bucket):
            last = min(args.turns, first + args.bucket)
            before = stack_cpu(process.pid, ports_of(urls)).get("rasa", 0.0)
            walls, errors = run_turns(urls["rasa"], senders, range(first, last), replies)
            used = stack_cpu(process.pid, ports_of(urls)).get("rasa", 0.0) - before
            per_turn = used * 1000 / len(walls)
            load = os.getloadavg()[0]
            rows.append({"turns": [first + 1, last], "rasa_cpu_ms_per_turn": round(per_turn, 1),
                         "p50_ms": round(statistics.median(walls), 1), "errors": errors,
                         "load1": round(load, 2)})  # fmt: skip
            print(
                f"{first + 1:>4}-{last:<4} | {per_turn:>16.1f} {statistics.median(walls):>7.1f} "
                f"{errors:>6} | {load:.2f}",
                flush=True,
            )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {"senders": args.senders, "rows": rows, "replies": replies},
                indent=2,
                ensure_ascii=False,
            )
        )
        print(f"chat-length: written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
