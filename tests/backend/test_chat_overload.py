"""Chat under overload: a bounded number of turns per process talk to Rasa, a bounded number wait
for a slot, and any turn beyond that gets a fast 503 in Vietnamese with Retry-After."""

from __future__ import annotations

import threading
import time

from flask import Flask

from backend.models import Household
from tests.conftest import bearer, make_household
from tests.fakes import rasa_guard

REPLY = [{"recipient_id": "x", "text": "Chào bạn!"}]


def held_rasa(app: Flask, fake_server):
    """A Rasa that answers each turn only once the test releases it."""
    release = threading.Event()

    def handler(method, path, body):
        release.wait(timeout=30)
        return 200, REPLY

    server = fake_server(handler, rasa_guard(app.config["RASA_AUTH_TOKEN"]))
    app.config["RASA_URL"] = server.url
    return server, release


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def turn_in_thread(app: Flask, household: Household, results: list) -> threading.Thread:
    headers = bearer(household)

    def run() -> None:
        response = app.test_client().post(
            "/api/v1/chat", json={"message": "xin chào"}, headers=headers
        )
        results.append((response.status_code, response.get_json()))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_turn_beyond_the_slots_and_queue_gets_a_fast_polite_503(app, fake_server):
    app.config.update(CHAT_SLOTS=1, CHAT_QUEUE=0, CHAT_RETRY_AFTER=4)
    server, release = held_rasa(app, fake_server)
    first, second = make_household("hh-1"), make_household("hh-2")
    results: list = []
    busy_turn = turn_in_thread(app, first, results)
    try:
        wait_for(lambda: len(server.calls) == 1)  # the first turn holds the only slot

        started = time.monotonic()
        response = app.test_client().post(
            "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(second)
        )
        took = time.monotonic() - started
    finally:
        release.set()
        busy_turn.join(timeout=30)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "4"
    body = response.get_json()
    assert body["code"] == "chat_busy"
    assert "quá nhiều người hỏi cùng lúc" in body["message"]
    assert "gửi lại sau vài giây" in body["message"]
    assert took < 2, "an overload answer must not wait for Rasa"
    assert len(server.calls) == 1, "the refused turn never reached Rasa"
    assert results == [(200, {"messages": [{"text": "Chào bạn!"}]})]


def test_a_turn_within_the_queue_waits_for_a_slot_instead_of_failing(app, fake_server):
    app.config.update(CHAT_SLOTS=1, CHAT_QUEUE=1, CHAT_QUEUE_WAIT=30)
    server, release = held_rasa(app, fake_server)
    first, second = make_household("hh-1"), make_household("hh-2")
    results: list = []
    threads = [turn_in_thread(app, first, results)]
    wait_for(lambda: len(server.calls) == 1)
    threads.append(turn_in_thread(app, second, results))
    gate = app.extensions["chat_turn_gate"]
    wait_for(lambda: gate.waiting == 1)  # queued behind the first, not refused
    assert len(server.calls) == 1
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert [status for status, _ in results] == [200, 200]
    assert len(server.calls) == 2
    assert gate.refused == 0


def test_a_turn_that_waited_too_long_in_the_queue_gets_the_503(app, fake_server):
    app.config.update(CHAT_SLOTS=1, CHAT_QUEUE=1, CHAT_QUEUE_WAIT=0.2)
    server, release = held_rasa(app, fake_server)
    first, second = make_household("hh-1"), make_household("hh-2")
    results: list = []
    busy_turn = turn_in_thread(app, first, results)
    try:
        wait_for(lambda: len(server.calls) == 1)
        response = app.test_client().post(
            "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(second)
        )
    finally:
        release.set()
        busy_turn.join(timeout=30)
    assert response.status_code == 503
    assert response.get_json()["code"] == "chat_busy"
    assert int(response.headers["Retry-After"]) >= 1
    # the slot is given back: the next turn goes through
    again = app.test_client().post(
        "/api/v1/chat", json={"message": "xin chào"}, headers=bearer(second)
    )
    assert again.status_code == 200
