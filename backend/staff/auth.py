"""Sign-in and sign-out of staff: passwords hashed, attempts throttled by address and account
(one answer for every refusal), sessions kept on the server."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from backend.extensions import db, limiter
from backend.services.staff_users import authenticate, end_session, start_session
from backend.staff.blueprint import SESSION_KEY, bp
from backend.staff.forms import ActionForm, LoginForm

# Every refused sign-in (unknown login, wrong password, inactive account, too many attempts)
# gets this one answer: it tells nobody which logins exist or are being throttled.
WRONG = (
    "Tên đăng nhập hoặc mật khẩu không đúng. Nếu đã nhập sai nhiều lần, "
    "vui lòng chờ ít phút rồi thử lại."
)


def _login_rate_limit() -> str:
    """Per client address (after ProxyFix), on top of the throttles per account and address."""
    return current_app.config["STAFF_LOGIN_RATE_LIMIT"]


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
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("staff.conversations"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        ip = request.remote_addr or ""
        result = authenticate(db.session(), form.login.data or "", form.password.data or "", ip=ip)
        if result.user is not None:
            session.clear()  # nothing from before sign-in carries over (session fixation)
            token = start_session(db.session(), user=result.user, ip=ip)
            login_user(result.user)
            session[SESSION_KEY] = token
            return redirect(_safe_next(request.args.get("next")))
        status = 401
        flash(WRONG, "error")
    elif request.method == "POST":
        status = 422
    return render_template("staff/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        token = session.pop(SESSION_KEY, None)
        if token:
            end_session(db.session(), token=token)  # a copy of the cookie is now worthless
        logout_user()
        flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("staff.login"))
