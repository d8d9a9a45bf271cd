"""Days as households write them in a message about a coming stay: "từ 24/12 đến 27/12",
"24-27/12", "mai", "thứ 7 này", "cuối tuần", "ở 3 ngày", "một tuần", "3 hôm nữa", and the
days of Tết: "mùng 2 Tết", "từ 28 Tết đến mùng 4", "mùng 2-5 Tết" (Vietnam's lunar calendar,
actions/lunar.py).

`read_stay` returns only what the text states plainly: a first day, a last day (or a length),
each None when it is missing or vague ("mấy hôm", "tuần sau", "Tết"); the caller asks for what
is missing and says the result back before anything is stored. Dates are never formatted here:
the backend writes the texts the bot says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from components.text import nfc, strip_diacritics

from actions.lunar import tet_day, twelfth_month_day, twelfth_month_start

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
WEEKDAYS = {  # Monday = 0
    "2": 0,
    "hai": 0,
    "3": 1,
    "ba": 1,
    "4": 2,
    "tu": 2,
    "5": 3,
    "nam": 3,
    "6": 4,
    "sau": 4,
    "7": 5,
    "bay": 5,
}
LATE_DAYS = 7  # a day-and-month this many days past is this year's; earlier ones are next year's

_NUM = r"(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
_DATE = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2,4}))?"
_UNTIL = r"\s*(?:-|–|den|toi|toi ngay|den ngay|->|~)\s*"
RANGE_ONE_MONTH = re.compile(
    r"(?<![/.\-\d])(?:ngay\s+)?\b(\d{1,2})" + _UNTIL + r"(?:ngay\s+)?" + _DATE
)
DATE = re.compile(r"\b" + _DATE + r"\b")
DAY_OF_MONTH = re.compile(
    r"\bngay\s+(\d{1,2})\b(?!\s+(?:tet|thang chap)\b)(?:\s+thang\s+(\d{1,2}|nay|sau|toi))?\b"
)
LENGTH = re.compile(r"(?<!thu )\b" + _NUM + r"\s+(ngay|hom|bua|tuan|dem)\b(?!\s+(?:nua|sau|toi)\b)")
IN_DAYS = re.compile(r"(?<!thu )\b" + _NUM + r"\s+(ngay|hom|bua|tuan)\s+(?:nua|sau|toi)\b")
SAME_DAY = re.compile(r"\b(?:ve trong ngay|trong ngay thoi|di ve trong ngay)\b")
# what the words before a day say of it: the stay's start ("từ"), an end it may go past
# ("ở qua mùng 7"), its end without a start ("ở tới mùng 8"), or one of two ("mùng 2 hay 3")
FROM = re.compile(r"\btu\s+(?:ngay\s+|hom\s+|bua\s+)?$")
PAST = re.compile(r"\bqua\s+(?:ngay\s+|hom\s+|het\s+)?$")
UNTIL_ONLY = re.compile(
    r"\b(?:o|o lai|o luon|choi|ngu lai)\s+(?:den|toi)\s+(?:ngay\s+|hom\s+|het\s+)?$"
)
EITHER = re.compile(r"\b(?:hay|hoac)\b")
VAGUE_LENGTH = re.compile(r"\b(?:vai|may|it|mot vai|dam ba)\s+(?:ngay|hom|bua|tuan|dem)\b")
WEEKDAY = re.compile(
    r"\b(?:thu\s*(2|3|4|5|6|7|hai|ba|tu|nam|sau|bay)|t([2-7]))\b(\s+tuan\s+(?:sau|toi))?"
)
SUNDAY = re.compile(r"\b(?:chu nhat|cn)\b(\s+tuan\s+(?:sau|toi))?")
WEEKEND = re.compile(r"\bcuoi tuan\b(\s+(?:sau|toi))?")
WHOLE_NEXT_WEEK = re.compile(r"\b(?:ca|suot|nguyen)\s+tuan\s+(?:sau|toi)\b")
TODAY = re.compile(r"\b(?:hom nay|bua nay|hom ni|bua ni|ngay hom nay)\b")
# on the text as written: "mãi" (always) is not "mai"; "mai mốt" (some day) is no day
TOMORROW = re.compile(r"\b(?:ngày mai|ngay mai|mai)\b(?!\s+m[oố]t\b)")
DAY_AFTER = re.compile(r"\b(?:ngay kia|ngay mot|mot mot)\b")
MOT = re.compile(r"(?<!mai )\bmốt\b")  # "mốt": the day after tomorrow (only with its diacritics)


# "mùng 4" is also "mùng tư", "mùng 6" "mùng sáu": after "mùng" neither word means anything else
MUNG_WORDS = {**NUMBER_WORDS, "tu": 4, "sau": 6}
_MUNG_NUM = r"(\d{1,2}|" + "|".join(MUNG_WORDS) + r")"
TET_DAYS = 10  # "mùng 1" … "mùng 10": the days of Tết people name so
TET = re.compile(r"\btet\b(?!\s+(?:duong|tay))")  # "Tết dương lịch", "Tết Tây": 1 January
# "mùng 2 Tết", "mùng 5 tháng sau", "mùng 3 tháng giêng" (the lunar year's first month)
MUNG = re.compile(
    r"\b(?:mung|mong)\s+" + _MUNG_NUM + r"\b(?:\s+thang\s+(\d{1,2}|nay|sau|toi|gieng))?"
)
# "mùng 2-5", "mùng 2 đến 5": the second day without its "mùng"
MUNG_UNTIL = re.compile(r"\b(?:mung|mong)\s+" + _MUNG_NUM + _UNTIL + _MUNG_NUM + r"\b")
SOLAR_NEW_YEAR = re.compile(r"\b(?:(?:mung|mong)\s+(?:1|mot)\s+)?tet\s+(?:duong|tay)\b")
# the last day of the lunar year, whether its twelfth month has 29 days or 30
NEW_YEARS_EVE = re.compile(r"\b(?:giao thua|ba muoi tet|dem 30)\b")
# "28 Tết", "23 tháng Chạp": a day of the lunar month before Tết; "30 Tết" is said of the last
# day even in a year whose month has 29 days
LUNAR_DATE = re.compile(
    r"\b(?:am lich|lich am|\d{1,2}\s*/\s*\d{1,2}\s*(?:am|al)|\d{1,2}\s*al|trung thu|vu lan"
    r"|ram thang (?!gieng))\b"
)
# "từ 28 đến mùng 5" with Tết in the message: the first number is a day of the month before
TO_MUNG = re.compile(
    r"(?<![/.\-])(?<![/.\-]\s)(?<!mung )(?<!mong )\b(\d{1,2})" + _UNTIL + r"(?:mung|mong)\s"
)
# "hăm tám" (central and southern): twenty-eight
HAM_WORDS = {"mot": 21, "hai": 22, "ba": 23, "bon": 24, "tu": 24, "lam": 25, "nam": 25}
HAM_WORDS |= {"sau": 26, "bay": 27, "tam": 28, "chin": 29}
_LUNAR_NUM = r"(\d{1,2}|ham (?:" + "|".join(HAM_WORDS) + r"))"
TWELFTH_MONTH = re.compile(r"(?<!mung )(?<!mong )\b" + _LUNAR_NUM + r"\s+(?:tet|thang chap)\b")
# words that put a message in the lunar calendar even without "Tết"
LUNAR_WORDS = re.compile(
    r"\b(?:giao thua|thang chap|thang gieng|ong tao|dem 30|ram (?:thang )?gieng)\b"
)
KITCHEN_GODS = re.compile(r"\bong tao\b")  # 23 tháng Chạp
FIRST_FULL_MOON = re.compile(r"\bram (?:thang )?gieng\b")  # 15 tháng Giêng
# with Tết about, "từ 28", "tới 27": days of the month before Tết
BARE_LUNAR_DAY = re.compile(
    r"\b(?:tu|den|toi)\s+(?:ngay\s+)?"
    + _LUNAR_NUM
    + r"\b(?!\s*[/.\-]\s*\d)(?!\s+(?:thang|ngay|hom|bua|tuan|dem|nguoi|so|kwh|k|nghin|tr)\b)"
)


def _lunar_number(word: str) -> int:
    return HAM_WORDS[word.split()[1]] if word.startswith("ham") else int(word)


def in_tet_season(today: date) -> bool:
    """From the first day of the month before Tết to a week after Tết's tenth day: a bare
    "mùng 2" then means Tết's."""
    coming = _coming_tet(today)
    start = twelfth_month_start(coming.year) if coming is not None else None
    return start is not None and start <= today


def _coming_tet(today: date) -> date | None:
    """The Tết a message means: this year's until a week after its tenth day, then next year's."""
    for year in (today.year, today.year + 1):
        first = tet_day(year)
        if first is not None and first + timedelta(days=TET_DAYS - 1 + LATE_DAYS) >= today:
            return first
    return None


def _tet_range(text: str, dated: re.Match[str]) -> bool:
    """A DATE match that is "mùng 2-5" (two days of Tết) rather than a day and month."""
    after_mung = re.search(r"\b(?:mung|mong)\s+$", text[: dated.start()]) is not None
    return after_mung and "-" in dated.group(0)


def _tet_date(mung: int, today: date) -> date | None:
    first = _coming_tet(today)
    if first is None or not 1 <= mung <= TET_DAYS:
        return None
    return first + timedelta(days=mung - 1)


@dataclass(frozen=True)
class StayDays:
    first: date | None = None
    last: date | None = None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _day_month(day: int, month: int, year: int | None, today: date) -> date | None:
    if year is not None and year < 100:
        year += 2000
    try:
        found = date(year or today.year, month, day)
        if year is None and found < today - timedelta(days=LATE_DAYS):
            found = date(today.year + 1, month, day)  # "29/2" past: none next year either
    except ValueError:
        return None
    return found


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _day_only(day: int, month_word: str | None, today: date) -> date | None:
    """ "ngày 24": this month's 24th, or next month's when it is past."""
    year, month = today.year, today.month
    if month_word in ("sau", "toi"):
        year, month = _next_month(year, month)
    elif month_word and month_word.isdigit():
        return _day_month(day, int(month_word), None, today)
    try:
        found = date(year, month, day)
        if month_word is None and found < today - timedelta(days=LATE_DAYS):
            found = date(*_next_month(year, month), day)
    except ValueError:
        return None
    return found


def _next_weekday(weekday: int, today: date, next_week: bool) -> date:
    if next_week:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _length(text: str) -> int | None:
    """Days a stated length covers ("ở 3 ngày": 3, "một tuần": 7); None when none or vague."""
    if VAGUE_LENGTH.search(text):
        return None
    if SAME_DAY.search(text):
        return 1
    found = LENGTH.search(text)
    if found is None:
        return None
    count = _number(found.group(1))
    return count * 7 if found.group(2) == "tuan" else count


@dataclass(frozen=True)
class _Point:
    day: date
    weekday: bool = False  # named by its weekday ("thứ 7", "cuối tuần"): may mean the next one
    at: int = 0  # where the text names it


def _stay_points(text: str, points: list[_Point]) -> list[_Point] | None:
    """The days that bound the stay, first first; None when the text names only its end."""
    points = [p for p in points if not PAST.search(text[: p.at])]
    hedged: set[int] = set()
    for one, other in pairwise(points):
        if other.at - one.at <= 20 and EITHER.search(text[one.at : other.at]):
            hedged |= {one.at, other.at}  # "mùng 2 hay mùng 3": neither is said for sure
    points = [p for p in points if p.at not in hedged]
    starts = [i for i, p in enumerate(points) if FROM.search(text[: p.at])]
    if starts:
        points = points[starts[0] :]  # "từ …" is the start; days before it are other events
    if points and UNTIL_ONLY.search(text[: points[0].at]):
        return None
    unique: list[_Point] = []
    for point in points:
        if all(point.day != kept.day for kept in unique):
            unique.append(point)
    return unique


def _new_year_points(text: str, today: date, *, lunar: bool) -> list[tuple[int, date]]:
    """Days named by the calendar around New Year: Tết Dương lịch, and with Tết in the message
    "mùng 2", "30 Tết", "28 tháng Chạp" (a "mùng" without Tết is a day of the month)."""
    found: list[tuple[int, date]] = []
    solar = [match.span() for match in SOLAR_NEW_YEAR.finditer(text)]
    found += [(start, _day_month(1, 1, None, today) or today) for start, _ in solar]
    for match in MUNG.finditer(text):
        if any(start <= match.start() < end for start, end in solar):
            continue
        dated = DATE.match(text, match.start(1))
        if dated is not None and not (lunar and _tet_range(text, dated)):
            continue  # "mùng 10/12": a date, read with the others
        number, month_word = MUNG_WORDS.get(match.group(1)) or int(match.group(1)), match.group(2)
        if month_word == "gieng" or (lunar and month_word is None):
            day = _tet_date(number, today)
        elif month_word is not None:
            day = _day_only(number, month_word, today)
        else:
            continue  # a bare "mùng 5" far from Tết: which month is not said
        if day is not None:
            found.append((match.start(), day))
    for match in MUNG_UNTIL.finditer(text) if lunar else ():
        day = _tet_date(MUNG_WORDS.get(match.group(2)) or int(match.group(2)), today)
        if day is not None:
            found.append((match.start(2), day))
    coming = _coming_tet(today)
    if coming is None:
        return found
    for match in NEW_YEARS_EVE.finditer(text):
        found.append((match.start(), coming - timedelta(days=1)))
    kitchen_gods = twelfth_month_day(23, coming.year)
    if kitchen_gods is not None:
        found += [(match.start(), kitchen_gods) for match in KITCHEN_GODS.finditer(text)]
    found += [(m.start(), coming + timedelta(days=14)) for m in FIRST_FULL_MOON.finditer(text)]
    if lunar:
        for match in BARE_LUNAR_DAY.finditer(text):
            number = _lunar_number(match.group(1))
            if number <= TET_DAYS or TWELFTH_MONTH.match(text, match.start(1)):
                continue  # "từ 5": which month is not said; "từ 28 Tết": read below
            named = (
                coming - timedelta(days=1)
                if number == 30
                else twelfth_month_day(number, coming.year)
            )
            if named is not None:
                found.append((match.start(1), named))
        for match in TO_MUNG.finditer(text):
            number = int(match.group(1))
            bare = (
                twelfth_month_day(number, coming.year)
                if number > TET_DAYS
                else _tet_date(number, today)
            )
            if bare is not None and not TWELFTH_MONTH.match(text, match.start()):
                found.append((match.start(), bare))
    for match in TWELFTH_MONTH.finditer(text):
        number = _lunar_number(match.group(1))
        named = (
            coming - timedelta(days=1) if number == 30 else twelfth_month_day(number, coming.year)
        )
        if named is not None:
            found.append((match.start(), named))
    return found


def _points(text: str, original: str, today: date) -> list[_Point]:
    """Single days named in the text, in the order written."""
    found: list[tuple[int, date]] = []
    weekdays: list[tuple[int, date]] = []
    lunar = bool(TET.search(text) or LUNAR_WORDS.search(text)) or in_tet_season(today)
    found += _new_year_points(text, today, lunar=lunar)
    for match in DATE.finditer(text):
        if lunar and _tet_range(text, match):
            continue  # "mùng 2-5 Tết": days of Tết, read below
        day = _day_month(
            int(match.group(1)),
            int(match.group(2)),
            int(match.group(3)) if match.group(3) else None,
            today,
        )
        if day is not None:
            found.append((match.start(), day))
    for match in DAY_OF_MONTH.finditer(text):
        if DATE.match(text, match.start(1)):
            continue  # "ngày 24/12": read above
        day = _day_only(int(match.group(1)), match.group(2), today)
        if day is not None:
            found.append((match.start(), day))
    for match in IN_DAYS.finditer(text):
        count = _number(match.group(1)) * (7 if match.group(2) == "tuan" else 1)
        found.append((match.start(), today + timedelta(days=count)))
    for pattern, offset in ((TODAY, 0), (DAY_AFTER, 2)):
        for match in pattern.finditer(text):
            found.append((match.start(), today + timedelta(days=offset)))
    for pattern, offset in ((TOMORROW, 1), (MOT, 2)):  # positions in `original` (same length)
        for match in pattern.finditer(original):
            found.append((match.start(), today + timedelta(days=offset)))
    for match in WEEKDAY.finditer(text):
        weekday = WEEKDAYS[match.group(1) or match.group(2)]
        weekdays.append((match.start(), _next_weekday(weekday, today, bool(match.group(3)))))
    for match in SUNDAY.finditer(text):
        weekdays.append((match.start(), _next_weekday(6, today, bool(match.group(1)))))
    for match in WEEKEND.finditer(text):
        weekdays.append((match.start(), weekend_start(today, next_week=bool(match.group(1)))))
    points = [_Point(day, at=at) for at, day in found]
    points += [_Point(day, weekday=True, at=at) for at, day in weekdays]
    return sorted(points, key=lambda point: point.at)


def weekend_start(today: date, *, next_week: bool) -> date:
    """This week's Saturday (today on a Sunday), or next week's."""
    saturday = _next_weekday(5, today, next_week)
    if not next_week and today.weekday() == 6:
        return today
    return saturday


def read_stay(text: str | None, *, today: date, first: date | None = None) -> StayDays:
    """The first and last day of a stay the text states; `first`: a first day read from an
    earlier message (the text then only needs the last day or the length)."""
    original = " ".join(nfc(text or "").lower().split())
    plain = strip_diacritics(original)  # same length: positions match
    if LUNAR_DATE.search(plain):
        return StayDays(first, None)  # "10/3 âm lịch": only Tết's days are read by the moon
    ranged = RANGE_ONE_MONTH.search(plain)
    if ranged is not None:
        last = _day_month(
            int(ranged.group(2)),
            int(ranged.group(3)),
            int(ranged.group(4)) if ranged.group(4) else None,
            today,
        )
        start = None
        if last is not None:
            try:
                start = last.replace(day=int(ranged.group(1)))
            except ValueError:
                start = None
        if start is not None and last is not None and start <= last:
            return StayDays(start, last)
    if WHOLE_NEXT_WEEK.search(plain) and first is None:
        monday = _next_weekday(0, today, True)
        return StayDays(monday, monday + timedelta(days=6))
    points = _stay_points(plain, _points(plain, original, today))
    if points is None:
        return StayDays(first, None)
    length = _length(plain)
    weekend = WEEKEND.search(plain)
    if first is None and points:
        first, points = points[0].day, points[1:]
    if first is None:
        return StayDays()
    if points:
        last = points[0].day
        if points[0].weekday and last < first:
            last += timedelta(days=7)  # "thứ 7 … đến chủ nhật": the Sunday after
        if first <= last:
            return StayDays(first, last)
    if length is not None and length >= 1:
        return StayDays(first, first + timedelta(days=length - 1))
    if weekend is not None and first.weekday() >= 5:  # "cuối tuần": to its Sunday
        return StayDays(first, first + timedelta(days=6 - first.weekday()))
    return StayDays(first, None)
