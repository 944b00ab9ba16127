"""The verbs of rosters: instructors and resident volunteers on a session (its shift),
how many volunteers a shift needs, the hours each shift counts for, and whether each
came (checked in like those who booked, in the same window)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance
from gachi.programs.rosters.models import RosterEntry, RosterRole
from gachi.programs.sessions import attendance as door

MAX_SHIFT_MINUTES = 24 * 60


def _add(program_session, entry, *, actor):
    if program_session.is_cancelled:
        raise Conflict(_l("This session is cancelled."))
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        raise Conflict(
            _l("%(name)s is already on this session's roster."),
            name=entry.user.display_name if entry.user else entry.name,
        ) from None
    log_change(
        "roster.add",
        entry,
        actor=actor,
        complex_id=program_session.program.complex_id,
        after={
            "session_id": program_session.id,
            "role": entry.role.value,
            "minutes": entry.minutes,
        },
    )
    return entry


def volunteer_for(program_session, *, resident, actor, now=None):
    """A resident signs up for the session's volunteer shift."""
    if not program_session.can_volunteer(resident) or resident.id != actor.id:
        raise NotAllowed(_l("Only residents of this complex can volunteer for this shift."))
    # ProgramSession.takes_volunteers, with the reason (a cancelled session: _add).
    if program_session.starts_at <= (now or utcnow()):
        raise DomainError(_l("This shift has already begun."))
    return _add(
        program_session,
        RosterEntry(
            session_id=program_session.id,
            user_id=resident.id,
            user=resident,
            role=RosterRole.VOLUNTEER,
            minutes=program_session.minutes,
            added_by_id=actor.id,
        ),
        actor=actor,
    )


def add_to_roster(program_session, *, role, actor, user=None, name="", minutes=None):
    """The coordinator puts an instructor or a volunteer on the roster."""
    if not program_session.can_manage(actor):
        raise NotAllowed()
    if user is None and not name.strip():
        raise DomainError(_l("Choose a registered resident or write a name."))
    if user is not None and user.complex_id not in (None, program_session.program.complex_id):
        raise DomainError(_l("That resident does not live in this complex."))
    minutes = program_session.minutes if minutes is None else minutes
    if not 0 <= minutes <= MAX_SHIFT_MINUTES:
        raise DomainError(_l("A shift counts for at most 24 hours."))
    return _add(
        program_session,
        RosterEntry(
            session_id=program_session.id,
            user_id=user.id if user else None,
            user=user,
            name="" if user else name.strip(),
            role=role,
            minutes=minutes,
            added_by_id=actor.id,
        ),
        actor=actor,
    )


def remove_from_roster(entry, *, actor, now=None):
    """Off the roster: the coordinator at any time, a volunteer before the shift begins."""
    program_session = entry.program_session
    if not entry.may_remove(actor):
        raise NotAllowed()
    if not entry.can_remove(actor, now or utcnow()):
        raise DomainError(_l("This shift has already begun; ask the coordinator."))
    log_change(
        "roster.remove",
        entry,
        actor=actor,
        complex_id=program_session.program.complex_id,
        before={"session_id": program_session.id, "user_id": entry.user_id, "name": entry.name},
    )
    db.session.delete(entry)


def set_volunteers_needed(program_session, *, count, actor):
    if not program_session.can_manage(actor):
        raise NotAllowed()
    if not 0 <= count <= 100:
        raise DomainError(_l("Enter a number of volunteers from 0 to 100."))
    before, program_session.volunteers_needed = program_session.volunteers_needed, count
    log_change(
        "session.volunteers_needed",
        program_session,
        actor=actor,
        complex_id=program_session.program.complex_id,
        before={"count": before},
        after={"count": count},
    )
    return program_session


# At the door ----------------------------------------------------------------------------


def _set_attendance(entry, attendance, *, actor, now):
    program_session = entry.program_session
    door.check_taking_attendance(program_session, actor, now)
    return door.record_attendance(
        entry,
        attendance,
        actor=actor,
        now=now,
        action="roster",
        complex_id=program_session.program.complex_id,
    )


def check_in_volunteer(entry, *, actor, now=None):
    """Someone on the roster came to their shift, checked in like those who booked (the
    same window); twice changes nothing (False)."""
    return _set_attendance(entry, Attendance.ATTENDED, actor=actor, now=now or utcnow())


def mark_volunteer_no_show(entry, *, actor, now=None):
    """Someone on the roster did not come: their shift counts no hours."""
    return _set_attendance(entry, Attendance.NO_SHOW, actor=actor, now=now or utcnow())


def correct_volunteer_attendance(entry, attendance, *, actor, reason, now=None):
    """Change what was recorded (came ↔ did not come), with a reason: its own audit entry."""
    program_session = entry.program_session
    reason = door.check_taking_corrections(program_session, actor, now or utcnow(), reason)
    return door.correct_attendance(
        entry,
        attendance,
        actor=actor,
        reason=reason,
        action="roster",
        complex_id=program_session.program.complex_id,
    )
