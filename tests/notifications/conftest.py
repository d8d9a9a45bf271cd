"""A fake FCM v1 + OAuth token server on loopback, and a firebase-admin App pointed at it."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import firebase_admin
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from firebase_admin import credentials, messaging

PROJECT = "demo-tiet-kiem-dien"


def fcm_error(status: int, code: str, error_code: str) -> dict:
    return {
        "error": {
            "code": status,
            "message": f"{code} for test",
            "status": code,
            "details": [
                {
                    "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                    "errorCode": error_code,
                }
            ],
        }
    }


class FakeFcm(BaseHTTPRequestHandler):
    """Answers by token prefix: dead… → 404 UNREGISTERED, quota… → 429, busy… → 503, else 200."""

    sent: ClassVar[list[dict]] = []
    counter: ClassVar[list[int]] = [0]
    delay: ClassVar[list[float]] = [0.0]  # seconds before answering a message (crash test)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/token":
            return self.reply(
                200, {"access_token": "fake-access", "expires_in": 3600, "token_type": "Bearer"}
            )
        message = json.loads(raw)["message"]
        token = message["token"]
        if FakeFcm.delay[0]:
            time.sleep(FakeFcm.delay[0])
        if token.startswith("dead"):
            return self.reply(404, fcm_error(404, "NOT_FOUND", "UNREGISTERED"))
        if token.startswith("quota"):
            return self.reply(429, fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"))
        if token.startswith("busy"):
            return self.reply(
                503, fcm_error(503, "UNAVAILABLE", "UNAVAILABLE"), {"Retry-After": "1"}
            )
        FakeFcm.sent.append(message)
        FakeFcm.counter[0] += 1
        return self.reply(200, {"name": f"projects/{PROJECT}/messages/{FakeFcm.counter[0]}"})

    def reply(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class FakeServer(ThreadingHTTPServer):
    request_queue_size = 256  # send_each opens one connection per message at once
    daemon_threads = True

    def handle_error(self, request, client_address):  # a killed client is expected here
        pass


@pytest.fixture
def fake_fcm(monkeypatch):
    server = FakeServer(("127.0.0.1", 0), FakeFcm)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setattr(
        messaging._MessagingService, "FCM_URL", base + "/v1/projects/{0}/messages:send"
    )
    FakeFcm.sent = []
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    account = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "test",
        "private_key": pem,
        "client_email": f"fcm@{PROJECT}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": base + "/token",
    }
    app = firebase_admin.initialize_app(credentials.Certificate(account), name=f"test-{id(server)}")
    FakeFcm.delay[0] = 0.0
    FakeFcm.base, FakeFcm.account = base, account
    yield app, FakeFcm
    firebase_admin.delete_app(app)
    server.shutdown()
