"""create_app builds independent apps, also when threads build them at once (the queue
worker's task threads each reach for the app on their first run)."""

from __future__ import annotations

import threading

from flask import Flask

from backend.api import api_of
from backend.app import create_app
from backend.config import TestConfig


def test_apps_built_at_once_in_threads_each_serve_the_api():
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    apps: list[Flask] = []
    errors: list[BaseException] = []

    def build() -> None:
        barrier.wait()
        try:
            apps.append(create_app(TestConfig))
        except BaseException as error:  # the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=build) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({id(api_of(app)) for app in apps}) == threads_count  # an Api of its own each
    for app in apps:
        response = app.test_client().get("/openapi.json")
        assert response.status_code == 200
        assert "/api/v1/bills/estimate" in response.get_json()["paths"]


def test_a_second_app_does_not_take_the_first_apps_document():
    first, second = create_app(TestConfig), create_app(TestConfig)
    assert first.test_client().get("/openapi.json").get_json() == (
        second.test_client().get("/openapi.json").get_json()
    )
    assert api_of(first)._app is first  # flask-smorest keeps the bound app
