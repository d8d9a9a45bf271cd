"""Households that tell "đã sửa xong" (issue 21): what the repair answer changes, family by family.

A household alerted for a fault (a water heater stuck on) that puts it right can say so (the
app's button, the bot's `report_repair`); the detector then restarts its evidence from that day
(`UnusualUsageModel.score_frame(repaired=...)`). Here every household alerted while its fault
lasted tells its repair `lag` days after the fault's last day, and the year is scored once with
and once without the answers (one fit on the history year, as the worlds' first row). Measured,
not tuned: nothing here sets a parameter.

`python -m ml repairs` prints the table; ml/EVALUATION.md holds the figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ml.worlds.answers import Revealed, revealed, scored_flags, tail_days, told_repairs
from ml.worlds.heldout import FAMILIES, Family, history_fit, score


@dataclass(frozen=True)
class RepairRow:
    """One family's households over its seeds, nobody telling → every alerted repair told."""

    family: str
    lag: int
    household_years: int
    told: int  # repairs told
    tail_days: tuple[int, int]  # flagged days in the 60 days after the told faults' last days
    alerted: tuple[int, int]  # faults alerted within 14 days of onset, of `faults`
    faults: int
    false_alerts: tuple[int, int]
    after_fault: tuple[int, int]  # false alerts starting after a fault of the household ended
    added: Revealed  # alerts the answers add after them


def _after_fault(alarms: list[tuple[str, int, str]]) -> int:
    return sum(context == "after_fault" for context, _, _ in alarms)


def repair_row(family: Family, *, seed: int, households: int, lag: int) -> RepairRow:
    world = family.make(households=households, seed=seed)
    ids = set(world.households["household_id"])
    model, test = history_fit(world)
    silent = scored_flags(model, test)
    faults = world.faults[world.faults["household_id"].isin(ids)]
    repairs = told_repairs(faults, silent, lag=lag, last_day=max(test["date"]))
    told = scored_flags(model, test, repaired=repairs.days)
    before, after = score(silent, world, ids), score(told, world, ids)
    return RepairRow(
        family=family.name,
        lag=lag,
        household_years=len(ids),
        told=len(repairs.faults),
        tail_days=(tail_days(silent, repairs.faults), tail_days(told, repairs.faults)),
        alerted=(
            round(before.alert_recall * before.faults),
            round(after.alert_recall * after.faults),
        ),
        faults=before.faults,
        false_alerts=(len(before.alarms), len(after.alarms)),
        after_fault=(_after_fault(before.alarms), _after_fault(after.alarms)),
        added=revealed(silent, told, told=repairs.days, faults=faults),
    )


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


def evaluate(
    *, seeds: Iterable[int], households: int, lag: int, families: Iterable[str] | None = None
) -> list[RepairRow]:
    """One row per family, summed over `seeds`."""
    wanted = set(families) if families else {f.name for f in FAMILIES}
    rows = []
    for family in (f for f in FAMILIES if f.name in wanted):
        total: RepairRow | None = None
        for seed in seeds:
            row = repair_row(family, seed=seed, households=households, lag=lag)
            total = (
                row
                if total is None
                else RepairRow(
                    family=row.family,
                    lag=lag,
                    household_years=total.household_years + row.household_years,
                    told=total.told + row.told,
                    tail_days=_add(total.tail_days, row.tail_days),
                    alerted=_add(total.alerted, row.alerted),
                    faults=total.faults + row.faults,
                    false_alerts=_add(total.false_alerts, row.false_alerts),
                    after_fault=_add(total.after_fault, row.after_fault),
                    added=total.added + row.added,
                )
            )
        if total is not None:
            rows.append(total)
    return rows


def table(rows: list[RepairRow]) -> str:
    """Markdown: nobody tells → households tell every alerted repair."""
    lines = [
        "| family | repairs told (+days) | flagged days in the 60 after the fault | faults alerted "
        "≤ 14 d | false alerts | of them after a fault | alerts added after an answer | of them "
        "during a fault | on days flagged anyway | median days after the answer | "
        "household-years |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.family} | {r.told} (+{r.lag}) | {r.tail_days[0]} → {r.tail_days[1]} | "
            f"{r.alerted[0]} → {r.alerted[1]} of {r.faults} | {r.false_alerts[0]} → "
            f"{r.false_alerts[1]} | {r.after_fault[0]} → {r.after_fault[1]} | {r.added.cells()} | "
            f"{r.household_years} |"
        )
    return "\n".join(lines)
