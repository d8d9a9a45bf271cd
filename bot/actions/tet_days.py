"""Days named by the calendar around New Year: "mùng 2 Tết", "28 Tết", "từ hăm tám tới mồng
6", "giao thừa", "ông Táo", "rằm tháng Giêng", "Tết dương lịch" (actions/lunar.py holds the
calendar). A bare "mùng N" is Tết's only with Tết in the message or in its season: otherwise the
month is not said and nothing is read.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from components.text import nfc, strip_diacritics

from actions.day_words import DATE, LATE_DAYS, NUMBER_WORDS, UNTIL, day_month, day_only
from actions.lunar import tet_day, twelfth_month_day

# "mùng 4" is also "mùng tư", "mùng 6" "mùng sáu": after "mùng" neither word means anything else
MUNG_WORDS = {**NUMBER_WORDS, "tu": 4, "sau": 6}
_MUNG_NUM = r"(\d{1,2}|" + "|".join(MUNG_WORDS) + r")"
TET_DAYS = 10  # "mùng 1" … "mùng 10": the days of Tết people name so
TET = re.compile(r"\btet\b(?!\s+(?:duong|tay))")  # "Tết dương lịch", "Tết Tây": 1 January
# "mùng 2 Tết", "mùng 5 tháng sau", "mùng 3 tháng giêng" (the lunar year's first month)
_MONTH = r"(?:\s+thang\s+(\d{1,2}|nay|sau|toi|gieng|chap))?"
MUNG = re.compile(r"\b(?:mung|mong)\s+" + _MUNG_NUM + r"\b" + _MONTH)
# "từ mùng 8 đến mùng 11 tháng Chạp": the month said once, after the range
MONTH_AFTER = re.compile(UNTIL + r"(?:(?:mung|mong)\s+)?\d{1,2}\s+thang\s+(chap|gieng)\b")
# "Tết sang năm": next calendar year's Tết; "Tết vừa rồi": the last one, told late
NEXT_TET = re.compile(r"\btet\s+(?:sang nam|nam sau|nam toi)\b")
LAST_TET = re.compile(r"\btet\s+(?:vua roi|vua qua|nam nay roi|truoc)\b")
# "mùng 2-5", "mùng 2 đến 5": the second day without its "mùng"
MUNG_UNTIL = re.compile(r"\b(?:mung|mong)\s+" + _MUNG_NUM + UNTIL + _MUNG_NUM + r"\b")
SOLAR_NEW_YEAR = re.compile(r"\b(?:(?:mung|mong)\s+(?:1|mot)\s+)?tet\s+(?:duong|tay)\b")
# the last day of the lunar year, whether its twelfth month has 29 days or 30
NEW_YEARS_EVE = re.compile(r"\b(?:giao thua|ba muoi tet|dem 30)\b")
# a lunar date that is not Tết's (giỗ "10/3 âm lịch", Đoan Ngọ, Vu Lan): no day is read
LUNAR_DATE = re.compile(
    r"\b(?:am lich|lich am|\d{1,2}\s*/\s*\d{1,2}\s*(?:am|al)|\d{1,2}\s*al|trung thu|vu lan"
    r"|ram thang (?!gieng|chap)|thang\s+\d{1,2}\s+(?:am|al)|doan ngo|han thuc|thanh minh)\b"
)
# "từ 28 đến mùng 5" with Tết in the message: the first number is a day of the month before
TO_MUNG = re.compile(
    r"(?<![/.\-])(?<![/.\-]\s)(?<!mung )(?<!mong )\b(\d{1,2})" + UNTIL + r"(?:mung|mong)\s"
)
# "hăm tám" (central and southern): twenty-eight
HAM_WORDS = {"mot": 21, "hai": 22, "ba": 23, "bon": 24, "tu": 24, "lam": 25, "nam": 25}
HAM_WORDS |= {"sau": 26, "bay": 27, "tam": 28, "chin": 29}
_LUNAR_NUM = r"(\d{1,2}|ham (?:" + "|".join(HAM_WORDS) + r"))"
# "28 Tết", "23 tháng Chạp": a day of the lunar month before Tết; "30 Tết" is said of the last
# day even in a year whose month has 29 days
TWELFTH_MONTH = re.compile(r"(?<!mung )(?<!mong )\b" + _LUNAR_NUM + r"\s+(?:tet|thang chap)\b")
# words that put a message in the lunar calendar even without "Tết"
LUNAR_WORDS = re.compile(
    r"\b(?:giao thua|thang chap|thang gieng|ong tao|dem 30|ram (?:thang )?(?:gieng|chap))\b"
)
KITCHEN_GODS = re.compile(r"\bong tao\b")  # 23 tháng Chạp
FIRST_FULL_MOON = re.compile(r"\bram (?:thang )?gieng\b")  # 15 tháng Giêng
LAST_FULL_MOON = re.compile(r"\bram (?:thang )?chap\b")  # 15 tháng Chạp
# with Tết about, "từ 28", "tới 27": days of the month before Tết
BARE_LUNAR_DAY = re.compile(
    r"\b(?:tu|den|toi)\s+(?:ngay\s+)?"
    + _LUNAR_NUM
    + r"\b(?!\s*[/.\-]\s*\d)(?!\s+(?:thang|ngay|hom|bua|tuan|dem|nguoi|so|kwh|k|nghin|tr)\b)"
)


def _lunar_number(word: str) -> int:
    return HAM_WORDS[word.split()[1]] if word.startswith("ham") else int(word)


SEASON_DAYS = 14  # "mùng 8" said this close to Tết is Tết's; earlier it may be a solar month's


def in_tet_season(today: date) -> bool:
    """From two weeks before Tết to a week after its tenth day: a bare "mùng 2" then means
    Tết's."""
    coming = _coming_tet(today)
    return coming is not None and coming - timedelta(days=SEASON_DAYS) <= today


def _coming_tet(today: date) -> date | None:
    """The Tết a message means: this year's until a week after its tenth day, then next year's."""
    for year in (today.year, today.year + 1):
        first = tet_day(year)
        if first is not None and first + timedelta(days=TET_DAYS - 1 + LATE_DAYS) >= today:
            return first
    return None


def tet_range(text: str, dated: re.Match[str]) -> bool:
    """A DATE match that is "mùng 2-5" (two days of Tết) rather than a day and month."""
    after_mung = re.search(r"\b(?:mung|mong)\s+$", text[: dated.start()]) is not None
    return after_mung and "-" in dated.group(0)


def _tet_date(mung: int, coming: date | None) -> date | None:
    if coming is None or not 1 <= mung <= TET_DAYS:
        return None
    return coming + timedelta(days=mung - 1)


def _twelfth(number: int, coming: date) -> date | None:
    """Day `number` of the month before the Tết on `coming` ("30 Tết": its last day)."""
    if number == 30:
        return coming - timedelta(days=1)
    return twelfth_month_day(number, coming.year)


def new_year_points(text: str, today: date, *, lunar: bool) -> list[tuple[int, date]]:
    """Days named by the calendar around New Year: Tết Dương lịch, and with Tết in the message
    "mùng 2", "30 Tết", "28 tháng Chạp" (a "mùng" without Tết is a day of the month)."""
    found: list[tuple[int, date]] = []
    solar = [match.span() for match in SOLAR_NEW_YEAR.finditer(text)]
    found += [(start, day_month(1, 1, None, today) or today) for start, _ in solar]
    coming = _coming_tet(today)
    if NEXT_TET.search(text):
        coming = tet_day(today.year + 1)  # "sang năm": next calendar year's
    elif coming is not None and LAST_TET.search(text):
        coming = tet_day(coming.year - 1)  # "Tết vừa rồi", told late
    for match in MUNG.finditer(text):
        if any(start <= match.start() < end for start, end in solar):
            continue
        dated = DATE.match(text, match.start(1))
        if dated is not None and not (lunar and tet_range(text, dated)):
            continue  # "mùng 10/12": a date, read with the others
        number = MUNG_WORDS.get(match.group(1)) or int(match.group(1))
        month_word = match.group(2)
        after = MONTH_AFTER.match(text, match.end())
        if month_word is None and after is not None:
            month_word = after.group(1)
        if month_word == "chap":
            day = _twelfth(number, coming) if coming is not None else None
        elif month_word == "gieng" or (lunar and month_word is None):
            day = _tet_date(number, coming)
        elif month_word is not None:
            day = day_only(number, month_word, today)
        else:
            continue  # a bare "mùng 5" far from Tết: which month is not said
        if day is not None:
            found.append((match.start(), day))
    if coming is None:
        return found
    for match in MUNG_UNTIL.finditer(text) if lunar else ():
        day = _tet_date(MUNG_WORDS.get(match.group(2)) or int(match.group(2)), coming)
        if day is not None and not MONTH_AFTER.match(text, match.end(1)):
            found.append((match.start(2), day))
    found += [(m.start(), coming - timedelta(days=1)) for m in NEW_YEARS_EVE.finditer(text)]
    for pattern, day in (
        (KITCHEN_GODS, _twelfth(23, coming)),
        (LAST_FULL_MOON, _twelfth(15, coming)),
        (FIRST_FULL_MOON, coming + timedelta(days=14)),
    ):
        if day is not None:
            found += [(match.start(), day) for match in pattern.finditer(text)]
    if lunar:
        read_at: set[int] = set()  # where "từ 28" was read: "từ 28 đến mùng 5" matches both
        for match in BARE_LUNAR_DAY.finditer(text):
            number = _lunar_number(match.group(1))
            if number <= TET_DAYS or TWELFTH_MONTH.match(text, match.start(1)):
                continue  # "từ 5": which month is not said; "từ 28 Tết": read below
            named = _twelfth(number, coming)
            if named is not None:
                found.append((match.start(1), named))
                read_at.add(match.start(1))
        for match in TO_MUNG.finditer(text):
            if match.start(1) in read_at:
                continue
            number = int(match.group(1))
            bare = _twelfth(number, coming) if number > TET_DAYS else _tet_date(number, coming)
            if bare is not None and not TWELFTH_MONTH.match(text, match.start()):
                found.append((match.start(), bare))
    for match in TWELFTH_MONTH.finditer(text):
        named = _twelfth(_lunar_number(match.group(1)), coming)
        if named is not None:
            found.append((match.start(), named))
    return found


def _speaks_of_tet(plain: str) -> bool:
    """Whether `plain` (lower case, without diacritics) names Tết or its days."""
    return bool(TET.search(plain) or LUNAR_WORDS.search(plain))


def in_lunar_context(text: str, today: date) -> bool:
    """Whether a bare "mùng 2" in `text` (without diacritics) is a day of Tết."""
    return _speaks_of_tet(text) or in_tet_season(today)


def mentions_tet(text: str) -> bool:
    """Whether a message as written speaks of Tết or its days (giao thừa, tháng Chạp, …)."""
    return _speaks_of_tet(strip_diacritics(" ".join(nfc(text).lower().split())))
