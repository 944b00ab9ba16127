"""Bookings: seats (or items) a resident, the coordinator by phone, or someone at the
door takes on a programme session; the waiting list and attendance."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.extensions import db


class BookingStatus(LabelledEnum):
    CONFIRMED = ("confirmed", _l("Confirmed"))
    WAITING = ("waiting", _l("On the waiting list"))
    CANCELLED = ("cancelled", _l("Cancelled"))


class BookingChannel(LabelledEnum):
    ONLINE = ("online", _l("Online"))
    PHONE = ("phone", _l("By phone"))
    WALK_IN = ("walk_in", _l("Walk-in"))


class Attendance(LabelledEnum):
    ATTENDED = ("attended", _l("Attended"))
    NO_SHOW = ("no_show", _l("No-show"))


ACTIVE_BOOKING_SQL = text("status IN ('confirmed', 'waiting') AND user_id IS NOT NULL")


class Booking(TimestampMixin, db.Model):
    """Seats (or items) for a resident and their dependants, a phone booking, or a walk-in.

    A resident holds at most one active booking per session (the partial unique index);
    `request_key` makes a double-submitted form count once.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("party_size >= 1", name="party_size_positive"),
        CheckConstraint("user_id IS NOT NULL OR length(name) > 0", name="someone"),
        Index(
            "uq_bookings_active_session_user",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=ACTIVE_BOOKING_SQL,
            postgresql_where=ACTIVE_BOOKING_SQL,
        ),
        Index("ix_bookings_session_status", "session_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("program_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # For someone without an account (a phone booking or a walk-in).
    name: Mapped[str] = mapped_column(String(100), default="")
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL")
    )
    # The person booked for without an account (gachi/people), found again next time.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    party_size: Mapped[int] = mapped_column(default=1)
    # The children or others booked for, as the resident wrote them (e.g. "민준, 4세").
    dependants: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[BookingStatus] = mapped_column(enum_column_type(BookingStatus, "status"))
    channel: Mapped[BookingChannel] = mapped_column(
        enum_column_type(BookingChannel, "channel"), default=BookingChannel.ONLINE
    )
    code: Mapped[str] = mapped_column(String(16), unique=True)
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    attendance: Mapped[Attendance | None] = mapped_column(
        enum_column_type(Attendance, "attendance")
    )
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(String(16), default="app")

    program_session = relationship("ProgramSession")
    user = relationship("User", foreign_keys=[user_id])
    household = relationship("Household")
    person = relationship("Person")

    @property
    def who(self):
        return self.user.display_name if self.user is not None else self.name

    @property
    def is_active(self):
        return self.status is not BookingStatus.CANCELLED

    @property
    def is_confirmed(self):
        return self.status is BookingStatus.CONFIRMED

    @property
    def is_waiting(self):
        return self.status is BookingStatus.WAITING

    @property
    def has_attended(self):
        return self.attendance is Attendance.ATTENDED

    def awaits_attendance(self, now):
        """Nobody has said yet whether they came, and attendance is taken at `now`
        (gachi.programs.bookings.operations.check_in and mark_no_show)."""
        return (
            self.is_confirmed
            and self.attendance is None
            and self.program_session.takes_attendance(now)
        )

    def takes_correction(self, now):
        """What was recorded may be corrected, with a reason, at `now`
        (gachi.programs.bookings.operations.correct_attendance)."""
        return (
            self.is_confirmed
            and self.attendance is not None
            and self.program_session.takes_attendance_corrections(now)
        )

    @property
    def cancel_deadline(self):
        """Its holder cancels until this moment (the programme's `cancel_hours`)."""
        program_session = self.program_session
        return program_session.starts_at - timedelta(hours=program_session.program.cancel_hours)

    def cancel_closes_at(self, user):
        """Until when `user` may cancel it: whoever manages the complex until the session
        is over (then it is the session's record), its holder until the deadline."""
        if self.program_session.can_manage(user):
            return self.program_session.ends_at
        return self.cancel_deadline

    def can_cancel(self, user, now):
        """`user` may cancel it at `now` (gachi.programs.bookings.operations.cancel_booking)."""
        return self.is_active and self.may_cancel(user) and now < self.cancel_closes_at(user)

    def can_view(self, user):
        if not user.is_authenticated:
            return False
        return (
            self.user_id == user.id and self.program_session.can_view(user)
        ) or self.program_session.can_check_in(user)

    def may_cancel(self, user):
        """Whose booking it is to cancel, at some time: its holder, or the complex's managers."""
        return self.can_view(user) and (
            self.user_id == user.id or self.program_session.can_manage(user)
        )

    def can_check_in(self, user):
        return self.program_session.can_check_in(user)
