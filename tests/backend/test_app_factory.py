"""create_app builds independent apps (each with its own API document)."""

from __future__ import annotations

from backend.api import api_of
from backend.app import create_app
from backend.config import TestConfig


def test_a_second_app_does_not_take_the_first_apps_document():
    first, second = create_app(TestConfig), create_app(TestConfig)
    assert first.test_client().get("/openapi.json").get_json() == (
        second.test_client().get("/openapi.json").get_json()
    )
    assert api_of(first)._app is first  # flask-smorest keeps the bound app
