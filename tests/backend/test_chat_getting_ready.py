"""The first `make run` trains the bot while the rest of the stack serves: until Rasa is up, chat
says the assistant is getting ready and for about how long (bot/scripts/train.sh's marker)."""

from __future__ import annotations

import json
import time

import pytest

from backend.services.chat import training_minutes_left
from tests.conftest import bearer, make_household
from tests.fakes import free_port


@pytest.fixture
def unreachable_rasa(app):
    app.config["RASA_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    return app


def test_while_the_bot_trains_chat_says_it_is_getting_ready(unreachable_rasa, tmp_path):
    app = unreachable_rasa
    marker = tmp_path / "bot-training.json"
    marker.write_text(json.dumps({"started": time.time() - 60, "expected_s": 600}))
    app.config["BOT_TRAINING_MARKER"] = str(marker)
    household = make_household("hh-ready")

    response = app.test_client().post(
        "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(household)
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    body = response.get_json()
    assert body["code"] == "assistant_getting_ready"
    assert "còn khoảng 9 phút nữa" in body["message"]
    assert "bạn vẫn xem được điện năng, hóa đơn" in body["message"]


def test_without_training_an_unreachable_assistant_is_simply_down(unreachable_rasa, tmp_path):
    app = unreachable_rasa
    app.config["BOT_TRAINING_MARKER"] = str(tmp_path / "absent.json")
    household = make_household("hh-down")

    response = app.test_client().post(
        "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(household)
    )

    assert response.status_code == 503
    assert response.get_json()["code"] == "assistant_unavailable"
    assert response.headers["Retry-After"] == str(app.config["CHAT_RETRY_AFTER"])


@pytest.mark.parametrize(
    ("content", "now", "expected"),
    [
        ('{"started": 1000, "expected_s": 600}', 1000, 10),
        ('{"started": 1000, "expected_s": 600}', 1541, 1),
        ('{"started": 1000, "expected_s": 600}', 5000, 1),  # overdue: still finishing
        ("not json", 1000, None),
        ('{"started": 1000}', 1000, None),
    ],
)
def test_minutes_left_from_the_marker(tmp_path, content, now, expected):
    marker = tmp_path / "bot-training.json"
    marker.write_text(content)
    assert training_minutes_left(marker=marker, now=now) == expected


def test_no_marker_means_not_training(tmp_path):
    assert training_minutes_left(marker=tmp_path / "none.json", now=0) is None
