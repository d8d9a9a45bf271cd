"""The queue worker's one app: its task threads each reach for it on their first run."""

from __future__ import annotations

import threading

from flask import Flask

from backend.app import create_app
from backend.config import TestConfig
from notifications import tasks


def test_worker_threads_reaching_for_the_app_at_once_share_one(monkeypatch):
    """The queue worker's task threads ask for the app on their first run, at once: one app is
    built (under a lock; CPython 3.11 can also fail compiling in threads building apps together)."""
    monkeypatch.setattr(tasks, "create_app", lambda: create_app(TestConfig))
    monkeypatch.setattr(tasks, "_app", None)
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    apps: list[Flask] = []
    errors: list[BaseException] = []

    def reach() -> None:
        barrier.wait()
        try:
            apps.append(tasks.app())
        except BaseException as error:  # the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=reach) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(apps) == threads_count and len({id(app) for app in apps}) == 1
    assert apps[0].test_client().get("/openapi.json").status_code == 200
