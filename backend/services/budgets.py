"""A household's monthly budget: an amount in đồng (VAT included) or a kWh limit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backend.models import Budget, Household
from backend.money import format_vnd
from backend.services.errors import InvalidInput

MIN_AMOUNT, MAX_AMOUNT = 10_000, 100_000_000
MIN_KWH, MAX_KWH = 1, 100_000


def get_budget(session: Session, household: Household) -> Budget | None:
    return session.get(Budget, household.id)


def describe(*, amount: int | None, kwh: int | None) -> dict[str, Any]:
    """A budget's figure as the API states it (`amount_text` formatted for households)."""
    return {
        "kind": "amount" if amount is not None else "kwh",
        "amount": amount,
        "amount_text": None if amount is None else format_vnd(amount),
        "kwh": kwh,
    }


def as_dict(budget: Budget | None) -> dict[str, Any] | None:
    if budget is None:
        return None
    return {
        **describe(amount=budget.amount, kwh=budget.kwh),
        "source": budget.source,
        "updated_at": budget.updated_at.isoformat() + "Z",
    }


def preview(*, amount: int | None = None, kwh: int | None = None) -> dict[str, Any]:
    """The budget `set_budget` would store, checked the same way, without storing it: what the
    bot states before asking the household to confirm."""
    _check(amount, kwh)
    return describe(amount=amount, kwh=kwh)


def _check(amount: object, kwh: object) -> None:
    if (amount is None) == (kwh is None):
        raise InvalidInput(
            "Hạn mức: hãy đặt một trong hai, số tiền (amount, đồng) hoặc số kWh (kwh).", "amount"
        )
    if amount is not None and (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or not MIN_AMOUNT <= amount <= MAX_AMOUNT
    ):
        raise InvalidInput(
            f"Số tiền hạn mức phải là số nguyên từ {format_vnd(MIN_AMOUNT)} "
            f"đến {format_vnd(MAX_AMOUNT)}.",
            "amount",
        )
    if kwh is not None and (
        isinstance(kwh, bool) or not isinstance(kwh, int) or not MIN_KWH <= kwh <= MAX_KWH
    ):
        raise InvalidInput(
            f"Hạn mức kWh phải là số nguyên từ {MIN_KWH} đến {MAX_KWH:,}.".replace(",", "."),
            "kwh",
        )


def set_budget(
    session: Session,
    household: Household,
    *,
    amount: int | None = None,
    kwh: int | None = None,
    source: str = "app",
) -> Budget:
    """Set (or replace) the household's budget; exactly one of `amount` and `kwh`."""
    _check(amount, kwh)
    budget = session.get(Budget, household.id)
    if budget is None:
        budget = Budget(household_id=household.id)
        session.add(budget)
    budget.amount, budget.kwh, budget.source = amount, kwh, source
    session.commit()
    return budget


def clear_budget(session: Session, household: Household) -> bool:
    """Remove the budget; False when there was none."""
    budget = session.get(Budget, household.id)
    if budget is None:
        return False
    session.delete(budget)
    session.commit()
    return True
