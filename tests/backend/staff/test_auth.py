"""Sign-in, roles, lockout and CSRF of the staff console."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import Result

from backend.extensions import db
from backend.models import StaffUser
from backend.models._time import utcnow
from backend.services.staff_users import MAX_FAILED_LOGINS, authenticate
from tests.backend.staff.conftest import PASSWORD, sign_in


def test_pages_redirect_to_the_login_page_when_signed_out(client):
    response = client.get("/staff/conversations")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_login_page_is_vietnamese(client):
    page = client.get("/staff/login").get_data(as_text=True)
    assert "Đăng nhập" in page and "Mật khẩu" in page


def test_a_good_password_signs_in_and_the_hash_is_not_the_password(client, staff):
    response = sign_in(client, "an")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/conversations"
    assert staff["agent"].password_hash != PASSWORD and staff["agent"].password_hash.startswith(
        ("scrypt:", "pbkdf2:")
    )
    assert "Hội thoại" in client.get("/staff/conversations").get_data(as_text=True)


def test_next_goes_back_to_the_page_asked_for_but_never_off_site(client, staff):
    response = client.post(
        "/staff/login?next=/staff/dashboard", data={"login": "an", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/staff/dashboard"
    for target in ("//evil.example/x", "/\\evil.example/x", "https://evil.example/"):
        client.post("/staff/logout")
        response = client.post(
            "/staff/login",
            query_string={"next": target},
            data={"login": "an", "password": PASSWORD},
        )
        assert response.headers["Location"] == "/staff/conversations"


@pytest.mark.parametrize("login", ["an", "nobody"])
def test_wrong_password_or_unknown_login_get_the_same_answer(client, staff, login):
    response = sign_in(client, login, "wrong password!")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_lockout_after_repeated_failures_even_for_the_right_password(client, staff):
    for _ in range(MAX_FAILED_LOGINS):
        sign_in(client, "an", "wrong password!")
    response = sign_in(client, "an")
    assert response.status_code == 401
    assert "tạm khóa" in response.get_data(as_text=True)
    user = db.session.get(StaffUser, staff["agent"].id)
    assert user.locked_until is not None and user.locked_until > utcnow()


def test_the_lock_ends_and_success_resets_the_count(app, staff):
    for _ in range(MAX_FAILED_LOGINS):
        authenticate(db.session(), "an", "nope")
    later = utcnow() + timedelta(minutes=16)
    assert authenticate(db.session(), "an", PASSWORD, now=later).user is not None
    user = db.session.get(StaffUser, staff["agent"].id)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_an_inactive_account_cannot_sign_in_and_loses_its_session(client, staff):
    sign_in(client, "an")
    staff["agent"].active = False
    db.session.commit()
    assert client.get("/staff/conversations").status_code == 302
    assert sign_in(client, "an").status_code == 401


@pytest.mark.parametrize(
    ("path", "agent_status"),
    [
        ("/staff/conversations", 200),
        ("/staff/dashboard", 200),
        ("/staff/audit", 403),
        ("/staff/nlu/export", 403),
    ],
)
def test_roles(client, staff, path, agent_status):
    sign_in(client, "an")
    assert client.get(path).status_code == agent_status
    client.post("/staff/logout")
    sign_in(client, "binh")
    assert client.get(path).status_code == 200


def test_forbidden_is_a_vietnamese_page(agent):
    response = agent.get("/staff/audit", headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert "Bạn không có quyền" in response.get_data(as_text=True)


def test_logout(agent):
    assert agent.post("/staff/logout").status_code == 302
    assert agent.get("/staff/conversations").status_code == 302


@pytest.fixture
def csrf_client(app, client, staff):
    """CSRF protection on, as in every non-test configuration (TestConfig turns it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    return client


def test_a_post_without_csrf_token_is_rejected(csrf_client):
    response = csrf_client.post(
        "/staff/login", data={"login": "an", "password": PASSWORD}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn hoặc không hợp lệ" in response.get_data(as_text=True)


def test_a_post_with_the_page_token_is_accepted(csrf_client):
    page = csrf_client.get("/staff/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = csrf_client.post(
        "/staff/login", data={"login": "an", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_signed_in_actions_need_the_token_too(csrf_client):
    page = csrf_client.get("/staff/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    csrf_client.post(
        "/staff/login", data={"login": "an", "password": PASSWORD, "csrf_token": token}
    )
    assert csrf_client.post("/staff/logout").status_code == 400
    assert csrf_client.get("/staff/conversations").status_code == 200  # still signed in


def run(app, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_flask_staff_create(app):
    result = run(
        app,
        "staff",
        "create",
        "--login",
        "Dung",
        "--role",
        "supervisor",
        input="mat-khau-dai-1\nmat-khau-dai-1\n",
    )
    assert result.exit_code == 0, result.output
    assert "created supervisor dung" in result.output
    assert authenticate(db.session(), "dung", "mat-khau-dai-1").user.role == "supervisor"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--login", "e", "--password", "short"], "mật khẩu cần ít nhất 10 ký tự"),
        (["--login", "an", "--password", "long enough pw"], "đã có tài khoản tên"),
        (
            ["--login", "f", "--role", "boss", "--password", "long enough pw"],
            "Invalid value for '--role'",
        ),
    ],
)
def test_flask_staff_create_refuses_bad_input(app, staff, args, message):
    result = run(app, "staff", "create", *args)
    assert result.exit_code != 0
    assert message in result.output


def test_staff_seed_demo_only_in_development_and_only_once(app):
    refused = run(app, "staff", "seed-demo")
    assert refused.exit_code != 0 and "APP_ENV=development" in refused.output
    app.config["APP_ENV"] = "development"
    first = run(app, "staff", "seed-demo")
    assert first.exit_code == 0, first.output
    assert (
        "admin / admin-dev-password" in first.output and "6 conversations created" in first.output
    )
    again = run(app, "staff", "seed-demo")
    assert "admin-dev-password" not in again.output and "0 conversations created" in again.output
    assert authenticate(db.session(), "admin", "admin-dev-password").user.role == "admin"
