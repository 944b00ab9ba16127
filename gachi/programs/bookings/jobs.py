"""What the scheduler calls for programmes: reminders before sessions, and waiting-list
moves. Each is safe to run twice: a reminder is stamped once (`reminded_at`, set by a
conditional UPDATE), and a move up takes seats with the same atomic UPDATE as a booking."""

from datetime import timedelta

from sqlalchemy import or_, select, update

from gachi.core.time import seoul_label
from gachi.extensions import db
from gachi.notifications.models import N_, NotificationKind
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.bookings.operations import (
    move_up_waiting,
    session_link,
    tell_booking_holders,
)
from gachi.programs.models import Program
from gachi.programs.sessions.models import ProgramSession, SessionState

# No programme reminds more than a week ahead; bounds the query.
LONGEST_REMINDER = timedelta(days=7)


def due_reminders(now):
    """Confirmed bookings of live sessions that begin within their programme's reminder
    time and have not been reminded yet."""
    return db.session.scalars(
        select(Booking)
        .join(ProgramSession, ProgramSession.id == Booking.session_id)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Booking.reminded_at.is_(None),
            # An account, or a person written down by phone or at the door (texted).
            or_(Booking.user_id.is_not(None), Booking.person_id.is_not(None)),
            ProgramSession.state == SessionState.SCHEDULED,
            Program.reminder_hours.is_not(None),
            ProgramSession.starts_at > now,
            ProgramSession.starts_at <= now + LONGEST_REMINDER,
        )
        .order_by(Booking.id)
    ).all()


def send_reminders(now):
    """Remind each booking once. Returns how many reminders were sent."""
    sent = 0
    for booking in due_reminders(now):
        program_session = booking.program_session
        if program_session.starts_at > now + timedelta(
            hours=program_session.program.reminder_hours
        ):
            continue
        claimed = db.session.execute(
            update(Booking)
            .where(
                Booking.id == booking.id,
                Booking.reminded_at.is_(None),
                Booking.status == BookingStatus.CONFIRMED,
            )
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue
        tell_booking_holders(
            [booking],
            N_(
                "Reminder: %(program)s begins on %(when)s at %(place)s. "
                "Your booking code is %(code)s."
            ),
            kind=NotificationKind.REMINDERS,
            link=session_link(program_session),
            dedupe=f"reminder:{booking.id}",
            program=program_session.display_title,
            when=seoul_label(program_session.starts_at),
            place=program_session.program.venue or "-",
            code=booking.code,
        )
        sent += 1
    return sent


def move_waiting_lists(now):
    """Move people up wherever places are free and someone waits (a capacity raised, a
    cancellation made outside the app's own move). Returns how many moved up."""
    waiting = (
        select(Booking.id)
        .where(Booking.session_id == ProgramSession.id, Booking.status == BookingStatus.WAITING)
        .exists()
    )
    sessions = db.session.scalars(
        select(ProgramSession)
        .where(
            ProgramSession.state == SessionState.SCHEDULED,
            ProgramSession.starts_at > now,
            ProgramSession.seats_taken < ProgramSession.capacity,
            waiting,
        )
        .order_by(ProgramSession.starts_at)
    ).all()
    return sum(len(move_up_waiting(program_session, now=now)) for program_session in sessions)
