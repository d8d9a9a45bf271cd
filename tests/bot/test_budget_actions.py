"""The projected-bill and budget actions against the real backend, served on loopback with its
own SQLite database (the backend's environment, .venv; the bot's never imports backend code)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from actions.budget import (
    ActionPrepareBudget,
    ActionPrepareClearBudget,
    ActionProjectedBill,
    budget_from_text,
    describe_projection,
)
from actions.changes import ActionApplyChange
from actions.usage import describe_usage
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from tests.bot.actions_run import make_tracker, run
from tests.fakes import start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
FLASK = ROOT / ".venv" / "bin" / "flask"
SERVICE_TOKEN = "bot-test-service-token"


def flask(args: list[str], env: dict[str, str]) -> str:
    return subprocess.run(
        [str(FLASK), "--app", "backend", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture(scope="module")
def live_backend(tmp_path_factory) -> Iterator[requests.Session]:
    """The backend on loopback: migrated, one household with 60 days of readings."""
    if not FLASK.exists():
        pytest.skip("the backend environment (.venv) is not set up")
    database = tmp_path_factory.mktemp("live") / "app.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SERVICE_TOKEN": SERVICE_TOKEN,
        "AUTH_MODE": "demo",
        "OPEN_METEO_URL": "",
    }
    flask(["db", "upgrade"], env)
    token = flask(["dev-token", "--household-id", "hh-live"], env).splitlines()[-1]
    process, port = start_server(
        lambda port: [str(FLASK), "--app", "backend", "run", "--port", str(port)],
        lambda port: f"http://127.0.0.1:{port}/healthz",
        ready=lambda status, body: status == 200 and b'"database"' in body,  # the backend's own
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    today = (datetime.now(timezone.utc) + timedelta(hours=7)).date()  # noqa: UP017 (3.10)
    readings = [
        {"date": (today - timedelta(days=d)).isoformat(), "kwh": 14.0} for d in range(1, 61)
    ]
    assert session.post(f"{url}/api/v1/me/readings", json={"readings": readings}).ok
    old = {k: os.environ.get(k) for k in ("BACKEND_URL", "SERVICE_TOKEN")}
    os.environ["BACKEND_URL"], os.environ["SERVICE_TOKEN"] = url, SERVICE_TOKEN
    session.base = url  # type: ignore[attr-defined]
    try:
        yield session
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        stop_server(process)


def tracker(text: str = "", slots: dict | None = None, intent: str = "") -> Tracker:
    return make_tracker(sender="hh-live", text=text, intent=intent, slots=slots)


def answer(events: list, intent: str) -> tuple[list[dict], list]:
    """The household's yes or no to what the asking action left in `pending_change`."""
    pending = next(e["value"] for e in events if e.get("name") == "pending_change")
    return run(ActionApplyChange(), tracker(slots={"pending_change": pending}, intent=intent))


def budget_now(live_backend) -> dict | None:
    return live_backend.get(f"{live_backend.base}/api/v1/me/budget").json()["budget"]


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("báo cho tôi nếu tiền điện tháng này vượt 800 nghìn", {"amount": 800_000}),
        ("đặt hạn mức 250 số", {"kwh": 250}),
        ("dat han muc 1tr2", {"amount": 1_200_000}),
        ("đặt ngân sách nửa triệu", {"amount": 500_000}),
        ("đặt hạn mức 300 kWh", {"kwh": 300}),
        ("đặt hạn mức", None),
        ("hạn mức 5 nghìn", None),  # too small to be a month's electricity
    ],
)
def test_the_figure_is_read_from_the_message(text, budget):
    assert budget_from_text(text) == budget


def test_a_budget_is_stored_only_after_yes(live_backend):
    messages, events = run(
        ActionPrepareBudget(), tracker("báo cho tôi nếu tiền điện tháng này vượt 800 nghìn")
    )
    assert "800.000 đ" in messages[0]["text"] and "Đồng ý không" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    assert events == [SlotSet("pending_change", {"kind": "budget", "set": {"amount": 800_000}})]
    assert budget_now(live_backend) is None  # asked, not stored
    messages, events = answer(events, "affirm")
    assert "Đã đặt hạn mức 800.000 đ" in messages[0]["text"]
    assert events == [SlotSet("pending_change", None)]
    stored = budget_now(live_backend)
    assert stored["amount"] == 800_000 and stored["source"] == "chat"


def test_no_means_no_change(live_backend):
    before = budget_now(live_backend)
    messages, events = run(ActionPrepareBudget(), tracker("đặt hạn mức 250 số"))
    assert "250 kWh" in messages[0]["text"]
    messages, events = answer(events, "deny")
    assert messages[0]["text"] == "Vâng, tôi chưa thay đổi hạn mức nào."
    assert events == [SlotSet("pending_change", None)]
    assert budget_now(live_backend) == before


def test_a_yes_to_a_later_kwh_budget_stores_kwh(live_backend):
    _, events = run(ActionPrepareBudget(), tracker("dat han muc 250 so"))
    messages, _ = answer(events, "affirm")
    assert "Đã đặt hạn mức 250 kWh" in messages[0]["text"]
    stored = budget_now(live_backend)
    assert stored["kwh"] == 250 and stored["amount"] is None


def test_the_projection_answers_with_a_range_and_the_budget(live_backend):
    live_backend.put(f"{live_backend.base}/api/v1/me/budget", json={"amount": 300_000})
    messages, _ = run(ActionProjectedBill(), tracker("tháng này dự kiến hết bao nhiêu?"))
    text = messages[0]["text"]
    usage = live_backend.get(f"{live_backend.base}/api/v1/me/usage").json()["projection"]
    assert usage["amount_text"]["expected"] in text
    assert f"từ {usage['amount_text']['low']} đến {usage['amount_text']['high']}" in text
    assert "nhiệt độ trung bình nhiều năm" in text  # no forecast: the normals, said so
    assert "vượt hạn mức 300.000 đ" in text  # 14 kWh a day is well over
    assert "Mỗi ngày dùng dưới" in text or "vượt" in text


def test_clearing_asks_first_then_removes_it(live_backend):
    live_backend.put(f"{live_backend.base}/api/v1/me/budget", json={"kwh": 250})
    messages, events = run(ActionPrepareClearBudget(), tracker("bỏ hạn mức"))
    assert "bỏ hạn mức" in messages[0]["text"]
    assert events == [SlotSet("pending_change", {"kind": "budget", "clear": True})]
    assert budget_now(live_backend) is not None
    messages, _ = answer(events, "deny")
    assert messages[0]["text"] == "Vâng, tôi chưa thay đổi hạn mức nào."
    assert budget_now(live_backend) is not None
    messages, _ = answer(events, "affirm")
    assert "Đã bỏ hạn mức" in messages[0]["text"]
    assert budget_now(live_backend) is None
    messages, _ = answer(events, "affirm")
    assert "chưa đặt hạn mức nào" in messages[0]["text"]


def test_a_yes_without_a_figure_asks_for_one(live_backend):
    messages, events = run(ActionPrepareBudget(), tracker("đặt hạn mức"))
    assert "Bạn muốn đặt hạn mức bao nhiêu" in messages[0]["text"]
    assert events == [SlotSet("pending_change", {"kind": "budget"})]
    before = budget_now(live_backend)
    messages, events = answer(events, "affirm")
    assert "Bạn muốn đặt hạn mức bao nhiêu" in messages[0]["text"]
    assert events == [SlotSet("pending_change", None)] and budget_now(live_backend) == before


def test_an_earlier_notice_question_is_not_applied_as_a_budget(live_backend):
    """Asking about the budget replaces whatever change was asked about before it."""
    slots = {"pending_change": {"kind": "subscriptions", "changes": {"weekly_tips": False}}}
    _, events = run(ActionPrepareBudget(), tracker("đặt hạn mức 900 nghìn", slots))
    assert events == [SlotSet("pending_change", {"kind": "budget", "set": {"amount": 900_000}})]


def test_a_period_without_readings_states_no_figure(live_backend):
    """A household with no reading yet this period: no "0 kWh, 0 đ" stated as a projection."""
    projection = live_backend.get(f"{live_backend.base}/api/v1/me/usage").json()
    empty = {
        **projection["projection"],
        "days_measured": 0,
        "kwh_so_far": 0.0,
    }
    for text in (
        describe_projection(empty),
        describe_usage({**projection, "days_measured": 0, "kwh_so_far": 0.0}),
    ):
        assert "chưa có số điện nào" in text
        assert f"từ {projection['period_start_text']}" in text
        assert not re.search(r"\d+ kWh|\d đ\b", text)  # no figure at all


def test_a_budget_already_used_up_is_said_so_without_a_daily_figure(live_backend):
    """The backend's `already_over` (kWh used exceed the budget): no "dùng dưới N kWh a day"."""
    projection = live_backend.get(f"{live_backend.base}/api/v1/me/usage").json()["projection"]
    used_up = {
        "kind": "kwh",
        "amount": None,
        "amount_text": None,
        "kwh": 10,
        "kwh_limit": 10,
        "over": True,
        "already_over": True,
        "daily_kwh_within": None,
    }
    text = describe_projection({**projection, "days_measured": 5, "budget": used_up})
    assert "Số điện đã dùng kỳ này đã vượt hạn mức 10 kWh bạn đã đặt." in text
    assert "Mức này vượt" not in text and "Mỗi ngày dùng dưới" not in text
