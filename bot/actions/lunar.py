"""Vietnam's lunar calendar where households name days by it: the first day of Tết (from the
holidays package, the app's source too) and the days of the twelfth lunar month before it
("28 Tết"), which start at the new moon before Tết, in Vietnam's time zone (UTC+7).

The new moon is J. Meeus's series (Astronomical Algorithms, ch. 49, the terms Hồ Ngọc Đức's
Vietnamese calendar uses); a month start is trusted only when the same series puts a new moon
on the package's Tết day.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from math import floor, radians, sin

import holidays

SYNODIC_MONTH = 29.530588853  # days
NEW_MOON_0 = 2415021.076998695  # Julian day of the new moon of 1900-01-01 (k = 0)
JDN_OF_ORDINAL_0 = 1721425  # Julian day number of date.fromordinal(1), less one
UTC_OFFSET_DAYS = 7 / 24


@lru_cache(maxsize=8)
def tet_day(year: int) -> date | None:
    """The first day of the lunar year that begins in `year`, in Vietnam's calendar."""
    names = holidays.country_holidays("VN", years=year, language="vi")
    return next((day for day, name in names.items() if name == "Tết Nguyên Đán"), None)


def _new_moon(k: int) -> float:
    """Julian day (UT) of the k-th new moon after 1 January 1900."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    mean = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    mean += 0.00033 * sin(radians(166.56 + 132.87 * t - 0.009173 * t2))
    sun = radians(359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3)
    moon = radians(306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3)
    lat = radians(21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3)
    terms = (
        (0.1734 - 0.000393 * t) * sin(sun)
        + 0.0021 * sin(2 * sun)
        - 0.4068 * sin(moon)
        + 0.0161 * sin(2 * moon)
        - 0.0004 * sin(3 * moon)
        + 0.0104 * sin(2 * lat)
        - 0.0051 * sin(sun + moon)
        - 0.0074 * sin(sun - moon)
        + 0.0004 * sin(2 * lat + sun)
        - 0.0004 * sin(2 * lat - sun)
        - 0.0006 * sin(2 * lat + moon)
        + 0.0010 * sin(2 * lat - moon)
        + 0.0005 * sin(2 * moon + sun)
    )
    delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2  # years after 1900
    return mean + terms - delta_t


def new_moon_day(k: int) -> date:
    """The day, in Vietnam, of the k-th new moon after 1 January 1900."""
    return date.fromordinal(floor(_new_moon(k) + 0.5 + UTC_OFFSET_DAYS) - JDN_OF_ORDINAL_0)


@lru_cache(maxsize=8)
def twelfth_month_start(year: int) -> date | None:
    """The first day of the lunar month before the Tết of `year` (tháng Chạp): "28 Tết" is its
    28th day. None when the new moons do not agree with the package's Tết day."""
    tet = tet_day(year)
    if tet is None:
        return None
    k = round((tet.toordinal() + JDN_OF_ORDINAL_0 - NEW_MOON_0) / SYNODIC_MONTH)
    for near in (k - 1, k, k + 1):
        if new_moon_day(near) == tet:
            return new_moon_day(near - 1)
    return None


def twelfth_month_day(day: int, year: int) -> date | None:
    """Day `day` of the month before the Tết of `year` ("28 Tết"); None past its last day."""
    start = twelfth_month_start(year)
    tet = tet_day(year)
    if start is None or tet is None or day < 1:
        return None
    found = start + timedelta(days=day - 1)
    return found if found < tet else None
