"""Configuration read from the environment (12-factor); one class per environment."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", ROOT / "var"))


DEV_SECRET_KEY = "dev-secret-change-me"
DEV_SERVICE_TOKEN = "dev-service-token"
DEV_RASA_AUTH_TOKEN = "dev-rasa-token"


def _json_object(name: str, example: str = '{"outage": "123"}') -> dict[str, str]:
    text = os.environ.get(name, "").strip() or "{}"
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{name} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a JSON object such as {example}")
    return {str(key): str(item) for key, item in value.items()}


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int, minimum: int = 0) -> int:
    text = os.environ.get(name, "").strip() or str(default)
    try:
        value = int(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, not {text!r}") from exc
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


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
    # Web push through FCM on the household page: the Firebase web app's config (JSON from the
    # Firebase console: apiKey, projectId, messagingSenderId, appId, …) and the project's web
    # push certificate (VAPID public key). Either empty: no push SDK is loaded and notices reach
    # the page's inbox only (the log channel).
    FIREBASE_WEB_CONFIG: ClassVar[dict[str, str]] = _json_object(
        "FIREBASE_WEB_CONFIG",
        '{"apiKey": "…", "projectId": "…", "messagingSenderId": "…", "appId": "…"}',
    )
    FIREBASE_VAPID_KEY = os.environ.get("FIREBASE_VAPID_KEY", "").strip()
    # Proxy for FCM sends (empty: HTTPS_PROXY/NO_PROXY as found when the worker starts)
    FCM_PROXY = os.environ.get("FCM_PROXY", "")
    # Token the action server presents on /api/v1/service/...
    SERVICE_TOKEN = os.environ.get("SERVICE_TOKEN", DEV_SERVICE_TOKEN)

    # Reverse proxies in front of the app that append to X-Forwarded-For / set
    # X-Forwarded-Proto (nginx in deploy/: 1). 0 = the peer address is the client, and
    # forwarded headers, which anyone can send, are ignored.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # Staff console session cookie: never readable by scripts, not sent on cross-site posts,
    # and over HTTPS only in production (forced there whatever this says).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", APP_ENV == "production")
    # A staff session ends after this long without a request, and this long after sign-in
    STAFF_SESSION_IDLE_MINUTES = _int("STAFF_SESSION_IDLE_MINUTES", 30, minimum=1)
    STAFF_SESSION_MAX_HOURS = _int("STAFF_SESSION_MAX_HOURS", 12, minimum=1)
    # Sign-in attempts per client address (on top of the lockout per account and address)
    STAFF_LOGIN_RATE_LIMIT = os.environ.get("STAFF_LOGIN_RATE_LIMIT", "30 per minute")

    RASA_URL = os.environ.get("RASA_URL", "http://127.0.0.1:5005")
    ACTION_SERVER_URL = os.environ.get("ACTION_SERVER_URL", "http://127.0.0.1:5055")
    RASA_TIMEOUT = float(os.environ.get("RASA_TIMEOUT", "10"))
    # Rasa's --auth-token (its HTTP API) and the key signing the chat proxy's REST turns
    RASA_AUTH_TOKEN = os.environ.get("RASA_AUTH_TOKEN", DEV_RASA_AUTH_TOKEN)
    RASA_TRACKER_DB_URL = os.environ.get(
        "RASA_TRACKER_DB_URL",
        f"sqlite:///{os.environ.get('RASA_TRACKER_DB', VAR_DIR / 'rasa_tracker.db')}",
    )
    # Rasa's SQL event broker, read by `flask chat consume` (PostgreSQL in production)
    RASA_EVENTS_DB_URL = os.environ.get(
        "RASA_EVENTS_DB_URL",
        f"sqlite:///{os.environ.get('RASA_EVENTS_DB', VAR_DIR / 'rasa_events.db')}",
    )
    # Retention (Nghị định 13): conversation events older than this many months are purged from
    # the conversation log, Rasa's tracker store and its event broker (daily job)
    CONVERSATION_RETENTION_MONTHS = int(os.environ.get("CONVERSATION_RETENTION_MONTHS", "24"))
    ANOMALY_MODEL_PATH = os.environ.get(
        "ANOMALY_MODEL_PATH", str(VAR_DIR / "models" / "anomaly.skops")
    )

    # Zalo OA (the bot's channel shares the token file); ZNS templates for notices outside
    # the 48-hour reply window.
    ZALO_APP_ID = os.environ.get("ZALO_APP_ID", "")
    ZALO_APP_SECRET_KEY = os.environ.get("ZALO_APP_SECRET_KEY", "")
    ZALO_API_BASE = os.environ.get("ZALO_API_BASE", "https://openapi.zalo.me")
    # daily forecast temperatures per province (`flask weather forecast`); empty: normals only
    OPEN_METEO_URL = os.environ.get("OPEN_METEO_URL", "https://api.open-meteo.com/v1/forecast")
    ZALO_OAUTH_BASE = os.environ.get("ZALO_OAUTH_BASE", "https://oauth.zaloapp.com")
    ZALO_ZNS_BASE = os.environ.get("ZALO_ZNS_BASE", "https://business.openapi.zalo.me")
    ZALO_TOKEN_FILE = os.environ.get("ZALO_TOKEN_FILE", str(VAR_DIR / "zalo_tokens.json"))
    # approved ZNS template id per notification kind, e.g. {"outage": "123", "usage_alert": "456"}
    ZALO_ZNS_TEMPLATES: ClassVar[dict[str, str]] = _json_object("ZALO_ZNS_TEMPLATES")

    # `flask nlu export` and the console's export write corrections.yml here (Rasa NLU YAML)
    NLU_EXPORT_DIR = os.environ.get("NLU_EXPORT_DIR", str(ROOT / "bot" / "data" / "nlu"))

    # The console's retraining: the command that trains a candidate model and prints its held-out
    # accuracy and the current model's as a last JSON line (backend/services/retrain.py); the
    # runs' folders; the live model the supervisor's "put live" replaces
    RETRAIN_COMMAND = os.environ.get(
        "RETRAIN_COMMAND", f"bash {ROOT / 'bot' / 'scripts' / 'candidate.sh'}"
    )
    RETRAIN_DIR = os.environ.get("RETRAIN_DIR", str(VAR_DIR / "retrain"))
    BOT_MODEL_PATH = os.environ.get(
        "BOT_MODEL_PATH", str(ROOT / "bot" / "models" / "current.tar.gz")
    )

    READINGS_MAX_ROWS = 5000
    # A SQLite file by default: every process of this machine (gunicorn's workers) counts in it
    # (backend/rate_limit_storage.py). Several machines: Redis (redis://host:6379/2).
    RATELIMIT_STORAGE_URI = os.environ.get(
        "RATELIMIT_STORAGE_URI", f"sqlite:///{VAR_DIR / 'ratelimit.db'}"
    )
    RATELIMIT_STRATEGY = os.environ.get("RATELIMIT_STRATEGY", "moving-window")
    RATELIMIT_HEADERS_ENABLED = True
    CHAT_RATE_LIMIT = os.environ.get("CHAT_RATE_LIMIT", "30 per minute")
    # Per backend process: chat turns talking to Rasa at once, turns allowed to wait for a slot
    # (each at most CHAT_QUEUE_WAIT seconds); beyond that a 503 with Retry-After (docs/deploy.md)
    # Rasa is CPU-bound: a few turns per Rasa server at once keep it busy (one waits for the
    # action server while another computes); more only lengthen each turn towards RASA_TIMEOUT.
    # Size (measured, docs/deploy.md): workers × CHAT_SLOTS ≈ 12 per Rasa server under `make run`.
    CHAT_SLOTS = _int("CHAT_SLOTS", 4, minimum=1)
    CHAT_QUEUE = _int("CHAT_QUEUE", 64)
    CHAT_QUEUE_WAIT = float(os.environ.get("CHAT_QUEUE_WAIT", "30"))
    CHAT_RETRY_AFTER = _int("CHAT_RETRY_AFTER", 3, minimum=1)
    # Written by bot/scripts/train.sh while the Rasa model trains (`make run` serves the web page,
    # the API and the staff console meanwhile): chat then says the assistant is getting ready.
    BOT_TRAINING_MARKER = os.environ.get("BOT_TRAINING_MARKER", str(VAR_DIR / "bot-training.json"))
    WTF_CSRF_ENABLED = _bool("WTF_CSRF_ENABLED", True)

    API_TITLE = "Trợ lý tiết kiệm điện — API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Swagger UI's files come from the swagger-ui-bundle package, served by the app (offline)
    OPENAPI_SWAGGER_UI_URL = "/docs/assets/"
    # No badge from validator.swagger.io (a third party would receive the spec's address)
    OPENAPI_SWAGGER_UI_CONFIG: ClassVar[dict] = {"validatorUrl": None}
    API_SPEC_OPTIONS: ClassVar[dict] = {
        "components": {
            "securitySchemes": {
                # the household scheme's description: backend/api/openapi.py
                "household": {"type": "http", "scheme": "bearer"},
                "service": {"type": "http", "scheme": "bearer"},  # internal: not in /docs
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
    RASA_EVENTS_DB_URL = ""
    BOT_TRAINING_MARKER = ""  # not the checkout's var/: a bot training there is not the test's
    # each test app counts alone, never in the checkout's var/ratelimit.db, which `make run` and
    # make test's SQLite and PostgreSQL runs (side by side) would otherwise share
    RATELIMIT_STORAGE_URI = "memory://"


def refuse_unsafe_production(config: Mapping[str, Any], environ: Mapping[str, str]) -> None:
    """Raise RuntimeError when APP_ENV=production runs with a development default or an empty
    secret: the process must not start (checked by create_app, so gunicorn, the workers and
    every `flask` command refuse alike)."""
    if config["APP_ENV"] != "production":
        return
    if config["AUTH_MODE"] != "firebase":
        raise RuntimeError(
            "APP_ENV=production requires AUTH_MODE=firebase: demo tokens are refused"
        )
    if environ.get("FIREBASE_AUTH_EMULATOR_HOST"):
        raise RuntimeError("FIREBASE_AUTH_EMULATOR_HOST must never be set in production")
    defaults = {
        "SECRET_KEY": DEV_SECRET_KEY,
        "SERVICE_TOKEN": DEV_SERVICE_TOKEN,
        "RASA_AUTH_TOKEN": DEV_RASA_AUTH_TOKEN,
    }
    for name, default in defaults.items():
        value = str(config.get(name) or "").strip()
        if not value or value == default:
            raise RuntimeError(
                f"set {name} in production: it is {'empty' if not value else 'the development default'}"
            )
