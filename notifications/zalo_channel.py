"""Notifications through the Zalo Official Account: a CS message inside the 48-hour reply window,
outside it a ZNS template message when the household has a phone number and the kind a template.

Zalo errors: -216 (expired token) is handled by the client; -230 (user silent for 7 days) falls back
to ZNS like any send outside the window; a failed HTTP call (code 0) or Zalo's "unknown error"
(-100) is retried with exponential backoff; a quota refusal backs off from a minute; anything else
is recorded and not retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from backend.models import Household, Notification
from backend.services.zalo import oa_client
from notifications.channels import QUOTA_BACKOFF, SERVER_BACKOFF, Outcome, backoff
from zalo.oa import OaClient, ZaloError

REPLY_WINDOW = timedelta(hours=48)
USER_SILENT = -230  # "user has not interacted with the OA in 7 days": outside the window
TRANSIENT = {0, -100}  # the HTTP call failed; Zalo's "unknown error, try again later"


@dataclass(frozen=True)
class ZaloChannel:
    client: OaClient
    templates: Mapping[str, str]  # notification kind → approved ZNS template id

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ZaloChannel | None:
        client = oa_client(config)
        if client is None:
            return None
        return cls(client, dict(config.get("ZALO_ZNS_TEMPLATES") or {}))

    def send(self, row: Notification, household: Household, now: datetime) -> Outcome:
        user_id = household.zalo_user_id or ""
        last = household.zalo_last_message_at
        if last is not None and now - last < REPLY_WINDOW:
            try:
                return Outcome.sent(
                    "cs", self.client.send_text(user_id, f"{row.title}\n{row.body}")
                )
            except ZaloError as error:
                if error.code != USER_SILENT:
                    return classify(error, row.attempts)
        return self.send_zns(row, household)

    def send_zns(self, row: Notification, household: Household) -> Outcome:
        template = self.templates.get(row.kind)
        if not household.phone or not template:
            missing = "phone number" if not household.phone else f"ZNS template for {row.kind}"
            return Outcome.skipped(f"outside the 48 h reply window and no {missing}")
        try:
            message_id = self.client.send_zns(
                zns_phone(household.phone), template, template_data(row), f"notification-{row.id}"
            )
        except ZaloError as error:
            return classify(error, row.attempts)
        return Outcome.sent("zns", message_id)


def classify(error: ZaloError, attempts: int) -> Outcome:
    text = f"ZaloError {error.code}: {error.message}"
    if error.code in TRANSIENT:
        return Outcome.retry(text, backoff(SERVER_BACKOFF, attempts))
    if "quota" in error.message.lower():
        return Outcome.retry(text, backoff(QUOTA_BACKOFF, attempts))
    return Outcome.failed(text)


def zns_phone(phone: str) -> str:
    """ZNS wants 84… : 0912345678 and +84912345678 both become 84912345678."""
    digits = phone.lstrip("+")
    return "84" + digits[1:] if digits.startswith("0") else digits


def template_data(row: Notification) -> dict[str, str]:
    """The parameters of the kind's template: a title and the text, and the kind's own fields."""
    data = row.data or {}
    params = {"title": row.title, "content": row.body}
    if row.kind == "outage":
        params |= {
            "area": str(data.get("area", "")),
            "start": str(data.get("start", "")),
            "end": str(data.get("end", "")),
            "reason": str(data.get("reason", "")),
            "status": "Đã hủy"
            if data.get("cancelled")
            else ("Lịch mới" if data.get("version", 1) == 1 else "Thay đổi"),
        }
    elif row.kind == "weekly_tip":
        params["week_kwh"] = str(data.get("week_kwh", ""))
    elif row.kind == "usage_alert":
        params["excess_days"] = str(data.get("excess_days", ""))
    return params
