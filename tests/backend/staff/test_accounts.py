"""Admins manage staff accounts (and only admins)."""

from __future__ import annotations

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
    assert "Tạm khoá đến" in client.get("/staff/accounts").get_data(as_text=True)
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
    assert "bạn không thể tự vô hiệu hoá" in page.get_data(as_text=True)
    assert db.session.get(StaffUser, staff["admin"].id).active is True


def test_flask_staff_unlock(app, staff):
    for _ in range(MAX_FAILED_LOGINS):
        authenticate(db.session(), "an", "wrong")
    result = app.test_cli_runner().invoke(args=["staff", "unlock", "--login", "an"])
    assert result.exit_code == 0 and "unlocked an" in result.output
    assert authenticate(db.session(), "an", PASSWORD).user is not None
    missing = app.test_cli_runner().invoke(args=["staff", "unlock", "--login", "nobody"])
    assert missing.exit_code != 0 and "không có tài khoản" in missing.output
