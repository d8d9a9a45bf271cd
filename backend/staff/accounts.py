"""Admins manage staff accounts: create, unlock, deactivate and reactivate."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from backend.extensions import db
from backend.models import StaffUser
from backend.models._time import utcnow
from backend.services import staff_users as service
from backend.services.errors import ServiceError
from backend.staff import bp, role_required
from backend.staff.forms import ActionForm, NewStaffForm


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
        users=service.list_staff(db.session()),
        now=utcnow(),
    ), status


@bp.post("/accounts/<int:user_id>/unlock")
@role_required("admin")
def unlock_account(user_id: int):
    if ActionForm().validate_on_submit():
        user = _account(user_id)
        service.unlock(db.session(), user)
        flash(f"Đã mở khoá {user.login}.", "info")
    return _back()


@bp.post("/accounts/<int:user_id>/active/<int:active>")
@role_required("admin")
def set_account_active(user_id: int, active: int):
    if ActionForm().validate_on_submit():
        user = _account(user_id)
        try:
            service.set_active(db.session(), user, bool(active), current_user)
            flash(f"Đã {'mở lại' if active else 'vô hiệu hoá'} tài khoản {user.login}.", "info")
        except ServiceError as exc:
            flash(exc.message, "error")
    return _back()
