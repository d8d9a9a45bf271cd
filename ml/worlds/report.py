"""`python -m ml worlds`: print (and optionally write into ml/EVALUATION.md) the held-out figures."""

from __future__ import annotations

import platform
import subprocess
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from ml.targets import HELD_OUT_HEADING, HELD_OUT_SECTION, STATED, span
from ml.worlds.heldout import FAMILIES, MONTHS, Family, Score, run_world
from ml.worlds.samples import sample_fits

HEADING = HELD_OUT_HEADING
Row = tuple[str, int, str, str, Score]  # family, seed, method, households, score


def _one(task: tuple[Family, int, int, int, bool]) -> list[Row]:
    family, seed, households, caltrack_households, short = task
    out = run_world(
        family,
        seed=seed,
        households=households,
        caltrack_households=caltrack_households,
        short=short,
    )
    print(f"… {family.name} seed {seed} done", flush=True)
    return [(family.name, seed, method, scored_on, s) for method, scored_on, s in out]


def evaluate(
    *,
    seeds: tuple[int, ...],
    households: int,
    caltrack_households: int,
    jobs: int = 1,
    families: tuple[str, ...] | None = None,
    short: bool = True,
) -> list[Row]:
    """Every family (or those named in `families`) × seed; `jobs` > 1 runs world-seeds in that
    many processes; `short`: also the 60-day-history model retrained monthly."""
    chosen = [f for f in FAMILIES if families is None or f.name in families]
    tasks = [(f, seed, households, caltrack_households, short) for f in chosen for seed in seeds]
    if jobs <= 1:
        return [row for task in tasks for row in _one(task)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [row for rows in pool.map(_one, tasks) for row in rows]


def _kinds(s: Score) -> str:
    return " / ".join("{}/{}".format(*s.found_by_kind[k]) for k in s.found_by_kind)


def table(rows: list[Row]) -> str:
    roles = {f.name: f.role for f in FAMILIES}
    lines = [
        "| family | seed | households | method | recall ≤14 d | alerted ≤14 d | median delay (d) "
        "| false alerts / hh-year | lasting rises' alerts | heat-wave | cold-spell "
        "| found ≤14 d: heater / AC / shift / leak |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for family, seed, method, scored_on, s in rows:
        lines.append(
            f"| {family} ({roles[family].split(' (')[0]}) | {seed} | {scored_on} "
            f"({s.household_years:.0f}) | {method} | {s.recall:.3f} | {s.alert_recall:.3f} | "
            f"{s.median_delay:.1f} | {s.false_alerts:.3f} | {s.change_alert_rate:.3f} | "
            f"{s.heat_wave:.3f} | {s.cold_spell:.3f} | {_kinds(s)} |"
        )
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    """Per family and method (on the households it was scored on): the range over seeds."""
    lines = []
    keys = dict.fromkeys((f, m, h) for f, _, m, h, _ in rows)
    for family, method, scored_on in keys:
        ss = [s for f, _, m, h, s in rows if (f, m, h) == (family, method, scored_on)]
        lines.append(
            f"- {family}, {method} ({scored_on}): recall {span([s.recall for s in ss])} "
            f"(alerted {span([s.alert_recall for s in ss])}), "
            f"median delay {span([s.median_delay for s in ss])}, false alerts "
            f"{span([s.false_alerts for s in ss])} (and {span([s.change_alert_rate for s in ss])} "
            f"owed to lasting rises), heat-wave {span([s.heat_wave for s in ss])}, "
            f"cold-spell {span([s.cold_spell for s in ss])} per household-year"
        )
    return "\n".join(lines)


def _count(items: list[str], order: list[str] | None = None) -> str:
    counts = Counter(items)
    keys = order if order else [k for k, _ in counts.most_common()]
    return ", ".join(f"{k} {counts[k]}" for k in keys if counts[k]) or "none"


def breakdown(rows: list[Row]) -> str:
    """Misses and false alerts by month, region and kind, pooled over seeds (all households)."""
    lines = []
    keys = dict.fromkeys((f, m) for f, _, m, h, _ in rows if h == "all")
    for family, method in keys:
        ss = [s for f, _, m, h, s in rows if (f, m) == (family, method) and h == "all"]
        misses = [x for s in ss for x in s.misses]
        alarms = [x for s in ss for x in s.alarms]
        owed = [x for s in ss for x in s.change_alerts]
        lines += [
            f"- **{family}, {method}** — {len(misses)} missed of {sum(s.faults for s in ss)} "
            f"faults; {len(alarms)} false alerts in {sum(s.household_years for s in ss):.0f} "
            f"household-years, besides {len(owed)} first alerts on lasting rises in use "
            f"({_count([k for k, _, _ in owed])})",
            f"  - misses by kind: {_count([k for k, _, _ in misses])}; by onset month: "
            f"{_count([MONTHS[m - 1] for _, m, _ in misses], MONTHS)}; by region: "
            f"{_count([r for _, _, r in misses])}",
            f"  - false alerts by what happened: {_count([k for k, _, _ in alarms])}; by month: "
            f"{_count([MONTHS[m - 1] for _, m, _ in alarms], MONTHS)}; by region: "
            f"{_count([r for _, _, r in alarms])}",
        ]
    return "\n".join(lines)


def section(
    rows: list[Row], *, seeds: tuple[int, ...], households: int, caltrack: int, samples: bool = True
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {platform.system()} {platform.release()}"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    fits = sample_fits() if samples else "(eemeter samples: skipped with --quick)"
    return (
        f"{HEADING}\n\n"
        f"Command: `make ml-eval` (= `.venv/bin/python -m ml worlds`), written by the run itself on "
        f"{now} ({machine}, 2 cores shared with other jobs) at commit {commit or 'unknown'}. "
        "Families: "
        + "; ".join(f"**{f.name}** — {f.role}" for f in FAMILIES)
        + f". Seeds {', '.join(map(str, seeds))}; {households} households per family and seed; "
        "each trained on 2024 and scored on 2025 (the 60-day rows: the last 60 days of 2024, "
        "retrained every 30 days as the product does). The worlds were committed before any model "
        "was scored on them (ml/worlds/). CalTRACK + CUSUM (eemeter 4.1.1's CalTRACK daily model, "
        "legacy = CalTRACK 2.0 settings, one per household, fitted on 2024; upper CUSUM k = 0.5, "
        f"h = 5 on residuals over their 2024 spread, textbook values, tuned on nothing) costs "
        f"seconds per household, so it runs on the first {caltrack} households of each world; the "
        "model and the 30% rule are shown on the same households beside it. The 30% rule alerts on "
        'bill day. "Alerted" counts a fault only if an alert starts within 14 days of its onset: '
        "a fault that begins while an earlier episode is open is flagged but sends the household "
        "nothing new (backend/services/anomalies.py opens one episode per run of flags). "
        "A lasting rise in normal use (a new air conditioner, a baby: not a fault) is owed "
        'one alert (issue 21: "one alert, then it learns the new normal"): a household\'s first '
        "alert outside faults within a year of such a change is counted in its own column "
        "(lasting rises' alerts), not as false; every later one is false. "
        f"Targets of issue 21: {STATED}.\n\n"
        f"{table(rows)}\n\nRange over seeds:\n\n{summary(rows)}\n\n"
        f"Misses and false alerts by month, region and kind (seeds pooled):\n\n{breakdown(rows)}\n\n"
        f"{fits}\n"
    )


def write_section(path: Path, text: str) -> None:
    """Replace the held-out section of the report (or append it), leaving the rest as it is."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = (
        HELD_OUT_SECTION.sub(lambda _: text + "\n", old)
        if HELD_OUT_SECTION.search(old)
        else old.rstrip() + "\n\n" + text
    )
    path.write_text(new, encoding="utf-8")
