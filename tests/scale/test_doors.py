"""Every door to a household's conversation, tried as an attacker on the production shape
(two Rasa servers, action server, backend on loopback): only the authenticated chat proxy and
the signed Zalo webhook speak for a household (docs/security.md)."""

from __future__ import annotations

import json
import time

import pytest
import requests

from backend.services.chat import sign_body
from tests.scale.conftest import API, chat, make_households, say


@pytest.fixture(scope="module")
def victim(stack_app, stack):
    ((household_id, token),) = make_households(stack_app, "victim", 1)
    assert chat(stack, token, "/greet").status_code == 200  # a conversation exists
    return household_id


def test_the_rest_channel_refuses_an_unsigned_sender(stack, victim):
    """Choosing `sender` is not enough to speak as a household."""
    response = requests.post(
        stack.url("rasa-a") + "/webhooks/rest/webhook",
        json={"sender": victim, "message": "/check_my_usage"},
        timeout=30,
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "how", ["wrong key", "stale", "body changed after signing"], ids=lambda how: how
)
def test_the_rest_channel_refuses_a_forged_signature(stack, victim, how):
    raw = json.dumps({"sender": victim, "message": "/delete_my_data"}).encode()
    key, now = ("guessed", time.time()) if how == "wrong key" else (API["token"], time.time())
    if how == "stale":
        now -= 3600
    headers = {"Content-Type": "application/json", **sign_body(secret=key, body=raw, now=now)}
    if how == "body changed after signing":
        raw = raw.replace(b"delete_my_data", b"check_my_usage")
    response = requests.post(
        stack.url("rasa-b") + "/webhooks/rest/webhook", data=raw, headers=headers, timeout=30
    )
    assert response.status_code == 401


def test_a_signed_turn_is_answered(stack, victim):
    assert say(stack.url("rasa-a"), victim, "/greet")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/conversations/{id}/tracker", None),
        ("POST", "/conversations/{id}/execute", {"name": "action_apply_change"}),
        ("POST", "/conversations/{id}/tracker/events", {"event": "pause"}),
        ("PUT", "/conversations/{id}/tracker/events", []),
        ("POST", "/conversations/{id}/trigger_intent", {"name": "delete_my_data"}),
        ("POST", "/model/parse", {"text": "xin chào"}),
    ],
)
@pytest.mark.parametrize("token", [None, "guessed"])
def test_rasa_http_api_needs_the_token(stack, victim, method, path, body, token):
    url = stack.url("rasa-a") + path.format(id=victim)
    params = {"token": token} if token else None
    response = requests.request(method, url, json=body, params=params, timeout=30)
    assert response.status_code in (401, 403), response.text
    with_token = requests.get(
        stack.url("rasa-a") + f"/conversations/{victim}/tracker", params=API, timeout=30
    )
    assert with_token.status_code == 200
    assert not with_token.json()["paused"]  # nothing the attacker sent took effect


@pytest.mark.parametrize("token", [None, "guessed"])
def test_the_action_server_answers_only_rasa(stack, victim, token):
    call = {
        "next_action": "action_check_my_usage",
        "sender_id": victim,
        "tracker": {"sender_id": victim, "slots": {}, "latest_message": {}, "events": []},
        "domain": {},
        "version": "3.6.2",
    }
    params = {"token": token} if token else None
    response = requests.post(
        stack.url("actions") + "/webhook", json=call, params=params, timeout=30
    )
    assert response.status_code == 401
    assert requests.get(stack.url("actions") + "/health", timeout=10).status_code == 200
