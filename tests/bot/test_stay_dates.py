"""No stay read wrong: the days of guest visits in helper-written messages (bot/tests/
stay_dates_tet_*.yml, frozen, written by sessions that never saw the parser), each with the days
a native reader takes from them, or null where the message does not state one. Counted by
bot/scripts/eval_stay_dates.py.

A day read where the message states none, or a day other than the stated one, is a misread:
the bot would say back a stay the household did not mean. A day left unread is not: the guest
form asks for it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"
SPEC = importlib.util.spec_from_file_location(
    "eval_stay_dates", BOT / "scripts" / "eval_stay_dates.py"
)
assert SPEC is not None and SPEC.loader is not None
EVAL = importlib.util.module_from_spec(SPEC)
sys.modules[SPEC.name] = EVAL
SPEC.loader.exec_module(EVAL)


def counts(name: str) -> tuple[Counter, list[str]]:
    rows = EVAL.entries(BOT / "tests" / name)
    verdicts = [EVAL.verdict(row) for row in rows]
    misread = [row["text"] for row, v in zip(rows, verdicts, strict=True) if v == "misread"]
    return Counter(verdicts), misread


@pytest.mark.parametrize(
    "name",
    [
        "stay_dates_tet_1.yml",
        "stay_dates_tet_2.yml",
        "stay_dates_tet_3.yml",
        "stay_dates_tet_4.yml",
    ],
)
def test_no_stay_is_misread_on_the_sets_tuned_on(name):
    verdicts, misread = counts(name)
    assert misread == []
    assert verdicts["right"] >= 0.85 * sum(verdicts.values())  # and most are read, not asked


def test_the_held_out_set_misreads_no_more_than_when_it_was_frozen():
    """Set 5 was not tuned on (two format bugs aside): it keeps the honest rate for new writing,
    14 misread of 50 at 2026-12-07 (docs/benchmarks.md). A change may lower it, not raise it."""
    verdicts, _ = counts("stay_dates_tet_5.yml")
    assert verdicts["misread"] <= 14
    assert verdicts["right"] >= 33
