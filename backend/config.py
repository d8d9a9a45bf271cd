"""Configuration read from the environment (12-factor); one class per environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", ROOT / "var"))


DEV_SECRET_KEY = "dev-secret-change-me"
DEV_SERVICE_TOKEN = "dev-service-token"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    APP_ENV = os.environ.get("APP_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'app.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MB: larger bodies get 413
    JSON_SORT_KEYS = False

    # Household auth: "demo" accepts tokens from `flask dev-token`; "firebase" verifies ID tokens.
    AUTH_MODE = os.environ.get("AUTH_MODE", "demo")
    DEMO_TOKEN_MAX_AGE = int(os.environ.get("DEMO_TOKEN_MAX_AGE", str(30 * 24 * 3600)))
    FIREBASE_CREDENTIALS = os.environ.get("FIREBASE_CREDENTIALS", "")
    FIREBASE_PROJECT_ID = os.environ.get("FIREBASE_PROJECT_ID", "")
    # Token the action server presents on /api/v1/service/...
    SERVICE_TOKEN = os.environ.get("SERVICE_TOKEN", DEV_SERVICE_TOKEN)

    RASA_URL = os.environ.get("RASA_URL", "http://127.0.0.1:5005")
    ACTION_SERVER_URL = os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055")
    RASA_TIMEOUT = float(os.environ.get("RASA_TIMEOUT", "10"))
    RASA_TRACKER_DB_URL = os.environ.get(
        "RASA_TRACKER_DB_URL",
        f"sqlite:///{os.environ.get('RASA_TRACKER_DB', VAR_DIR / 'rasa_tracker.db')}",
    )
    ANOMALY_MODEL_PATH = os.environ.get(
        "ANOMALY_MODEL_PATH", str(VAR_DIR / "models" / "anomaly.skops")
    )

    READINGS_MAX_ROWS = 5000
    # memory:// counts per process: with several gunicorn workers or machines use Redis
    # (redis://host:6379/2), so that the limit holds for the whole service.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = os.environ.get("RATELIMIT_STRATEGY", "moving-window")
    RATELIMIT_HEADERS_ENABLED = True
    CHAT_RATE_LIMIT = os.environ.get("CHAT_RATE_LIMIT", "30 per minute")
    WTF_CSRF_ENABLED = _bool("WTF_CSRF_ENABLED", True)

    API_TITLE = "Trợ lý tiết kiệm điện — API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist/"
    OPENAPI_REDOC_PATH = "/redoc"
    OPENAPI_REDOC_URL = "https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"
    API_SPEC_OPTIONS: ClassVar[dict] = {
        "components": {
            "securitySchemes": {
                "household": {"type": "http", "scheme": "bearer"},
                "service": {"type": "http", "scheme": "bearer"},
            }
        }
    }


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    AUTH_MODE = "demo"
    APP_ENV = "test"
    RASA_TRACKER_DB_URL = ""  # tests that need one set it
