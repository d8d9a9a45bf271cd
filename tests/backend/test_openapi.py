"""The API documentation a mobile developer reads: /docs offline, every operation with an example
and every status it answers with, the error body as the server really sends it."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_migrate import upgrade

from backend.api import api_of
from backend.api.openapi import DEMO_TOKEN_COMMAND, ERRORS, METHODS
from backend.app import create_app
from backend.config import TestConfig
from tests.conftest import bearer, make_household

ERROR_KEYS = {"code", "message", "field"}


def _public() -> dict:
    return create_app(TestConfig).test_client().get("/openapi.json").get_json()


PUBLIC = _public()
OPERATIONS = [
    (method, path, operation)
    for path, items in PUBLIC["paths"].items()
    for method, operation in items.items()
    if method in METHODS
]
IDS = [f"{method.upper()} {path}" for method, path, _ in OPERATIONS]


def test_docs_page_loads_only_the_apps_own_files(client):
    page = client.get("/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert {a.rsplit("/", 1)[-1] for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for asset in assets:
        assert asset.startswith("/docs/assets/"), asset  # never another host
        response = client.get(asset)
        assert response.status_code == 200 and len(response.data) > 1000, asset
    csp = client.get("/docs").headers["Content-Security-Policy"]
    assert "http" not in csp  # no CDN is allowed to run anything


def test_internal_operations_are_hidden_from_the_public_document(app):
    assert not [path for path in PUBLIC["paths"] if path.startswith("/api/v1/service")]
    assert set(PUBLIC["components"]["securitySchemes"]) == {"household"}
    assert "HandoffIn" not in PUBLIC["components"]["schemas"]  # used by internal bodies only
    assert "service" not in {tag["name"] for tag in PUBLIC["tags"]}
    internal = api_of(app).document(internal=True)
    assert "/api/v1/service/handoffs" in internal["paths"]
    assert "service" in internal["components"]["securitySchemes"]


def test_the_security_scheme_says_how_to_get_a_token():
    scheme = PUBLIC["components"]["securitySchemes"]["household"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "Firebase ID token" in scheme["description"]
    assert DEMO_TOKEN_COMMAND in scheme["description"]


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_operation_has_a_description_examples_and_its_statuses(method, path, operation):
    assert operation.get("description", "").strip(), "no description"
    responses = operation["responses"]
    successes = [s for s in responses if s.startswith("2")]
    assert successes, "no success response"
    for status in successes:
        if status == "204":
            continue
        content = responses[status].get("content", {}).get("application/json", {})
        assert "example" in content, f"{status}: no example response"
        assert "schema" in content, f"{status}: no schema"
    if "requestBody" in operation:
        assert "example" in operation["requestBody"]["content"]["application/json"], "no example"
        assert {"400", "413", "415", "422"} <= set(responses)
    query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    if query:
        assert "422" in responses
        assert any("example" in p for p in query), "no example query"
    if operation.get("security"):
        assert "401" in responses
    for status, response in responses.items():
        if status == "default" or status.startswith("2"):
            continue
        content = response["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/Error"}
        assert set(content["example"]) <= ERROR_KEYS and content["example"]["code"]


def test_the_documented_error_schema_is_the_servers_body():
    schema = PUBLIC["components"]["schemas"]["Error"]
    assert set(schema["properties"]) == ERROR_KEYS
    assert set(schema["required"]) == {"code", "message"}


def _check_documented(operation: dict, response, documented: dict) -> None:
    status = str(response.status_code)
    assert status in operation["responses"], f"{status} is not documented"
    body = response.get_json()
    assert set(body) <= ERROR_KEYS and {"code", "message"} <= set(body), body
    documented[status] = body


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_error_an_operation_answers_with_is_documented(app, method, path, operation):
    """Without a token, with a body that is not JSON, one that is not readable and one with a
    wrong field: whatever the server answers is a documented status with the documented body."""
    path = re.sub(r"\{[a-z_]+\}", "1", path)  # a path parameter: an id nobody owns
    client = app.test_client()
    household = make_household("docs-1")
    seen: dict[str, dict] = {}
    if operation.get("security"):
        response = client.open(path, method=method.upper())
        assert response.status_code == 401
        _check_documented(operation, response, seen)
    headers = bearer(household) if operation.get("security") else {}
    if "requestBody" in operation:
        for kwargs in (
            {"data": "kwh=1", "content_type": "application/x-www-form-urlencoded"},
            {"data": "{not json", "content_type": "application/json"},
            {"json": {"kwh": -1, "message": "", "token": "", "readings": "x", "reading": -1}},
        ):
            response = client.open(path, method=method.upper(), headers=headers, **kwargs)
            assert response.status_code >= 400, kwargs
            _check_documented(operation, response, seen)
    if any(p["in"] == "query" for p in operation.get("parameters", [])):
        query = {p["name"]: "không-phải-số" for p in operation["parameters"] if p["in"] == "query"}
        response = client.open(path, method=method.upper(), headers=headers, query_string=query)
        assert response.status_code == 422
        _check_documented(operation, response, seen)


def test_the_documented_error_bodies_are_real_responses(app, client, household):
    """The body documented for 401, 409, 422 and 429 is what the server sends, word for word."""
    assert client.get("/api/v1/me").get_json() == ERRORS[401][1]
    assert client.post("/api/v1/bills/estimate", json={"kwh": -1}).get_json() == ERRORS[422][1]
    bill = {"period_start": "2025-04-11", "period_end": "2025-05-10", "kwh": 350, "amount": 979560}
    assert client.post("/api/v1/me/bills", json=bill, headers=bearer(household)).status_code == 201
    again = client.post("/api/v1/me/bills", json=bill, headers=bearer(household))
    assert again.get_json() == ERRORS[409][1]
    device = {"token": "a-token-this-household-never-registered"}
    gone = client.delete("/api/v1/me/devices", json=device, headers=bearer(household))
    assert gone.get_json() == ERRORS[404][1]
    unreadable = client.put(
        "/api/v1/me", data="{not json", content_type="application/json", headers=bearer(household)
    )
    assert unreadable.get_json() == ERRORS[400][1]
    form = client.put("/api/v1/me", data="a=1", headers=bearer(household))
    assert form.get_json() == ERRORS[415][1]


def test_the_documented_rate_limit_body_is_the_real_one():
    app: Flask = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "CHAT_RATE_LIMIT": "1 per minute",
            "RASA_URL": "http://127.0.0.1:9",
            "RASA_TIMEOUT": 0.2,
        }
    )
    with app.app_context():
        upgrade()
        headers = bearer(make_household("limited"))
        client = app.test_client()
        first = client.post("/api/v1/chat", json={"message": "xin chào"}, headers=headers)
        assert first.get_json() == ERRORS[503][1]  # Rasa is not running: documented too
        second = client.post("/api/v1/chat", json={"message": "xin chào"}, headers=headers)
    assert second.status_code == 429
    assert second.get_json() == ERRORS[429][1]
