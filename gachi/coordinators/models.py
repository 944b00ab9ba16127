"""Coordinator placements: the rows that grant a coordinator a complex for a period."""

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.extensions import db


class Placement(TimestampMixin, db.Model):
    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
        Index("ix_placements_coordinator_dates", "coordinator_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    complex_id: Mapped[int] = mapped_column(
        ForeignKey("complexes.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date]
    # Inclusive; None while open-ended.
    ends_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    coordinator = relationship("User", foreign_keys=[coordinator_id])
    complex = relationship("Complex")

    @classmethod
    def is_active_on(cls, day: date):
        """The one rule for "this placement grants its complex on `day`" (SQL)."""
        return and_(cls.starts_on <= day, or_(cls.ends_on.is_(None), cls.ends_on >= day))

    def can_view(self, user):
        return user.is_authenticated and (user.is_staff or user.id == self.coordinator_id)

    def can_manage(self, user):
        return user.is_authenticated and user.is_staff
