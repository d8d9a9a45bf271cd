"""Running one custom action outside Rasa: a tracker as Rasa would pass it, and the replies and
events the action returns (shared by the action tests of each feature)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

# A linked household and its usage as the service endpoints send them
LINKED = {
    "household_id": "hh-1",
    "linked": True,
    "display_name": "Nhà chị Lan",
    "province_code": 1,
    "region": "north",
}
USAGE = {
    "period_start": "2026-11-15",
    "period_end": "2026-12-14",
    "period_start_text": "15/11",
    "period_end_text": "14/12",
    "kwh_so_far": 120.4,
    "projected_kwh": 330.0,
    "projected_bill": 912_000,
    "projected_bill_text": "912.000 đ",
    "last_year_kwh": 300.0,
    "neighbours_median_kwh": 250.0,
    "anomaly": {
        "is_anomaly": True,
        "explanation": "Tuần qua nhà bạn dùng cao hơn mức dự kiến theo thời tiết khoảng 35%.",
        "excess_days": 6,
        "expected_kwh": 64.0,
        "actual_kwh": 86.0,
    },
    "last_bills": [
        {"period_start": "2026-06-15", "period_end": "2026-07-14", "kwh": 345, "amount": 961_470},
        {"period_start": "2026-05-15", "period_end": "2026-06-14", "kwh": 250, "amount": 636_768},
    ],
}


def make_tracker(
    *,
    sender: str = "hh-1",
    text: str = "",
    intent: str = "",
    slots: dict | None = None,
    events: list | None = None,
    entities: list | None = None,
) -> Tracker:
    """The tracker of `sender` whose latest message is `text`, classified as `intent` (with
    `entities`, as Rasa reads a button's payload)."""
    return Tracker(
        sender,
        slots or {},
        {
            "text": text,
            "intent": {"name": intent},
            "intent_ranking": [],
            "entities": entities or [],
        },
        events or [],
        False,
        None,
        {},
        "action_listen",
    )


def run(action, track: Tracker) -> tuple[list[dict], list]:
    """(the messages the action sent, the events it returned)."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, track, {})
    return dispatcher.messages, events
