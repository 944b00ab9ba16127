"""Programmes, their schedule and sessions, bookings, rosters, feedback and calendar links.

Permissions delegate session → programme → participation → complex; the partners of an
enterprise that delivers a programme may also see and run (check in) its sessions.
"""

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import utcnow
from gachi.extensions import db


class CapacityKind(LabelledEnum):
    SEATS = ("seats", _l("Seats"))
    STOCK = ("stock", _l("Items handed out (stock)"))


class SessionState(LabelledEnum):
    SCHEDULED = ("scheduled", _l("Scheduled"))
    CANCELLED = ("cancelled", _l("Cancelled"))


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


class RosterRole(LabelledEnum):
    INSTRUCTOR = ("instructor", _l("Instructor"))
    VOLUNTEER = ("volunteer", _l("Volunteer"))


class ChangeTopic(LabelledEnum):
    """What a resident would change, so the summary can count it (e.g. longer hours)."""

    NOTHING = ("nothing", _l("Nothing, keep it as it is"))
    LONGER_HOURS = ("longer_hours", _l("Longer opening hours"))
    MORE_DAYS = ("more_days", _l("More days or sessions"))
    OTHER_TIMES = ("other_times", _l("Other times of day"))
    ACTIVITIES = ("activities", _l("Different activities"))
    PLACE = ("place", _l("The place"))
    OTHER = ("other", _l("Something else"))


class CalendarKind(LabelledEnum):
    PERSONAL = ("personal", _l("My bookings and shifts"))
    COMPLEX = ("complex", _l("All public sessions of the complex"))


ACTIVE_BOOKING_SQL = text("status IN ('confirmed', 'waiting') AND user_id IS NOT NULL")


class Program(TimestampMixin, db.Model):
    """A programme (프로그램) of a participation, answering one selected problem."""

    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        CheckConstraint("default_capacity >= 1", name="capacity_positive"),
        CheckConstraint("max_party_size >= 1", name="party_size_positive"),
        CheckConstraint(
            "booking_opens_days >= 0 AND booking_closes_hours >= 0 AND cancel_hours >= 0",
            name="booking_windows",
        ),
        CheckConstraint("reminder_hours IS NULL OR reminder_hours >= 1", name="reminder_positive"),
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(200), default="")
    # In whole won; the pilot's programmes were free.
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    capacity_kind: Mapped[CapacityKind] = mapped_column(
        enum_column_type(CapacityKind, "capacity_kind"), default=CapacityKind.SEATS
    )
    default_capacity: Mapped[int] = mapped_column(default=10)
    # Booking rules: residents book online (else only the coordinator books, by phone),
    # from `booking_opens_days` before a session until `booking_closes_hours` before it,
    # cancel until `cancel_hours` before it, for at most `max_party_size` people or items.
    residents_may_book: Mapped[bool] = mapped_column(default=True)
    booking_opens_days: Mapped[int] = mapped_column(default=30)
    booking_closes_hours: Mapped[int] = mapped_column(default=0)
    cancel_hours: Mapped[int] = mapped_column(default=2)
    max_party_size: Mapped[int] = mapped_column(default=4)
    waiting_list: Mapped[bool] = mapped_column(default=True)
    # Shown in the complex's public calendar feed.
    is_public: Mapped[bool] = mapped_column(default=True)
    # Hours before a session its reminder goes out; None sends none.
    reminder_hours: Mapped[int | None] = mapped_column(default=24)
    # The schedule: a date range, weekdays (0 = Monday, as digits "01234") and a time
    # window in Seoul; sessions are generated from it (gachi/programs/recurrence.py).
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    weekdays: Mapped[str] = mapped_column(String(7), default="")
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="app")

    participation = relationship("Participation")
    problem = relationship("Problem")
    enterprises = relationship(
        "Enterprise", secondary="program_enterprises", order_by="Enterprise.name", viewonly=True
    )
    enterprise_links = relationship("ProgramEnterprise", cascade="all, delete-orphan")
    exceptions = relationship(
        "ScheduleException", cascade="all, delete-orphan", order_by="ScheduleException.day"
    )
    sessions = relationship(
        "ProgramSession",
        back_populates="program",
        order_by="(ProgramSession.starts_at, ProgramSession.id)",
    )

    @property
    def complex_id(self):
        return self.participation.complex_id

    @property
    def weekday_numbers(self) -> list[int]:
        return sorted(int(digit) for digit in self.weekdays)

    def is_partner_of(self, user):
        return (
            user.is_authenticated
            and user.is_partner
            and user.enterprise_id in {link.enterprise_id for link in self.enterprise_links}
        )

    def can_view(self, user):
        return self.participation.can_view(user) or self.is_partner_of(user)

    def can_manage(self, user):
        return self.participation.can_manage(user)

    def can_run(self, user):
        """Check people in, take walk-ins: the complex's managers, the delivering partners,
        and the residents a signed evaluation handed the programme over to."""
        from gachi.evaluations.queries import is_organiser

        return (
            self.can_manage(user)
            or self.is_partner_of(user)
            or is_organiser(user, self.participation_id)
        )

    def __repr__(self):
        return f"<Program {self.title}>"


class ProgramEnterprise(db.Model):
    """An enterprise delivering a programme (it has an agreed match for the problem)."""

    __tablename__ = "program_enterprises"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class ScheduleException(db.Model):
    """A scheduled day that is skipped (a holiday), or moved to another day."""

    __tablename__ = "schedule_exceptions"
    __table_args__ = (UniqueConstraint("program_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    day: Mapped[date]
    moved_to: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(200), default="")


class ProgramSession(TimestampMixin, db.Model):
    """One session of a programme, with its seats (or stock) and how many are taken.

    `seats_taken` only changes through conditional UPDATEs (gachi/programs/bookings.py);
    the CHECK is the last line of defence.
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

    session = relationship("ProgramSession")
    user = relationship("User", foreign_keys=[user_id])
    household = relationship("Household")

    @property
    def who(self):
        return self.user.display_name if self.user is not None else self.name

    @property
    def is_active(self):
        return self.status is not BookingStatus.CANCELLED

    def can_view(self, user):
        if not user.is_authenticated:
            return False
        return (
            self.user_id == user.id and self.session.can_view(user)
        ) or self.session.can_check_in(user)

    def can_cancel(self, user):
        return self.can_view(user) and (self.user_id == user.id or self.session.can_manage(user))

    def can_check_in(self, user):
        return self.session.can_check_in(user)


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
    role: Mapped[RosterRole] = mapped_column(enum_column_type(RosterRole, "role"))
    # The hours this shift counts for, in minutes (the session's length unless changed).
    minutes: Mapped[int]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="app")

    session = relationship("ProgramSession")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def who(self):
        return self.user.display_name if self.user is not None else self.name

    def can_view(self, user):
        return self.session.can_view(user)

    def can_remove(self, user):
        return self.session.can_manage(user) or (user.is_authenticated and self.user_id == user.id)


class Feedback(db.Model):
    """What someone who attended a session thought of it: one per person and session."""

    __tablename__ = "session_feedback"
    __table_args__ = (
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_one_to_five"),
        UniqueConstraint("session_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    change_topic: Mapped[ChangeTopic] = mapped_column(enum_column_type(ChangeTopic, "change_topic"))
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="app")

    session = relationship("ProgramSession")


class CalendarToken(db.Model):
    """A private, revocable link to an iCalendar feed: a person's own, or their complex's."""

    __tablename__ = "calendar_tokens"
    __table_args__ = (
        CheckConstraint("kind != 'complex' OR complex_id IS NOT NULL", name="complex_feed_complex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CalendarKind] = mapped_column(enum_column_type(CalendarKind, "kind"))
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("complexes.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user = relationship("User")
    complex = relationship("Complex")

    @property
    def is_live(self):
        return self.revoked_at is None

    def can_view(self, user):
        return user.is_authenticated and user.id == self.user_id

    def can_revoke(self, user):
        return self.can_view(user)
