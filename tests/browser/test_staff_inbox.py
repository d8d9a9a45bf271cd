"""The live inbox in Chromium at a staff desk (1366×900): the queue and the open conversation
update without a reload, with the CSP nonce enforced; a long id never widens the page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from backend.clock import utc_now
from backend.extensions import db
from backend.models import ChatMessage, Household
from backend.services import handoff, staff_conversations
from backend.services.conversation_events import summarise
from backend.services.staff_demo import add_conversation, bot, user
from backend.services.staff_users import create_staff

PASSWORD = "mat-khau-giam-sat"
LONG_ID = "zalo-" + "1234567890" * 9 + "1"  # 96 characters, no break opportunity


def household_says(live, sender: str, text: str) -> None:
    """A household message as the consumer stores it (role user, summary kept)."""
    with live.app.app_context():
        session = db.session()
        conversation = staff_conversations.get_conversation(session, sender)
        message = ChatMessage(
            sender_id=sender,
            event_key=f"test:{sender}:{text}",
            at=utc_now(),
            role="user",
            text=text,
            intent="ask_bill_spike",
            confidence=0.88,
            entities=[],
        )
        session.add(message)
        summarise(conversation, message)
        session.commit()


def test_the_inbox_updates_live(live, browser, shot):
    with live.app.app_context():
        session = db.session()
        create_staff(session, "giamsat", PASSWORD, "supervisor")
        session.add(Household(id="hh-mai", display_name="Trần Thị Mai", province_code=79))
        session.commit()
        now = utc_now()
        add_conversation(
            session,
            "hh-mai",
            [
                user("tiền điện tháng này bao nhiêu", "calculate_bill", 0.93),
                bot("Khoảng 979.560 đ."),
            ],
            now - timedelta(hours=1),
            household_id="hh-mai",
        )
        add_conversation(
            session, LONG_ID, [user("gặp nhân viên", "request_human", 0.9)], now, "zalo",
            status="waiting",
        )  # fmt: skip
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live.url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill("giamsat")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#queue-count")).to_have_text("1")
    page.evaluate("window.notReloaded = true")

    # the long id is cut inside its cell: the page never scrolls sideways
    expect(page.locator(f'#queue a.conv-id[title="{LONG_ID}"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    row = page.locator("#conversation-list tr", has=page.locator('a[title="hh-mai"]'))
    expect(row).to_contain_text("Trợ lý: Khoảng 979.560 đ.")
    expect(row).not_to_contain_text("Trần Thị Mai")  # the name is masked
    shot(page, "inbox-01-list")

    # a household asks for staff: the queue shows it without a reload
    with live.app.app_context():
        handoff.queue_for_staff(
            db.session(), sender_id="hh-mai", channel="rest", reason="request_human", now=utc_now()
        )
    expect(page.locator("#queue-count")).to_have_text("2", timeout=15_000)
    expect(page.locator("#queue")).to_contain_text("hh-mai")
    assert page.evaluate("window.notReloaded === true")
    shot(page, "inbox-02-queue-live")

    # the open conversation: a new message appears, "reviewed" clears, labels in Vietnamese
    page.locator("#queue").get_by_role("link", name="hh-mai").click()
    expect(page.locator('#messages .label[title="calculate_bill"]')).to_have_text("Tính tiền điện")
    page.get_by_role("button", name="Đánh dấu đã xem xét").click()
    expect(page.locator("#reviewed-badge")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    household_says(live, "hh-mai", "sao tháng này tăng nhiều vậy")
    expect(page.locator("#messages .msg.user").last).to_contain_text(
        "sao tháng này tăng nhiều vậy", timeout=15_000
    )
    expect(page.locator("#messages .msg.user").last.locator(".label")).to_have_text(
        "Hỏi vì sao hóa đơn tăng"
    )
    expect(page.locator("#reviewed-badge")).to_have_count(0)
    assert page.evaluate("window.notReloaded === true")
    shot(page, "inbox-03-conversation-live")

    # the long id's own page keeps to the window too
    page.goto(f"{live.url}/staff/conversations/{LONG_ID}")
    expect(page.locator("h1")).to_contain_text(LONG_ID[:20])
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(page, "inbox-04-long-id")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
