"""The slow turns after a pause (issue 25): one household's turns with set pauses between them.

Turns go alternately through the app path (`POST /api/v1/chat`) and Rasa's own REST input (a
kept-alive session, as the benchmark's households use), each after the same pause; every turn's
wall time, the proxy's Server-Timing split and the pause before it are printed, and turns over
`--slow` seconds are counted per pause. Starts `make run`'s stack on free ports (bench_chat) or
uses a running one (--backend, --rasa).

    .venv/bin/python benchmarks/chat_pauses.py [--pauses 0.2,5.2,5.6] [--rounds 6]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_chat import MESSAGES, app_turn, make_households, rasa_turn, stack


def timing(response_headers: str) -> str:
    return response_headers.replace(";dur=", "=").replace(" ", "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pauses", default="0.2,5.2,5.6")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--slow", type=float, default=4.0)
    parser.add_argument("--backend")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    pauses = [float(p) for p in args.pauses.split(",")]
    given = None
    if args.backend:
        given = {"backend": args.backend, "rasa": args.rasa, "database": args.database_url}
    with stack(given, name="chat-pauses") as (_, urls):
        (_, token), (rasa_id, _) = make_households(urls["database"], "pauses", 2)
        app_session, rasa_session = requests.Session(), requests.Session()
        slow: dict[tuple[str, float], int] = defaultdict(int)
        count: dict[tuple[str, float], int] = defaultdict(int)
        app_turn(app_session, urls["backend"], token, MESSAGES[0])
        rasa_turn(rasa_session, urls["rasa"], rasa_id, MESSAGES[0])
        n = 0
        for _ in range(args.rounds):
            for pause in pauses:
                text = MESSAGES[n % len(MESSAGES)]
                n += 1
                for path in ("app", "rasa"):
                    time.sleep(pause)
                    started = time.perf_counter()
                    if path == "app":
                        response = app_session.post(
                            f"{urls['backend']}/api/v1/chat",
                            json={"message": text},
                            headers={"Authorization": f"Bearer {token}"},
                            timeout=60,
                        )
                        detail = timing(response.headers.get("Server-Timing", ""))
                        status = response.status_code
                    else:
                        status = rasa_turn(rasa_session, urls["rasa"], rasa_id, text)
                        detail = ""
                    took = time.perf_counter() - started
                    count[path, pause] += 1
                    slow[path, pause] += took > args.slow
                    print(
                        f"{time.strftime('%H:%M:%S')} {path:<4} pause {pause:>4} s "
                        f"{took * 1000:>7.0f} ms {status} {text[:22]:<22} {detail} "
                        f"load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
        print("turns over", args.slow, "s:")
        for (path, pause), total in sorted(count.items()):
            print(f"  {path:<4} after {pause:>4} s: {slow[path, pause]} of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
