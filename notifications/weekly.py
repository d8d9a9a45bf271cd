"""Weekly personalised tips: the week in numbers, efficient neighbours, one tip for the season."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.models import DailyReading, Household, Notification
from backend.services.households import household_pages
from backend.services.usage import neighbours_daily_median
from ml.climate import normal_temp
from notifications.outbox import enqueue

NO_REPEAT = timedelta(weeks=8)
HOT_WEEK_C = 30.0
PAGE = 1000


@dataclass(frozen=True)
class Tip:
    id: str
    text: str
    season: str
    appliance: str | None


@cache
def tips() -> tuple[Tip, ...]:
    with (Path(__file__).parent / "data" / "tips.toml").open("rb") as handle:
        data = tomllib.load(handle)
    return tuple(Tip(t["id"], t["text"], t["season"], t.get("appliance")) for t in data["tips"])


def _week_kwh(session: Session, household_id: str, end: date) -> float | None:
    total, days = session.execute(
        select(func.sum(DailyReading.kwh), func.count()).where(
            DailyReading.household_id == household_id,
            DailyReading.day.between(end - timedelta(days=6), end),
        )
    ).one()
    return float(total) if days >= 5 else None


def choose_tip(session: Session, household: Household, hot: bool, today: date) -> Tip | None:
    recent = list(
        session.scalars(
            select(Notification.data).where(
                Notification.household_id == household.id,
                Notification.kind == "weekly_tip",
                Notification.created_at >= datetime.combine(today - NO_REPEAT, datetime.min.time()),
            )
        )
    )
    used = {d.get("tip_id") for d in recent if isinstance(d, dict)}
    owned = {k for k, v in (household.appliances or {}).items() if v}
    season = "hot" if hot else "cool"
    candidates = [
        t
        for t in tips()
        if t.id not in used
        and t.season in (season, "any")
        and (t.appliance is None or t.appliance in owned)
    ]
    candidates.sort(key=lambda t: (t.appliance is None, t.season == "any"))  # own appliances first
    return candidates[0] if candidates else None


def weekly_message(session: Session, household: Household, today: date) -> tuple[str, dict] | None:
    yesterday = today - timedelta(days=1)
    week = _week_kwh(session, household.id, yesterday)
    if week is None:
        return None
    previous = _week_kwh(session, household.id, yesterday - timedelta(days=7))
    parts = [f"Tuần qua nhà bạn dùng {week:.0f} kWh"]
    if previous:
        change = (week - previous) / previous * 100
        parts[0] += f" ({'tăng' if change >= 0 else 'giảm'} {abs(change):.0f}% so với tuần trước)"
    neighbours = neighbours_daily_median(session, household, today, window_days=7)
    if neighbours:
        ratio = week / (neighbours * 7) - 1
        parts.append(
            f"{'cao hơn' if ratio > 0 else 'thấp hơn'} {abs(ratio) * 100:.0f}% so với các hộ tương tự trong tỉnh"
            + (" — rất tốt!" if ratio < 0 else "")
        )
    coming = [normal_temp(household.province_code, today + timedelta(days=d)) for d in range(7)]
    hot = max(coming) >= HOT_WEEK_C or today.month in (5, 6, 7, 8)
    text = ", ".join(parts) + "."
    if hot:
        text += f" Tuần tới trời nóng (khoảng {max(coming):.0f} °C)."
    tip = choose_tip(session, household, hot, today)
    if tip is not None:
        text += f" Mẹo tuần này: {tip.text}"
    return text, {"tip_id": tip.id if tip else None, "week_kwh": round(week, 1)}


def enqueue_weekly_tips(session: Session, today: date) -> int:
    """Once per ISO week per household (dedupe key), paging through households."""
    year, week, _ = today.isocalendar()
    count = 0
    for page in household_pages(session, Household.notify_weekly_tips, page=PAGE):
        for household in page:
            message = weekly_message(session, household, today)
            if message is None:
                continue
            body, data = message
            key = f"weekly-tip:{household.id}:{year}-W{week:02d}"
            if enqueue(session, household, "weekly_tip", key, "Điện nhà bạn tuần qua", body, data):
                count += 1
    return count
