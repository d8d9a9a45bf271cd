"""Vietnam's lunar calendar in the bot: the new moons put on the holidays package's Tết days,
and the month before Tết with 29 or 30 days as published."""

from __future__ import annotations

from datetime import date

import pytest
from actions.lunar import tet_day, twelfth_month_day, twelfth_month_start


@pytest.mark.parametrize("year", range(1990, 2061))
def test_the_new_moons_agree_with_every_tet_day_of_the_package(year):
    start = twelfth_month_start(year)
    tet = tet_day(year)
    assert start is not None and tet is not None
    assert (tet - start).days in (29, 30)  # a lunar month before Tết


@pytest.mark.parametrize(
    ("year", "day", "expected"),
    [
        (2024, 30, date(2024, 2, 9)),  # Tết Giáp Thìn: tháng Chạp had 30 days
        (2024, 23, date(2024, 2, 2)),  # ông Táo
        (2025, 29, date(2025, 1, 28)),  # Tết Ất Tỵ: no 30 Tết, the eve was the 29th
        (2025, 30, None),
        (2027, 28, date(2027, 2, 4)),
        (2033, 30, date(2033, 1, 30)),  # the first 30 Tết after 2024
        (2032, 30, None),
    ],
)
def test_the_days_of_the_month_before_tet(year, day, expected):
    assert twelfth_month_day(day, year) == expected
