"""Projected-bill alerts: the period's projection crosses the household's budget, or is about to
climb into a higher tier (5 or 6); at most once per period and kind, again only if it worsens
materially. Through the outbox, so opt-outs (usage alerts), quiet hours and channels apply.

The nightly job (`flask notify project-all`, and the Huey task) works a page of households at a
time: one projection query batch per page, memory flat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from backend.models import Household, ProjectionAlert
from backend.money import format_vnd
from backend.services.households import household_pages
from backend.services.projection import HouseholdProjection, project_households
from notifications.outbox import enqueue
from notifications.weekly import hot_for_household, tips

PAGE = 500
MIN_DAYS_MEASURED = 3  # too early in the period to say anything before this
MATERIAL = 0.10  # a repeated alert needs the projected amount up by this share since the last
TIER_FROM = 5  # warn of tiers 5 and 6 (from tier 4 up)
BUDGET_TITLE = "Tiền điện kỳ này có thể vượt hạn mức"
TIER_TITLE = "Sắp lên bậc giá điện cao hơn"


@dataclass
class AlertSummary:
    households: int = 0
    projected: int = 0
    budget_alerts: int = 0
    tier_alerts: int = 0


def day_vi(day: date) -> str:
    return f"{day.day}/{day.month}"


def actions_for(household: Household, today: date) -> list[str]:
    """The one or two sourced tips that matter most for this home this week: its own appliances,
    for the season where it lives."""
    owned = {k for k, v in (household.appliances or {}).items() if v}
    hot, _ = hot_for_household(household.province_code, today)
    season = "hot" if hot else "cool"
    chosen = [
        t
        for t in tips(today)
        if t.appliance in owned and t.season in (season, "any") and t.appliance is not None
    ]
    chosen.sort(key=lambda t: t.season == "any")
    picked: list[str] = []
    seen: set[str | None] = set()
    for tip in chosen:  # one tip per appliance, at most two
        if tip.appliance not in seen:
            picked.append(tip.text)
            seen.add(tip.appliance)
        if len(picked) == 2:
            break
    if not picked:
        general = [t.text for t in tips(today) if t.appliance is None]
        picked = general[:1]
    return picked


def budget_message(household: Household, p: HouseholdProjection, today: date) -> str:
    assert p.budget is not None
    expected, low, high = p.amount
    if p.budget.amount is not None:
        limit_text = format_vnd(p.budget.amount)
        over = f"vượt hạn mức {limit_text} bạn đã đặt"
    else:
        limit_text = f"{p.budget.kwh} kWh"
        over = f"vượt hạn mức {limit_text} bạn đã đặt (dự kiến {p.kwh[0]:.0f} kWh)"
    text = (
        f"Còn {p.days_left} ngày nữa là đến ngày chốt chỉ số ({day_vi(p.end)}). "
        f"Theo mức dùng của nhà bạn và thời tiết "
        f"{'dự báo' if p.weather_source == 'forecast' else 'thường lệ'} những ngày tới, "
        f"tiền điện kỳ này dự kiến khoảng {format_vnd(expected)} "
        f"(nhiều khả năng từ {format_vnd(low)} đến {format_vnd(high)}), {over}. "
    )
    daily = p.budget.daily_kwh
    if daily is not None and daily >= 1:
        text += f"Mỗi ngày dùng dưới {daily:.0f} kWh thì vẫn dưới {limit_text}. "
    else:
        text += f"Số điện đã dùng gần chạm {limit_text}, mỗi kWh từ nay đều tính thêm. "
    actions = actions_for(household, today)
    return text + "Tuần này nên: " + " ".join(actions)


def tier_message(p: HouseholdProjection) -> str:
    price = p.projected_tier_price or 0
    return (
        f"Kỳ này (đến {day_vi(p.end)}) nhà bạn dự kiến dùng khoảng {p.kwh[0]:.0f} kWh, "
        f"sẽ sang bậc {p.projected_tier}: mỗi kWh ở bậc này giá {format_vnd(price)} "
        f"(chưa gồm thuế GTGT). Bớt vài kWh mỗi ngày từ nay đến ngày chốt chỉ số "
        f"sẽ giúp tiền điện không tính theo giá bậc này."
    )


def _state(
    session: Session, household: Household, p: HouseholdProjection, kind: str
) -> ProjectionAlert | None:
    return session.get(ProjectionAlert, (household.id, p.start, kind))


def _record(
    session: Session,
    household: Household,
    p: HouseholdProjection,
    kind: str,
    state: ProjectionAlert | None,
) -> None:
    if state is None:
        state = ProjectionAlert(household_id=household.id, period_start=p.start, kind=kind, count=0)
        session.add(state)
    state.count += 1
    state.projected_amount = p.amount[0]
    state.projected_tier = p.projected_tier
    session.commit()


def alert_household(
    session: Session, household: Household, p: HouseholdProjection, *, today: date
) -> tuple[bool, bool]:
    """Queue this household's alerts for the projection; (budget alert queued, tier queued)."""
    budget_sent = tier_sent = False
    if p.days_measured < MIN_DAYS_MEASURED or p.days_left < 1:
        return False, False
    if p.budget is not None and p.budget.likely_over:
        state = _state(session, household, p, "budget")
        if state is None or p.amount[0] >= state.projected_amount * (1 + MATERIAL):
            count = 1 if state is None else state.count + 1
            row = enqueue(
                session,
                household,
                "budget_alert",
                f"budget:{household.id}:{p.start.isoformat()}:{count}",
                BUDGET_TITLE,
                budget_message(household, p, today),
                {"period_start": p.start.isoformat(), "projected": p.amount[0]},
            )
            if row is not None:
                _record(session, household, p, "budget", state)
                budget_sent = True
    if (
        p.projected_tier >= TIER_FROM
        and p.projected_tier > p.current_tier
        and p.projected_tier_price is not None
    ):
        state = _state(session, household, p, "tier")
        if state is None or p.projected_tier > state.projected_tier:
            count = 1 if state is None else state.count + 1
            row = enqueue(
                session,
                household,
                "tier_alert",
                f"tier:{household.id}:{p.start.isoformat()}:{count}",
                TIER_TITLE,
                tier_message(p),
                {"period_start": p.start.isoformat(), "tier": p.projected_tier},
            )
            if row is not None:
                _record(session, household, p, "tier", state)
                tier_sent = True
    return budget_sent, tier_sent


def alert_projections(
    session: Session, *, today: date, now: datetime, page: int = PAGE
) -> AlertSummary:
    """Project every household that takes usage alerts and queue what is due."""
    summary = AlertSummary()
    for households in household_pages(session, Household.notify_usage_alerts, page=page):
        summary.households += len(households)
        for household, p in zip(
            households, project_households(session, households, today=today, now=now), strict=True
        ):
            summary.projected += 1
            budget, tier = alert_household(session, household, p, today=today)
            summary.budget_alerts += budget
            summary.tier_alerts += tier
    return summary
