"""python -m ml {train,score,simulate,evaluate} — see ../shared/CONTRACTS.md for the CSV formats."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ml.api import load_model, save_model
from ml.card import write_card
from ml.evaluate import evaluate_all
from ml.model import UnusualUsageModel
from ml.report import table, write_report
from ml.simulate import simulate
from ml.worlds import confirmations, first_ac, matched, repairs
from ml.worlds.heldout import FAMILIES
from ml.worlds.report import evaluate as evaluate_worlds
from ml.worlds.report import section as worlds_section
from ml.worlds.report import write_section as write_worlds_section

REQUIRED = ["household_id", "date", "kwh", "avg_temp_c"]


class InputError(Exception):
    pass


def read_readings(path: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype={"household_id": str}, keep_default_na=True)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read CSV ({exc})") from exc
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    if frame.empty:
        raise InputError(f"{path}: no rows")

    def bad(mask: pd.Series, column: str, why: str) -> None:
        if mask.any():
            line = int(np.flatnonzero(mask.to_numpy())[0]) + 2  # header is line 1
            raise InputError(f"{path}: line {line}: column {column} {why}")

    bad(
        frame["household_id"].isna() | (frame["household_id"].str.strip() == ""),
        "household_id",
        "is empty",
    )
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    bad(dates.isna(), "date", "is not a YYYY-MM-DD date")
    kwh = pd.to_numeric(frame["kwh"], errors="coerce")
    bad(kwh.isna(), "kwh", "is not a number")
    bad(kwh < 0, "kwh", "is negative")
    temps = pd.to_numeric(frame["avg_temp_c"], errors="coerce")
    bad(temps.isna() & frame["avg_temp_c"].notna(), "avg_temp_c", "is not a number")
    bad((temps < -20) | (temps > 50), "avg_temp_c", "is outside -20…50 °C")
    duplicated = frame.duplicated(["household_id", "date"])
    bad(duplicated, "date", "repeats a household-day")
    return frame.assign(date=dates.dt.date, kwh=kwh, avg_temp_c=temps)


def cmd_train(args: argparse.Namespace) -> None:
    frame = read_readings(args.readings)
    model = UnusualUsageModel().fit(frame)
    save_model(model, args.model)
    write_card(model, Path(args.model).with_suffix(".md"), frame)
    households = frame["household_id"].nunique()
    print(f"trained on {len(frame)} readings of {households} households → {args.model}")


def cmd_score(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    frame = read_readings(args.readings)
    scored = model.score_frame(frame.reset_index(drop=True))
    out = pd.DataFrame(
        {
            "household_id": frame["household_id"].to_numpy(),
            "date": [d.isoformat() for d in frame["date"]],
            "expected_kwh": scored["expected_kwh"].round(3).to_numpy(),
            "score": scored["score"].round(3).to_numpy(),
            "is_anomaly": np.where(scored["is_anomaly"].to_numpy(dtype=bool), "true", "false"),
        }
    )
    out.to_csv(args.out, index=False)
    print(f"scored {len(out)} rows, {int(scored['is_anomaly'].sum())} flagged → {args.out}")


def cmd_simulate(args: argparse.Namespace) -> None:
    sim = simulate(
        args.households,
        start=date.fromisoformat(args.start),
        days=args.days,
        fault_share=args.fault_share,
        fault_from_day=args.days // 2,
        seed=args.seed,
    )
    sim.readings.to_csv(args.out, index=False)
    print(f"simulated {len(sim.readings)} readings of {args.households} households → {args.out}")


def cmd_evaluate(args: argparse.Namespace) -> None:
    results = evaluate_all(tuple(args.seeds), args.households)
    print(table(results))
    if args.write:
        write_report(results, args.households, Path(args.write))
        print(f"→ {args.write}")


def cmd_worlds(args: argparse.Namespace) -> None:
    if args.quick:
        args.seeds, args.households, args.caltrack_households = [1], 24, 3
    rows = evaluate_worlds(
        seeds=tuple(args.seeds),
        households=args.households,
        caltrack_households=args.caltrack_households,
        jobs=args.jobs,
        families=tuple(args.families) if args.families else None,
        short=not args.no_short,
    )
    text = worlds_section(
        rows,
        seeds=tuple(args.seeds),
        households=args.households,
        caltrack=args.caltrack_households,
        samples=not args.quick and not args.families,
    )
    print(text)
    if args.write:
        write_worlds_section(Path(args.write), text)
        print(f"→ {args.write}")


def cmd_caltrack_matched(args: argparse.Namespace) -> None:
    out = Path(args.json) if args.json else None
    if args.table_only:
        if out is None:
            raise InputError("--table-only needs --json (the rows of an earlier run)")
        rows = matched.read_rows(out)
    else:
        rows = matched.evaluate(
            seeds=args.seeds,
            households=args.households,
            sample=args.sample,
            families=args.families,
            peer=args.peer,
            k=args.k,
            out=out,
        )
    print(matched.table(rows))


def cmd_repairs(args: argparse.Namespace) -> None:
    rows = repairs.evaluate(
        seeds=args.seeds, households=args.households, lag=args.lag, families=args.families
    )
    print(repairs.table(rows))


def cmd_confirmations(args: argparse.Namespace) -> None:
    rows = confirmations.evaluate(
        seeds=args.seeds, households=args.households, families=args.families
    )
    print(confirmations.table(rows))


def cmd_first_ac(args: argparse.Namespace) -> None:
    print(first_ac.table(first_ac.evaluate(seeds=args.seeds, households=args.households)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train the consumption model from daily readings")
    train.add_argument("--readings", required=True)
    train.add_argument("--model", required=True)
    train.set_defaults(run=cmd_train)
    score = sub.add_parser("score", help="flag unusual consumption")
    score.add_argument("--model", required=True)
    score.add_argument("--readings", required=True)
    score.add_argument("--out", required=True)
    score.set_defaults(run=cmd_score)
    sim = sub.add_parser("simulate", help="write simulated readings (input format + attributes)")
    sim.add_argument("--out", required=True)
    sim.add_argument("--households", type=int, default=200)
    sim.add_argument("--days", type=int, default=365)
    sim.add_argument("--start", default="2025-01-01")
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--fault-share", type=float, default=0.0, help="share of homes with a fault")
    sim.set_defaults(run=cmd_simulate)
    evaluate = sub.add_parser("evaluate", help="model vs the 30%% rule on simulated households")
    evaluate.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    evaluate.add_argument("--households", type=int, default=300)
    evaluate.add_argument("--write", help="also write the report (Markdown) to this file")
    evaluate.set_defaults(run=cmd_evaluate)
    worlds = sub.add_parser(
        "worlds", help="every simulator family (tuning + held out): model, CalTRACK, 30%% rule"
    )
    worlds.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    worlds.add_argument("--households", type=int, default=300)
    worlds.add_argument("--caltrack-households", type=int, default=30)
    worlds.add_argument("--jobs", type=int, default=1, help="processes (world-seeds in parallel)")
    worlds.add_argument("--quick", action="store_true", help="1 seed, 24 households (tests)")
    worlds.add_argument(
        "--families",
        nargs="+",
        choices=[f.name for f in FAMILIES],
        help="only these simulator families (default: all; without eemeter's sample fits)",
    )
    worlds.add_argument(
        "--no-short",
        action="store_true",
        help="skip the rows retrained monthly (24 retrainings per world: the slowest part)",
    )
    worlds.add_argument("--write", help="also write the section into this report (Markdown)")
    worlds.set_defaults(run=cmd_worlds)
    peer = sub.add_parser(
        "caltrack-matched",
        help="a peer + CUSUM with h matched to the model's false alerts, on the same households",
    )
    peer.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    peer.add_argument("--households", type=int, default=300, help="households per world")
    peer.add_argument("--sample", type=int, default=50, help="of them scored (CalTRACK fits)")
    peer.add_argument("--families", nargs="+", choices=[f.name for f in FAMILIES])
    peer.add_argument("--json", help="append each world's result to this file (JSON lines)")
    peer.add_argument("--table-only", action="store_true", help="print the table of --json")
    peer.add_argument(
        "--peer",
        choices=matched.PEERS,
        default="caltrack",
        help="CalTRACK's daily model, or a "
        "per-household degree-day regression on log kWh (ml/worlds/logdd.py)",
    )
    peer.add_argument("--k", type=float, default=0.5, help="the peer's CUSUM allowance")
    peer.set_defaults(run=cmd_caltrack_matched)
    told = sub.add_parser(
        "repairs", help='households tell "đã sửa xong": the flag\'s tail and the alerts after'
    )
    told.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    told.add_argument("--households", type=int, default=300)
    told.add_argument("--lag", type=int, default=1, help="days after the fault's last day")
    told.add_argument("--families", nargs="+", choices=[f.name for f in FAMILIES])
    told.set_defaults(run=cmd_repairs)
    confirm = sub.add_parser(
        "confirmations",
        help="households confirm every lasting change: the flags it ends and the alerts after",
    )
    confirm.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    confirm.add_argument("--households", type=int, default=300)
    confirm.add_argument("--families", nargs="+", choices=[f.name for f in FAMILIES])
    confirm.set_defaults(run=cmd_confirmations)
    first = sub.add_parser(
        "first-ac",
        help="tuning scenario: a first air conditioner confirmed in spring, by model variant",
    )
    first.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    first.add_argument("--households", type=int, default=300)
    first.set_defaults(run=cmd_first_ac)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
