"""Below a complex: its programmes, and a programme's sessions, by the measures' rules
(gachi/kpi/measures.py): sessions not cancelled, confirmed bookings, attendance over
the bookings whose attendance was recorded. One GROUP BY per table, over the page's own
sessions only: its cost does not grow with the city's bookings."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.kpi.measures import AVERAGE, RATIO
from gachi.kpi.queries import actual_of
from gachi.programs.bookings.models import Attendance, Booking, BookingStatus
from gachi.programs.feedback.models import Feedback
from gachi.programs.models import Program
from gachi.programs.sessions.models import ProgramSession, SessionState


@dataclass(frozen=True)
class Line:
    id: int
    label: str
    sessions: int
    held: int
    bookings: int
    attended: int
    recorded: int
    rating_sum: int
    ratings: int
    starts_at: datetime | None = None
    cancelled: bool = False

    @property
    def attendance_rate(self):
        return actual_of(RATIO, self.attended, self.recorded)

    @property
    def satisfaction(self):
        return actual_of(AVERAGE, self.rating_sum, self.ratings)


def _sessions_of_programme(program_id):
    return select(ProgramSession.id).where(ProgramSession.program_id == program_id)


def _sessions_of_complex(participation_id):
    return (
        select(ProgramSession.id)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(Program.participation_id == participation_id)
    )


def _booking_counts(sessions):
    """Per session of `sessions` (a select of session ids): narrowed before grouping, so
    the statement reads one complex's bookings, not the city's."""
    confirmed = Booking.status == BookingStatus.CONFIRMED
    return (
        select(
            Booking.session_id,
            func.count(Booking.id).filter(confirmed).label("bookings"),
            func.count(Booking.id)
            .filter(confirmed, Booking.attendance == Attendance.ATTENDED)
            .label("attended"),
            func.count(Booking.id)
            .filter(confirmed, Booking.attendance.is_not(None))
            .label("recorded"),
        )
        .where(Booking.session_id.in_(sessions))
        .group_by(Booking.session_id)
        .subquery()
    )


def _rating_sums(sessions):
    return (
        select(
            Feedback.session_id,
            func.sum(Feedback.rating).label("rating_sum"),
            func.count(Feedback.id).label("ratings"),
        )
        .where(Feedback.session_id.in_(sessions))
        .group_by(Feedback.session_id)
        .subquery()
    )


def _sums(bookings, ratings, live):
    """Sums over sessions; a cancelled session counts for nothing."""

    def total(column):
        return func.coalesce(func.sum(column).filter(live), 0)

    return (
        total(bookings.c.bookings),
        total(bookings.c.attended),
        total(bookings.c.recorded),
        total(ratings.c.rating_sum),
        total(ratings.c.ratings),
    )


def programme_lines(participation_id) -> list[Line]:
    sessions = _sessions_of_complex(participation_id)
    bookings, ratings = _booking_counts(sessions), _rating_sums(sessions)
    live = ProgramSession.state == SessionState.SCHEDULED
    rows = db.session.execute(
        select(
            Program.id,
            Program.title,
            func.count(ProgramSession.id).filter(live),
            func.count(ProgramSession.id).filter(live, ProgramSession.ends_at <= utcnow()),
            *_sums(bookings, ratings, live),
        )
        .outerjoin(ProgramSession, ProgramSession.program_id == Program.id)
        .outerjoin(bookings, bookings.c.session_id == ProgramSession.id)
        .outerjoin(ratings, ratings.c.session_id == ProgramSession.id)
        .where(Program.participation_id == participation_id)
        .group_by(Program.id, Program.title)
        .order_by(Program.title, Program.id)
    ).all()
    return [Line(*row) for row in rows]


def session_lines(program_id) -> list[Line]:
    sessions = _sessions_of_programme(program_id)
    bookings, ratings = _booking_counts(sessions), _rating_sums(sessions)
    rows = db.session.execute(
        select(
            ProgramSession.id,
            func.coalesce(func.nullif(ProgramSession.title, ""), ""),
            ProgramSession.starts_at,
            ProgramSession.ends_at,
            ProgramSession.state,
            func.coalesce(bookings.c.bookings, 0),
            func.coalesce(bookings.c.attended, 0),
            func.coalesce(bookings.c.recorded, 0),
            func.coalesce(ratings.c.rating_sum, 0),
            func.coalesce(ratings.c.ratings, 0),
        )
        .outerjoin(bookings, bookings.c.session_id == ProgramSession.id)
        .outerjoin(ratings, ratings.c.session_id == ProgramSession.id)
        .where(ProgramSession.program_id == program_id)
        .order_by(ProgramSession.starts_at, ProgramSession.id)
    ).all()
    now = utcnow()
    lines = []
    for id_, title, starts_at, ends_at, state, *counts in rows:
        live = state is SessionState.SCHEDULED
        lines.append(
            Line(
                id_,
                title,
                int(live),
                int(live and ends_at <= now),
                *counts,
                starts_at=starts_at,
                cancelled=not live,
            )
        )
    return lines
