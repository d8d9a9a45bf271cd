"""What households told, as the detector reads it (ml/told.py): the day a confirmed change, a
repair or a guest stay takes effect, and whether a confirmed change may add cooling."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from ml.design import make_design
from ml.features import CalendarFeatures
from ml.told import ConfirmedChange, announced_matrix, confirmed_matrix, may_cool

START = date(2025, 3, 1)


@pytest.fixture(scope="module")
def design():
    """Two households' ten scored days from 1/3/2025; h2 has no reading on 4/3 and 5/3."""
    rows = [
        {"household_id": h, "date": START + timedelta(days=i), "kwh": 8.0, "avg_temp_c": 25.0}
        for h in ("h1", "h2")
        for i in range(10)
        if not (h == "h2" and i in (3, 4))
    ]
    frame = pd.DataFrame(rows)
    return make_design(frame, CalendarFeatures().fit(frame[["date"]]))


def day(n: int) -> date:
    return START + timedelta(days=n)


def number(d: date) -> float:
    return float((np.datetime64(d, "D") - np.datetime64(0, "D")).astype(int))


def test_a_change_takes_effect_on_the_first_reading_from_its_day(design):
    """h2 has no reading on the change's day (4/3): it takes effect on 6/3, its next."""
    told = confirmed_matrix(design, {"h1": [day(3)], "h2": [ConfirmedChange(day(3), True)]})
    for household, first in (("h1", day(3)), ("h2", day(5))):
        i = design.ids.index(household)
        assert design.day_number[i][told[i]].tolist() == [number(first)]


@pytest.mark.parametrize("when", [day(-1), day(10)])
def test_a_change_outside_the_scored_days_marks_nothing(design, when):
    assert not confirmed_matrix(design, {"h1": [when]}).any()
    assert not may_cool(design, {"h1": [ConfirmedChange(when, True)]}).any()


@pytest.mark.parametrize(
    ("changes", "cools"),
    [
        ([day(2)], True),  # not said: cooling allowed for
        ([ConfirmedChange(day(2), None)], True),
        ([ConfirmedChange(day(2), True)], True),
        ([ConfirmedChange(day(2), False)], False),
        ([ConfirmedChange(day(2), False), ConfirmedChange(day(6), True)], True),
    ],
)
def test_a_change_may_cool_unless_the_household_said_it_does_not(design, changes, cools):
    out = may_cool(design, {"h1": changes})
    assert (out[design.ids.index("h1")], out[design.ids.index("h2")]) == (cools, False)


def test_an_announced_stay_covers_its_days_inclusive(design):
    out = announced_matrix(design, {"h1": [(day(2), day(4))]})
    assert np.flatnonzero(out[design.ids.index("h1")]).tolist() == [2, 3, 4]
    assert not out[design.ids.index("h2")].any()
