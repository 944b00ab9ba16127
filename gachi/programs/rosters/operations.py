"""The verbs of rosters: instructors and resident volunteers on a session's shifts, the
shifts themselves (their times inside the session and how many they need), the hours each
shift counts for, and whether each came (checked in like those who booked, in the same
window).

A shift's places are taken by one conditional UPDATE (`taken < needed`) in the sign-up's
own transaction, as bookings take seats: SQLite and PostgreSQL both apply it atomically,
so many signing up at once never put more on a shift than it needs.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance
from gachi.programs.rosters.models import RosterEntry, RosterRole, VolunteerShift
from gachi.programs.sessions import attendance as door
from gachi.programs.sessions.models import ProgramSession

MAX_SHIFT_MINUTES = 24 * 60
MAX_NEEDED = 100


# Shifts -----------------------------------------------------------------------------------


def _take_place(shift):
    """One place on the shift, if it has one left (atomic: see the module's docstring)."""
    result = db.session.execute(
        update(VolunteerShift)
        .where(VolunteerShift.id == shift.id, VolunteerShift.taken < VolunteerShift.needed)
        .values(taken=VolunteerShift.taken + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(shift, ["taken"])
    return result.rowcount == 1


def _give_back_place(shift):
    db.session.execute(
        update(VolunteerShift)
        .where(VolunteerShift.id == shift.id)
        .values(taken=VolunteerShift.taken - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(shift, ["taken"])


def _check_shift(program_session, starts_at, ends_at, needed):
    if program_session.is_cancelled:
        raise Conflict(_l("This session is cancelled."))
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise DomainError(_l("A shift must end after it starts."))
    if starts_at < program_session.starts_at or ends_at > program_session.ends_at:
        raise DomainError(_l("A shift must begin and end within its session."))
    if needed is None or not 1 <= needed <= MAX_NEEDED:
        raise DomainError(_l("A shift needs from 1 to 100 volunteers."))


def _volunteers_needed_follows(program_session):
    """The session shows the volunteers its shifts need in all."""
    db.session.flush()
    program_session.volunteers_needed = sum(
        shift.needed
        for shift in db.session.scalars(
            db.select(VolunteerShift).where(VolunteerShift.session_id == program_session.id)
        )
    )


def add_shift(program_session, *, starts_at, ends_at, needed, actor):
    """The coordinator opens a volunteer shift inside the session."""
    if not program_session.can_manage(actor):
        raise NotAllowed()
    _check_shift(program_session, starts_at, ends_at, needed)
    shift = VolunteerShift(
        session_id=program_session.id,
        program_session=program_session,
        starts_at=starts_at,
        ends_at=ends_at,
        needed=needed,
        taken=0,
    )
    db.session.add(shift)
    _volunteers_needed_follows(program_session)
    log_change(
        "shift.add",
        shift,
        actor=actor,
        complex_id=program_session.program.complex_id,
        after={
            "session_id": program_session.id,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "needed": needed,
        },
    )
    return shift


def change_needed(shift, *, needed, actor):
    """How many the shift needs; never fewer than are on it already."""
    program_session = shift.program_session
    if not shift.can_manage(actor):
        raise NotAllowed()
    _check_shift(program_session, shift.starts_at, shift.ends_at, needed)
    before = shift.needed
    result = db.session.execute(
        update(VolunteerShift)
        .where(VolunteerShift.id == shift.id, VolunteerShift.taken <= needed)
        .values(needed=needed)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(shift, ["needed", "taken"])
    if result.rowcount != 1:
        raise Conflict(_l("%(count)s volunteers are already on this shift."), count=shift.taken)
    _volunteers_needed_follows(program_session)
    log_change(
        "shift.needed",
        shift,
        actor=actor,
        complex_id=program_session.program.complex_id,
        before={"needed": before},
        after={"needed": needed},
    )
    return shift


def remove_shift(shift, *, actor):
    """A shift nobody is on is taken away."""
    program_session = shift.program_session
    if not shift.can_manage(actor):
        raise NotAllowed()
    result = db.session.execute(
        delete(VolunteerShift)
        .where(VolunteerShift.id == shift.id, VolunteerShift.taken == 0)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_l("Volunteers are on this shift: take them off it first."))
    log_change(
        "shift.remove",
        shift,
        actor=actor,
        complex_id=program_session.program.complex_id,
        before={"session_id": program_session.id, "needed": shift.needed},
    )
    db.session.expunge(shift)
    _volunteers_needed_follows(program_session)


def whole_session_shift(program_session):
    """The session's whole-session shift, or None."""
    return db.session.scalar(
        db.select(VolunteerShift)
        .where(
            VolunteerShift.session_id == program_session.id,
            VolunteerShift.starts_at == program_session.starts_at,
            VolunteerShift.ends_at == program_session.ends_at,
        )
        .order_by(VolunteerShift.id)
        .limit(1)
    )


# The roster -------------------------------------------------------------------------------


def _add(program_session, entry, *, actor, shift=None):
    if program_session.is_cancelled:
        raise Conflict(_l("This session is cancelled."))
    try:
        with db.session.begin_nested():
            if shift is not None and not _take_place(shift):
                raise Conflict(_l("This shift is full."))
            db.session.add(entry)
            db.session.flush()
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
            "shift_id": entry.shift_id,
        },
    )
    return entry


def volunteer_for(shift, *, resident, actor, now=None):
    """A resident signs up for a volunteer shift; a full one refuses. Given a session, the
    shift is its whole-session one (opened for the volunteers the session needs)."""
    program_session = shift if isinstance(shift, ProgramSession) else shift.program_session
    if not program_session.can_volunteer(resident) or resident.id != actor.id:
        raise NotAllowed(_l("Only residents of this complex can volunteer for this shift."))
    if isinstance(shift, ProgramSession):
        shift = whole_session_shift(program_session)
        if shift is None:
            if not program_session.volunteers_needed:
                raise DomainError(_l("This session needs no volunteers."))
            shift = VolunteerShift(
                session_id=program_session.id,
                program_session=program_session,
                starts_at=program_session.starts_at,
                ends_at=program_session.ends_at,
                needed=min(program_session.volunteers_needed, MAX_NEEDED),
                taken=0,
            )
            db.session.add(shift)
            db.session.flush()
    # VolunteerShift.takes_volunteers, with the reason (cancelled: _add; full: _take_place).
    if shift.starts_at <= (now or utcnow()):
        raise DomainError(_l("This shift has already begun."))
    return _add(
        program_session,
        RosterEntry(
            session_id=program_session.id,
            shift_id=shift.id,
            user_id=resident.id,
            user=resident,
            role=RosterRole.VOLUNTEER,
            minutes=shift.minutes,
            added_by_id=actor.id,
        ),
        actor=actor,
        shift=shift,
    )


def add_to_roster(program_session, *, role, actor, user=None, name="", minutes=None, shift=None):
    """The coordinator puts an instructor or a volunteer on the roster. A volunteer goes on
    `shift` (by default the whole-session shift, opened for one if there is none); a full
    shift refuses."""
    if not program_session.can_manage(actor):
        raise NotAllowed()
    if user is None and not name.strip():
        raise DomainError(_l("Choose a registered resident or write a name."))
    if user is not None and user.complex_id not in (None, program_session.program.complex_id):
        raise DomainError(_l("That resident does not live in this complex."))
    if role is RosterRole.VOLUNTEER:
        if shift is None:
            shift = whole_session_shift(program_session) or add_shift(
                program_session,
                starts_at=program_session.starts_at,
                ends_at=program_session.ends_at,
                needed=max(program_session.volunteers_needed, 1),
                actor=actor,
            )
        elif shift.session_id != program_session.id:
            raise DomainError(_l("That shift belongs to another session."))
    else:
        shift = None
    default = shift.minutes if shift is not None else program_session.minutes
    minutes = default if minutes is None else minutes
    if not 0 <= minutes <= MAX_SHIFT_MINUTES:
        raise DomainError(_l("A shift counts for at most 24 hours."))
    return _add(
        program_session,
        RosterEntry(
            session_id=program_session.id,
            shift_id=shift.id if shift else None,
            user_id=user.id if user else None,
            user=user,
            name="" if user else name.strip(),
            role=role,
            minutes=minutes,
            added_by_id=actor.id,
        ),
        actor=actor,
        shift=shift,
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
    if entry.shift is not None:
        _give_back_place(entry.shift)
    db.session.delete(entry)


def set_volunteers_needed(program_session, *, count, actor):
    """How many the whole-session shift needs (opened when there is none; 0 takes an
    empty one away)."""
    if not program_session.can_manage(actor):
        raise NotAllowed()
    if not 0 <= count <= MAX_NEEDED:
        raise DomainError(_l("Enter a number of volunteers from 0 to 100."))
    shift = whole_session_shift(program_session)
    if shift is None and count:
        add_shift(
            program_session,
            starts_at=program_session.starts_at,
            ends_at=program_session.ends_at,
            needed=count,
            actor=actor,
        )
    elif shift is not None and count:
        change_needed(shift, needed=count, actor=actor)
    elif shift is not None:
        remove_shift(shift, actor=actor)
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
