"""Text the database cannot store (NUL, a lone UTF-16 surrogate) is a 422 naming the field, on
every database: PostgreSQL refuses NUL in text columns, no driver encodes a lone surrogate."""

from __future__ import annotations

import pytest

from backend.extensions import db
from backend.models import Conversation

HANDOFFS = "/api/v1/service/handoffs"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("post", HANDOFFS, '{"sender_id": "a\\u0000b"}', "sender_id"),
        ("post", HANDOFFS, '{"sender_id": "a\\ud800b"}', "sender_id"),
        ("post", HANDOFFS, '{"sender_id": "ok", "reason": "x\\u0000"}', "reason"),
        ("post", HANDOFFS, '{"sender_id\\u0000": "ok"}', "body"),
        ("get", "/api/v1/service/senders/a%00b", None, "sender_id"),
        ("get", "/api/v1/chat/messages?after=%00", None, "after"),
    ],
)
def test_the_service_api_refuses_unstorable_text(client, service_auth, method, path, body, field):
    response = getattr(client, method)(
        path, data=body, content_type="application/json" if body else None, headers=service_auth
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    payload = response.get_json()
    assert payload["code"] == "invalid" and payload["field"] == field
    assert "không hợp lệ" in payload["message"]
    assert db.session.scalars(db.select(Conversation)).all() == []


def test_a_nested_field_is_named_by_its_path_and_nothing_is_saved(client, auth):
    before = client.get("/api/v1/me", headers=auth).get_json()["appliances"]
    appliances = {"air_conditioners": 2, "water_heater": {"note": "bật cả ngày\u0000"}}
    response = client.put("/api/v1/me", json={"appliances": appliances}, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["field"] == "appliances.water_heater.note"
    assert client.get("/api/v1/me", headers=auth).get_json()["appliances"] == before


def test_text_with_an_emoji_or_diacritics_is_stored(client, service_auth):
    response = client.post(
        HANDOFFS, json={"sender_id": "Nguyễn-😀", "reason": "gặp nhân viên"}, headers=service_auth
    )
    assert response.status_code == 201
    assert db.session.get(Conversation, "Nguyễn-😀").handoff_reason == "gặp nhân viên"
