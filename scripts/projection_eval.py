"""How good is the projected bill? `make projection-eval` (writes its section of ml/EVALUATION.md).

Simulated households (ml/simulate.py, two years, faults in half the homes), billing periods with
reading day 15 through the second year. At day 5, 10, 15, 20 and 25 of each period the projection
(ml/projection.py, as the backend runs it) sees the readings up to that day, the observed
temperatures up to it, a forecast for the next 14 days (the true temperature plus an error
growing with the lead time) and climate normals beyond. Bills are priced by the bill engine over
the real period (postpaid, one household). Compared with the 14-day run rate (what
GET /api/v1/me/usage used to say), the whole-period run rate (kWh so far ÷ days × period days)
and "same as last period". The projection twice: from the trained consumption model
(ml/consumption.py, retrained on the 2nd of every month on the readings before, as the monthly
retraining does; its households all have a year of history) and from the light per-household fit
alone (what a household the trained model does not cover gets). Alert precision: each household's budget is its previous bill × 1.1;
an alert is the first checkpoint where the projection says "likely over" (as the nightly job);
precise when the final bill really exceeded the budget.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.billing import estimate_bill  # noqa: E402
from ml.climate import normal_temps  # noqa: E402
from ml.consumption import ConsumptionModel  # noqa: E402
from ml.projection import TrainedDays, project, trained_days  # noqa: E402
from ml.simulate import simulate  # noqa: E402

START = date(2024, 1, 1)
DAYS = 730
CHECKPOINTS = (5, 10, 15, 20, 25)
HISTORY = 180
FORECAST_DAYS = 14
READING_DAY = 15
WINDOW = 60  # history days the trained model is asked about (level and autocorrelation)
PROJECTIONS = ("trained", "projection")
MARK_START = "<!-- projection-eval:start -->"
MARK_END = "<!-- projection-eval:end -->"


def periods() -> list[tuple[date, date]]:
    """Periods 16/m–15/m+1 whose start is in the second year."""
    out = []
    for month in range(1, 12):
        start = date(2025, month, READING_DAY + 1)
        end = date(2025, month + 1, READING_DAY)
        out.append((start, end))
    return out


def bill(kwh: float, start: date, end: date) -> int:
    return estimate_bill(max(round(kwh), 0), period_start=start, period_end=end).total


def kwh_within(amount: int, start: date, end: date) -> int:
    low, high = 0, 4000
    while low < high - 1:
        middle = (low + high) // 2
        if bill(middle, start, end) <= amount:
            low = middle
        else:
            high = middle
    return low


def evaluate(households: int, seed: int) -> dict:
    sim = simulate(households, start=START, days=DAYS, seed=seed)
    frame = sim.readings
    ids = sorted(frame["household_id"].unique())
    kwh = frame.pivot(index="household_id", columns="date", values="kwh").loc[ids].to_numpy()
    temp = frame.pivot(index="household_id", columns="date", values="avg_temp_c").loc[ids]
    temp = temp.to_numpy()
    province = frame.groupby("household_id")["province_code"].first().loc[ids].to_numpy()
    calendar = [START + timedelta(days=i) for i in range(DAYS)]
    weekend = np.array([d.weekday() >= 5 for d in calendar])
    doy = np.array([d.timetuple().tm_yday for d in calendar])
    normals = np.stack([normal_temps(np.full(DAYS, p), doy) for p in province])
    rng = np.random.default_rng(seed + 1000)
    n = len(ids)
    errors: dict[str, dict[int, list[float]]] = {
        m: {k: [] for k in CHECKPOINTS} for m in (*PROJECTIONS, *BASELINES)
    }
    inside: dict[str, dict[int, list[bool]]] = {
        m: {k: [] for k in CHECKPOINTS} for m in PROJECTIONS
    }
    alerts = dict.fromkeys(PROJECTIONS, 0)
    precise = dict.fromkeys(PROJECTIONS, 0)
    caught = dict.fromkeys(PROJECTIONS, 0)
    over_budget = 0
    previous_bill: np.ndarray | None = None
    timing = dict.fromkeys(PROJECTIONS, 0.0)
    attributes = sim.households.set_index("household_id").loc[ids].reset_index()
    for start, end in [(date(2024, 12, 16), date(2025, 1, 15)), *periods()]:
        a = (start - START).days
        length = (end - start).days + 1
        final_kwh = kwh[:, a : a + length].sum(axis=1)
        final = np.array([bill(v, start, end) for v in final_kwh])
        if previous_bill is None:
            previous_bill = final
            continue
        budget = np.round(previous_bill * 1.1).astype(int)
        limits = np.array([kwh_within(int(b), start, end) for b in budget])
        alerted = {m: np.zeros(n, dtype=bool) for m in PROJECTIONS}
        # the monthly retraining: on the 2nd, the readings up to the 1st
        retrained = date(start.year, start.month, 1)
        began = time.perf_counter()
        model = ConsumptionModel().fit(frame[frame["date"] <= retrained])
        timing["train"] = timing.get("train", 0.0) + time.perf_counter() - began
        for k in CHECKPOINTS:
            t = a + k - 1
            p_kwh = np.full((n, 31), np.nan)
            p_kwh[:, :k] = kwh[:, a : a + k]
            p_temp = np.zeros((n, 31))
            p_forecast = np.zeros((n, 31), dtype=bool)
            for j in range(length):
                day = a + j
                lead = day - t
                if lead <= 0:
                    p_temp[:, j] = temp[:, day]
                elif lead <= FORECAST_DAYS:
                    p_temp[:, j] = temp[:, day] + rng.normal(0, 0.5 + 0.1 * lead, n)
                    p_forecast[:, j] = True
                else:
                    p_temp[:, j] = normals[:, day]
            p_weekend = np.zeros((n, 31), dtype=bool)
            p_weekend[:, :length] = weekend[a : a + length]
            valid = np.zeros((n, 31), dtype=bool)
            valid[:, :length] = True
            inputs = {
                "history_kwh": kwh[:, t - HISTORY + 1 : t + 1],
                "history_temp": temp[:, t - HISTORY + 1 : t + 1],
                "history_weekend": np.broadcast_to(weekend[t - HISTORY + 1 : t + 1], (n, HISTORY)),
                "period_kwh": p_kwh,
                "period_temp": p_temp,
                "period_weekend": p_weekend,
                "period_valid": valid,
                "period_forecast": p_forecast,
            }
            began = time.perf_counter()
            results = {"projection": project(**inputs)}
            timing["projection"] += time.perf_counter() - began
            began = time.perf_counter()
            # the trained model on the last WINDOW days and the period's days, at the
            # temperatures the projection sees (observed, forecast, normals)
            w0 = t - WINDOW + 1
            seen = trained_days(
                model,
                household_ids=ids,
                attributes=attributes,
                first=START + timedelta(days=w0),
                temp=np.concatenate([temp[:, w0:a], p_temp[:, :length]], axis=1),
            )
            history_trained = np.full((n, HISTORY), np.nan)
            history_trained[:, -WINDOW:] = seen.expected[:, :WINDOW]
            pad = np.full((n, 31 - length), np.nan)
            in_period = seen.days(slice(a - w0, a - w0 + length))
            period_trained = TrainedDays(
                *(np.concatenate([v, pad], axis=1) for v in vars(in_period).values())
            )
            results["trained"] = project(
                **inputs, history_trained=history_trained, period_trained=period_trained
            )
            timing["trained"] += time.perf_counter() - began
            so_far = kwh[:, a : a + k].sum(axis=1)
            recent = kwh[:, t - 13 : t + 1].mean(axis=1)
            methods = {
                **{m: results[m].expected for m in PROJECTIONS},
                "run_rate_14d": so_far + recent * (length - k),
                "period_run_rate": so_far / k * length,
            }
            for name, values in methods.items():
                bills = np.array([bill(v, start, end) for v in values])
                errors[name][k].extend(np.abs(bills - final) / final * 100)
            errors["last_period"][k].extend(np.abs(previous_bill - final) / final * 100)
            for m in PROJECTIONS:
                result = results[m]
                low = np.array([bill(v, start, end) for v in result.low])
                high = np.array([bill(v, start, end) for v in result.high])
                inside[m][k].extend((low <= final) & (final <= high))
                likely = (result.low + result.expected) / 2 > limits
                new = likely & ~alerted[m]
                alerts[m] += int(new.sum())
                precise[m] += int((new & (final > budget)).sum())
                alerted[m] |= likely
        over = final > budget
        over_budget += int(over.sum())
        for m in PROJECTIONS:
            caught[m] += int((over & alerted[m]).sum())
        previous_bill = final
    return {
        "errors": {m: {k: float(np.median(v)) for k, v in by.items()} for m, by in errors.items()},
        "coverage": {m: {k: float(np.mean(v)) for k, v in by.items()} for m, by in inside.items()},
        "alerts": alerts,
        "precise": precise,
        "caught": caught,
        "over_budget": over_budget,
        "household_periods": n * len(periods()),
        "seconds": timing,
    }


BASELINES = ("run_rate_14d", "period_run_rate", "last_period")
LABELS = {
    "trained": "projection, trained consumption model (forecast → normals)",
    "projection": "projection, light per-household fit (cold start)",
    "run_rate_14d": "14-day run rate (the old figure)",
    "period_run_rate": "whole-period run rate",
    "last_period": "same as last period",
}


SHORT = {"trained": "trained model", "projection": "light fit"}


def report(results: dict[int, dict], households: int) -> str:
    seeds = sorted(results)
    head = "| method | " + " | ".join(f"day {k}" for k in CHECKPOINTS) + " |"
    lines = [head, "|---|" + "---|" * len(CHECKPOINTS)]
    for method, label in LABELS.items():
        cells = []
        for k in CHECKPOINTS:
            values = [results[s]["errors"][method][k] for s in seeds]
            cells.append(f"{np.mean(values):.1f}%")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for method in PROJECTIONS:
        cover = [
            f"{np.mean([results[s]['coverage'][method][k] for s in seeds]) * 100:.0f}%"
            for k in CHECKPOINTS
        ]
        lines.append(
            f"| final bill inside the 80% range: {SHORT[method]} | " + " | ".join(cover) + " |"
        )
    over = sum(results[s]["over_budget"] for s in seeds)
    periods_n = sum(results[s]["household_periods"] for s in seeds)
    alert_lines = []
    for method in PROJECTIONS:
        alerts = sum(results[s]["alerts"][method] for s in seeds)
        precise = sum(results[s]["precise"][method] for s in seeds)
        caught = sum(results[s]["caught"][method] for s in seeds)
        alert_lines.append(
            f"- {SHORT[method]}: {alerts} alerts, precision {precise / max(alerts, 1) * 100:.1f}% "
            f"(final bill really over the budget), {caught / max(over, 1) * 100:.1f}% of the "
            f"{over} periods that went over were alerted by day 25"
        )
    seconds = {m: sum(results[s]["seconds"][m] for s in seeds) for m in (*PROJECTIONS, "train")}
    return (
        f"{MARK_START}\n## Projected bill\n\n"
        f"Command: `make projection-eval` (= `.venv/bin/python scripts/projection_eval.py --write "
        f"ml/EVALUATION.md`), written by the run itself on {date.today().isoformat()}: "
        f"{households} simulated households per seed (seeds {', '.join(map(str, seeds))}), 11 "
        "billing periods each (reading day 15, periods starting in 2025), bills priced by the bill "
        "engine. Median absolute error of the final bill, by day of the period (mean over seeds); "
        "a forecast for 14 days (true temperature + error growing with lead), climate normals "
        "beyond. `RANGE_SCALE` and `TRAINED_RANGE_SCALE` were set on seed 101, which is not reported.\n\n"
        + "\n".join(lines)
        + "\n\n"
        f'Budget alerts (budget = previous bill × 1.1, the first "likely over" checkpoint of a '
        f"period) over {periods_n} household-periods:\n" + "\n".join(alert_lines) + "\n\n"
        f"Time: the light fit {seconds['projection']:.1f} s, the trained model's expectation "
        f"and projection {seconds['trained']:.1f} s, the monthly retrainings "
        f"{seconds['train']:.0f} s (all seeds, all checkpoints).\n"
        f"{MARK_END}\n"
    )


def write(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(MARK_START) + ".*?" + re.escape(MARK_END) + "\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--write", help="replace the projection section of this Markdown file")
    args = parser.parse_args()
    results = {}
    for seed in (int(s) for s in args.seeds.split(",")):
        began = time.perf_counter()
        results[seed] = evaluate(args.households, seed)
        r = results[seed]
        print(
            f"seed {seed}: {time.perf_counter() - began:.0f} s; "
            f"errors {r['errors']}; coverage {r['coverage']}; alerts {r['alerts']} "
            f"precise {r['precise']} caught {r['caught']} of {r['over_budget']}",
            flush=True,
        )
    section = report(results, args.households)
    print(section)
    if args.write:
        write(Path(args.write), section)
        print(f"→ {args.write}")


if __name__ == "__main__":
    main()
