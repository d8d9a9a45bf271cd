"""The pieces of a written day that both calendars' readers share: number words, "đến",
a day and month ("24/12"), a day of a month ("ngày 24", "ngày 5 tháng sau")."""

from __future__ import annotations

import re
from datetime import date, timedelta

# "tư" and "sáu" are left out: without diacritics they are "từ" (from) and "sau" (after)
NUMBER_WORDS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
LATE_DAYS = 7  # a day-and-month this many days past is this year's; earlier ones are next year's

DATE_PATTERN = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2,4}))?"
UNTIL = r"\s*(?:-|–|den|toi|toi ngay|den ngay|->|~)\s*"
DATE = re.compile(r"\b" + DATE_PATTERN + r"\b")


def day_month(day: int, month: int, year: int | None, today: date) -> date | None:
    if year is not None and year < 100:
        year += 2000
    try:
        found = date(year or today.year, month, day)
        if year is None and found < today - timedelta(days=LATE_DAYS):
            found = date(today.year + 1, month, day)  # "29/2" past: none next year either
    except ValueError:
        return None
    return found


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def day_only(day: int, month_word: str | None, today: date) -> date | None:
    """ "ngày 24": this month's 24th, or next month's when it is past."""
    year, month = today.year, today.month
    if month_word in ("sau", "toi"):
        year, month = next_month(year, month)
    elif month_word and month_word.isdigit():
        return day_month(day, int(month_word), None, today)
    try:
        found = date(year, month, day)
        if month_word is None and found < today - timedelta(days=LATE_DAYS):
            found = date(*next_month(year, month), day)
    except ValueError:
        return None
    return found
