"""Shared fixtures: a migrated database per test (SQLite in memory, or TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from backend import create_app
from backend.auth import issue_demo_token
from backend.config import TestConfig
from backend.extensions import db
from backend.models import Household
from tests.fakes import (
    FakeServer,
    fake_server,  # noqa: F401  (a loopback JSON server, for every test)
    rasa_guard,
)


@pytest.fixture
def app() -> Iterator[Flask]:
    app = create_app(TestConfig)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # a shared server: start from an empty schema
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def make_household(household_id: str = "hh-1", **fields) -> Household:
    defaults: dict = {
        "display_name": "Nhà chị Lan",
        "province_code": 1,
        "occupants": 4,
        "appliances": {"air_conditioner": {"count": 2, "inverter": True}, "water_heater": True},
    }
    household = Household(id=household_id, **{**defaults, **fields})
    db.session.add(household)
    db.session.commit()
    return household


@pytest.fixture
def household(app: Flask) -> Household:
    return make_household("hh-1")


@pytest.fixture
def other_household(app: Flask) -> Household:
    return make_household("hh-2", display_name="Nhà anh Minh", province_code=79)


def bearer(household: Household) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_demo_token(household.id)}"}


@pytest.fixture
def auth(household: Household) -> dict[str, str]:
    """Headers signed in as `household`."""
    return bearer(household)


@pytest.fixture
def service_auth(app: Flask) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.config['SERVICE_TOKEN']}"}


@pytest.fixture
def rasa(app: Flask, fake_server) -> FakeServer:  # noqa: F811  (the fixture above)
    """A Rasa server on loopback that, like the real one, refuses calls without the token."""
    server = fake_server(
        lambda method, path, body: (200, {"ok": True}), rasa_guard(app.config["RASA_AUTH_TOKEN"])
    )
    app.config["RASA_URL"] = server.url
    return server
