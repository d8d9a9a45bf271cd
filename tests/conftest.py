"""Shared fixtures: a migrated database per test (SQLite in memory, or TEST_DATABASE_URL)."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import text

from backend.app import create_app
from backend.auth import issue_demo_token
from backend.config import TestConfig
from backend.extensions import db
from backend.models import DailyReading, Household
from tests.fakes import (
    FakeServer,
    fake_server,  # noqa: F401  (a loopback JSON server, for every test)
    rasa_guard,
)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Run the migrations once per test session: into a SQLite file that each test copies, or
    into the PostgreSQL test database (TEST_DATABASE_URL), which each test then empties."""
    if TestConfig.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
        app = create_app(TestConfig)
        with app.app_context():
            with db.engine.begin() as conn:  # a shared server: start from an empty schema
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            upgrade()
            db.engine.dispose()
        return None
    template = tmp_path_factory.mktemp("migrated") / "template.db"
    app = create_app(_on_sqlite_file(template))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return template


def _on_sqlite_file(path: Path) -> type[TestConfig]:
    return type("TestConfigOnFile", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})


@pytest.fixture
def app(
    migrated_template: Path | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """A fresh, migrated, empty database per test (copied or emptied, not migrated again)."""
    if migrated_template is None:
        app = create_app(TestConfig)
        with app.app_context():
            tables = [t for t in db.metadata.sorted_tables]
            with db.engine.begin() as conn:
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            yield app
            db.session.remove()
            db.engine.dispose()
        return
    database = tmp_path_factory.mktemp("app-db") / "app.db"  # not in the test's own tmp_path
    shutil.copyfile(migrated_template, database)
    app = create_app(_on_sqlite_file(database))
    with app.app_context():
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


def daily_readings(household_id: str, days: int, raised_last: int) -> None:
    """`days` days of readings up to yesterday, about 8 kWh a day; the last `raised_last` days
    7 kWh higher (a water heater stuck on, a new air conditioner)."""
    rng = random.Random(4)
    today = date.today()
    db.session.add_all(
        DailyReading(
            household_id=household_id,
            day=today - timedelta(days=days - i),
            kwh=8 + rng.gauss(0, 0.4) + (7 if i >= days - raised_last else 0),
        )
        for i in range(days)
    )
    db.session.commit()


@dataclass
class UnusualUse:
    household: Household  # its use rose 7 kWh a day for its last 8 days
    model: str  # the model trained on it and its neighbours
    runner: FlaskCliRunner  # for `notify score-all --model <model>`


@pytest.fixture
def unusual_use(app: Flask, tmp_path: Path) -> UnusualUse:
    """Four households of one province with 240 days of readings; one ("stuck", a water heater)
    uses 7 kWh a day more for its last 8 days; a model trained on all four. Nightly scoring
    (`notify score-all`) turns that into one open episode and one usage alert."""
    household = make_household("stuck", province_code=40, appliances={"water_heater": True})
    for index in range(3):
        make_household(f"normal-{index}", province_code=40)
        daily_readings(f"normal-{index}", 240, 0)
    daily_readings(household.id, 240, 8)
    runner = app.test_cli_runner()
    model = str(tmp_path / "model.skops")
    trained = runner.invoke(args=["ml", "train", "--model", model])
    assert trained.exit_code == 0, trained.output
    return UnusualUse(household, model, runner)
