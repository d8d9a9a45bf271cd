from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.clock import utc_now
from backend.extensions import Model

ROLES = ("agent", "supervisor", "admin")


class StaffUser(UserMixin, Model):
    """A customer-care staff account of the staff console (never a household)."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="agent")  # agent, supervisor, admin
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """The session id carries a fingerprint of the password hash: a new password (changed by
        its owner or reset by an admin) signs the account out everywhere else."""
        fingerprint = hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]
        return f"{self.id}:{fingerprint}"

    def matches_session(self, session_id: str) -> bool:
        return hmac.compare_digest(self.get_id(), session_id)

    def has_role(self, minimum: str) -> bool:
        """Roles are ordered: an admin can do what a supervisor can, a supervisor what an agent can."""
        return ROLES.index(self.role) >= ROLES.index(minimum)


class StaffSession(Model):
    """One sign-in of a staff member. The browser holds only a random token (its SHA-256 is
    kept here): signing out, an admin's deactivation or the idle/absolute limits end the session
    on the server, so a copied cookie stops working."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    ip: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    ended_at: Mapped[datetime | None]


class StaffLoginFailure(Model):
    """A refused sign-in: by client address, and by account when the login exists (the typed
    login itself is not kept: it may be a password typed in the wrong field). `checked` is
    False when the attempt was refused without looking at the password (throttled)."""

    __tablename__ = "staff_login_failures"
    __table_args__ = (
        Index("ix_staff_login_failures_user_at", "user_id", "at"),
        Index("ix_staff_login_failures_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    checked: Mapped[bool] = mapped_column(default=True)
