"""Lighthouse on the household's page (`/`, home screen) in Debian's Chromium, mobile form factor.

    .venv/bin/python benchmarks/bench_lighthouse.py        (what `make bench-lighthouse` does)

A fresh SQLite database in a temp folder is migrated and loaded with the demo households
(`flask seed-demo`), gunicorn (1 worker) serves it on loopback, and Lighthouse (npm package,
installed by the make target under .tools/node/, never in the repository) drives Debian's
Chromium, started headless by this script (the role of CHROME_PATH: --chrome). The home screen needs no Rasa. Prints the scores of
performance, accessibility and best practices, the lab metrics, and every audit that did not
pass. Not part of `make test`: npm is not in CI's path.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes import free_port

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / ".tools" / "node" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
METRICS = (
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
)
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-sync"


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the backend exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the backend did not answer {url} within {seconds:.0f} s")


def failing_audits(report: dict) -> list[str]:
    """Audits of the three categories that did not pass, worst first, with what they name."""
    lines = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            score = audit.get("score")
            if audit.get("scoreDisplayMode") in {"notApplicable", "manual", "informative"}:
                continue
            if score is None or score >= 0.9:
                continue
            shown = audit.get("displayValue") or ""
            items = (audit.get("details") or {}).get("items")
            named = []
            for item in items[:4] if isinstance(items, list) else []:
                if not isinstance(item, dict):
                    continue
                node = item.get("node") or {}
                named.append(
                    item.get("url") or node.get("selector") or node.get("snippet") or str(item)[:80]
                )
            lines.append(
                f"  {category}: {ref['id']} score {score:.2f} {shown}".rstrip()
                + "".join(f"\n      {name}" for name in named)
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chrome", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--json", type=Path, help="also keep Lighthouse's full JSON report here")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print(f"{LIGHTHOUSE} is missing: `make bench-lighthouse` installs it", file=sys.stderr)
        return 2
    if not Path(args.chrome).exists():
        print(f"Chromium not found at {args.chrome} (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as folder:
        env = dict(
            os.environ,
            VAR_DIR=folder,
            DATABASE_URL=f"sqlite:///{folder}/app.db",
            RASA_URL="http://127.0.0.1:9",
            ACTION_SERVER_URL="http://127.0.0.1:9",
        )
        flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "backend"]
        for command in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--threads=4",
                "--log-level=warning",
                "backend.app:create_app()",
            ],
            cwd=ROOT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}/"
        out = Path(folder) / "lighthouse.json"
        try:
            wait_until_up(url, server)
            # Chromium is started here, not by Lighthouse's launcher, whose 25 s wait for the
            # DevTools port is too short for this machine under load
            debug_port = free_port()
            chrome = subprocess.Popen(
                [
                    args.chrome,
                    *CHROME_FLAGS.split(),
                    f"--remote-debugging-port={debug_port}",
                    f"--user-data-dir={folder}/chrome",
                    "about:blank",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_until_up(f"http://127.0.0.1:{debug_port}/json/version", chrome)
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                began = time.monotonic()
                done = subprocess.run(
                    [
                        str(LIGHTHOUSE),
                        url,
                        "--quiet",
                        f"--port={debug_port}",
                        "--form-factor=mobile",
                        f"--only-categories={','.join(CATEGORIES)}",
                        "--output=json",
                        f"--output-path={out}",
                    ],
                    cwd=ROOT,
                    env=dict(env, CHROME_PATH=args.chrome),
                    capture_output=True,
                    text=True,
                )
            finally:
                chrome.terminate()
                chrome.wait(timeout=30)
            seconds = time.monotonic() - began
        finally:
            server.terminate()
            server.wait(timeout=30)
        if done.returncode or not out.exists():
            print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
            return done.returncode or 1
        report = json.loads(out.read_text())
        if args.json:
            args.json.write_text(out.read_text())
    version = subprocess.run([args.chrome, "--version"], capture_output=True, text=True)
    print(
        f"lighthouse {report['lighthouseVersion']} on {version.stdout.strip()}, "
        f"{report['configSettings']['formFactor']} form factor, "
        f"{report['configSettings']['throttlingMethod']} throttling; "
        f"GET / (home) in {seconds:.0f} s, load average {load} when it started"
    )
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        print(f"{category:>15}: {round(100 * score) if score is not None else '?'}")
    for metric in METRICS:
        audit = report["audits"][metric]
        print(f"{audit['title']:>25}: {audit.get('displayValue', '?')}")
    failing = failing_audits(report)
    print("audits below 0.9:" if failing else "audits below 0.9: none")
    for line in failing:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
