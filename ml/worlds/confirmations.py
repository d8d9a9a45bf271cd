"""Households that confirm a lasting change (issue 21): what the answer costs, family by family.

The usage alert asks whether the household's use changed for good (a new air conditioner, a
baby); a "yes" re-baselines the detector from that day (`score_frame(confirmed_changes=...)`).
In the worlds' tables, confirming every lasting change adds false alerts on some families. Here
each family's year is scored without answers and with every lasting change confirmed on its
first alert (`answer_changes`, share 1), the households saying what changed or not (an air
conditioner is learnt on its peers' cooling, another change on the home's own weather part), and
the alerts the answers add are traced: how long
after the answer they start, and whether the run without answers had the household flagged on
that day anyway (its episode for the change still open: without an answer a lasting rise stays
flagged for months, and everything else that happens meanwhile raises nothing new). One fit on
the history year, as the worlds' first row. Measured, not tuned: nothing here sets a parameter.

`python -m ml confirmations` prints the table; ml/EVALUATION.md holds the figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ml.worlds.answers import (
    Revealed,
    answer_changes,
    change_cost,
    lasting_changes,
    revealed,
    scored_flags,
)
from ml.worlds.heldout import FAMILIES, TEST_DAY, Family, history_fit, score


@dataclass(frozen=True)
class ChangeRow:
    """One family's households over its seeds, nobody answering → every lasting change confirmed."""

    family: str
    household_years: int
    changes: int  # lasting changes of the scored year
    confirmed: int  # of them confirmed (those that raised an alert)
    flagged_days: tuple[int, int]  # days flagged from each change's onset to the year's end
    # no answers, confirmed without saying what changed, confirmed saying it
    false_alerts: tuple[int, int, int]
    added: Revealed  # alerts the answers (saying what changed) add after them


def change_row(family: Family, *, seed: int, households: int) -> ChangeRow:
    world = family.make(households=households, seed=seed)
    ids = set(world.households["household_id"])
    model, test = history_fit(world)
    changes = lasting_changes(world.changes, first_day=TEST_DAY)
    silent = scored_flags(model, test)
    _, unsaid = answer_changes(
        model, test, changes=changes, share=1.0, seed=seed, silent=silent, say_what=False
    )
    answers, told = answer_changes(
        model, test, changes=changes, share=1.0, seed=seed, silent=silent
    )
    n = len(changes)
    return ChangeRow(
        family=family.name,
        household_years=len(ids),
        changes=n,
        confirmed=sum(len(days) for days in answers.dates.values()),
        flagged_days=(
            round(change_cost(silent, changes).flagged_days * n),
            round(change_cost(told, changes).flagged_days * n),
        ),
        false_alerts=(
            len(score(silent, world, ids).alarms),
            len(score(unsaid, world, ids).alarms),
            len(score(told, world, ids).alarms),
        ),
        added=revealed(silent, told, told=answers.dates, faults=world.faults),
    )


def evaluate(
    *, seeds: Iterable[int], households: int, families: Iterable[str] | None = None
) -> list[ChangeRow]:
    """One row per family, summed over `seeds`."""
    wanted = set(families) if families else {f.name for f in FAMILIES}
    rows = []
    for family in (f for f in FAMILIES if f.name in wanted):
        seeded = [change_row(family, seed=s, households=households) for s in seeds]
        if not seeded:
            continue
        rows.append(
            ChangeRow(
                family=family.name,
                household_years=sum(r.household_years for r in seeded),
                changes=sum(r.changes for r in seeded),
                confirmed=sum(r.confirmed for r in seeded),
                flagged_days=(
                    sum(r.flagged_days[0] for r in seeded),
                    sum(r.flagged_days[1] for r in seeded),
                ),
                false_alerts=(
                    sum(r.false_alerts[0] for r in seeded),
                    sum(r.false_alerts[1] for r in seeded),
                    sum(r.false_alerts[2] for r in seeded),
                ),
                added=sum((r.added for r in seeded), Revealed()),
            )
        )
    return rows


def table(rows: list[ChangeRow]) -> str:
    """Markdown: nobody answers → every lasting change confirmed on its first alert (false
    alerts: → without saying what changed → saying it; the rest: saying it)."""
    lines = [
        "| family | lasting changes (confirmed) | flagged days after them | false alerts (none → "
        "confirmed → saying what changed) | alerts "
        "added after an answer | of them during a fault | on days flagged anyway | median days "
        "after the answer | household-years |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.family} | {r.changes} ({r.confirmed}) | {r.flagged_days[0]} → "
            f"{r.flagged_days[1]} | {' → '.join(map(str, r.false_alerts))} | "
            f"{r.added.cells()} | {r.household_years} |"
        )
    return "\n".join(lines)
