"""/docs in Chromium with every request off the machine refused: Swagger UI comes from the app's
own files, runs under the page's CSP and shows the documented operations."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect


def test_the_api_docs_work_offline(live, browser, shot):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    outside: list[str] = []

    def only_loopback(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{live.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Trợ lý tiết kiệm điện")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/bills/estimate")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/service")).to_have_count(0)
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    # an operation opened: its example request and the documented error statuses
    page.locator(".opblock-summary-path", has_text="/api/v1/bills/estimate").first.click()
    block = page.locator(".opblock.is-open")
    expect(block).to_contain_text('"kwh": 350')
    for status in ("400", "413", "415", "422"):
        expect(block.locator(f'tr.response[data-code="{status}"]')).to_be_visible()
    shot(page, "api-docs-offline")
    assert outside == []
    assert not problems, problems
