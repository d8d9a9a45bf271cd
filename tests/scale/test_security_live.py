"""Security properties that only show with several processes: the chat rate limit shared by
gunicorn workers through Redis, and Zalo's replay protection shared by two Rasa servers."""

from __future__ import annotations

import hashlib
import json
import time

import requests

from tests.scale.conftest import ZALO_APP_ID, ZALO_OA_SECRET, chat, make_households


def test_chat_rate_limit_is_per_household_across_workers(stack, stack_app):
    """30 per minute per household (CHAT_RATE_LIMIT), counted in Redis: two gunicorn workers
    and many connections still let exactly 30 through; another household is unaffected."""
    (_, noisy), (_, quiet) = make_households(stack_app, "rate-limit", 2)
    statuses = [chat(stack, noisy, "/greet").status_code for _ in range(34)]
    assert statuses[:30] == [200] * 30 and statuses[30:] == [429] * 4, statuses
    limited = chat(stack, noisy, "/greet")
    assert limited.json()["code"] == "rate_limited" and limited.headers["Retry-After"]
    assert chat(stack, quiet, "/greet").status_code == 200
    health = requests.get(stack.url("backend") + "/healthz", timeout=10)
    assert health.status_code == 200


def zalo_event(text: str, msg_id: str, age_s: float = 0) -> tuple[bytes, dict[str, str]]:
    timestamp = str(int((time.time() - age_s) * 1000))
    raw = json.dumps(
        {
            "event_name": "user_send_text",
            "app_id": ZALO_APP_ID,
            "sender": {"id": "7700001"},
            "recipient": {"id": "99"},
            "message": {"text": text, "msg_id": msg_id},
            "timestamp": timestamp,
        },
        ensure_ascii=False,
    ).encode()
    mac = hashlib.sha256(
        ZALO_APP_ID.encode() + raw + timestamp.encode() + ZALO_OA_SECRET.encode()
    ).hexdigest()
    return raw, {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"}


def webhook(stack, server: str) -> str:
    return stack.url(server) + "/webhooks/zalo/webhook"


def test_zalo_replay_to_the_other_server_is_ignored(stack, fake_zalo):
    raw, headers = zalo_event("xin chào", "replay-across-servers")
    first = requests.post(webhook(stack, "rasa-a"), data=raw, headers=headers, timeout=10)
    again = requests.post(webhook(stack, "rasa-b"), data=raw, headers=headers, timeout=10)
    assert first.json()["status"] == "accepted"
    assert again.json()["status"] == "duplicate"
    deadline = time.time() + 30
    while not fake_zalo.sent and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(2)
    to_user = [m for m in fake_zalo.sent if m["recipient"]["user_id"] == "7700001"]
    assert len(to_user) == 1, to_user  # one greeting, not two


def test_zalo_bad_signature_and_old_timestamp_are_refused_on_every_server(stack):
    raw, headers = zalo_event("xin chào", "bad-signature")
    forged = {**headers, "X-ZEvent-Signature": "mac=" + "0" * 64}
    old_raw, old_headers = zalo_event("xin chào", "old-timestamp", age_s=600)
    for server in ("rasa-a", "rasa-b"):
        assert (
            requests.post(webhook(stack, server), data=raw, headers=forged, timeout=10).status_code
            == 401
        )
        assert (
            requests.post(
                webhook(stack, server), data=old_raw, headers=old_headers, timeout=10
            ).status_code
            == 401
        )
