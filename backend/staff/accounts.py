"""Staff accounts: every member changes their own password; admins create, unlock, reset a
password, deactivate and reactivate."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response

from backend.clock import utc_now
from backend.extensions import db
from backend.models import MAX_INTEGER, StaffUser
from backend.services import staff_users as service
from backend.services.errors import ServiceError
from backend.staff.blueprint import bp, flash_form_errors, role_required
from backend.staff.forms import ActionForm, NewStaffForm, PasswordForm, ResetPasswordForm


def _account(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        raise service.NotFound("Không tìm thấy tài khoản.", "user_id")
    return user


def _back() -> Response:
    return redirect(url_for("staff.accounts"), code=303)


@bp.route("/accounts", methods=["GET", "POST"])
@role_required("admin")
def accounts():
    form = NewStaffForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = service.create_staff(
                db.session(), form.login.data or "", form.password.data or "", form.role.data or ""
            )
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            status = 422
        else:
            flash(f"Đã tạo tài khoản {user.login}.", "info")
            return _back()
    elif form.is_submitted():
        status = 422
    return render_template(
        "staff/accounts.html",
        form=form,
        action=ActionForm(),
        reset=ResetPasswordForm(),
        users=service.list_staff(db.session()),
        now=utc_now(),
    ), status


@bp.post(f"/accounts/<int(max={MAX_INTEGER}):user_id>/unlock")
@role_required("admin")
def unlock_account(user_id: int):
    if ActionForm().validate_on_submit():
        user = _account(user_id)
        service.unlock(db.session(), user)
        flash(f"Đã mở khóa {user.login}.", "info")
    return _back()


@bp.post(f"/accounts/<int(max={MAX_INTEGER}):user_id>/active/<int(max=1):active>")
@role_required("admin")
def set_account_active(user_id: int, active: int):
    if ActionForm().validate_on_submit():
        user = _account(user_id)
        try:
            service.set_active(db.session(), user, bool(active), current_user)
            flash(f"Đã {'mở lại' if active else 'vô hiệu hóa'} tài khoản {user.login}.", "info")
        except ServiceError as exc:
            flash(exc.message, "error")
    return _back()


@bp.post(f"/accounts/<int(max={MAX_INTEGER}):user_id>/password")
@role_required("admin")
def reset_password(user_id: int):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user = _account(user_id)
        service.set_password(db.session(), user, form.password.data or "")
        if user.id == current_user.id:
            login_user(user)  # this session continues with the new password
        flash(f"Đã đặt mật khẩu mới cho {user.login}; các phiên đăng nhập cũ đã kết thúc.", "info")
    else:
        flash_form_errors(form)
    return _back()


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    status = 200
    user = current_user._get_current_object()  # the account itself, not the request's proxy
    if form.validate_on_submit():
        try:
            service.change_password(
                db.session(),
                user,
                form.current_password.data or "",
                form.new_password.data or "",
            )
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message[:1].upper() + exc.message[1:] + ".", "error")
            status = 422
        else:
            login_user(user)  # this session continues; the others end
            flash("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.", "info")
            return redirect(url_for("staff.change_password"), code=303)
    elif form.is_submitted():
        status = 422
    return render_template("staff/password.html", form=form), status
