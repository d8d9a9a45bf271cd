"""Every documented operation (the internal ones too), fuzzed from the OpenAPI document: no input
ever yields a 5xx."""

from __future__ import annotations

import os
import tempfile

import schemathesis
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from backend.api import api_of
from backend.app import create_app
from backend.auth import issue_demo_token
from backend.config import TestConfig
from backend.extensions import db
from tests.conftest import make_household

_directory = tempfile.mkdtemp(prefix="schemathesis-")
app = create_app(
    {
        **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "TEST_DATABASE_URL", f"sqlite:///{_directory}/fuzz.db"
        ),
        "RASA_URL": "http://127.0.0.1:9",
        "ACTION_SERVER_URL": "http://127.0.0.1:9",
        "RASA_TIMEOUT": 0.2,
        "RASA_TRACKER_DB_URL": "",
    }
)
with app.app_context():
    upgrade()
    if db.session.get(make_household.__globals__["Household"], "fuzz") is None:
        make_household("fuzz")
    HEADERS = {"Authorization": f"Bearer {issue_demo_token('fuzz')}"}

    DOCUMENT = api_of(app).document(internal=True)  # the action server's /service operations too

schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = app  # calls go to the app in-process, as from_wsgi would set


@schema.exclude(method="DELETE", path="/api/v1/me").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_ever_answers_5xx(case):
    headers = dict(HEADERS)
    if case.path.startswith("/api/v1/service"):
        headers["Authorization"] = f"Bearer {app.config['SERVICE_TOKEN']}"
    if case.path in ("/healthz", "/api/v1/chat"):
        return  # these talk to Rasa, which is not running here (covered in test_foundation)
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
