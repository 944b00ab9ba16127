"""A programme's sessions: when each is held, its seats (or stock) and how many are
taken, and the state predicates the session page and the operations share."""

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.complexes.stages import Stage
from gachi.core import attendance
from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.extensions import db

# Sessions are booked while the programme runs; attendance is also taken at evaluation.
BOOKING_STAGES = (Stage.RUNNING,)
ATTENDANCE_STAGES = (Stage.RUNNING, Stage.EVALUATION)


class SessionState(LabelledEnum):
    SCHEDULED = ("scheduled", _l("Scheduled"))
    CANCELLED = ("cancelled", _l("Cancelled"))


class ProgramSession(TimestampMixin, db.Model):
    """One session of a programme, with its seats (or stock) and how many are taken.

    `seats_taken` only changes through conditional UPDATEs
    (gachi/programs/bookings/operations.py); the CHECK is the last line of defence.

    The `is_…`/`takes_…`/`accepts_…` predicates below are the rules of time and state the
    operations enforce; the session page asks them too, so it offers a form exactly when
    the operation behind it would accept it.
    """

    __tablename__ = "program_sessions"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("volunteers_needed >= 0", name="volunteers_not_negative"),
        Index("ix_program_sessions_program_starts", "program_id", "starts_at"),
        Index("ix_program_sessions_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    volunteers_needed: Mapped[int] = mapped_column(default=0)
    state: Mapped[SessionState] = mapped_column(
        enum_column_type(SessionState, "state"), default=SessionState.SCHEDULED
    )
    cancelled_at: Mapped[datetime | None]
    # The schedule day this session was generated for (None for a one-off event).
    schedule_day: Mapped[date | None]

    program = relationship("Program", back_populates="sessions")

    @property
    def display_title(self):
        return self.title or self.program.title

    @property
    def seats_left(self):
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_cancelled(self):
        return self.state is SessionState.CANCELLED

    @property
    def minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    # State predicates -------------------------------------------------------------------

    @property
    def bookings_open_at(self):
        """Residents book online from this moment (by phone, the coordinator at any time)."""
        return self.starts_at - timedelta(days=self.program.booking_opens_days)

    def bookings_close_at(self, *, online=True):
        """Bookings close this long before the start online; by phone, at the start."""
        hours = self.program.booking_closes_hours if online else 0
        return self.starts_at - timedelta(hours=hours)

    @property
    def in_booking_stage(self):
        return self.program.participation.stage in BOOKING_STAGES

    def is_bookable(self, now, *, online=True):
        """Bookings are taken at `now` (gachi.programs.bookings.operations.book_seat)."""
        return (
            not self.is_cancelled
            and self.in_booking_stage
            and (not online or now >= self.bookings_open_at)
            and now < self.bookings_close_at(online=online)
        )

    @property
    def attendance_opens_at(self):
        return attendance.opens_at(self.starts_at)

    @property
    def attendance_closes_at(self):
        return attendance.closes_at(self.ends_at)

    @property
    def in_attendance_stage(self):
        return not self.is_cancelled and self.program.participation.stage in ATTENDANCE_STAGES

    def takes_attendance(self, now):
        """People are checked in, marked absent or taken as walk-ins at `now`: from a
        little before the start until some days after the end (gachi/core/attendance.py)."""
        return self.in_attendance_stage and attendance.is_open(self.starts_at, self.ends_at, now)

    def attendance_opens_later(self, now):
        """Attendance will be taken, but not yet: the page says when it opens."""
        return self.in_attendance_stage and now < self.attendance_opens_at

    def takes_attendance_corrections(self, now):
        """Attendance already recorded may be corrected, with a reason, from the moment
        it could be recorded until the evaluation is signed off."""
        return self.in_attendance_stage and now >= self.attendance_opens_at

    def takes_volunteers(self, now):
        """Residents sign up for its shift until it begins."""
        return not self.is_cancelled and now < self.starts_at

    def accepts_feedback(self, now):
        """Those who attended say what they thought once it has begun."""
        return now >= self.starts_at

    # Permissions ------------------------------------------------------------------------

    def can_view(self, user):
        return self.program.can_view(user)

    def can_manage(self, user):
        return self.program.can_manage(user)

    def can_check_in(self, user):
        return self.program.can_run(user)

    def can_book(self, user):
        """A resident of the complex, when the programme takes online bookings."""
        return (
            user.is_authenticated
            and user.is_resident
            and self.program.residents_may_book
            and user.complex_id == self.program.complex_id
        )

    def can_book_for_others(self, user):
        """Phone bookings: whoever manages the complex."""
        return self.program.can_manage(user)

    def can_volunteer(self, user):
        return (
            user.is_authenticated
            and user.is_resident
            and user.complex_id == self.program.complex_id
        )

    def can_give_feedback(self, user):
        return user.is_authenticated and user.is_resident and self.can_view(user)

    def __repr__(self):
        return f"<ProgramSession {self.program_id} {self.starts_at:%Y-%m-%d %H:%M}>"
