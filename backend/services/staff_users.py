"""Staff accounts: creation, sign-in with lockout after repeated failures, passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from backend.models import StaffUser
from backend.models._time import utcnow
from backend.models.staff import ROLES
from backend.services.errors import Conflict, InvalidInput, NotFound

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
# Compared against when the login does not exist, so both cases take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def create_staff(session: Session, login: str, password: str, role: str) -> StaffUser:
    login = login.strip().lower()
    if not login or len(login) > 64:
        raise InvalidInput("tên đăng nhập cần 1–64 ký tự", "login")
    if role not in ROLES:
        raise InvalidInput(f"vai trò phải là một trong: {', '.join(ROLES)}", "role")
    _check_length(password, "password")
    if session.scalar(select(func.count()).where(StaffUser.login == login)):
        raise Conflict(f"đã có tài khoản tên {login!r}", "login")
    user = StaffUser(login=login, password_hash=generate_password_hash(password), role=role)
    session.add(user)
    session.commit()
    return user


def _check_length(password: str, field: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự", field)


def _store_password(session: Session, user: StaffUser, password: str, field: str) -> None:
    """Every session signed in with the old password ends (StaffUser.get_id)."""
    _check_length(password, field)
    user.password_hash = generate_password_hash(password)
    session.commit()


def set_password(session: Session, user: StaffUser, password: str) -> None:
    """An admin's reset: the new password, and the lockout lifted."""
    user.failed_logins = 0
    user.locked_until = None
    _store_password(session, user, password, "password")


def change_password(session: Session, user: StaffUser, current: str, new: str) -> None:
    """The owner changes their password: the current one must be right and the new one differ."""
    if not check_password_hash(user.password_hash, current):
        raise InvalidInput("mật khẩu hiện tại không đúng", "current_password")
    if new == current:
        raise InvalidInput("mật khẩu mới phải khác mật khẩu hiện tại", "new_password")
    _store_password(session, user, new, "new_password")


@dataclass(frozen=True)
class SignIn:
    user: StaffUser | None
    locked_until: datetime | None = None


def authenticate(
    session: Session, login: str, password: str, now: datetime | None = None
) -> SignIn:
    """The account if the password is right and it is active and not locked.

    Every wrong password counts; at MAX_FAILED_LOGINS the account is locked for LOCKOUT, and while
    locked even the right password is refused (so guessing cannot go on). Success resets the count.
    """
    now = now or utcnow()
    user = session.scalar(select(StaffUser).where(StaffUser.login == login.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return SignIn(None)
    if user.locked_until is not None and user.locked_until > now:
        return SignIn(None, user.locked_until)
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.commit()
        return SignIn(
            None, user.locked_until if user.locked_until and user.locked_until > now else None
        )
    if not user.active:
        return SignIn(None)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.commit()
    return SignIn(user)


def ensure_staff(session: Session, login: str, password: str, role: str) -> bool:
    """Create the account unless it exists; True when created."""
    if session.scalar(select(func.count()).where(StaffUser.login == login)):
        return False
    create_staff(session, login, password, role)
    return True


def list_staff(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.login)))


def get_staff(session: Session, login: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.login == login.strip().lower()))
    if user is None:
        raise NotFound(f"không có tài khoản tên {login!r}", "login")
    return user


def unlock(session: Session, user: StaffUser) -> None:
    user.locked_until = None
    user.failed_logins = 0
    session.commit()


def set_active(session: Session, user: StaffUser, active: bool, by: StaffUser) -> None:
    """Deactivate or reactivate an account; nobody deactivates their own (the last admin stays)."""
    if user.id == by.id and not active:
        raise Conflict("bạn không thể tự vô hiệu hóa tài khoản của mình", "active")
    user.active = active
    session.commit()
