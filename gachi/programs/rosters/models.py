"""The roster of a programme session: its instructors and resident volunteers (shifts)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance


class RosterRole(LabelledEnum):
    INSTRUCTOR = ("instructor", _l("Instructor"))
    VOLUNTEER = ("volunteer", _l("Volunteer"))


class VolunteerShift(TimestampMixin, db.Model):
    """A volunteer shift: its own start and end inside a session (or the whole session)
    and how many volunteers it needs.

    `taken` only changes through conditional UPDATEs (gachi/programs/rosters/operations.py,
    `taken < needed`), so many signing up at once never take more places than it needs;
    the CHECK is the last line of defence."""

    __tablename__ = "volunteer_shifts"
    __table_args__ = (
        CheckConstraint("needed >= 1", name="needs_someone"),
        CheckConstraint("taken >= 0 AND taken <= needed", name="taken_within_needed"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    needed: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)

    program_session = relationship("ProgramSession")

    @property
    def minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def places_left(self):
        return max(self.needed - self.taken, 0)

    @property
    def is_whole_session(self):
        session = self.program_session
        return self.starts_at == session.starts_at and self.ends_at == session.ends_at

    def takes_volunteers(self, now):
        """Residents sign up until the shift begins, while it has places."""
        return (
            not self.program_session.is_cancelled and now < self.starts_at and self.places_left > 0
        )

    def can_view(self, user):
        return self.program_session.can_view(user)

    def can_manage(self, user):
        return self.program_session.can_manage(user)


class RosterEntry(TimestampMixin, db.Model):
    """An instructor or a resident volunteer on a session's roster (a shift)."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
        CheckConstraint("user_id IS NOT NULL OR length(name) > 0", name="someone"),
        UniqueConstraint("session_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="")
    # The volunteer shift they are on (None for an instructor).
    shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("volunteer_shifts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[RosterRole] = mapped_column(enum_column_type(RosterRole, "role"))
    # The hours this shift counts for, in minutes (the session's length unless changed).
    minutes: Mapped[int]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="app")
    # Whether they came, checked in like those who booked (None: not recorded yet).
    attendance: Mapped[Attendance | None] = mapped_column(
        enum_column_type(Attendance, "attendance")
    )
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    program_session = relationship("ProgramSession")
    user = relationship("User", foreign_keys=[user_id])
    shift = relationship("VolunteerShift")

    def awaits_attendance(self, now):
        """Nobody has said yet whether they came, and attendance is taken at `now`
        (gachi.programs.rosters.operations.check_in_volunteer)."""
        return self.attendance is None and self.program_session.takes_attendance(now)

    def takes_correction(self, now):
        """What was recorded may be corrected, with a reason, at `now`."""
        return self.attendance is not None and self.program_session.takes_attendance_corrections(
            now
        )

    def can_remove(self, user, now):
        """Off the roster at `now` (gachi.programs.rosters.operations.remove_from_roster):
        the coordinator at any time, a volunteer until the shift begins."""
        begins = self.shift.starts_at if self.shift is not None else self.program_session.starts_at
        return self.may_remove(user) and (self.program_session.can_manage(user) or now < begins)

    @property
    def who(self):
        return self.user.display_name if self.user is not None else self.name

    def can_view(self, user):
        return self.program_session.can_view(user)

    def can_check_in(self, user):
        return self.program_session.can_check_in(user)

    def may_remove(self, user):
        """The coordinator, or the volunteer themselves (before the shift, can_remove)."""
        return self.program_session.can_manage(user) or (
            user.is_authenticated and self.user_id == user.id
        )
