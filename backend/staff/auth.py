"""Sign-in and sign-out of staff (passwords hashed; lockout after repeated failures)."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from backend.extensions import db, limiter
from backend.models._time import utcnow
from backend.services.staff_users import authenticate
from backend.staff import bp
from backend.staff.forms import ActionForm, LoginForm

LOGIN_RATE_LIMIT = "30 per minute"  # per address, on top of the per-account lockout
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never an open redirect: no "//host", no "/\\host")."""
    if (
        target
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("staff.conversations")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_RATE_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.conversations"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = authenticate(db.session(), form.login.data or "", form.password.data or "")
        if result.user is not None:
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        status = 401
        if result.locked_until is not None:
            minutes = math.ceil((result.locked_until - utcnow()).total_seconds() / 60)
            flash(
                f"Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau {minutes} phút.",
                "error",
            )
        else:
            flash(WRONG, "error")
    elif request.method == "POST":
        status = 422
    return render_template("staff/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        logout_user()
        flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("staff.login"))
