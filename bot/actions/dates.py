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

from actions.day_words import DATE, DATE_PATTERN, NUMBER_WORDS, UNTIL, day_month, day_only
from actions.tet_days import LUNAR_DATE, in_lunar_context, new_year_points, tet_range

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
_NUM = r"(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
RANGE_ONE_MONTH = re.compile(
    r"(?<![/.\-\d])(?:ngay\s+)?\b(\d{1,2})" + UNTIL + r"(?:ngay\s+)?" + DATE_PATTERN
)
# not the length "3 ngày 2 đêm"
DAY_OF_MONTH = re.compile(
    r"(?<!\d )\bngay\s+(\d{1,2})\b(?!\s+(?:tet|thang chap|dem)\b)"
    r"(?:\s+thang\s+(\d{1,2}|nay|sau|toi))?\b"
)
LENGTH = re.compile(r"(?<!thu )\b" + _NUM + r"\s+(ngay|hom|bua|tuan|dem)\b(?!\s+(?:nua|sau|toi)\b)")
IN_DAYS = re.compile(r"(?<!thu )(?<!\d )\b" + _NUM + r"\s+(ngay|hom|bua|tuan)\s+(?:nua|sau|toi)\b")
HEDGED_LENGTH = re.compile(
    r"\b\d{1,2}\s*(?:-|,|\s)\s*\d{1,2}\s+(?:ngay|hom|bua|dem)\b"
)  # "3 4 ngày"
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
NEXT_WEEK = re.compile(r"\b(?:cuoi )?tuan (?:sau|toi)\b")
WEEKEND = re.compile(r"\bcuoi tuan\b(\s+(?:sau|toi))?")
WHOLE_NEXT_WEEK = re.compile(r"\b(?:ca|suot|nguyen)\s+tuan\s+(?:sau|toi)\b")
# "mấy bữa nay" (these last days) names no day
TODAY = re.compile(
    r"(?<!may )(?<!vai )\b(?:hom nay|bua nay|hom ni|bua ni|ngay hom nay|(?:sang|trua|chieu|toi) nay)\b"
)
YESTERDAY = re.compile(r"\b(?:hom qua|bua qua|hom trc)\b")
TWO_DAYS_AGO = re.compile(r"\b(?:hom kia|bua kia)\b")
# "từ tối 24 tới sáng 26" (no month): this month's days; a part of the day may come first
_PART = r"(?:(?:sang|trua|chieu|toi|dem)\s+)?(?:ngay\s+|hom\s+|bua\s+)?"
BARE_RANGE = re.compile(
    r"\btu\s+" + _PART + r"(\d{1,2})" + UNTIL + _PART + r"(\d{1,2})\b(?!\s*[/.\-]\s*\d)"
    r"(?!\s+(?:thang|tet|ngay|hom|bua|tuan|dem|nguoi|so|kwh|k|nghin|tr)\b)"
)
# a day named for a bill, a meter reading or a wedding is not the stay's
OTHER_EVENT = re.compile(
    r"\b(?:ghi so|chot so|chot chi so|doc so|ghi chi so|hoa don|dong tien|thanh toan|han chot"
    r"|dam cuoi|an cuoi|cuoi vo|cuoi chong|lich thi|ngay thi|thi cong chuc|thi dai hoc"
    r"|thi tot nghiep|thi ielts|dat ve|cong tac|di du lich|vang nha)\b(?:\s+\S+){0,3}\s*$"
)
_EVENT_WORDS = (
    r"(?:han dong|han chot|ghi so|chot so|doc so|ghi chi so|hoa don|dong tien|thanh toan"
    r"|dam cuoi|an cuoi|la ngay thi|thi xong)"
)
OTHER_EVENT_AFTER = re.compile(r"^(?:ngay\s+)?\S+\s+(?:\S+\s+)?" + _EVENT_WORDS + r"\b")
# "thứ 6 hôm trước" (the Friday before the wedding): a day placed by another day: ask
RELATIVE_DAY = re.compile(r"^\S+(?:\s+\d)?\s+(?:hom|tuan|ngay)\s+truoc\b")
# a day and month followed by "vừa rồi": past, even more than a week back
JUST_PAST = re.compile(r"^\S+\s+(?:vua roi|vua qua)\b")
# "chưa biết ngày nào về": whatever length is said, the end is not
UNKNOWN_END = re.compile(
    r"\bchua (?:biet|ro|chac)\s+(?:ngay nao|hom nao|bua nao|bao gio|khi nao|o may|o bao lau)"
)
# "từ trước Tết", "từ hồi nào", "mấy bữa nay": the start is not said
VAGUE_START = re.compile(
    r"\btu\s+(?:truoc|hoi|hom nao|bua nao|lau|dau)\b|\b(?:may|vai)\s+(?:bua|hom|ngay)\s+nay\b"
    r"|\bdao nay\b"
)
# on the text as written: "mãi" (always) is not "mai"; "mai mốt" (some day) is no day
TOMORROW = re.compile(r"\b(?:ngày mai|ngay mai|mai)\b(?!\s+m[oố]t\b)")
DAY_AFTER = re.compile(r"\b(?:ngay kia|ngay mot|mot mot)\b")
MOT = re.compile(r"(?<!mai )\bmốt\b")  # "mốt": the day after tomorrow (only with its diacritics)


@dataclass(frozen=True)
class StayDays:
    first: date | None = None
    last: date | None = None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


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
    if found is None or HEDGED_LENGTH.search(text):
        return None
    count = _number(found.group(1))
    if found.group(2) == "dem":
        return count + 1  # "ở lại một đêm": the day after too
    return count * 7 if found.group(2) == "tuan" else count


@dataclass(frozen=True)
class _Point:
    day: date
    weekday: bool = False  # named by its weekday ("thứ 7", "cuối tuần"): may mean the next one
    at: int = 0  # where the text names it


def _stay_points(text: str, points: list[_Point], *, have_first: bool) -> list[_Point] | None:
    """The days that bound the stay, first first; None when the text names only its end (and
    no earlier message named the first day)."""
    points = [
        p
        for p in points
        if not PAST.search(text[: p.at])
        and not OTHER_EVENT.search(text[: p.at])
        and not OTHER_EVENT_AFTER.match(text[p.at :])
    ]
    hedged: set[int] = set()
    for one, other in pairwise(points):
        if other.at - one.at <= 20 and EITHER.search(text[one.at : other.at]):
            hedged |= {one.at, other.at}  # "mùng 2 hay mùng 3": neither is said for sure
    points = [p for p in points if p.at not in hedged]
    if any(RELATIVE_DAY.match(text[p.at :]) for p in points):
        return None
    # "từ …" starts a range: a "từ" day with nothing after it is some other event's
    starts = [
        i
        for i, p in enumerate(points)
        if FROM.search(text[: p.at]) and (i + 1 < len(points) or i < 2)
    ]
    if starts:
        points = points[starts[0] :]  # "từ …" is the start; days before it are other events
    ends_only = points and UNTIL_ONLY.search(text[: points[0].at])
    if not have_first and (ends_only or VAGUE_START.search(text)):
        return None
    unique: list[_Point] = []
    for point in points:
        if all(point.day != kept.day for kept in unique):
            unique.append(point)
    return unique


def _points(text: str, original: str, today: date, *, tet_said: bool) -> list[_Point]:
    """Single days named in the text, in the order written."""
    found: list[tuple[int, date]] = []
    weekdays: list[tuple[int, date]] = []
    lunar = tet_said or in_lunar_context(text, today)
    found += new_year_points(text, today, lunar=lunar)
    for match in DATE.finditer(text):
        if lunar and tet_range(text, match):
            continue  # "mùng 2-5 Tết": days of Tết, read below
        day = day_month(
            int(match.group(1)),
            int(match.group(2)),
            int(match.group(3)) if match.group(3) else None,
            today,
        )
        if day is not None and day > today and JUST_PAST.match(text[match.start() :]):
            day = day_month(day.day, day.month, day.year - 1, today)  # "hôm 20/1 vừa rồi"
        if day is not None:
            found.append((match.start(), day))
    for match in DAY_OF_MONTH.finditer(text):
        if DATE.match(text, match.start(1)):
            continue  # "ngày 24/12": read above
        day = day_only(int(match.group(1)), match.group(2), today)
        if day is not None:
            found.append((match.start(), day))
    for match in IN_DAYS.finditer(text):
        count = _number(match.group(1)) * (7 if match.group(2) == "tuan" else 1)
        found.append((match.start(), today + timedelta(days=count)))
    if not lunar:
        for match in BARE_RANGE.finditer(text):
            if DATE.match(text, match.start(1)) or DATE.match(text, match.start(2)):
                continue  # "từ 3-9 đến 6-9": dates, read above
            for group in (1, 2):
                day = day_only(int(match.group(group)), None, today)
                if day is not None:
                    found.append((match.start(group), day))
    for pattern, offset in ((TODAY, 0), (DAY_AFTER, 2), (YESTERDAY, -1), (TWO_DAYS_AGO, -2)):
        for match in pattern.finditer(text):
            found.append((match.start(), today + timedelta(days=offset)))
    for pattern, offset in ((TOMORROW, 1), (MOT, 2)):  # positions in `original` (same length)
        for match in pattern.finditer(original):
            found.append((match.start(), today + timedelta(days=offset)))
    # "cuối tuần sau … đêm t7, sáng cn": the weekdays after it are that week's
    said_next = [m.start() for m in NEXT_WEEK.finditer(text)]
    for match in WEEKDAY.finditer(text):
        weekday = WEEKDAYS[match.group(1) or match.group(2)]
        later = bool(match.group(3)) or any(at < match.start() for at in said_next)
        weekdays.append((match.start(), _next_weekday(weekday, today, later)))
    for match in SUNDAY.finditer(text):
        later = bool(match.group(1)) or any(at < match.start() for at in said_next)
        weekdays.append((match.start(), _next_weekday(6, today, later)))
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


def read_stay(
    text: str | None, *, today: date, first: date | None = None, tet_said: bool = False
) -> StayDays:
    """The first and last day of a stay the text states; `first`: a first day read from an
    earlier message (the text then only needs the last day or the length); `tet_said`: an
    earlier message of the same request spoke of Tết, so "mùng 2" alone is Tết's."""
    original = " ".join(nfc(text or "").lower().split())
    plain = strip_diacritics(original)  # same length: positions match
    if LUNAR_DATE.search(plain):
        return StayDays(first, None)  # "10/3 âm lịch": only Tết's days are read by the moon
    ranged = RANGE_ONE_MONTH.search(plain)
    if ranged is not None and OTHER_EVENT.search(plain[: ranged.start()]):
        ranged = None  # "đi công tác từ 22-30/12": the household away, not guests
    if ranged is not None:
        last = day_month(
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
    points = _stay_points(
        plain, _points(plain, original, today, tet_said=tet_said), have_first=first is not None
    )
    if points is None:
        return StayDays(first, None)
    length = None if UNKNOWN_END.search(plain) else _length(plain)
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
