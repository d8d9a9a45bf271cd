"""Sign-in, throttling, server-side sessions, roles and CSRF of the staff console."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from click.testing import Result
from sqlalchemy import func, select

from backend.clock import utc_now
from backend.extensions import db
from backend.models import CannedReply, StaffLoginFailure, StaffSession, StaffUser
from backend.services.staff_users import (
    ACCOUNT_SOFT_LIMIT,
    FAILURE_WINDOW,
    MAX_FAILED_LOGINS,
    MAX_FAILURES_PER_ADDRESS,
    authenticate,
)
from backend.staff.auth import WRONG
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


def from_address(client, address: str, login: str, password: str = PASSWORD):
    return client.post(
        "/staff/login",
        data={"login": login, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def refusal(response) -> tuple[int, str]:
    """Status and the flashed message of a refused sign-in."""
    page = response.get_data(as_text=True)
    return response.status_code, page.split('class="flash')[1].split("</")[0]


def test_unknown_wrong_throttled_and_inactive_get_one_answer(app, client, staff):
    """Nobody learns from the answer which logins exist, are inactive or are throttled."""
    staff["supervisor"].active = False
    db.session.commit()
    unknown = refusal(sign_in(client, "khong-ai", "wrong password!"))
    wrong = refusal(sign_in(client, "an", "wrong password!"))
    inactive = refusal(sign_in(client, "binh"))
    for _ in range(MAX_FAILED_LOGINS):
        sign_in(client, "chi", "wrong password!")
    throttled = refusal(sign_in(client, "chi"))  # the right password, refused unseen
    assert unknown == wrong == inactive == throttled
    assert (
        unknown[0] == 401
        and WRONG in unknown[1]
        and "khóa" not in unknown[1]
        and "khoá" not in unknown[1]
    )


def _fastest_seconds(attempt, runs: int = 3) -> float:
    """The fastest of a few runs: the least disturbed by other work on a busy machine."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        attempt()
        times.append(time.perf_counter() - start)
    return min(times)


def test_unknown_and_throttled_take_as_long_as_a_wrong_password(app, staff):
    """Each costs one password hash (tens to hundreds of ms); a refusal that skipped it
    (old code: a locked account) would answer ~100 times faster."""
    session = db.session()
    for _ in range(MAX_FAILED_LOGINS):
        authenticate(session, "chi", "nope", ip="10.0.0.9")
    wrong = _fastest_seconds(lambda: authenticate(session, "an", "nope", ip="10.0.0.1"))
    unknown = _fastest_seconds(lambda: authenticate(session, "khong-ai", "nope", ip="10.0.0.2"))
    throttled = _fastest_seconds(lambda: authenticate(session, "chi", PASSWORD, ip="10.0.0.9"))
    assert unknown > wrong / 3 and throttled > wrong / 3, (wrong, unknown, throttled)
    assert unknown < wrong * 3 and throttled < wrong * 3, (wrong, unknown, throttled)


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(client, staff):
    for _ in range(MAX_FAILED_LOGINS + 3):
        assert from_address(client, "203.0.113.66", "an", "wrong password!").status_code == 401
    assert from_address(client, "203.0.113.66", "an").status_code == 401  # that pair waits
    assert from_address(client, "198.51.100.7", "an").status_code == 302  # the owner does not
    user = db.session.get(StaffUser, staff["agent"].id)
    assert user.locked_until is not None  # admins still see that someone was guessing


def test_one_address_spraying_many_logins_is_stopped(client, staff):
    for number in range(MAX_FAILURES_PER_ADDRESS):
        from_address(client, "203.0.113.66", f"ai-do-{number}", "wrong password!")
    assert from_address(client, "203.0.113.66", "an").status_code == 401
    assert from_address(client, "198.51.100.7", "an").status_code == 302


def guess_from_many_addresses(failures: int, last_at: datetime) -> None:
    """One wrong password from each of many addresses, 40 s apart (each after the delay the
    one before it caused), the last at `last_at`."""
    for number in range(failures):
        at = last_at - timedelta(seconds=40 * (failures - 1 - number))
        result = authenticate(db.session(), "an", "nope", ip=f"203.0.113.{number}", now=at)
        assert not result.throttled


def test_guessing_from_many_addresses_slows_down_exponentially_per_account(app, staff):
    last = utc_now()
    guess_from_many_addresses(ACCOUNT_SOFT_LIMIT + 2, last)
    # 12 failures: the next try waits 2**2 = 4 s after the last one, from any new address
    refused = authenticate(
        db.session(), "an", PASSWORD, ip="198.51.100.1", now=last + timedelta(seconds=3)
    )
    assert refused.user is None and refused.throttled
    later = authenticate(
        db.session(), "an", PASSWORD, ip="198.51.100.1", now=last + timedelta(seconds=5)
    )
    assert later.user is not None


def test_the_owners_known_address_is_not_slowed_by_guessing_elsewhere(client, staff):
    assert from_address(client, "198.51.100.7", "an").status_code == 302
    client.post("/staff/logout", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    guess_from_many_addresses(ACCOUNT_SOFT_LIMIT + 6, utc_now())  # next try waits 64 s
    assert from_address(client, "198.51.100.8", "an").status_code == 401  # a new address waits
    assert from_address(client, "198.51.100.7", "an").status_code == 302


def test_the_throttle_ends_and_success_clears_that_address(app, staff):
    session = db.session()
    for _ in range(MAX_FAILED_LOGINS):
        authenticate(session, "an", "nope", ip="10.0.0.1")
    assert authenticate(session, "an", PASSWORD, ip="10.0.0.1").user is None
    later = utc_now() + FAILURE_WINDOW + timedelta(minutes=1)
    assert authenticate(session, "an", PASSWORD, ip="10.0.0.1", now=later).user is not None
    assert session.scalar(select(func.count()).select_from(StaffLoginFailure)) == 0
    user = db.session.get(StaffUser, staff["agent"].id)
    assert user.failed_logins == 0


def test_a_typed_login_is_not_stored(app, staff):
    """A password typed into the login field must not end up in the database."""
    authenticate(db.session(), "mat-khau-bi-go-nham", "x", ip="10.0.0.1")
    failure = db.session.scalar(select(StaffLoginFailure))
    assert failure.user_id is None and failure.ip == "10.0.0.1"


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


def copy_of(app, client):
    """Another browser holding a copy of this one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_logout_ends_the_session_on_the_server(app, agent):
    thief = copy_of(app, agent)
    assert thief.get("/staff/conversations").status_code == 200  # the copy works until…
    agent.post("/staff/logout")
    assert thief.get("/staff/conversations").status_code == 302  # …logout ends it everywhere


def _session_row() -> StaffSession:
    return db.session.scalar(select(StaffSession).order_by(StaffSession.id.desc()))


def test_a_session_ends_after_the_idle_time(app, agent):
    row = _session_row()
    row.last_seen_at = utc_now() - timedelta(minutes=app.config["STAFF_SESSION_IDLE_MINUTES"] - 1)
    db.session.commit()
    assert agent.get("/staff/conversations").status_code == 200  # in use: it goes on
    row = _session_row()
    row.last_seen_at = utc_now() - timedelta(minutes=app.config["STAFF_SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    response = agent.get("/staff/conversations")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert _session_row().ended_at is not None


def test_a_session_ends_after_the_absolute_limit_even_in_use(app, agent):
    row = _session_row()
    row.created_at = utc_now() - timedelta(hours=app.config["STAFF_SESSION_MAX_HOURS"], minutes=1)
    db.session.commit()
    assert agent.get("/staff/conversations").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, staff):
    cookie = sign_in(client, "an").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development; production: test_security.py


def test_signing_in_starts_a_fresh_session(app, client, staff):
    """A session cookie planted before sign-in (fixation) is not the signed-in session."""
    client.get("/staff/login")
    sign_in(client, "an")
    first = _session_row()
    client.post("/staff/logout")
    sign_in(client, "an")
    assert _session_row().id != first.id and first.ended_at is not None


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
    titles = db.session.scalars(db.select(CannedReply.title)).all()
    assert len(titles) == 3 and "Chào khách" in titles  # demo canned replies, created once
    assert authenticate(db.session(), "admin", "admin-dev-password").user.role == "admin"
