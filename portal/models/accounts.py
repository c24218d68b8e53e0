"""Staff accounts and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.agency import Agency
from portal.models.base import TimestampMixin, UTCDateTime

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
