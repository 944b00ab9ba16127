"""The verbs of rosters: instructors and resident volunteers on a session (its shift),
how many volunteers a shift needs, and the hours each shift counts for."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.rosters.models import RosterEntry, RosterRole

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
