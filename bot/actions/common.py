"""Helpers shared by the actions: who the household is, and the standard apologies."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendError, BackendUnavailable, client

UNAVAILABLE = (
    "Xin lỗi, hiện tôi chưa lấy được dữ liệu riêng của nhà bạn (hệ thống đang bận). "
    "Bạn thử lại sau ít phút nhé; các câu hỏi chung về giá điện và cách tiết kiệm tôi vẫn trả lời được."
)


# a stop word that ends a question the bot asked (on the text without diacritics, lower case)
CANCEL = re.compile(r"^(?:thoi|huy|dung|khong can nua|ko can nua|khong tinh nua|bo qua)\b")


def yes_no(yes: str = "Đồng ý", no: str = "Không") -> list[dict[str, str]]:
    """The two buttons of a confirm question: `yes` sends /affirm, `no` sends /deny."""
    return [{"title": yes, "payload": "/affirm"}, {"title": no, "payload": "/deny"}]


NOT_LINKED = (
    "Tài khoản chat này chưa liên kết với hộ gia đình nào. Trong ứng dụng, vào mục Tài khoản → "
    'Liên kết Zalo để lấy mã 6 số, rồi nhắn cho tôi "liên kết <mã>".'
)


def linked_household(
    backend: BackendClient,
    tracker: Tracker,
    dispatcher: CollectingDispatcher,
    unavailable: str = UNAVAILABLE,
) -> dict[str, Any] | None:
    """The sender's household, or None after telling the user why not."""
    try:
        household = backend.household_of(tracker.sender_id)
    except BackendUnavailable:
        dispatcher.utter_message(text=unavailable)
        return None
    except BackendError:
        household = {"linked": False}
    if not household.get("linked"):
        dispatcher.utter_message(text=NOT_LINKED)
        return None
    return household


def ask_to_confirm(
    dispatcher: CollectingDispatcher,
    question: str,
    change: dict[str, Any],
    buttons: list[dict[str, str]] | None = None,
) -> list[EventType]:
    """Say the exact change and ask yes or no; the change waits in `pending_change` until the
    rules send the answer to action_apply_change (actions/changes.py). `buttons`: yes_no() with
    words that name the change ("Có, xóa dữ liệu"); "Đồng ý" and "Không" by default."""
    dispatcher.utter_message(text=question, buttons=buttons or yes_no())
    return [SlotSet("pending_change", change)]


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def call_for_household(
    tracker: Tracker,
    dispatcher: CollectingDispatcher,
    method: str,
    suffix: str,
    payload: dict[str, Any] | None = None,
    unavailable: str = UNAVAILABLE,
    *,
    refused: str | None = None,
) -> Any:
    """Call /api/v1/service/households/<id>/<suffix> for the sender's household.

    Returns the JSON body, or None after telling the user why there is none (not linked, or the
    backend is unavailable). With `refused` ("Tôi chưa ghi được."), a request the backend turns
    down is answered with it and the backend's own reason, which names what was wrong."""
    backend = client()
    household = linked_household(backend, tracker, dispatcher, unavailable)
    if household is None:
        return None
    path = f"/api/v1/service/households/{household['household_id']}/{suffix}"
    try:
        if payload is None:
            return backend.request(method, path)
        return backend.request(method, path, json=payload)
    except BackendError as error:
        dispatcher.utter_message(text=f"{refused} {error.message}" if refused else unavailable)
        return None
    except BackendUnavailable:
        dispatcher.utter_message(text=unavailable)
        return None


def post_alert_answer(
    tracker: Tracker,
    dispatcher: CollectingDispatcher,
    change: dict[str, Any],
    *,
    lasting: bool,
    unavailable: str,
) -> Any:
    """Record the household's answer to the usage alert `change["anomaly_id"]` (did its use
    change for good?, with its own words in `change["note"]`); None after telling why not."""
    return call_for_household(
        tracker,
        dispatcher,
        "POST",
        f"anomalies/{int(change.get('anomaly_id') or 0)}/feedback",
        {"lasting_change": lasting, "note": change.get("note")}
        | ({"change": change["change"]} if change.get("change") else {}),
        unavailable,
    )
