"""Chat under load: the app path (`POST /api/v1/chat`) against Rasa's own REST input, side by side.

For each concurrency (1, 2, 4, 10, 20, 50 by default) every simulated household sends one message
at a time (distinct households, new at every level, so no rate limit applies) for a fixed number
of seconds, through the backend's chat proxy and straight to Rasa's signed REST channel with the
same messages, the two paths taking turns in slices (app, rasa, rasa, app, ...); turns/s, p50,
p95, errors and overload 503s are printed for both and their ratios.

Starts `make run`'s stack (scripts/run_stack.py) on free ports in a temporary VAR_DIR, or uses a
running one with --backend/--rasa. Writes var/bench/chat.json.

    .venv/bin/python benchmarks/bench_chat.py [--seconds 40] [--slices 4] [--concurrency 1,2,4,10,20,50]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from prod_local import free_port  # noqa: E402  (one free_port for scripts and benchmarks)

from backend.app import create_app  # noqa: E402
from backend.auth import issue_demo_token  # noqa: E402
from backend.extensions import db  # noqa: E402
from backend.models import Household  # noqa: E402
from backend.services.chat import sign_body  # noqa: E402

RASA_SECRET = os.environ.get("RASA_AUTH_TOKEN", "dev-rasa-token")
SERVICE_TOKEN = os.environ.get("SERVICE_TOKEN", "dev-service-token")
# the standard mix (bot/scripts/bench.py, tests/scale/locustfile.py): a bill through the backend's
# bill engine, peak hours from shipped data, the tariff table from the backend, a greeting
MESSAGES = [
    "350 số điện hết bao nhiêu tiền",
    "gio cao diem la may h",
    "giá điện bậc thang hiện nay",
    "xin chào",
]
TIMEOUT = 60.0


def quantile(values: list[float], p: float) -> float:
    """The `p` quantile of `values` (the nearest rank at or below), 0.0 for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    by_message: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: int = 0
    busy: int = 0  # 503 chat_busy (the fast overload answer)
    limited: int = 0  # 429: the household's rate limit (a running stack with the default limit)
    elapsed: float = 0.0

    def add(self, other: Result) -> None:
        """Another slice of the same level and path."""
        self.latencies += other.latencies
        for text, took in other.by_message.items():
            self.by_message[text] += took
        self.errors += other.errors
        self.busy += other.busy
        self.limited += other.limited
        self.elapsed += other.elapsed

    def row(self) -> dict[str, Any]:
        turns = len(self.latencies)
        return {
            "turns": turns,
            "turns_per_s": round(turns / self.elapsed, 2) if self.elapsed else 0,
            "p50_ms": round(quantile(self.latencies, 0.50) * 1000),
            "p95_ms": round(quantile(self.latencies, 0.95) * 1000),
            "errors": self.errors,
            "busy_503": self.busy,
            "rate_limited_429": self.limited,
            "by_message_p95_ms": {
                text: round(quantile(took, 0.95) * 1000) for text, took in self.by_message.items()
            },
        }


def server_timing(response: requests.Response) -> dict[str, float]:
    """The proxy's Server-Timing parts in ms (auth, limit, queue, rasa, after)."""
    header = response.headers.get("Server-Timing", "")
    parts = dict(part.strip().split(";dur=", 1) for part in header.split(",") if ";dur=" in part)
    try:
        return {name: float(took) for name, took in parts.items()}
    except ValueError:
        return {}


def backend_own_ms(response: requests.Response) -> float | None:
    """The backend's own part of an app turn (sign-in, queue, post-turn checks: everything but
    the call to Rasa), from the proxy's Server-Timing header."""
    parts = server_timing(response)
    return sum(took for name, took in parts.items() if name != "rasa") if parts else None


def app_turn(
    session: requests.Session,
    backend: str,
    token: str,
    text: str,
    own: list | None = None,
    parts: list | None = None,
) -> str:
    started = time.perf_counter()
    response = session.post(
        f"{backend}/api/v1/chat",
        json={"message": text},
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    wall = (time.perf_counter() - started) * 1000
    if own is not None and (took := backend_own_ms(response)) is not None:
        own.append(took)
    if parts is not None and (timing := server_timing(response)):
        # `http`: what the proxy's laps do not cover: the client's hop to the backend, gunicorn,
        # gevent, Flask's own hooks, the body's parsing and the answer's serialisation
        parts.append({**timing, "http": wall - sum(timing.values())})
    if response.status_code == 503 and response.json().get("code") == "chat_busy":
        return "busy"
    if response.status_code == 429:
        return "limited"
    return "ok" if response.status_code == 200 and response.json().get("messages") else "error"


def rasa_turn(
    session: requests.Session, rasa: str, sender: str, text: str, replies: list | None = None
) -> str:
    raw = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        **sign_body(secret=RASA_SECRET, body=raw, now=time.time()),
    }
    response = session.post(
        f"{rasa}/webhooks/rest/webhook",
        data=raw,
        headers=headers,
        params={"token": RASA_SECRET},
        timeout=TIMEOUT,
    )
    answer = response.json() if response.status_code == 200 else None
    if replies is not None:
        replies.append([message.get("text") for message in answer or []])
    return "ok" if answer else "error"


def run_level(turn, identities: list[str], seconds: float) -> Result:
    """`len(identities)` households, each sending its next message as soon as the last one is
    answered, for `seconds`; turns still in flight at the end are waited for and counted."""
    result = Result()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def household(index: int, identity: str) -> None:
        session = requests.Session()
        turn_no = index
        while time.monotonic() < stop:
            text = MESSAGES[turn_no % len(MESSAGES)]
            turn_no += 1
            started = time.perf_counter()
            try:
                outcome = turn(session, identity, text)
            except (requests.RequestException, ValueError):
                outcome = "error"
            took = time.perf_counter() - started
            with lock:
                if outcome == "ok":
                    result.latencies.append(took)
                    result.by_message[text].append(took)
                elif outcome == "busy":
                    result.busy += 1
                elif outcome == "limited":
                    result.limited += 1
                else:
                    result.errors += 1

    started = time.monotonic()
    threads = [
        threading.Thread(target=household, args=(i, who), daemon=True)
        for i, who in enumerate(identities)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.monotonic() - started
    return result


def profile(urls: dict[str, str], token: str, sender: str, repeat: int) -> list[dict]:
    """Where one turn's time goes, per message, one household at a time (medians): the whole turn
    through the app and through Rasa's REST input, Rasa's NLU alone (/model/parse), and the
    backend call the turn's action makes (uncached, on the action server's backend). The four
    are taken in turn, `repeat` times, so a change in the machine's load hits them alike."""
    session = requests.Session()
    service = urls.get("service", urls["backend"])
    backend_calls = {
        MESSAGES[0]: ("POST", "/api/v1/bills/estimate", {"kwh": 350}),
        MESSAGES[2]: ("GET", "/api/v1/tariffs", None),
    }
    rows = []
    for text in MESSAGES:
        call = backend_calls.get(text)
        own: list[float] = []
        parts: list[dict[str, float]] = []
        steps = {
            "app_ms": lambda t=text, o=own, p=parts: app_turn(
                session, urls["backend"], token, t, o, p
            ),
            "rasa_ms": lambda t=text: rasa_turn(session, urls["rasa"], sender, t),
            "nlu_ms": lambda t=text: session.post(
                f"{urls['rasa']}/model/parse",
                params={"token": RASA_SECRET},
                json={"text": t},
                timeout=TIMEOUT,
            ),
            "backend_call_ms": lambda c=call: (
                c
                and session.request(
                    c[0],
                    service + c[1],
                    json=c[2],
                    headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                    timeout=TIMEOUT,
                )
            ),
        }
        took: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(repeat):
            for name, step in steps.items():
                started = time.perf_counter()
                step()
                took[name].append(time.perf_counter() - started)
        row: dict = {"message": text}
        for name, values in took.items():
            row[name] = (
                round(quantile(values, 0.5) * 1000, 1) if call or name != "backend_call_ms" else 0.0
            )
        row["backend_own_ms"] = round(quantile(own, 0.5), 1)
        # the same message through both paths one right after the other: the median of the
        # paired differences is steadier than the difference of the two medians
        paired = [a - r for a, r in zip(took["app_ms"], took["rasa_ms"], strict=True)]
        row["app_minus_rasa_paired_ms"] = round(quantile(paired, 0.5) * 1000, 1)
        for name in ("auth", "limit", "queue", "rasa", "after", "http"):
            lap = [p[name] for p in parts if name in p]
            row[f"part_{name}_ms"] = round(quantile(lap, 0.5), 1)
        rows.append(row)
    return rows


# the stack's processes by what their command line contains (scripts/run_stack.py)
SERVICE_NAMES = (
    ("rasa run", "rasa"),
    ("action_server.py", "actions"),
    ("chat consume", "events"),
    ("huey_consumer", "worker"),
)


def stack_cpu(root: int, ports: dict[str, str]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each service of the stack under pid `root`:
    per turn, a figure the machine's other load barely moves (unlike turns per second)."""
    parents: dict[int, list[int]] = defaultdict(list)
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        stats[int(entry.name)] = fields
        parents[int(fields[1])].append(int(entry.name))
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = defaultdict(float)
    todo = list(parents[root])
    while todo:
        pid = todo.pop()
        todo += parents[pid]
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        name = next((n for part, n in SERVICE_NAMES if part in command), None)
        if name is None and "gunicorn" in command:
            name = "service" if f":{ports['service']} " in command + " " else "backend"
        if name is not None:
            used[name] += (int(stats[pid][11]) + int(stats[pid][12])) / tick
    return dict(used)


def cpu_per_turn(before: dict[str, float], after: dict[str, float], turns: int) -> dict:
    """CPU ms per answered turn by service, and the whole stack's."""
    if not turns:
        return {}
    each = {name: round((after[name] - before.get(name, 0.0)) * 1000 / turns, 1) for name in after}
    each["total"] = round(sum(each.values()), 1)
    return each


def make_households(database_url: str, prefix: str, count: int) -> list[tuple[str, str]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        ids = [f"{prefix}-{n:03d}" for n in range(count)]
        for household_id in ids:
            if db.session.get(Household, household_id) is None:
                db.session.add(
                    Household(id=household_id, display_name=f"Hộ {household_id}", province_code=1)
                )
        db.session.commit()
        return [(household_id, issue_demo_token(household_id)) for household_id in ids]


def wait_until(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).json().get("status") == "ok":
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(2)
    raise SystemExit(f"bench-chat: {url} not healthy after {timeout:.0f} s")


def start_stack(var: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    ports = {name: free_port() for name in ("backend", "service", "rasa", "actions")}
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "BACKEND_PORT": str(ports["backend"]),
        "SERVICE_PORT": str(ports["service"]),
        "RASA_PORT": str(ports["rasa"]),
        "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
        "ACTIONS_PORT": str(ports["actions"]),
        "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['actions']}",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
        "RATELIMIT_STORAGE_URI": f"sqlite:///{var / 'ratelimit.db'}",
        # capacity, not the per-household limit (30 a minute), is measured: one household
        # answered in under 2 s would otherwise meet it at concurrency 1
        "CHAT_RATE_LIMIT": "100000 per minute",
    }
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "backend"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    log = open(var / "stack.log", "wb")  # noqa: SIM115  (lives as long as the stack)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run_stack.py")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    backend = f"http://127.0.0.1:{ports['backend']}"
    try:
        wait_until(backend + "/healthz", timeout=600)
    except BaseException:
        # run_stack.py stops every service it started on SIGTERM: a stack that never got healthy
        # (a model still training, a port taken) must not be left running behind the error
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        raise
    return process, {
        "service_port": str(ports["service"]),
        "backend": backend,
        "service": f"http://127.0.0.1:{ports['service']}",
        "rasa": env["RASA_URL"],
        "database": f"sqlite:///{var / 'app.db'}",
    }


@contextmanager
def stack(
    given: dict[str, str] | None, *, name: str
) -> Iterator[tuple[subprocess.Popen[bytes] | None, dict[str, str]]]:
    """A running stack's URLs (`given`), or `make run`'s stack started on free ports in a new
    temporary VAR_DIR and stopped on the way out (its process: None when it is not ours)."""
    if given is not None:
        yield None, given
        return
    var = Path(tempfile.mkdtemp(prefix=f"{name}."))
    print(
        f"{name}: starting the stack in {var} (Rasa loads its model: a minute or two)", flush=True
    )
    process, urls = start_stack(var)
    try:
        yield process, urls
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def ports_of(urls: dict[str, str]) -> dict[str, str]:
    return {"service": urls.get("service_port", "")}


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {"cpu": cpu, "cores": str(os.cpu_count()), "python": platform.python_version()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40, help="per path and level")
    parser.add_argument("--concurrency", default="1,2,4,10,20,50")
    parser.add_argument(
        "--slices", type=int, default=4, help="alternating slices per level (app-rasa, rasa-app)"
    )
    parser.add_argument("--backend", help="a running backend (default: start the stack)")
    parser.add_argument("--rasa", default="http://127.0.0.1:5005", help="with --backend")
    parser.add_argument("--service", help="with --backend: the action server's backend")
    parser.add_argument("--database-url", help="the running backend's database")
    parser.add_argument("--profile-repeat", type=int, default=25, help="0: no profile")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "chat.json")
    args = parser.parse_args()
    levels = [int(n) for n in args.concurrency.split(",")]
    given = None
    if args.backend:
        given = {"backend": args.backend.rstrip("/"), "rasa": args.rasa.rstrip("/"),
                 "service": (args.service or args.backend).rstrip("/"),
                 "database": args.database_url or f"sqlite:///{ROOT / 'var' / 'app.db'}"}  # fmt: skip
    with stack(given, name="bench-chat") as (process, urls):
        # new households at every level: a conversation carried from level to level would grow
        # to thousands of turns in one session (docs/benchmarks.md: a session's cost grows
        # past its window), which no household writes and which would load later levels
        app_levels = [
            dict(make_households(urls["database"], f"bench-app{index}-{level}", level))
            for index, level in enumerate(levels)
        ]
        rasa_levels = [
            [h for h, _ in make_households(urls["database"], f"bench-rasa{index}-{level}", level)]
            for index, level in enumerate(levels)
        ]
        (_, profile_token), *_ = make_households(urls["database"], "bench-profile", 2)
        warm_app = make_households(urls["database"], "bench-warm", 2)
        for _, token in warm_app:  # warm both paths (model, caches, pools)
            app_turn(requests.Session(), urls["backend"], token, MESSAGES[0])
        rasa_turn(requests.Session(), urls["rasa"], "bench-warm-rasa", MESSAGES[0])
        profiled = []
        if args.profile_repeat:
            print("one turn, one household (medians, ms):")
            print(
                f"{'message':<34} {'app':>7} {'rasa':>7} {'app-rasa':>8} {'ours':>6} {'nlu':>6} "
                f"{'backend':>7}"
            )
            profiled = profile(urls, profile_token, "bench-profile-001", args.profile_repeat)
            for row in profiled:
                print(
                    f"{row['message']:<34} {row['app_ms']:>7} {row['rasa_ms']:>7} "
                    f"{row['app_ms'] - row['rasa_ms']:>8.1f} {row['backend_own_ms']:>6} "
                    f"{row['nlu_ms']:>6} "
                    f"{row['backend_call_ms']:>7}",
                    flush=True,
                )
            print("the app path's parts (medians, ms; `rasa` is Rasa's turn as the proxy sees it,")
            print("`http` the hop to the backend and the framework; paired: app − Rasa per pair):")
            print(
                f"{'message':<34} {'auth':>5} {'limit':>5} {'queue':>5} {'rasa':>7} {'after':>5} "
                f"{'http':>5} {'paired':>7}"
            )
            for row in profiled:
                print(
                    f"{row['message']:<34} {row['part_auth_ms']:>5} {row['part_limit_ms']:>5} "
                    f"{row['part_queue_ms']:>5} {row['part_rasa_ms']:>7} {row['part_after_ms']:>5} "
                    f"{row['part_http_ms']:>5} {row['app_minus_rasa_paired_ms']:>7}",
                    flush=True,
                )
        rows = []
        header = (
            f"{'conc':>4} | {'app t/s':>7} {'p50':>6} {'p95':>6} {'err':>4} {'503':>4} | "
            f"{'rasa t/s':>8} {'p50':>6} {'p95':>6} {'err':>4} | {'thr %':>5} {'p95 ×':>5} | load"
        )
        print(header)
        for index, level in enumerate(levels):
            tokens = app_levels[index]

            own: list[float] = []

            def via_app(session, household_id, text, tokens=tokens, own=own):
                return app_turn(session, urls["backend"], tokens[household_id], text, own)

            def via_rasa(session, sender, text):
                return rasa_turn(session, urls["rasa"], sender, text)

            # the two paths take turns in slices, app–rasa then rasa–app, so a drift in the
            # machine's load (another process, a cache filling) falls on both alike
            results = {"app": Result(), "rasa": Result()}
            cpu: dict[str, dict[str, float]] = {
                "app": defaultdict(float),
                "rasa": defaultdict(float),
            }
            runs = {"app": (via_app, list(tokens)), "rasa": (via_rasa, rasa_levels[index])}
            for part in range(args.slices):
                for path in ("app", "rasa") if part % 2 == 0 else ("rasa", "app"):
                    cpu_before = stack_cpu(process.pid, ports_of(urls)) if process else {}
                    turn, identities = runs[path]
                    results[path].add(run_level(turn, identities, args.seconds / args.slices))
                    if process is not None:
                        for name, used in stack_cpu(process.pid, ports_of(urls)).items():
                            cpu[path][name] += used - cpu_before.get(name, 0.0)
            app, rasa = results["app"].row(), results["rasa"].row()
            if process is not None:
                for path, row in (("app", app), ("rasa", rasa)):
                    row["cpu_ms_per_turn"] = cpu_per_turn({}, cpu[path], row["turns"])
            app["ours_p50_ms"] = round(quantile(own, 0.50), 1)
            app["ours_p95_ms"] = round(quantile(own, 0.95), 1)
            load = os.getloadavg()[0]
            ratio = app["turns_per_s"] / rasa["turns_per_s"] * 100 if rasa["turns_per_s"] else 0
            p95x = app["p95_ms"] / rasa["p95_ms"] if rasa["p95_ms"] else 0
            rows.append({"concurrency": level, "app": app, "rasa": rasa, "load1": round(load, 2),
                         "throughput_pct": round(ratio), "p95_ratio": round(p95x, 2)})  # fmt: skip
            print(
                f"{level:>4} | {app['turns_per_s']:>7} {app['p50_ms']:>6} {app['p95_ms']:>6} "
                f"{app['errors']:>4} {app['busy_503']:>4} | {rasa['turns_per_s']:>8} "
                f"{rasa['p50_ms']:>6} {rasa['p95_ms']:>6} {rasa['errors']:>4} | "
                f"{ratio:>5.0f} {p95x:>5.2f} | {load:.2f} | ours p50 {app['ours_p50_ms']} "
                f"p95 {app['ours_p95_ms']} ms",
                flush=True,
            )
            if app.get("cpu_ms_per_turn"):
                print(f"       cpu ms/turn app path {app['cpu_ms_per_turn']}", flush=True)
                print(f"       cpu ms/turn rasa path {rasa['cpu_ms_per_turn']}", flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "seconds": args.seconds,
                    "slices": args.slices,
                    "profile": profiled,
                    "rows": rows,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        print(f"bench-chat: written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
