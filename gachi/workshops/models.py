"""Workshops of a participation: when and where, who came, the minutes and attachments."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core import attendance
from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import utcnow
from gachi.extensions import db


class WorkshopRound(LabelledEnum):
    PROBLEMS = ("problems", _l("1st workshop: finding problems"))
    SOLUTIONS = ("solutions", _l("2nd workshop: designing solutions"))


class Workshop(TimestampMixin, db.Model):
    __tablename__ = "workshops"
    __table_args__ = (CheckConstraint("walk_in_count >= 0", name="walk_ins_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[WorkshopRound] = mapped_column(enum_column_type(WorkshopRound, "round"))
    held_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    facilitator: Mapped[str] = mapped_column(String(100), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    # People who came without an account: counted, not named.
    walk_in_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="app")

    participation = relationship("Participation")
    attendances = relationship(
        "WorkshopAttendance", back_populates="workshop", order_by="WorkshopAttendance.id"
    )
    attachments = relationship(
        "WorkshopAttachment", back_populates="workshop", order_by="WorkshopAttachment.id"
    )

    # When people are checked in (gachi/core/attendance.py). A workshop has no end time:
    # the days after it are counted from its start.
    @property
    def attendance_opens_at(self):
        return attendance.opens_at(self.held_at)

    @property
    def attendance_closes_at(self):
        return attendance.closes_at(self.held_at)

    def takes_attendance(self, now):
        """People are checked in and walk-ins counted at `now`
        (gachi.workshops.operations.check_in_resident, check_in_guest, set_walk_ins)."""
        return attendance.is_open(self.held_at, self.held_at, now)

    def attendance_opens_later(self, now):
        return now < self.attendance_opens_at

    def can_view(self, user):
        return self.participation.can_view(user)

    def can_manage(self, user):
        return self.participation.can_manage(user)

    def __repr__(self):
        return f"<Workshop {self.round.value} {self.held_at:%Y-%m-%d}>"


class WorkshopAttendance(db.Model):
    """One person checked in: a registered resident, or a name and household said at the door."""

    __tablename__ = "workshop_attendances"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id"),
        CheckConstraint("user_id IS NOT NULL OR length(name) > 0", name="someone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(100), default="")
    # The person without an account who came (gachi/people), found again next time.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)

    workshop = relationship("Workshop", back_populates="attendances")
    user = relationship("User", foreign_keys=[user_id])
    household = relationship("Household")
    person = relationship("Person")

    @property
    def display_name(self):
        return self.user.display_name if self.user is not None else self.name


class WorkshopAttachment(db.Model):
    """A photo or PDF, stored under the instance folder and served only through a view."""

    __tablename__ = "workshop_attachments"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    workshop = relationship("Workshop", back_populates="attachments")

    def can_view(self, user):
        return self.workshop.can_view(user)
