"""The reads behind booking lists: a session's bookings, a resident's own."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from gachi.extensions import db
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.sessions.models import ProgramSession


def session_bookings(session_id):
    """Confirmed first, then the waiting list in its order, then cancelled ones."""
    order = {BookingStatus.CONFIRMED: 0, BookingStatus.WAITING: 1, BookingStatus.CANCELLED: 2}
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session_id)
        .options(
            joinedload(Booking.user), joinedload(Booking.household), joinedload(Booking.person)
        )
        .order_by(Booking.id)
    ).all()
    return sorted(bookings, key=lambda booking: order[booking.status])


def active_booking(session_id, user_id):
    return db.session.scalar(
        select(Booking).where(
            Booking.session_id == session_id,
            Booking.user_id == user_id,
            Booking.status != BookingStatus.CANCELLED,
        )
    )


def my_bookings(user_id):
    """A resident's bookings that are not cancelled, the soonest first."""
    return db.session.scalars(
        select(Booking)
        .join(Booking.program_session)
        .where(Booking.user_id == user_id, Booking.status != BookingStatus.CANCELLED)
        .options(joinedload(Booking.program_session).joinedload(ProgramSession.program))
        .order_by(ProgramSession.starts_at, Booking.id)
    ).all()
