"""Which conversation this staff member has revealed (for a limited time), and masking helpers
for templates: personal data stays masked unless revealed."""

from __future__ import annotations

from datetime import timedelta

from flask import session

from backend.clock import utc_now
from backend.models import Household
from backend.services import masking

REVEAL_FOR = timedelta(minutes=15)
_KEY = "staff_revealed"


def reveal(sender_id: str) -> None:
    """Only one conversation at a time: revealing another masks the previous one again."""
    session[_KEY] = {"sender_id": sender_id, "until": (utc_now() + REVEAL_FOR).isoformat()}


def is_revealed(sender_id: str) -> bool:
    state = session.get(_KEY) or {}
    return state.get("sender_id") == sender_id and state.get("until", "") > utc_now().isoformat()


def shown_text(text: str | None, revealed: bool) -> str:
    return (text or "") if revealed else masking.mask_text(text)


def household_summary(household: Household, revealed: bool) -> dict[str, str]:
    if revealed:
        return {
            "name": household.display_name or "",
            "phone": household.phone or "",
            "customer_code": household.customer_code or "",
            "address": household.address or "",
        }
    return {
        "name": masking.mask_name(household.display_name),
        "phone": masking.mask_phone(household.phone),
        "customer_code": masking.mask_customer_code(household.customer_code),
        "address": masking.MASK_ADDRESS if household.address else "",
    }
