"""Projected-bill alerts: the period's projection crosses the household's budget, or is about to
climb into a higher tier (5 or 6); at most once per period and kind, again only if it worsens
materially. Through the outbox, so opt-outs (usage alerts), quiet hours and channels apply.

The nightly job (`flask notify project-all`, and the Huey task) works a page of households at a
time: one projection query batch per page, memory flat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from backend.models import Household, ProjectionAlert
from backend.money import format_vnd
from backend.services.households import household_pages
from backend.services.projection import HouseholdProjection, project_households
from ml.consumption import ConsumptionModel
from notifications.outbox import enqueue_many
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
    if p.budget.already_over:
        text += (
            f"Số điện đã dùng kỳ này ({p.kwh_so_far:.0f} kWh) đã vượt {limit_text}, "
            "mỗi kWh từ nay đều tính thêm. "
        )
    elif daily is not None and daily >= 1:
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


Item = tuple[Household, str, str, str, dict[str, Any]]


@dataclass
class AlertStates:
    """A page's alert states: those already stored for the households' periods (updated in the
    session) and the new ones, inserted together in one statement by `alert_page` (an ORM object
    and a unit-of-work insert per new state were a fifth of the nightly job's time)."""

    stored: dict[tuple[str, str], ProjectionAlert] = field(default_factory=dict)
    added: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def last(self, household_id: str, kind: str) -> tuple[int, int] | None:
        """(projected amount, projected tier) of the period's last alert of this kind."""
        state = self.stored.get((household_id, kind))
        if state is not None:
            return state.projected_amount, state.projected_tier
        row = self.added.get((household_id, kind))
        return None if row is None else (row["projected_amount"], row["projected_tier"])

    def record(self, household: Household, p: HouseholdProjection, kind: str) -> int:
        """Update (or add) the period's alert state; returns the alert's number."""
        state = self.stored.get((household.id, kind))
        if state is not None:
            state.count += 1
            state.projected_amount = p.amount[0]
            state.projected_tier = p.projected_tier
            return state.count
        row = self.added.setdefault(
            (household.id, kind),
            {"household_id": household.id, "period_start": p.start, "kind": kind, "count": 0},
        )
        row["count"] += 1
        row["projected_amount"] = p.amount[0]
        row["projected_tier"] = p.projected_tier
        return int(row["count"])


def alerts_for(
    household: Household,
    p: HouseholdProjection,
    states: AlertStates,
    *,
    today: date,
) -> dict[str, list[Item]]:
    """The alerts due for this projection ({kind: items}), their states updated in `states`
    (stored by the caller with the outbox rows)."""
    due: dict[str, list[Item]] = {}
    if p.days_measured < MIN_DAYS_MEASURED or p.days_left < 1:
        return due
    if p.budget is not None and p.budget.likely_over:
        last = states.last(household.id, "budget")
        if last is None or p.amount[0] >= last[0] * (1 + MATERIAL):
            count = states.record(household, p, "budget")
            due["budget_alert"] = [
                (
                    household,
                    f"budget:{household.id}:{p.start.isoformat()}:{count}",
                    BUDGET_TITLE,
                    budget_message(household, p, today),
                    {"period_start": p.start.isoformat(), "projected": p.amount[0]},
                )
            ]
    if (
        p.projected_tier >= TIER_FROM
        and p.projected_tier > p.current_tier
        and p.projected_tier_price is not None
    ):
        last = states.last(household.id, "tier")
        if last is None or p.projected_tier > last[1]:
            count = states.record(household, p, "tier")
            due["tier_alert"] = [
                (
                    household,
                    f"tier:{household.id}:{p.start.isoformat()}:{count}",
                    TIER_TITLE,
                    tier_message(p),
                    {"period_start": p.start.isoformat(), "tier": p.projected_tier},
                )
            ]
    return due


def alert_page(
    session: Session,
    households: list[Household],
    *,
    today: date,
    now: datetime,
    model: ConsumptionModel | None = None,
) -> tuple[int, int]:
    """Project a page of households (`model` as in `project_households`) and queue its alerts:
    one query for the alert states, one insert for the new ones, one per kind of alert and one
    commit. Returns (budget alerts, tier alerts) added."""
    projections = project_households(session, households, today=today, now=now, model=model)
    period_of = {p.household_id: p.start for p in projections}
    states = AlertStates(
        {
            (s.household_id, s.kind): s
            for s in session.scalars(
                select(ProjectionAlert).where(
                    ProjectionAlert.household_id.in_(list(period_of)),
                    ProjectionAlert.period_start.in_(set(period_of.values())),
                )
            )
            if s.period_start == period_of[s.household_id]
        }
    )
    items: dict[str, list[Item]] = {"budget_alert": [], "tier_alert": []}
    for household, p in zip(households, projections, strict=True):
        for kind, due in alerts_for(household, p, states, today=today).items():
            items[kind].extend(due)
    if states.added:
        session.execute(insert(ProjectionAlert), list(states.added.values()))
    # one commit for both kinds and the alert states
    budget = enqueue_many(session, "budget_alert", items["budget_alert"], commit=False)
    tier = enqueue_many(session, "tier_alert", items["tier_alert"], commit=False)
    session.commit()
    return budget, tier


def alert_projections(
    session: Session,
    *,
    today: date,
    now: datetime,
    page: int = PAGE,
    model: ConsumptionModel | None = None,
) -> AlertSummary:
    """Project every household that takes usage alerts (`model`: the trained consumption model,
    see `trained_consumption`) and queue what is due."""
    summary = AlertSummary()
    for households in household_pages(session, Household.notify_usage_alerts, page=page):
        summary.households += len(households)
        summary.projected += len(households)
        budget, tier = alert_page(session, households, today=today, now=now, model=model)
        summary.budget_alerts += budget
        summary.tier_alerts += tier
    return summary
