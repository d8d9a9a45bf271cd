"""The Content-Security-Policy in Chromium: the web chat's and the console's own scripts and
styles run (their nonce), nothing on the pages is refused, and a script without the nonce is."""

from __future__ import annotations

from playwright.sync_api import expect

from backend.extensions import db
from backend.models import Household
from backend.services.staff_users import create_staff

PASSWORD = "mat-khau-kiem-tra-csp"


def watch(page) -> list[str]:
    """Every CSP refusal Chromium reports on this page (console) and every script error."""
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_pages_work_under_the_policy_and_foreign_inline_script_is_refused(live, browser):
    with live.app.app_context():
        create_staff(db.session(), "kiemtra", PASSWORD, "supervisor")
        db.session.add(Household(id="hh-csp", display_name="Nhà anh Nam", province_code=1))
        db.session.commit()
    page = browser.new_page(locale="vi-VN")
    problems = watch(page)

    page.goto(f"{live.url}/?household=hh-csp#chat")
    page.locator("#text").fill("xin chào")
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator(".msg.user")).to_contain_text("xin chào")  # the page's script ran
    background = page.locator("header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(11, 92, 173)"  # the page's <style> applied

    page.goto(f"{live.url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill("kiemtra")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Hội thoại")).to_be_visible()
    for path in ("/staff/dashboard", "/staff/audit", "/staff/nlu/export", "/staff/password"):
        page.goto(live.url + path)
        assert (
            page.locator("header").evaluate("e => getComputedStyle(e).backgroundColor")
            == "rgb(11, 92, 173)"
        )
    assert problems == []

    # an injected inline script (as an XSS would add it) is refused and reported
    page.evaluate(
        """() => { const s = document.createElement("script");
                   s.textContent = "window.injected = true"; document.body.appendChild(s); }"""
    )
    assert page.evaluate("() => window.injected === undefined")
    assert any("Content Security Policy" in problem for problem in problems)
