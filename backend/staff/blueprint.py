"""The staff console's blueprint and what its pages share: who is signed in (the user loader,
`role_required`), form errors as messages, the CSRF error page and the template filters. The
pages themselves are the other modules of backend/staff/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, flash, render_template, session
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from backend.clock import to_local
from backend.content.labels import action_label, intent_label, pressed_button
from backend.extensions import db, login_manager
from backend.models import StaffUser
from backend.money import format_vnd
from backend.services.anomalies import change_text
from backend.services.staff_users import resume_session

bp = Blueprint("staff", __name__, url_prefix="/staff")

SESSION_KEY = "staff_session"  # the token of the server-side session (StaffSession)
ROLE_NAMES = {"agent": "Nhân viên", "supervisor": "Giám sát viên", "admin": "Quản trị viên"}


def flash_form_errors(form: Any) -> None:
    """Each invalid field of a posted form as an error message, named by its label."""
    for field, errors in form.errors.items():
        label = getattr(getattr(form, field, None), "label", None)
        flash(f"{label.text if label else field}: {' '.join(errors)}", "error")


@login_manager.user_loader
def _load_user(user_id: str) -> StaffUser | None:
    key = user_id.split(":", 1)[0]
    user = db.session.get(StaffUser, int(key)) if key.isdecimal() else None
    if user is None or not user.active or not user.matches_session(user_id):
        return None
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not resume_session(
        db.session(),
        token=token,
        user_id=user.id,
        idle=timedelta(minutes=current_app.config["STAFF_SESSION_IDLE_MINUTES"]),
        absolute=timedelta(hours=current_app.config["STAFF_SESSION_MAX_HOURS"]),
    ):
        return None
    return user


def role_required(minimum: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Signed in (else the login page) and at least this role (else 403)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(minimum):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> tuple[str, int]:
    """A form without a valid token (missing, or older than the token's lifetime)."""
    message = "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang rồi thử lại."
    return render_template("error.html", status=400, message=message), 400


# Why a conversation is in the queue (the reason the bot's hand-off sent), in staff's words
HANDOFF_REASONS = {"request_human": "Khách yêu cầu gặp nhân viên"}


@bp.app_context_processor
def _staff_context() -> dict[str, Any]:
    return {
        "role_names": ROLE_NAMES,
        "handoff_reasons": HANDOFF_REASONS,
        "pressed_button": pressed_button,
    }


@bp.app_template_filter("vn_time")
def _vn_time(value: datetime | None) -> str:
    """Stored times are naive UTC; staff read Việt Nam time."""
    if value is None:
        return "—"
    return to_local(value).strftime("%d/%m/%Y %H:%M")


@bp.app_template_filter("intent_label")
def _intent_label(intent: str | None) -> str:
    return intent_label(intent)


@bp.app_template_filter("action_label")
def _action_label(action: str | None) -> str:
    return action_label(action)


@bp.app_template_filter("change_text")
def _change_text(kind: str | None) -> str | None:
    return change_text(kind)


@bp.app_template_filter("vnd")
def _vnd(amount: int) -> str:
    return format_vnd(amount)
