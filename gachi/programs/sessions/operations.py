"""The verbs of a programme session: change its seats (or stock), cancel it; and the gates
into the running stage (a plan with a programme and a budget line; a programme has a
session) and into evaluation (a session was held and someone came)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, select, update

from gachi.complexes.stages import Stage, gate
from gachi.core.audit import log_change
from gachi.core.errors import Conflict
from gachi.core.time import seoul_label, utcnow
from gachi.extensions import db
from gachi.notifications.models import N_, NotificationKind
from gachi.notifications.operations import notify
from gachi.plans.models import BudgetLine, ExecutionPlan
from gachi.programs.bookings.models import Attendance, Booking, BookingStatus
from gachi.programs.bookings.operations import move_up_waiting, tell_booking_holders
from gachi.programs.models import Program
from gachi.programs.rosters.models import RosterEntry
from gachi.programs.sessions.models import ProgramSession, SessionState


@gate(Stage.RUNNING, needs=_l("A programme with sessions scheduled"))
def a_programme_has_sessions(participation, now):
    has_sessions = db.session.scalar(
        select(
            exists().where(
                ProgramSession.program_id == Program.id,
                Program.participation_id == participation.id,
                ProgramSession.state == SessionState.SCHEDULED,
            )
        )
    )
    return None if has_sessions else _l("No programme has a session yet.")


@gate(Stage.RUNNING, needs=_l("A plan with at least one programme and one budget line"))
def a_plan_has_a_programme_and_a_budget_line(participation, now):
    planned = db.session.scalar(
        select(
            and_(
                exists().where(Program.participation_id == participation.id),
                exists().where(
                    BudgetLine.plan_id == ExecutionPlan.id,
                    ExecutionPlan.participation_id == participation.id,
                ),
            )
        )
    )
    return (
        None
        if planned
        else _l("The plan needs at least one programme and one budget line before it runs.")
    )


@gate(Stage.EVALUATION, needs=_l("A programme session held, with someone who came"))
def a_session_was_held(participation, now):
    held = db.session.scalar(
        select(
            exists().where(
                Program.participation_id == participation.id,
                ProgramSession.program_id == Program.id,
                ProgramSession.state != SessionState.CANCELLED,
                ProgramSession.ends_at <= now,
                Booking.session_id == ProgramSession.id,
                Booking.attendance == Attendance.ATTENDED,
            )
        )
    )
    return None if held else _l("No programme session has been held with anyone attending yet.")


def change_capacity(program_session, *, capacity, actor, now=None):
    """Raise or lower a session's seats (or stock); never below what is taken. Raising
    it moves people up from the waiting list in the same transaction."""
    if program_session.is_cancelled:
        raise Conflict(_l("This session is cancelled."))
    result = db.session.execute(
        update(ProgramSession)
        .where(ProgramSession.id == program_session.id, ProgramSession.seats_taken <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    if capacity < 0 or result.rowcount != 1:
        raise Conflict(
            _l("More places than that are already taken (%(taken)s)."),
            taken=program_session.seats_taken,
        )
    before = program_session.capacity
    db.session.refresh(program_session)
    moved = move_up_waiting(program_session, now=now)
    log_change(
        "session.capacity",
        program_session,
        actor=actor,
        complex_id=program_session.program.complex_id,
        before={"capacity": before},
        after={"capacity": capacity, "moved_up": len(moved)},
    )
    return moved


def cancel_session(program_session, *, reason="", actor, now=None):
    """Cancel a session: nobody is reminded, and everyone booked is told."""
    now = now or utcnow()
    result = db.session.execute(
        update(ProgramSession)
        .where(
            ProgramSession.id == program_session.id, ProgramSession.state == SessionState.SCHEDULED
        )
        .values(state=SessionState.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_l("This session is already cancelled."))
    db.session.refresh(program_session)
    booked = db.session.scalars(
        select(Booking).where(
            Booking.session_id == program_session.id, Booking.status != BookingStatus.CANCELLED
        )
    ).all()
    rostered = db.session.scalars(
        select(RosterEntry.user_id).where(
            RosterEntry.session_id == program_session.id, RosterEntry.user_id.is_not(None)
        )
    ).all()
    message = N_("The session of %(program)s on %(when)s is cancelled.")
    facts = {
        "kind": NotificationKind.BOOKINGS,
        "link": f"/sessions/{program_session.id}",
        "program": program_session.program.title,
        "when": seoul_label(program_session.starts_at),
    }
    # Everyone booked, account or not (a phone booking by text), and the roster.
    told = tell_booking_holders(
        booked, message, dedupe=f"session-cancelled:{program_session.id}", **facts
    )
    volunteers = set(rostered) - {booking.user_id for booking in booked}
    notify(sorted(volunteers), message, **facts)
    log_change(
        "session.cancel",
        program_session,
        actor=actor,
        complex_id=program_session.program.complex_id,
        after={"reason": reason, "told": told + len(volunteers)},
    )
    return program_session
