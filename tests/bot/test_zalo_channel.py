"""The Zalo channel end to end: real HTTP into the channel, real HTTP out to a fake Zalo API."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import pytest
import requests
from channels.limits import MAX_MESSAGE_CHARS, TOO_FAST, TOO_LONG
from channels.zalo import split_text

from tests.fakes import chat_signed, start_server, stop_server

REST_SECRET = "echo-rest-secret"  # as tests/bot/zalo_echo_app.py

APP_ID, OA_SECRET = "4321", "oa-secret"
HERE = Path(__file__).parent


class FakeZalo:
    """Accepts messages with the current token; says -216 to an expired one; refreshes once."""

    def __init__(self) -> None:
        self.valid_token = "token-1"
        self.sent: list[dict] = []
        self.refreshes: list[str] = []
        self.failures: list[int | str] = []  # next answers of the message API: 500, 429, "hang"
        self.attempts = 0

    def __call__(self, method: str, path: str, body):
        if path == "/v3.0/oa/message/cs":
            return 200, self.message(body)
        if path == "/v4/oa/access_token":
            self.refreshes.append(body)
            self.valid_token = "token-2"
            return 200, {
                "access_token": "token-2",
                "refresh_token": "refresh-2",
                "expires_in": "90000",
            }
        return 404, {}

    def message(self, body):
        self.sent.append(body)
        return {"error": 0, "message": "Success", "data": {"message_id": str(len(self.sent))}}


@pytest.fixture
def zalo_config() -> dict:
    """More channel settings; a test overrides it with @pytest.mark.parametrize."""
    return {}


@pytest.fixture
def zalo(fake_server, tmp_path, zalo_config):
    fake = FakeZalo()
    calls_by_token: list[str] = []

    def handler(method, path, body):
        if path == "/v3.0/oa/message/cs":
            fake.attempts += 1
            if fake.failures:
                failure = fake.failures.pop(0)
                if failure == "hang":
                    time.sleep(3)  # longer than the channel's send timeout: it gave up
                    return 200, {"error": 0}
                return failure, {"error": failure}
            token = server.calls[-1][3].get("access_token")
            calls_by_token.append(token)
            if token != fake.valid_token:
                return 200, {"error": -216, "message": "Access token is invalid"}
        return fake(method, path, body)

    server = fake_server(handler)
    token_file = tmp_path / "zalo_tokens.json"
    token_file.write_text(
        json.dumps({"access_token": "token-1", "refresh_token": "refresh-1", "expires_at": 0})
    )
    config = {
        "app_id": APP_ID,
        "oa_secret_key": OA_SECRET,
        "app_secret_key": "app-secret",
        "api_base": server.url,
        "oauth_base": server.url,
        "token_file": str(token_file),
        "send_timeout": 1,
        **zalo_config,
    }
    process, port = start_server(
        lambda port: [
            sys.executable,
            str(HERE / "zalo_echo_app.py"),
            str(port),
            json.dumps(config),
        ],
        lambda port: f"http://127.0.0.1:{port}/webhooks/zalo/",
        # the channel's own health answer, not another server's that took the port first
        ready=lambda status, body: status == 200 and b'"pending"' in body,
    )
    url = f"http://127.0.0.1:{port}/webhooks/zalo"
    fake.url, fake.token_file, fake.calls_by_token = url + "/webhook", token_file, calls_by_token
    fake.health_url = url + "/"
    fake.rest_url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    yield fake
    stop_server(process)


def event(
    text: str, msg_id: str, timestamp: int | None = None, sender: str = "8421005540"
) -> bytes:
    body = {
        "event_name": "user_send_text",
        "app_id": APP_ID,
        "user_id_by_app": "55",
        "sender": {"id": sender},
        "recipient": {"id": "99"},
        "message": {"text": text, "msg_id": msg_id},
        "timestamp": str(timestamp if timestamp is not None else int(time.time() * 1000)),
    }
    return json.dumps(body, ensure_ascii=False).encode()


def sign(raw: bytes, secret: str = OA_SECRET) -> str:
    timestamp = json.loads(raw)["timestamp"]
    return (
        "mac="
        + hashlib.sha256(APP_ID.encode() + raw + timestamp.encode() + secret.encode()).hexdigest()
    )


def post(url: str, raw: bytes, signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-ZEvent-Signature"] = signature
    return requests.post(url, data=raw, headers=headers, timeout=5)


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def settled(zalo) -> bool:
    """Every turn the channel accepted has been answered (or given up): nothing more will be sent."""
    return wait_for(lambda: requests.get(zalo.health_url, timeout=2).json()["pending"] == 0, 30)


def test_signed_message_is_answered_through_the_oa_api(zalo):
    raw = event("xin chào", "m1")
    started = time.time()
    response = post(zalo.url, raw, sign(raw))
    assert response.status_code == 200 and time.time() - started < 2
    assert wait_for(lambda: zalo.sent)
    assert zalo.sent[0] == {
        "recipient": {"user_id": "8421005540"},
        "message": {"text": "echo: xin chào (zalo-8421005540)"},
    }


@pytest.mark.parametrize("text", ["lỗi", "hỏng"])
def test_a_turn_without_reply_gets_an_apology(zalo, text):
    raw = event(text, f"m-{text}")
    assert post(zalo.url, raw, sign(raw)).status_code == 200
    assert wait_for(lambda: zalo.sent)
    assert zalo.sent[0]["recipient"] == {"user_id": "8421005540"}
    assert zalo.sent[0]["message"]["text"].startswith("Xin lỗi, trợ lý đang gặp sự cố")


def test_no_apology_while_staff_has_the_conversation(zalo):
    paused = event("lỗi", "m-paused", sender="777")
    assert post(zalo.url, paused, sign(paused)).status_code == 200
    later = event("xin chào", "m-later")
    assert post(zalo.url, later, sign(later)).status_code == 200
    assert wait_for(lambda: zalo.sent) and settled(zalo)  # the paused turn sent nothing
    assert [m["recipient"]["user_id"] for m in zalo.sent] == ["8421005540"]


@pytest.mark.parametrize("signature", [None, "mac=00", "mac=" + "a" * 64])
def test_wrong_or_missing_signature_is_401(zalo, signature):
    raw = event("xin chào", "m2")
    assert post(zalo.url, raw, signature).status_code == 401
    assert settled(zalo)
    assert zalo.sent == []


def test_signature_with_another_secret_is_401(zalo):
    raw = event("xin chào", "m3")
    assert post(zalo.url, raw, sign(raw, "not-the-secret")).status_code == 401


def test_old_timestamp_is_refused(zalo):
    raw = event("xin chào", "m4", timestamp=int((time.time() - 600) * 1000))
    assert post(zalo.url, raw, sign(raw)).status_code == 401


def test_repeated_msg_id_is_processed_once(zalo):
    raw = event("một lần thôi", "m5")
    assert post(zalo.url, raw, sign(raw)).status_code == 200
    assert post(zalo.url, raw, sign(raw)).json()["status"] == "duplicate"
    assert wait_for(lambda: zalo.sent) and settled(zalo)
    assert len(zalo.sent) == 1


@pytest.mark.parametrize("failures", [[500, 502], [429], ["hang"], [503, "hang", 429]])
def test_zalo_errors_and_hangs_are_retried_with_backoff(zalo, failures):
    zalo.failures.extend(failures)
    raw = event("xin chào", f"retry-{len(failures)}-{failures[0]}")
    assert post(zalo.url, raw, sign(raw)).status_code == 200
    assert wait_for(lambda: zalo.sent, timeout=20) and settled(zalo)
    assert len(zalo.sent) == 1 and zalo.attempts == len(failures) + 1


def test_zalo_down_for_good_is_tried_four_times_then_logged(zalo):
    zalo.failures.extend([500] * 4)
    raw = event("xin chào", "down-for-good")
    assert post(zalo.url, raw, sign(raw)).status_code == 200
    assert wait_for(lambda: zalo.attempts == 4, timeout=20) and settled(zalo)
    assert zalo.sent == [] and zalo.attempts == 4


def test_decomposed_text_reaches_the_bot_as_nfc(zalo):
    raw = event("tie\u0302\u0300n đie\u0323\u0302n", "m6")
    post(zalo.url, raw, sign(raw))
    assert wait_for(lambda: zalo.sent)
    assert zalo.sent[0]["message"]["text"].startswith("echo: tiền điện")


def test_expired_token_is_refreshed_once_and_stored(zalo):
    zalo.valid_token = "token-2"  # token-1 in the file is now expired
    raw = event("xin chào", "m7")
    post(zalo.url, raw, sign(raw))
    assert wait_for(lambda: zalo.sent)
    assert zalo.calls_by_token == ["token-1", "token-2"]
    assert len(zalo.refreshes) == 1 and "refresh_token=refresh-1" in zalo.refreshes[0]
    stored = json.loads(zalo.token_file.read_text())
    assert stored["access_token"] == "token-2" and stored["refresh_token"] == "refresh-2"


def test_long_replies_are_split(zalo):
    raw = event("dài", "m8")
    post(zalo.url, raw, sign(raw))
    assert wait_for(lambda: len(zalo.sent) == 3)
    assert all(len(m["message"]["text"]) <= 2000 for m in zalo.sent)
    assert sum(len(m["message"]["text"]) for m in zalo.sent) == 4500


def test_malformed_body_is_400(zalo):
    assert post(zalo.url, b"{not json", "mac=x").status_code == 400


def test_split_text_prefers_sentence_boundaries():
    text = "Câu một. " * 300
    parts = split_text(text, limit=100)
    assert all(len(p) <= 100 for p in parts)
    assert all(p.endswith(".") for p in parts)


def test_a_message_over_the_cap_gets_a_polite_answer_without_reaching_the_bot(zalo):
    raw = event("đ" * (MAX_MESSAGE_CHARS + 1), "m-long")
    response = post(zalo.url, raw, sign(raw))
    assert response.status_code == 200 and response.json() == {"status": "too_long"}
    assert wait_for(lambda: zalo.sent)
    assert [m["message"]["text"] for m in zalo.sent] == [TOO_LONG]  # no echo: the bot never ran
    just_right = event("đ" * MAX_MESSAGE_CHARS, "m-max")
    assert post(zalo.url, just_right, sign(just_right)).json() == {"status": "accepted"}
    # the echo is longer than 2,000 characters: split at its spaces into three messages
    assert wait_for(lambda: len(zalo.sent) == 4)
    assert "đ" * MAX_MESSAGE_CHARS in [m["message"]["text"] for m in zalo.sent[1:]]


def test_a_200_kb_message_is_refused_before_it_is_parsed(zalo):
    raw = event("a" * 200_000, "m-huge")
    started = time.time()
    assert post(zalo.url, raw, sign(raw)).status_code == 413
    assert time.time() - started < 2 and zalo.attempts == 0


@pytest.mark.parametrize("depth", [30_000, 50_000])
def test_json_nested_deep_is_a_400_or_413_not_a_500(zalo, depth):
    raw = b"[" * depth + b"]" * depth
    response = post(zalo.url, raw, "mac=whatever")
    assert response.status_code == (400 if len(raw) <= 64 * 1024 else 413)
    if response.status_code == 400:
        assert "nested too deeply" in response.json()["error"]


@pytest.mark.parametrize("sender", ["9" * 33, "zalo-1", "12 34"])
def test_a_sender_that_is_not_a_zalo_user_id_is_400(zalo, sender):
    raw = event("xin chào", f"m-{sender}", sender=sender)
    response = post(zalo.url, raw, sign(raw))
    assert response.status_code == 400 and "sender.id" in response.json()["error"]
    assert zalo.attempts == 0


@pytest.mark.parametrize("zalo_config", [{"rate_per_minute": 3, "rate_window": 3600}])
def test_a_sender_flooding_is_answered_once_then_dropped_others_still_served(zalo):
    statuses = []
    for n in range(6):
        raw = event(f"tin {n}", f"flood-{n}")
        statuses.append(post(zalo.url, raw, sign(raw)).json()["status"])
    assert statuses == ["accepted"] * 3 + ["rate_limited"] * 3
    other = event("xin chào", "other-1", sender="5550001")
    assert post(zalo.url, other, sign(other)).json() == {"status": "accepted"}
    assert wait_for(lambda: len(zalo.sent) == 5)
    texts = sorted(m["message"]["text"] for m in zalo.sent)
    assert texts.count(TOO_FAST) == 1  # one notice, not one per dropped message
    assert sum(t.startswith("echo: tin ") for t in texts) == 3


def rest(zalo, body) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return requests.post(
        zalo.rest_url, data=data, headers=chat_signed(REST_SECRET, data), timeout=5
    )


def test_rest_channel_answers_a_message_over_the_cap_politely_without_the_bot(zalo):
    long = rest(zalo, {"sender": "hh-1", "message": "a" * (MAX_MESSAGE_CHARS + 1)})
    assert long.status_code == 200
    assert long.json() == [{"recipient_id": "hh-1", "text": TOO_LONG}]
    fine = rest(zalo, {"sender": "hh-1", "message": "xin chào"})
    assert fine.json()[0]["text"] == "echo: xin chào (hh-1)"


def test_rest_channel_refuses_a_sender_longer_than_the_conversations_column(zalo):
    response = rest(zalo, {"sender": "x" * 97, "message": "xin chào"})
    assert response.status_code == 400 and "at most 96" in response.json()["error"]
    assert rest(zalo, {"sender": "x" * 96, "message": "a"}).status_code == 200


def test_rest_channel_refuses_deep_or_odd_json_with_400(zalo):
    deep = rest(zalo, b"[" * 30_000 + b"]" * 30_000)
    assert deep.status_code == 400 and "nested too deeply" in deep.json()["error"]
    assert rest(zalo, [1, 2]).status_code == 400
    assert rest(zalo, b"[" * 50_000 + b"]" * 50_000).status_code == 413
