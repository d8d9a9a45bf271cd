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
from datetime import date
from pathlib import Path

import pytest
from actions.dates import read_stay
from hypothesis import given, settings
from hypothesis import strategies as st

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


WORDS = [
    "từ",
    "đến",
    "tới",
    "mùng",
    "mồng",
    "tết",
    "Tết",
    "giao",
    "thừa",
    "tháng",
    "chạp",
    "giêng",
    "rằm",
    "ông",
    "táo",
    "hăm",
    "tám",
    "ngày",
    "hôm",
    "qua",
    "kia",
    "nay",
    "mai",
    "mốt",
    "thứ",
    "7",
    "cn",
    "cuối",
    "tuần",
    "sau",
    "này",
    "ở",
    "lại",
    "đêm",
    "2",
    "3",
    "28",
    "30",
    "31",
    "29/2",
    "24/12",
    "3-9",
    "hay",
    "hoặc",
    "qua",
    "hết",
    "ghi",
    "số",
    "cưới",
    "chưa",
    "biết",
    "khoảng",
    "vừa",
    "rồi",
    "sang",
    "năm",
    "âm",
    "lịch",
]


@given(
    st.lists(st.sampled_from(WORDS), max_size=14),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2040, 12, 31)),
)
@settings(max_examples=400, deadline=None)
def test_any_message_reads_as_days_in_order_or_none_and_never_raises(words, today):
    stay = read_stay(" ".join(words), today=today)
    if stay.first is not None and stay.last is not None:
        assert stay.first <= stay.last
    if stay.first is None:
        assert stay.last is None
