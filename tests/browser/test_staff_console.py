"""The staff console in Chromium: log in, filter to low confidence, open a conversation, correct
an intent, export training data, take over and answer; the household's web chat shows the answer."""

from __future__ import annotations

import re
from datetime import timedelta

import yaml
from playwright.sync_api import expect

from backend.clock import local_today, utc_now
from backend.config import TestConfig
from backend.extensions import db
from backend.models import AnomalyEpisode, Bill, DailyReading, Household, UsageScore
from backend.services.staff_demo import add_conversation, bot, user

PASSWORD = "mat-khau-giam-sat"


def seed(live) -> None:
    """A supervisor created through the CLI; a household with readings; three conversations."""
    with live.app.app_context():
        result = live.app.test_cli_runner().invoke(
            args=[
                "staff",
                "create",
                "--login",
                "giamsat",
                "--role",
                "supervisor",
                "--password",
                PASSWORD,
            ]
        )
        assert result.exit_code == 0, result.output
        session = db.session()
        session.add(
            Household(
                id="hh-lan",
                display_name="Nhà chị Lan",
                province_code=1,
                occupants=4,
                phone="0912345678",
            )
        )
        session.flush()  # no ORM relationship orders the inserts: the household goes first
        today = local_today()
        for offset in range(1, 46):
            day = today - timedelta(days=offset)
            kwh = 12 + (offset % 5) + (8 if offset <= 4 else 0)
            session.add(DailyReading(household_id="hh-lan", day=day, kwh=kwh))
            session.add(
                UsageScore(
                    household_id="hh-lan",
                    day=day,
                    expected_kwh=13.5,
                    score=0.3,
                    is_anomaly=offset <= 4,
                )
            )
        session.add(
            AnomalyEpisode(
                household_id="hh-lan",
                start_day=today - timedelta(days=4),
                last_day=today - timedelta(days=1),
                expected_kwh=54.0,
                actual_kwh=86.0,
                weather_kwh=2.0,
                excess_days=4,
                explanation="4 ngày gần đây nhà bạn dùng nhiều hơn dự kiến khoảng 32 kWh; thời tiết chỉ giải thích được 2 kWh.",
                lasting_change=False,  # the household answered: repaired today
                repaired_on=today,
            )
        )
        session.add(
            Bill(
                household_id="hh-lan",
                period_start=today - timedelta(days=70),
                period_end=today - timedelta(days=40),
                kwh=412,
                amount=1_372_140,
            )
        )
        session.commit()
        now = utc_now()
        add_conversation(
            session,
            "hh-lan",
            [user("cho tôi gặp nhân viên", "request_human", 0.93), bot("Bạn chờ một chút nhé.")],
            now - timedelta(hours=1),
            household_id="hh-lan",
            status="waiting",
        )
        add_conversation(
            session,
            "web-solar",
            [
                user("lắp pin mặt trời trên mái có lợi ko, sđt 0987 654 321", "ask_tariff", 0.38),
                bot("Biểu giá điện có 6 bậc…"),
            ],
            now - timedelta(hours=3),
        )
        add_conversation(
            session,
            "web-fine",
            [
                user("350 số hết bao nhiêu tiền", "calculate_bill", 0.98, kwh="350"),
                bot("979.560 đ (đã gồm thuế GTGT 8%)."),
            ],
            now - timedelta(hours=5),
        )


def test_staff_console_end_to_end(live, browser, shot):
    seed(live)
    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="vi-VN")

    # 1. signed out → the login page
    page.goto(f"{live.url}/staff/conversations")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    shot(page, "01-login")
    page.get_by_label("Tên đăng nhập").fill("giamsat")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Hội thoại")).to_be_visible()
    expect(page.locator("#queue")).to_contain_text("hh-lan")
    shot(page, "02-conversations")

    # 2. filter to low-confidence conversations
    page.get_by_label("Độ tin cậy dưới").fill("0.5")
    page.get_by_role("button", name="Lọc").click()
    rows = page.locator("#conversation-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("web-solar")
    shot(page, "03-low-confidence")

    # 3. open it: intent, confidence, masked phone number
    rows.first.get_by_role("link", name="web-solar").click()
    expect(page.locator("#messages")).to_contain_text("Hỏi giá điện")  # the id in its tooltip
    expect(page.locator('#messages .label[title="ask_tariff"]')).to_have_text("Hỏi giá điện")
    expect(page.locator("#messages")).to_contain_text("0,38")
    expect(page.locator("#messages")).to_contain_text("098*****21")
    expect(page.locator("#messages")).not_to_contain_text("0987 654 321")

    # 4. correct the intent (with an entity) and mark the conversation reviewed
    message = page.locator(".msg.user").first
    message.get_by_text("Sửa ý định").click()
    message.get_by_label("Ý định đúng").select_option("ask_solar")
    message.locator("textarea").fill("appliance: pin mặt trời = solar_panel")
    message.get_by_role("button", name="Lưu chỉnh sửa").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Đã sửa ý định thành Hỏi về điện mặt trời"
    )
    page.get_by_role("button", name="Đánh dấu đã xem xét").click()
    expect(page.get_by_text("Đã xem xét bởi giamsat")).to_be_visible()
    shot(page, "04-corrected")

    # 5. export the training data
    page.get_by_role("link", name="Xuất dữ liệu huấn luyện").click()
    page.get_by_role("button", name="Xuất dữ liệu huấn luyện").click()
    expect(page.locator("#export-result")).to_contain_text("Đã ghi 1 câu cho 1 ý định")
    shot(page, "05-export")
    exported = yaml.safe_load((live.nlu_dir / "corrections.yml").read_text(encoding="utf-8"))
    assert exported["nlu"] == [
        {
            "intent": "ask_solar",
            "examples": '- lắp [pin mặt trời]{"entity": "appliance", "value": "solar_panel"} trên mái có lợi ko, sđt 098*****21\n',
        }
    ]

    # 6. take over the waiting conversation; the household panel sits beside it
    page.get_by_role("link", name="Hội thoại", exact=True).click()
    page.locator("#queue").get_by_role("link", name="hh-lan").click()
    expect(page.locator("#consumption svg rect.bar")).to_have_count(45)
    expect(page.locator("#consumption svg rect.bar.anomaly")).to_have_count(4)
    expect(page.locator("#bills")).to_contain_text("1.372.140 đ")
    expect(page.locator("#explanation")).to_contain_text("thời tiết chỉ giải thích được 2 kWh")
    expect(page.locator("#anomaly-answers")).to_contain_text(
        f"không có thay đổi lâu dài, đã sửa xong ngày {local_today():%d/%m/%Y}"
    )
    expect(page.locator("#household")).to_contain_text("091*****78")
    shot(page, "06-conversation-household")
    page.get_by_role("button", name="Tiếp quản").click()
    expect(page.get_by_role("button", name="Trả lại cho trợ lý")).to_be_visible()
    assert (
        "POST",
        f"/conversations/hh-lan/tracker/events?token={TestConfig.RASA_AUTH_TOKEN}",
        {"event": "pause"},
    ) in [call[:3] for call in live.rasa.calls]
    reply = "Chào chị Lan, em là nhân viên CSKH, em kiểm tra giúp chị ngay ạ."
    page.get_by_label("Tin nhắn").fill(reply)
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator(".msg.agent")).to_contain_text(reply)
    shot(page, "07-taken-over")

    # 7. the household's web chat shows the staff message (it polls every 3 s)
    chat = browser.new_page(viewport={"width": 900, "height": 700}, locale="vi-VN")
    chat.goto(f"{live.url}/?household=hh-lan#chat")
    expect(chat.locator(".msg.agent")).to_contain_text(reply, timeout=15_000)
    shot(chat, "08-web-chat")

    # 8. hand back, then the dashboard and the audited reveal
    page.get_by_role("button", name="Trả lại cho trợ lý").click()
    expect(page.get_by_role("button", name="Tiếp quản")).to_be_visible()
    assert live.rasa.calls[-1][:3] == (
        "POST",
        f"/conversations/hh-lan/tracker/events?token={TestConfig.RASA_AUTH_TOKEN}",
        {"event": "resume"},
    )
    page.get_by_label("Lý do xem dữ liệu cá nhân").fill("khách yêu cầu gọi lại")
    page.get_by_role("button", name="Hiện dữ liệu cá nhân").click()
    expect(page.locator("#household")).to_contain_text("0912345678")
    page.get_by_role("link", name="Nhật ký truy cập dữ liệu cá nhân").click()
    expect(page.locator("#audit-log")).to_contain_text("khách yêu cầu gọi lại")
    shot(page, "09-audit")
    page.get_by_role("link", name="Tổng quan").click()
    expect(page.locator("#total")).to_have_text("3")
    expect(page.locator("#handoff-rate")).to_have_text(re.compile(r"33,3 %"))
    shot(page, "10-dashboard")


def test_admin_creates_an_account_that_can_sign_in(live, browser, shot):
    with live.app.app_context():
        result = live.app.test_cli_runner().invoke(
            args=[
                "staff",
                "create",
                "--login",
                "quantri",
                "--role",
                "admin",
                "--password",
                PASSWORD,
            ]
        )
        assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="vi-VN")
    page.goto(f"{live.url}/staff/login")
    page.get_by_label("Tên đăng nhập").fill("quantri")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Tài khoản").click()
    page.get_by_label("Tên đăng nhập").fill("nhanvien.an")
    page.get_by_label("Vai trò").select_option("agent")
    page.get_by_label("Mật khẩu (ít nhất 10 ký tự)").fill("mat-khau-nhan-vien")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator("#accounts")).to_contain_text("nhanvien.an")
    shot(page, "11-accounts")
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_label("Tên đăng nhập").fill("nhanvien.an")
    page.get_by_label("Mật khẩu").fill("mat-khau-nhan-vien")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("nhanvien.an (Nhân viên)")).to_be_visible()
    expect(page.get_by_role("link", name="Tài khoản")).to_have_count(
        0
    )  # agents do not manage accounts
    expect(page.get_by_role("link", name="Xuất dữ liệu huấn luyện")).to_have_count(0)
    page.get_by_role("link", name="nhanvien.an (Nhân viên)").click()  # own account
    page.get_by_label("Mật khẩu hiện tại").fill("mat-khau-nhan-vien")
    page.get_by_label("Mật khẩu mới").fill("mat-khau-moi-cua-an")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_text("Đã đổi mật khẩu.")).to_be_visible()
    shot(page, "12-password")
