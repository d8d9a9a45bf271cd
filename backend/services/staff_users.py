"""Staff accounts: creation, sign-in with lockout after repeated failures."""

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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự", "password")
    if session.scalar(select(func.count()).where(StaffUser.login == login)):
        raise Conflict(f"đã có tài khoản tên {login!r}", "login")
    user = StaffUser(login=login, password_hash=generate_password_hash(password), role=role)
    session.add(user)
    session.commit()
    return user


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
        raise Conflict("bạn không thể tự vô hiệu hoá tài khoản của mình", "active")
    user.active = active
    session.commit()
