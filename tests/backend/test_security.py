"""Hostile and broken input on every documented operation, driven by the OpenAPI document so a
new endpoint is covered the day it is added."""

from __future__ import annotations

import pytest
from flask import Flask

from backend import create_app
from backend.config import TestConfig
from tests.backend.test_households import ME_ENDPOINTS
from tests.conftest import bearer


def _operations() -> list[tuple[str, str, str | None, bool]]:
    """(method, path, security scheme, has a body) of every documented operation."""
    spec = create_app(TestConfig).test_client().get("/openapi.json").get_json()
    operations = []
    for path, items in spec["paths"].items():
        for method, operation in items.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            security = operation.get("security") or [{}]
            scheme = next(iter(security[0]), None)
            operations.append((method, path, scheme, "requestBody" in operation))
    return operations


OPERATIONS = _operations()
WITH_BODY = [(m, p, s) for m, p, s, body in OPERATIONS if body]


def _request(app: Flask, client, household, method: str, path: str, scheme: str | None, **kw):
    headers = {}
    if scheme == "household":
        headers = bearer(household)
    elif scheme == "service":
        headers = {"Authorization": f"Bearer {app.config['SERVICE_TOKEN']}"}
    path = path.replace("{household_id}", household.id).replace("{sender_id}", household.id)
    return client.open(path, method=method.upper(), headers=headers, **kw)


def test_every_household_operation_is_in_the_cross_household_test():
    household_ops = {(m, p) for m, p, s, _ in OPERATIONS if s == "household"}
    covered = {(m, p) for m, p, _ in ME_ENDPOINTS}
    assert household_ops - covered == {
        # always speaks as the token's household (test_foundation: chat_forwards_as_own_household)
        ("post", "/api/v1/chat"),
        # only the token's own staff messages (test_handoff: no_other_household_does)
        ("get", "/api/v1/chat/messages"),
        # below: another household's push token cannot be removed
        ("delete", "/api/v1/me/devices"),
    }


def test_another_households_push_token_cannot_be_removed(client, household, other_household):
    token = {"token": "fcm-token-of-the-other-household"}
    assert (
        client.post("/api/v1/me/devices", json=token, headers=bearer(other_household)).status_code
        < 300
    )
    response = client.delete("/api/v1/me/devices", json=token, headers=bearer(household))
    assert response.status_code == 404
    kept = client.get("/api/v1/me/export", headers=bearer(other_household)).get_data(as_text=True)
    assert token["token"] in kept


@pytest.mark.parametrize(("method", "path", "scheme"), WITH_BODY)
def test_a_body_over_one_megabyte_is_413_json(app, client, household, method, path, scheme):
    body = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'
    response = _request(
        app, client, household, method, path, scheme, data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "body_too_large"


@pytest.mark.parametrize("body", ["{", '{"a": ', "\xff\xfe", "[1, 2", "null", "[]", '"text"', "12"])
@pytest.mark.parametrize(("method", "path", "scheme"), WITH_BODY)
def test_malformed_bodies_get_a_clear_4xx(app, client, household, method, path, scheme, body):
    response = _request(
        app, client, household, method, path, scheme, data=body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    payload = response.get_json()
    assert payload["code"] in {"bad_request", "invalid"} and payload["message"]


@pytest.mark.parametrize(("method", "path", "scheme"), WITH_BODY)
def test_a_body_that_is_not_json_is_refused(app, client, household, method, path, scheme):
    response = _request(
        app, client, household, method, path, scheme, data="a=1", content_type="text/plain"
    )
    assert 400 <= response.status_code < 500
    assert response.get_json()["message"]
