"""The backend's Zalo OA client against a fake Zalo on loopback (real HTTP, real token file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zalo.oa import OaClient, ZaloError
from zalo.tokens import TokenStore


def zalo_handler(valid_token: str = "fresh"):
    def handle(method: str, path: str, body: Any) -> tuple[int, Any]:
        if path == "/v4/oa/access_token":
            return 200, {"access_token": "fresh", "refresh_token": "next", "expires_in": "90000"}
        if path in ("/v3.0/oa/message/cs", "/message/template"):
            return 200, {"error": 0, "message": "Success", "data": {"message_id": "m-1"}}
        return 404, {}

    return handle


def client(url: str, tmp_path: Path, access_token: str = "fresh") -> OaClient:
    store = TokenStore(tmp_path / "zalo_tokens.json")
    store.write({"access_token": access_token, "refresh_token": "once", "expires_at": 0})
    return OaClient(url, url, url, "app-1", "app-secret", store, timeout=2)


def test_send_text_posts_the_cs_message_with_the_stored_token(fake_server, tmp_path):
    zalo = fake_server(zalo_handler())
    message_id = client(zalo.url, tmp_path).send_text("u-42", "Xin chào")
    assert message_id == "m-1"
    method, path, body, headers = zalo.calls[0]
    assert (method, path) == ("POST", "/v3.0/oa/message/cs")
    assert body == {"recipient": {"user_id": "u-42"}, "message": {"text": "Xin chào"}}
    assert headers["access_token"] == "fresh"


def test_expired_token_is_refreshed_once_stored_and_the_send_retried(fake_server, tmp_path):
    calls: list[str] = []

    def handle(method: str, path: str, body: Any) -> tuple[int, Any]:
        calls.append(path)
        if path == "/v3.0/oa/message/cs" and calls.count(path) == 1:
            return 200, {"error": -216, "message": "Access token is invalid"}
        return zalo_handler()(method, path, body)

    zalo = fake_server(handle)
    oa = client(zalo.url, tmp_path, access_token="stale")
    assert oa.send_text("u-42", "Xin chào") == "m-1"
    assert calls == ["/v3.0/oa/message/cs", "/v4/oa/access_token", "/v3.0/oa/message/cs"]
    stored = json.loads((tmp_path / "zalo_tokens.json").read_text())
    assert stored["access_token"] == "fresh" and stored["refresh_token"] == "next"
    assert zalo.calls[1][3]["secret_key"] == "app-secret"


def test_zns_template_goes_to_the_phone(fake_server, tmp_path):
    zalo = fake_server(zalo_handler())
    oa = client(zalo.url, tmp_path)
    assert oa.send_zns("84912345678", "tpl-9", {"ngay": "26/11"}, "n-7") == "m-1"
    _, path, body, _ = zalo.calls[0]
    assert path == "/message/template"
    assert body == {
        "phone": "84912345678",
        "template_id": "tpl-9",
        "template_data": {"ngay": "26/11"},
        "tracking_id": "n-7",
    }


@pytest.mark.parametrize(
    ("answer", "code"),
    [({"error": -230, "message": "User has not interacted in 7 days"}, -230), ([], 0)],
)
def test_refusals_raise_with_zalos_code(fake_server, tmp_path, answer, code):
    zalo = fake_server(lambda method, path, body: (200, answer))
    with pytest.raises(ZaloError) as error:
        client(zalo.url, tmp_path).send_text("u-42", "Xin chào")
    assert error.value.code == code


def test_unreachable_zalo_raises_instead_of_hanging(tmp_path):
    with pytest.raises(ZaloError) as error:
        client("http://127.0.0.1:9", tmp_path).send_text("u-42", "Xin chào")
    assert error.value.code == 0
