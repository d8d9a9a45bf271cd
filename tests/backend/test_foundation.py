from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from backend.app import create_app
from backend.config import DEV_RASA_AUTH_TOKEN, TestConfig
from tests.conftest import bearer
from tests.fakes import rasa_guard

# what the real Rasa of `make run` accepts: the signed REST channel, `?token=` on its API
RASA_ACCEPTS = rasa_guard(DEV_RASA_AUTH_TOKEN)


class FakeRasa(BaseHTTPRequestHandler):
    """A Rasa REST channel on loopback that echoes who spoke."""

    received: ClassVar[list[dict]] = []
    paths: ClassVar[list[str]] = []
    replies: ClassVar[list[dict] | None] = None

    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Hello from Rasa: 3.6.21")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        refusal = RASA_ACCEPTS("POST", self.path, self.headers, raw)
        if refusal:
            self.send_response(refusal[0])
            self.end_headers()
            return
        body = json.loads(raw)
        FakeRasa.received.append(body)
        FakeRasa.paths.append(self.path)
        replies = (
            FakeRasa.replies
            if FakeRasa.replies is not None
            else [
                {"recipient_id": body["sender"], "text": "Xin chào! Tôi là trợ lý tiết kiệm điện."},
                {
                    "recipient_id": body["sender"],
                    "buttons": [{"title": "Giá điện", "payload": "/ask_tariff"}],
                },
            ]
        )
        payload = json.dumps(replies).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_rasa(app):
    server = HTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeRasa.received = []
    FakeRasa.paths = []
    FakeRasa.replies = None
    app.config["RASA_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield FakeRasa
    server.shutdown()


def test_healthz_reports_each_service(client, fake_rasa):
    body = client.get("/healthz").get_json()
    assert body["database"] == "ok"
    assert body["rasa"] == "ok"
    assert body["action_server"] in {"ok", "down"}


def test_healthz_degraded_when_rasa_down(app, client):
    app.config["RASA_URL"] = "http://127.0.0.1:9"
    body = client.get("/healthz").get_json()
    assert body["rasa"] == "down"
    assert body["status"] == "degraded"


def test_chat_forwards_as_own_household(client, household, fake_rasa):
    response = client.post("/api/v1/chat", json={"message": "Xin chào"}, headers=bearer(household))
    assert response.status_code == 200
    assert fake_rasa.received == [{"sender": household.id, "message": "Xin chào"}]
    messages = response.get_json()["messages"]
    assert messages[0]["text"].startswith("Xin chào!")
    assert messages[1]["buttons"] == [{"title": "Giá điện", "payload": "/ask_tariff"}]


def test_chat_with_a_key_rasa_does_not_share_is_refused(app, client, household, fake_rasa):
    """The proxy signs each turn; Rasa's channel refuses a turn signed with another key."""
    app.config["RASA_AUTH_TOKEN"] = "another-key"
    response = client.post("/api/v1/chat", json={"message": "Xin chào"}, headers=bearer(household))
    assert response.status_code == 503
    assert fake_rasa.received == []


def test_chat_normalises_to_nfc(client, household, fake_rasa):
    decomposed = "tie\u0302\u0300n đie\u0323\u0302n"  # "tiền điện" typed as NFD
    client.post("/api/v1/chat", json={"message": decomposed}, headers=bearer(household))
    assert fake_rasa.received[0]["message"] == "tiền điện"


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer forged"}, 401), ({"Authorization": "Basic x"}, 401)],
)
def test_chat_requires_household_token(client, headers, status):
    assert (
        client.post("/api/v1/chat", json={"message": "hi"}, headers=headers).status_code == status
    )


@pytest.mark.parametrize(
    ("body", "field"), [({}, "message"), ({"message": ""}, "message"), ({"message": 5}, "message")]
)
def test_chat_rejects_bad_body_naming_the_field(client, household, body, field):
    response = client.post("/api/v1/chat", json=body, headers=bearer(household))
    assert response.status_code == 422
    assert response.get_json()["field"] == field


def test_chat_when_rasa_is_down_says_so_in_vietnamese(app, client, household):
    app.config["RASA_URL"] = "http://127.0.0.1:9"
    response = client.post("/api/v1/chat", json={"message": "hi"}, headers=bearer(household))
    assert response.status_code == 503
    assert "thử lại" in response.get_json()["message"]


def test_malformed_json_is_a_400(client, household):
    response = client.post(
        "/api/v1/chat", data="{", content_type="application/json", headers=bearer(household)
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_request"


def test_body_over_one_megabyte_is_413(client, household):
    response = client.post(
        "/api/v1/chat",
        data=b'{"message": "' + b"a" * (1024 * 1024) + b'"}',
        content_type="application/json",
        headers=bearer(household),
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "body_too_large"


def test_web_chat_page_signs_in_a_demo_household(client, household):
    page = client.get("/").get_data(as_text=True)
    assert ">Gửi</button>" in page and 'src="/static/app/app.js' in page
    assert household.display_name in page
    script = client.get("/static/app/app.js").get_data(as_text=True)
    assert "/api/v1/chat" in script  # the page's chat talks to the household's API


def test_openapi_and_docs_are_served(client):
    spec = client.get("/openapi.json").get_json()
    assert "/api/v1/chat" in spec["paths"]
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"APP_ENV": "production", "AUTH_MODE": "demo"},
        {"APP_ENV": "production", "AUTH_MODE": "firebase"},  # default secrets
    ],
)
def test_production_refuses_unsafe_settings(overrides):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()} | overrides
    with pytest.raises(RuntimeError):
        create_app(config)


def test_dev_token_creates_household_and_token_works(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dev-token", "--household-id", "demo-9"])
    assert result.exit_code == 0
    token = result.output.strip()
    response = client.post(
        "/api/v1/chat", json={"message": "x" * 2001}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422  # authenticated, then validated


def test_dev_token_refused_outside_demo_mode(app):
    app.config["AUTH_MODE"] = "firebase"
    result = app.test_cli_runner().invoke(args=["dev-token", "--household-id", "x"])
    assert result.exit_code != 0
    assert "demo" in result.output


def test_waiting_for_staff_is_explained_and_the_user_can_resume(
    app, client, household, fake_rasa, service_auth
):
    queued = client.post(
        "/api/v1/service/handoffs", headers=service_auth, json={"sender_id": household.id}
    )
    assert queued.status_code == 201, queued.get_json()
    fake_rasa.replies = []  # Rasa is paused: it answers nothing
    body = client.post(
        "/api/v1/chat", json={"message": "alo"}, headers=bearer(household)
    ).get_json()
    assert "chờ nhân viên" in body["messages"][0]["text"]
    assert body["messages"][0]["buttons"][0]["payload"] == "/resume_bot"
    resumed = client.post(
        "/api/v1/chat", json={"message": "/resume_bot"}, headers=bearer(household)
    ).get_json()
    assert "quay lại" in resumed["messages"][0]["text"]
    assert fake_rasa.received[-1] == {"event": "resume"}
    assert fake_rasa.paths[-1] == (
        f"/conversations/{household.id}/tracker/events?token={DEV_RASA_AUTH_TOKEN}"
    )
