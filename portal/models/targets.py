"""Declared yearly disclosure targets (工作目标), loaded from ``content/targets.yml``.

Only the goal is declared; every figure is computed from the records by ``portal.services.targets``.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base
from portal.models.base import TimestampMixin

# How a growth goal ("提升20%") is read: +20 percentage points, or +20% of last year's rate.
GROWTH_UNITS = {"points": "百分点", "relative": "相对增幅"}
DEFAULT_GROWTH_UNIT = "points"


class Target(TimestampMixin, Base):
    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("year", "key", name="uq_target_year_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    key: Mapped[str] = mapped_column(String(64))  # one of portal.services.targets.METRICS
    goal: Mapped[float] = mapped_column(Float, default=0.0)  # percent, or percentage points / percent growth
    unit: Mapped[str] = mapped_column(String(16), default="")  # growth targets only: points | relative
    wording: Mapped[str] = mapped_column(Text, default="")  # the plan's own words
    source: Mapped[str] = mapped_column(Text, default="")  # which plan declares it
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Target {self.year} {self.key}>"
