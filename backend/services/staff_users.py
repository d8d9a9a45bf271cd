"""Staff accounts: creation, sign-in throttled by address and account, server-side sessions,
passwords."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from backend.clock import utc_now
from backend.models import StaffLoginFailure, StaffSession, StaffUser
from backend.models.staff import ROLES
from backend.services.errors import Conflict, InvalidInput, NotFound

MAX_FAILED_LOGINS = 5  # per account and client address within FAILURE_WINDOW
MAX_FAILURES_PER_ADDRESS = 20  # per client address, over every login typed
ACCOUNT_SOFT_LIMIT = 10  # per account from every address; then an exponential delay
ACCOUNT_MAX_DELAY = timedelta(minutes=5)
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = FAILURE_WINDOW
KEEP_FAILURES = timedelta(days=1)
KNOWN_ADDRESS = timedelta(days=30)  # sessions (and their address) are kept this long
SEEN_GRANULARITY = timedelta(minutes=1)
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
    session.execute(delete(StaffLoginFailure).where(StaffLoginFailure.user_id == user.id))
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
    # refused without looking at the password (too many failures): the caller gives the same
    # answer as for a wrong password, so nobody learns which logins exist or are throttled
    throttled: bool = False


def _failures(session: Session, *conditions: Any) -> tuple[int, datetime | None]:
    row = session.execute(
        select(func.count(), func.max(StaffLoginFailure.at)).where(*conditions)
    ).one()
    return int(row[0]), row[1]


def _throttled(session: Session, user_id: int, ip: str, now: datetime) -> bool:
    """Whether this attempt is refused unseen (OWASP Authentication Cheat Sheet: throttle by
    address and by account, never a lock that anyone can set on anyone's account).

    - per account and address: MAX_FAILED_LOGINS in FAILURE_WINDOW stop that pair only;
    - per address: MAX_FAILURES_PER_ADDRESS over all logins (password spraying, guessing logins);
    - per account from every address: past ACCOUNT_SOFT_LIMIT checked failures each further
      attempt waits 1 s, 2 s, 4 s … (at most ACCOUNT_MAX_DELAY) after the last one: a
      distributed guess slows to a crawl while the owner is at worst delayed, and not at all
      from an address they signed in from before (KNOWN_ADDRESS).

    The same queries run for an unknown login (user_id 0), so the work does not tell them apart.
    """
    since = now - FAILURE_WINDOW
    at = StaffLoginFailure.at > since
    if _failures(session, StaffLoginFailure.ip == ip, at)[0] >= MAX_FAILURES_PER_ADDRESS:
        return True
    pair = _failures(session, StaffLoginFailure.user_id == user_id, StaffLoginFailure.ip == ip, at)
    if pair[0] >= MAX_FAILED_LOGINS:
        return True
    known = session.scalar(
        select(func.count()).where(
            StaffSession.user_id == user_id,
            StaffSession.ip == ip,
            StaffSession.created_at > now - KNOWN_ADDRESS,
        )
    )
    count, latest = _failures(
        session, StaffLoginFailure.user_id == user_id, StaffLoginFailure.checked, at
    )
    if known or count < ACCOUNT_SOFT_LIMIT or latest is None:
        return False
    delay = min(timedelta(seconds=2 ** (count - ACCOUNT_SOFT_LIMIT)), ACCOUNT_MAX_DELAY)
    return now - latest < delay


def authenticate(
    session: Session, login: str, password: str, *, ip: str = "", now: datetime | None = None
) -> SignIn:
    """The account if the password is right, it is active and the attempt is not throttled.

    Unknown login, wrong password, inactive account and throttled attempt are one answer
    (SignIn(None)) and cost the same: one password hash each (a dummy one where there is no
    account or the attempt is throttled) and the same queries. Every refusal is recorded by
    address (and account); success clears that pair's failures.
    """
    now = now or utc_now()
    ip = ip[:45]
    user = session.scalar(select(StaffUser).where(StaffUser.login == login.strip().lower()))
    user_id = user.id if user is not None else 0
    throttled = _throttled(session, user_id, ip, now)
    stored = _DUMMY_HASH if user is None or throttled else user.password_hash
    right = check_password_hash(stored, password) and user is not None and not throttled
    if right and user is not None and user.active:
        session.execute(
            delete(StaffLoginFailure).where(
                StaffLoginFailure.user_id == user.id, StaffLoginFailure.ip == ip
            )
        )
        user.failed_logins = 0
        user.last_login_at = now
        session.commit()
        return SignIn(user)
    session.add(
        StaffLoginFailure(
            user_id=user.id if user is not None else None, ip=ip, at=now, checked=not throttled
        )
    )
    # the next attempt's fate, shown to admins (the rows are what counts); asked on every
    # refusal alike, so the work does not tell a throttled attempt from another
    locked = _throttled(session, user_id, ip, now)
    if user is not None and not throttled:
        user.failed_logins += 1
        if locked:
            user.locked_until = now + FAILURE_WINDOW
    session.execute(delete(StaffLoginFailure).where(StaffLoginFailure.at < now - KEEP_FAILURES))
    session.commit()
    return SignIn(None, throttled)


def start_session(
    session: Session, *, user: StaffUser, ip: str, now: datetime | None = None
) -> str:
    """A new server-side session; the returned token goes into the browser's cookie."""
    now = now or utc_now()
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_token_hash(token), user_id=user.id, ip=ip[:45], created_at=now,
            last_seen_at=now,
        )
    )  # fmt: skip
    session.execute(delete(StaffSession).where(StaffSession.created_at < now - KNOWN_ADDRESS))
    session.commit()
    return token


def resume_session(
    session: Session,
    *,
    token: str,
    user_id: int,
    idle: timedelta,
    absolute: timedelta,
    now: datetime | None = None,
) -> bool:
    """Whether the token is a live session of this account: not ended, used within `idle`,
    begun within `absolute`. A live one is marked as used (at most once a minute); an expired
    one is ended for good."""
    now = now or utc_now()
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return False
    if now - row.last_seen_at >= idle or now - row.created_at >= absolute:
        row.ended_at = now
        session.commit()
        return False
    if now - row.last_seen_at >= SEEN_GRANULARITY:
        row.last_seen_at = now
        session.commit()
    return True


def end_session(session: Session, *, token: str, now: datetime | None = None) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == _token_hash(token), StaffSession.ended_at.is_(None))
        .values(ended_at=now or utc_now())
    )
    session.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
    """Forget the account's failed sign-ins (from every address)."""
    session.execute(delete(StaffLoginFailure).where(StaffLoginFailure.user_id == user.id))
    user.locked_until = None
    user.failed_logins = 0
    session.commit()


def set_active(session: Session, user: StaffUser, active: bool, by: StaffUser) -> None:
    """Deactivate or reactivate an account; nobody deactivates their own (the last admin stays)."""
    if user.id == by.id and not active:
        raise Conflict("bạn không thể tự vô hiệu hóa tài khoản của mình", "active")
    user.active = active
    session.commit()
