"""Staff accounts and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.base import TimestampMixin, UTCDateTime, utcnow

ROLES = {
    "editor": "编辑",
    "reviewer": "审核",
    "publisher": "发布",
    "admin": "管理员",
    "foi_officer": "依申请公开办理",
    "foi_head": "依申请公开负责人",
}
STAFF_ROLES = frozenset(ROLES)


class User(TimestampMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str] = mapped_column(String(64), default="")
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)  # a TOTP code is accepted once
    # Bumped on logout and password change: every session carrying an older value is dead.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency | None] = relationship()

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    # Flask-Login protocol. The id carries the session version, so that bumping it (logout everywhere,
    # password change) invalidates every session cookie issued before.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class SignInFailure(Base):
    """One failed (or not yet checked) sign-in step, the shared memory of the sign-in throttle.

    Kept in the database rather than in a worker's memory so that every worker and process counts the
    same failures (``portal.services.sign_in_limits``). A row is written before a password or code is
    checked and deleted when the check succeeds, so concurrent guesses cannot slip past the limit.
    """

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        Index("ix_sign_in_failure_account_at", "account", "at"),
        Index("ix_sign_in_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    account: Mapped[str] = mapped_column(String(64))  # the name as typed, lower-cased (may not exist)
    address: Mapped[str] = mapped_column(String(64))  # the client address
    step: Mapped[str] = mapped_column(String(16))  # password | totp
