"""Admins manage staff accounts (and only admins)."""

from __future__ import annotations

import pytest

from backend.extensions import db
from backend.models import StaffUser
from backend.services.staff_users import MAX_FAILED_LOGINS, authenticate
from tests.backend.staff.conftest import PASSWORD, sign_in


def test_only_admins_see_accounts(client, staff):
    sign_in(client, "binh")
    assert client.get("/staff/accounts").status_code == 403
    client.post("/staff/logout")
    sign_in(client, "chi")
    page = client.get("/staff/accounts").get_data(as_text=True)
    assert all(login in page for login in ("an", "binh", "chi")) and "Giám sát viên" in page


def test_admin_creates_an_account(client, staff):
    sign_in(client, "chi")
    response = client.post(
        "/staff/accounts", data={"login": "Dung", "role": "agent", "password": "mat-khau-dai-1"}
    )
    assert response.status_code == 303
    assert authenticate(db.session(), "dung", "mat-khau-dai-1").user.role == "agent"


def test_bad_new_accounts_are_explained(client, staff):
    sign_in(client, "chi")
    short = client.post("/staff/accounts", data={"login": "e", "role": "agent", "password": "ngan"})
    assert short.status_code == 422 and "Mật khẩu (ít nhất 10 ký tự)" in short.get_data(
        as_text=True
    )
    taken = client.post(
        "/staff/accounts", data={"login": "an", "role": "agent", "password": "mat-khau-dai-1"}
    )
    assert taken.status_code == 422 and "đã có tài khoản tên" in taken.get_data(as_text=True)


def test_admin_unlocks_and_deactivates(client, staff):
    for _ in range(MAX_FAILED_LOGINS):
        authenticate(db.session(), "an", "wrong")
    sign_in(client, "chi")
    assert "Tạm khóa đến" in client.get("/staff/accounts").get_data(as_text=True)
    agent_id = staff["agent"].id
    client.post(f"/staff/accounts/{agent_id}/unlock")
    assert authenticate(db.session(), "an", PASSWORD).user is not None
    client.post(f"/staff/accounts/{agent_id}/active/0")
    assert db.session.get(StaffUser, agent_id).active is False
    client.post(f"/staff/accounts/{agent_id}/active/1")
    assert db.session.get(StaffUser, agent_id).active is True


def test_an_admin_cannot_deactivate_themselves(client, staff):
    sign_in(client, "chi")
    page = client.post(f"/staff/accounts/{staff['admin'].id}/active/0", follow_redirects=True)
    assert "bạn không thể tự vô hiệu hóa" in page.get_data(as_text=True)
    assert db.session.get(StaffUser, staff["admin"].id).active is True


def test_flask_staff_unlock(app, staff):
    for _ in range(MAX_FAILED_LOGINS):
        authenticate(db.session(), "an", "wrong")
    result = app.test_cli_runner().invoke(args=["staff", "unlock", "--login", "an"])
    assert result.exit_code == 0 and "unlocked an" in result.output
    assert authenticate(db.session(), "an", PASSWORD).user is not None
    missing = app.test_cli_runner().invoke(args=["staff", "unlock", "--login", "nobody"])
    assert missing.exit_code != 0 and "không có tài khoản" in missing.output


def change(client, current: str, new: str):
    return client.post("/staff/password", data={"current_password": current, "new_password": new})


def test_staff_change_their_own_password(agent):
    assert "Đổi mật khẩu" in agent.get("/staff/password").get_data(as_text=True)
    assert change(agent, PASSWORD, "mat-khau-moi-123").status_code == 303
    assert agent.get("/staff/conversations").status_code == 200  # this session continues
    assert authenticate(db.session(), "an", PASSWORD).user is None
    assert authenticate(db.session(), "an", "mat-khau-moi-123").user is not None


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("sai-mat-khau-cu", "mat-khau-moi-123", "Mật khẩu hiện tại không đúng"),
        (PASSWORD, PASSWORD, "Mật khẩu mới phải khác mật khẩu hiện tại"),
        (PASSWORD, "ngan", "Mật khẩu mới (ít nhất 10 ký tự)"),
    ],
)
def test_a_refused_password_change_says_why_and_keeps_the_old_one(agent, current, new, message):
    response = change(agent, current, new)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert authenticate(db.session(), "an", PASSWORD).user is not None


def test_a_new_password_ends_the_other_sessions(app, agent, staff):
    other = app.test_client()
    assert sign_in(other, "an").status_code == 302
    change(agent, PASSWORD, "mat-khau-moi-123")
    assert other.get("/staff/conversations").status_code == 302  # back to the login page
    assert agent.get("/staff/conversations").status_code == 200


def test_admin_sets_a_new_password_ends_sessions_and_lifts_the_lockout(app, client, staff):
    signed_in_agent = app.test_client()
    assert sign_in(signed_in_agent, "an").status_code == 302
    for _ in range(MAX_FAILED_LOGINS):
        authenticate(db.session(), "an", "wrong")
    sign_in(client, "chi")
    response = client.post(
        f"/staff/accounts/{staff['agent'].id}/password", data={"password": "dat-lai-mat-khau"}
    )
    assert response.status_code == 303
    assert signed_in_agent.get("/staff/conversations").status_code == 302
    assert sign_in(signed_in_agent, "an", PASSWORD).status_code == 401
    assert sign_in(signed_in_agent, "an", "dat-lai-mat-khau").status_code == 302
    short = client.post(
        f"/staff/accounts/{staff['agent'].id}/password",
        data={"password": "ngan"},
        follow_redirects=True,
    )
    assert "ít nhất 10 ký tự" in short.get_data(as_text=True)
    assert authenticate(db.session(), "an", "dat-lai-mat-khau").user is not None


def test_set_password_command(app, staff):
    result = app.test_cli_runner().invoke(
        args=["staff", "set-password", "--login", "An", "--password", "tu-dong-lenh-123"]
    )
    assert result.exit_code == 0, result.output
    assert authenticate(db.session(), "an", "tu-dong-lenh-123").user is not None
    missing = app.test_cli_runner().invoke(
        args=["staff", "set-password", "--login", "nobody", "--password", "tu-dong-lenh-123"]
    )
    assert missing.exit_code != 0 and "không có tài khoản" in missing.output


def test_form_errors_are_in_vietnamese(agent):
    short = change(agent, PASSWORD, "ngan").get_data(as_text=True)
    assert "Cần từ 10 đến 256 ký tự." in short and "characters long" not in short
    empty = change(agent, "", "mat-khau-moi-123").get_data(as_text=True)
    assert "Mật khẩu hiện tại: Cần điền trường này." in empty
    assert "This field is required" not in empty


@pytest.mark.parametrize(
    "path",
    [
        f"/staff/accounts/{2**70}/unlock",
        f"/staff/accounts/{2**31}/password",
        "/staff/accounts/1/active/7",
    ],
)
def test_an_account_id_no_column_holds_is_not_found(client, staff, path):
    sign_in(client, "chi")
    assert client.post(path, data={"password": "mat-khau-dai-1"}).status_code == 404
