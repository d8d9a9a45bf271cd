"""What households told the product, as the detector reads it.

- A confirmed lasting change ("có, nhà mới mua thêm điều hòa"): from its day the detector learns
  the new normal instead of flagging it. The household may say what changed: an air conditioner
  (`cooling` True: the new use follows the heat as its peers' cooling does), something that does
  not follow the weather (False: a dryer, an electric scooter), or nothing (None: the product
  cannot tell, so it allows for cooling).
- A guest stay announced beforehand: its days are neither learnt from nor flagged.
- A repair ("đã sửa xong"): from its day the evidence restarts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from ml.design import Design


@dataclass(frozen=True)
class ConfirmedChange:
    """A lasting change the household confirmed from `day`, and whether it said the change
    cools (an air conditioner: True), does not (False), or did not say (None)."""

    day: date
    cooling: bool | None = None


def as_change(told: date | ConfirmedChange) -> ConfirmedChange:
    """A bare date is a change the household did not describe."""
    return told if isinstance(told, ConfirmedChange) else ConfirmedChange(told)


def _day_number(day: date) -> float:
    return float((np.datetime64(day, "D") - np.datetime64(0, "D")).astype(float))


def _first_scored(design: Design, i: int, day: date) -> int | None:
    """Column of household `i`'s first reading on or after `day`, if `day` falls within its
    scored days (an earlier one is already in its history)."""
    days = np.where(design.valid[i], design.day_number[i], np.inf)
    number = _day_number(day)
    if days.size and days.min() <= number <= days[np.isfinite(days)].max():
        return int(np.argmax(days >= number))
    return None


def confirmed_matrix(
    design: Design, changes: Mapping[str, Iterable[date | ConfirmedChange]]
) -> np.ndarray:
    """[households, days] True on each household's first reading on or after a confirmed change
    (or repair) date that falls within its scored days."""
    told = np.zeros(design.valid.shape, dtype=bool)
    for i, household in enumerate(design.ids):
        for change in changes.get(household, ()):
            column = _first_scored(design, i, as_change(change).day)
            if column is not None:
                told[i, column] = True
    return told


def may_cool(design: Design, changes: Mapping[str, Iterable[date | ConfirmedChange]]) -> np.ndarray:
    """[households] True where a confirmed change within the scored days may add cooling: the
    household said it was more air conditioning, or did not say what changed. Per household, not
    per change: one that may cool makes all its scored changes relearn on the cooling shape
    (a shape is the largest a change may follow; its scale is learnt)."""
    out = np.zeros(len(design.ids), dtype=bool)
    for i, household in enumerate(design.ids):
        out[i] = any(
            c.cooling is not False and _first_scored(design, i, c.day) is not None
            for c in map(as_change, changes.get(household, ()))
        )
    return out


def announced_matrix(
    design: Design, periods: Mapping[str, Iterable[tuple[date, date]]]
) -> np.ndarray:
    """[households, days] True on each household's days within a period it announced."""
    out = np.zeros(design.valid.shape, dtype=bool)
    for i, household in enumerate(design.ids):
        for first, last in periods.get(household, ()):
            lo, hi = _day_number(first), _day_number(last)
            out[i] |= (design.day_number[i] >= lo) & (design.day_number[i] <= hi)
    return out & design.valid
