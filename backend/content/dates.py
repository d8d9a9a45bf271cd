"""Dates and times as Vietnamese readers write them: 10/5/2025, "thứ Hai 12/5", 8:00 (never ISO)."""

from __future__ import annotations

from datetime import date, datetime

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def date_vi(day: date) -> str:
    """10/5/2025."""
    return f"{day.day}/{day.month}/{day.year}"


def day_vi(day: date, weekday: bool = False) -> str:
    """12/5, or "thứ Hai 12/5" with the weekday."""
    text = f"{day.day}/{day.month}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def clock_vi(moment: datetime) -> str:
    """8:00, 17:30."""
    return f"{moment.hour}:{moment.minute:02d}"


def span_vi(start: datetime, end: datetime) -> str:
    """ "8:00–17:00 thứ Hai 12/5", or "22:00 thứ Hai 12/5 đến 4:00 thứ Ba 13/5"."""
    if start.date() == end.date():
        return f"{clock_vi(start)}–{clock_vi(end)} {day_vi(start, weekday=True)}"
    return (
        f"{clock_vi(start)} {day_vi(start, weekday=True)} đến "
        f"{clock_vi(end)} {day_vi(end, weekday=True)}"
    )
