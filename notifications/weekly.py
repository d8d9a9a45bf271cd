"""Weekly personalised tips: the week in numbers, efficient neighbours, one tip for the season.

The fan-out works a page of households at a time with a handful of queries per page (week sums,
recent tips, one insert), so memory stays flat and pages can go to several workers: the
coordinator reads only ids (`page_bounds`) and each page is a separate job (`enqueue_page`).
A page run twice, or by two workers, queues nothing twice (one dedupe key per household and week).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.clock import to_utc, utc_start_of
from backend.content.facts import facts_on
from backend.models import DailyReading, Household, Notification
from backend.services.forecast import forecasts_by_province
from backend.services.usage import similar_daily_median
from ml.climate import normal_temp
from notifications.outbox import enqueue_many

NO_REPEAT = timedelta(weeks=8)
HOT_WEEK_MIN_C = 25.0  # a week never counts as hot below this normal, whatever the province
PAGE = 1000
TITLE = "Điện nhà bạn tuần qua"
FORECAST_MIN_DAYS = 5  # a forecast of fewer of the coming 7 days is not the week's


@dataclass(frozen=True)
class Tip:
    id: str
    text: str
    season: str
    appliance: str | None


@lru_cache(maxsize=8)
def tips(today: date) -> tuple[Tip, ...]:
    """The sourced tips (backend/content/facts.toml) with that day's peak hours filled in."""
    return tuple(
        Tip(t["id"], t["text"], t["season"], t.get("appliance")) for t in facts_on(today)["tips"]
    )


@lru_cache(maxsize=1024)
def coming_week_max_temp(province_code: int | None, today: date) -> float:
    """The highest climate normal (a many-year mean, not a forecast) of the coming 7 days."""
    return max(normal_temp(province_code, today + timedelta(days=d)) for d in range(7))


@lru_cache(maxsize=128)
def yearly_mean_temp(province_code: int | None) -> float:
    return sum(normal_temp(province_code, date(2001, month, 15)) for month in range(1, 13)) / 12


def hot_by_forecast(province_code: int | None, heat: float) -> bool:
    """A forecast week's highest daily mean is hot by the same measure as the normals'."""
    return heat >= max(HOT_WEEK_MIN_C, yearly_mean_temp(province_code))


def hot_for_household(province_code: int | None, today: date) -> tuple[bool, float]:
    """(is the coming week typically hot where the household lives, its highest normal).

    Hot by the household's own climate: the week's normal is above the province's yearly mean
    (the warm part of its year) and at least HOT_WEEK_MIN_C, so TP.HCM's hottest month is hot
    while Lâm Đồng's 23–24 °C never is."""
    heat = coming_week_max_temp(province_code, today)
    return heat >= max(HOT_WEEK_MIN_C, yearly_mean_temp(province_code)), heat


def choose_tip(household: Household, used: set[str], hot: bool, today: date) -> Tip | None:
    """A tip for the season, the household's own appliances first, none sent in 8 weeks."""
    owned = {k for k, v in (household.appliances or {}).items() if v}
    season = "hot" if hot else "cool"
    candidates = [
        t
        for t in tips(today)
        if t.id not in used
        and t.season in (season, "any")
        and (t.appliance is None or t.appliance in owned)
    ]
    candidates.sort(key=lambda t: (t.appliance is None, t.season == "any"))  # own appliances first
    return candidates[0] if candidates else None


class Neighbours:
    """Median daily kWh of similar households (province, occupants ± 1) over the week, computed
    once per group and reused for every page this process works on."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.medians: dict[tuple[int, int], float | None] = {}

    def median(self, session: Session, household: Household) -> float | None:
        if household.province_code is None:
            return None
        key = (household.province_code, household.occupants)
        if key not in self.medians:
            self.medians[key] = similar_daily_median(session, *key, self.today, 7)
        return self.medians[key]


@lru_cache(maxsize=1)
def neighbours_for(today: date) -> Neighbours:
    return Neighbours(today)


def week_sums(session: Session, ids: list[str], end: date) -> dict[str, float]:
    """kWh of the 7 days ending `end` per household, for households with ≥ 5 days of readings."""
    rows = session.execute(
        select(DailyReading.household_id, func.sum(DailyReading.kwh), func.count())
        .where(
            DailyReading.household_id.in_(ids),
            DailyReading.day.between(end - timedelta(days=6), end),
        )
        .group_by(DailyReading.household_id)
    )
    return {household_id: float(total) for household_id, total, days in rows if days >= 5}


def recent_tips(session: Session, ids: list[str], today: date) -> dict[str, set[str]]:
    since = utc_start_of(today - NO_REPEAT)  # created_at is stored as UTC
    used: dict[str, set[str]] = {}
    for household_id, data in session.execute(
        select(Notification.household_id, Notification.data).where(
            Notification.household_id.in_(ids),
            Notification.kind == "weekly_tip",
            Notification.created_at >= since,
        )
    ):
        if isinstance(data, dict) and data.get("tip_id"):
            used.setdefault(household_id, set()).add(data["tip_id"])
    return used


def weekly_message(
    household: Household,
    week: float,
    previous: float | None,
    neighbours: float | None,
    used: set[str],
    today: date,
    forecast_heat: float | None = None,
) -> tuple[str, dict[str, Any]]:
    """`forecast_heat`: the highest forecast daily mean of the coming week, when Open-Meteo's
    forecast covers it (else the climate normals speak, and say they are normals)."""
    parts = [f"Tuần qua nhà bạn dùng {week:.0f} kWh"]
    if previous:
        change = round((week - previous) / previous * 100)
        if change:
            parts[0] += f" ({'tăng' if change > 0 else 'giảm'} {abs(change)}% so với tuần trước)"
        else:
            parts[0] += " (gần bằng tuần trước)"
    if neighbours:
        ratio = round((week / (neighbours * 7) - 1) * 100)
        if ratio:
            parts.append(
                f"{'cao hơn' if ratio > 0 else 'thấp hơn'} {abs(ratio)}% so với các hộ tương tự trong tỉnh"
                + (" — rất tốt!" if ratio < 0 else "")
            )
        else:
            parts.append("tương đương các hộ tương tự trong tỉnh")
    text = ", ".join(parts) + "."
    if forecast_heat is not None:
        hot = hot_by_forecast(household.province_code, forecast_heat)
        if hot:
            text += (
                " Theo dự báo thời tiết, những ngày tới nơi bạn ở nóng "
                f"(nhiệt độ trung bình ngày lên tới khoảng {forecast_heat:.0f} °C)."
            )
        tip = choose_tip(household, used, hot, today)
        if tip is not None:
            text += f" Mẹo tuần này: {tip.text}"
        return text, {"tip_id": tip.id if tip else None, "week_kwh": round(week, 1)}
    hot, heat = hot_for_household(household.province_code, today)
    if hot:
        # a climate normal, not a forecast: "thường" (typically), never "tuần tới trời nóng"
        text += (
            f" Những ngày tới nơi bạn ở thường nóng (trung bình nhiều năm khoảng {heat:.0f} °C)."
        )
    tip = choose_tip(household, used, hot, today)
    if tip is not None:
        text += f" Mẹo tuần này: {tip.text}"
    return text, {"tip_id": tip.id if tip else None, "week_kwh": round(week, 1)}


def page_bounds(session: Session, page: int = PAGE) -> Iterator[tuple[str, str]]:
    """(after, upto] id bounds of consecutive pages of households who want weekly tips; reads ids
    only, a page at a time."""
    after = ""
    while True:
        ids = session.scalars(
            select(Household.id)
            .where(Household.id > after, Household.notify_weekly_tips)
            .order_by(Household.id)
            .limit(page)
        ).all()
        if not ids:
            return
        yield after, ids[-1]
        after = ids[-1]


def enqueue_page(
    session: Session,
    after: str,
    upto: str,
    *,
    today: date,
    neighbours: Neighbours | None = None,
    now: datetime | None = None,
) -> int:
    """This week's tips for the households with after < id ≤ upto (once per ISO week each);
    `today` is Việt Nam's calendar day, so the week is Việt Nam's ISO week. The coming week's
    heat is the stored forecast's when it covers at least FORECAST_MIN_DAYS of it (fetched
    within a day and a half of `now`, default 08:00 of `today`), else the climate normals'."""
    households = session.scalars(
        select(Household)
        .where(Household.id > after, Household.id <= upto, Household.notify_weekly_tips)
        .order_by(Household.id)
    ).all()
    ids = [h.id for h in households]
    yesterday = today - timedelta(days=1)
    weeks = week_sums(session, ids, yesterday)
    previous = week_sums(session, ids, yesterday - timedelta(days=7))
    used = recent_tips(session, ids, today)
    neighbours = neighbours or neighbours_for(today)  # a worker reuses medians across pages
    year, week_number, _ = today.isocalendar()
    forecasts = forecasts_by_province(
        session,
        today,
        today + timedelta(days=6),
        now=now or to_utc(datetime.combine(today, time(8))),
    )
    heat = {
        code: max(days.values())
        for code, days in forecasts.items()
        if len(days) >= FORECAST_MIN_DAYS
    }
    items = []
    for household in households:
        if household.id not in weeks:
            continue  # too few readings this week to say anything
        body, data = weekly_message(
            household,
            weeks[household.id],
            previous.get(household.id),
            neighbours.median(session, household),
            used.get(household.id, set()),
            today,
            heat.get(household.province_code) if household.province_code is not None else None,
        )
        key = f"weekly-tip:{household.id}:{year}-W{week_number:02d}"
        items.append((household, key, TITLE, body, data))
    return enqueue_many(session, "weekly_tip", items)


def enqueue_weekly_tips(session: Session, *, today: date) -> int:
    """Every page in this process (`make run`, tests); tasks.py spreads pages over workers."""
    neighbours = Neighbours(today)
    return sum(
        enqueue_page(session, *bounds, today=today, neighbours=neighbours)
        for bounds in page_bounds(session)
    )
