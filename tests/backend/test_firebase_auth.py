"""Firebase ID tokens go through the real firebase_admin.auth.verify_id_token.

With FIREBASE_AUTH_EMULATOR_HOST set (tests only — production refuses to start with it) the
library accepts unsigned tokens but still checks audience, issuer and subject.
"""

from __future__ import annotations

import base64
import json
import time

import pytest

from backend.extensions import db
from backend.models import Household

PROJECT = "demo-tiet-kiem-dien"


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned_token(uid: str, project: str = PROJECT) -> str:
    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "sub": uid,
        "user_id": uid,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
    }
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


@pytest.fixture
def firebase_mode(app, monkeypatch):
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    app.config.update(AUTH_MODE="firebase", FIREBASE_PROJECT_ID=PROJECT, FIREBASE_CREDENTIALS="")
    import firebase_admin

    yield app
    for name in list(firebase_admin._apps):
        firebase_admin.delete_app(firebase_admin.get_app(name))


def test_first_sign_in_creates_the_household(client, firebase_mode):
    token = unsigned_token("uid-123")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["id"] == "fb-uid-123"
    assert db.session.query(Household).filter_by(firebase_uid="uid-123").count() == 1
    again = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert again.get_json()["id"] == "fb-uid-123"


@pytest.mark.parametrize(
    "token", [unsigned_token("uid-1", project="another-project"), "not-a-jwt", ""]
)
def test_tokens_for_another_project_or_malformed_are_401(client, firebase_mode, token):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_demo_tokens_are_refused_in_firebase_mode(client, household, auth, firebase_mode):
    assert client.get("/api/v1/me", headers=auth).status_code == 401
