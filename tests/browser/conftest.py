"""A real backend on loopback (werkzeug server thread, temp SQLite file, CSRF on), a fake Rasa,
and Debian's Chromium driven by Playwright. No browser is ever downloaded."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from backend.app import create_app
from backend.config import TestConfig
from backend.extensions import db
from tests.fakes import FakeServer, rasa_guard

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BOT_NLU = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu"
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "vi-VN", "has_touch": True}
SLOW = 20_000  # ms: two cores shared by several workers


@dataclass
class Live:
    app: Flask
    url: str
    rasa: FakeServer
    nlu_dir: Path


@pytest.fixture
def live(tmp_path: Path, fake_server) -> Iterator[Live]:
    rasa = fake_server(
        lambda method, path, body: (200, [] if "webhook" in path else {"ok": True}),
        rasa_guard(TestConfig.RASA_AUTH_TOKEN),
    )
    nlu_dir = tmp_path / "nlu"
    shutil.copytree(BOT_NLU, nlu_dir, ignore=shutil.ignore_patterns("corrections.yml"))
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}",
        "WTF_CSRF_ENABLED": True,  # a real browser posts the real tokens
        "RASA_URL": rasa.url,
        "RASA_TIMEOUT": 5,
        "NLU_EXPORT_DIR": str(nlu_dir),
    }
    app = create_app(type("BrowserTestConfig", (TestConfig,), settings))
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(app, f"http://127.0.0.1:{server.server_port}", rasa, nlu_dir)
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium) "
            "or set CHROMIUM to its path. Browser tests are never skipped."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Phone:
    """A browser context at phone size (390×844, vi-VN, touch). Routes and init scripts go on
    `context` before `open()`; every page opened records its script errors and the console's
    Content Security Policy violations in `errors`, which must stay empty."""

    context: Any
    errors: list[str]

    def open(self) -> Any:
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda msg: (
                self.errors.append(msg.text) if "Content Security Policy" in msg.text else None
            ),
        )
        return page


@pytest.fixture
def phone(browser) -> Iterator[Phone]:
    """The household's phone (the household app and its web push): closed, and checked for
    script errors and CSP violations, after the test."""
    device = Phone(browser.new_context(**PHONE), [])
    yield device
    device.context.close()
    assert device.errors == []


@pytest.fixture
def shot():
    """Save a full-page screenshot under tests/artifacts/ (ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
