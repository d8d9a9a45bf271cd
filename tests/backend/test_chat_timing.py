"""The chat proxy says where a turn's time went (Server-Timing): the benchmark and a browser's
network panel tell the backend's own part of a slow turn from Rasa's."""

from __future__ import annotations

import time

from tests.conftest import bearer, make_household
from tests.fakes import rasa_guard

REPLY = [{"recipient_id": "x", "text": "Chào bạn!"}]
RASA_TAKES = 0.3  # seconds: the slow Rasa turn is the subject of the test


def timing_of(header: str) -> dict[str, float]:
    parts = (part.strip().split(";dur=") for part in header.split(","))
    return {name: float(took) for name, took in parts}


def test_a_slow_rasa_turn_shows_as_rasa_time_not_the_backends(app, fake_server):
    def handler(method, path, body):
        time.sleep(RASA_TAKES)
        return 200, REPLY

    server = fake_server(handler, rasa_guard(app.config["RASA_AUTH_TOKEN"]))
    app.config["RASA_URL"] = server.url
    household = make_household("hh-timing")

    started = time.perf_counter()
    response = app.test_client().post(
        "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(household)
    )
    wall_ms = (time.perf_counter() - started) * 1000

    assert response.status_code == 200
    timing = timing_of(response.headers["Server-Timing"])
    assert list(timing) == ["auth", "queue", "rasa", "after"]
    assert timing["rasa"] >= RASA_TAKES * 1000
    ours = timing["auth"] + timing["queue"] + timing["after"]
    assert ours < timing["rasa"]
    assert sum(timing.values()) <= wall_ms


def test_a_refused_turn_names_no_rasa_time(app, fake_server):
    app.config.update(CHAT_SLOTS=0, CHAT_QUEUE=0)
    household = make_household("hh-busy")

    response = app.test_client().post(
        "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(household)
    )

    assert response.status_code == 503
    assert list(timing_of(response.headers["Server-Timing"])) == ["auth"]
