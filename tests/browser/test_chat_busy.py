"""The web chat when the assistant is full: the backend answers 503 chat_busy with Retry-After, and
the page waits that long and sends the turn once more instead of showing an error."""

from __future__ import annotations

import threading
import time

import requests
from playwright.sync_api import expect

from backend.auth import issue_demo_token
from backend.extensions import db
from backend.models import Household


def test_the_page_retries_once_after_retry_after(live, browser):
    live.app.config.update(CHAT_SLOTS=1, CHAT_QUEUE=0, CHAT_RETRY_AFTER=1)
    with live.app.app_context():
        for household_id in ("hh-page", "hh-other"):
            db.session.add(Household(id=household_id, display_name="Nhà chị Hoa", province_code=1))
        db.session.commit()
        other_token = issue_demo_token("hh-other")
    release = threading.Event()

    def rasa(method, path, body):
        if "webhook" not in path:
            return 200, {"ok": True}
        if body["sender"] == "hh-other":
            release.wait(timeout=30)  # holds the only chat slot
        return 200, [{"recipient_id": body["sender"], "text": "Chào bạn, tôi giúp gì được ạ?"}]

    live.rasa.handler = rasa
    held = threading.Thread(
        target=requests.post,
        args=(f"{live.url}/api/v1/chat",),
        kwargs={
            "json": {"message": "xin chào"},
            "headers": {"Authorization": f"Bearer {other_token}"},
            "timeout": 60,
        },
    )
    held.start()
    try:
        deadline = time.monotonic() + 20
        while not any(call[2]["sender"] == "hh-other" for call in live.rasa.calls):
            assert time.monotonic() < deadline
            time.sleep(0.05)

        page = browser.new_page(locale="vi-VN")
        refused = []
        page.on(
            "response",
            lambda r: (
                refused.append(r.headers.get("retry-after"))
                if r.url.endswith("/api/v1/chat") and r.status == 503
                else None
            ),
        )
        page.goto(f"{live.url}/?household=hh-page#chat")
        page.locator("#text").fill("xin chào")
        page.get_by_role("button", name="Gửi").click()
        deadline = time.monotonic() + 20
        while not refused:  # the first attempt met the full gate
            assert time.monotonic() < deadline
            page.wait_for_timeout(50)
        release.set()  # the slot frees up during the page's wait
        expect(page.locator(".msg.bot").last).to_contain_text("Chào bạn, tôi giúp gì được ạ?")
    finally:
        release.set()
        held.join(timeout=30)
    assert refused == ["1"]
    page_turns = [c for c in live.rasa.calls if "webhook" in c[1] and c[2]["sender"] == "hh-page"]
    assert len(page_turns) == 1, "the refused attempt never reached Rasa; the retry did"
    assert "quá nhiều người" not in page.locator(".msg.bot").last.inner_text()
