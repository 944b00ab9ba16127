"""Programmes: what a participation runs for a selected problem, who delivers it, its
booking rules and its schedule (the days it skips or moves).

Its sessions, bookings, rosters, feedback and calendar links are sub-areas of their own
(gachi/programs/sessions, bookings, rosters, feedback, calendar). Permissions delegate
session → programme → participation → complex; the partners of an enterprise that
delivers a programme may also see and run (check in) its sessions.
"""

from datetime import date, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.extensions import db


class CapacityKind(LabelledEnum):
    SEATS = ("seats", _l("Seats"))
    STOCK = ("stock", _l("Items handed out (stock)"))


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
    def counts_stock(self):
        """Its sessions hand out items of a stock rather than seats."""
        return self.capacity_kind is CapacityKind.STOCK

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
    """A scheduled day that is skipped (a holiday), or moved to another day. A public
    holiday is skipped through one of these (noted with its name), and held after all
    through one that moves it to its own day."""

    __tablename__ = "schedule_exceptions"
    __table_args__ = (UniqueConstraint("program_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    day: Mapped[date]
    moved_to: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(200), default="")

    @property
    def is_held(self):
        """Kept after all: a holiday the coordinator ticked back in is moved to itself."""
        return self.moved_to == self.day
