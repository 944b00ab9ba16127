"""The door of a session, shared by the check-in of bookings
(gachi/programs/bookings/operations.py) and of the roster's volunteers
(gachi/programs/rosters/operations.py): the refusals, with their reasons, behind
`ProgramSession.takes_attendance(now)` and `takes_attendance_corrections(now)`, and the
two writes. Attendance is recorded once (None → attended or no-show); changing it later
is a correction, with a reason, in an audit entry of its own. Both rows (a `Booking`, a
`RosterEntry`) have `attendance`, `checked_in_at`, `checked_in_by_id` and `who`."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from gachi.core import attendance
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.extensions import db
from gachi.programs.sessions.models import ATTENDANCE_STAGES


class AttendanceCorrectionNeeded(Conflict):
    code = "attendance_correction_needed"


class ReasonMissing(DomainError):
    code = "reason_missing"
    field = "reason"
    default_message = _l("Write why the attendance is corrected.")


def _check_stage(program_session):
    if program_session.is_cancelled:
        raise Conflict(_l("This session is cancelled."))
    if program_session.program.participation.stage not in ATTENDANCE_STAGES:
        raise DomainError(_l("Attendance is taken while the programme is running."))


def check_taking_attendance(program_session, actor, now):
    """Refuse unless `actor` may check people in and `takes_attendance(now)`."""
    if not program_session.can_check_in(actor):
        raise NotAllowed()
    if program_session.takes_attendance(now):
        return
    _check_stage(program_session)
    raise attendance.refusal(program_session.starts_at, program_session.ends_at, now)


def check_taking_corrections(program_session, actor, now, reason):
    """Refuse unless `actor` may correct attendance at `now`, and says why; the reason,
    stripped."""
    if not program_session.can_check_in(actor):
        raise NotAllowed()
    if not program_session.takes_attendance_corrections(now):
        _check_stage(program_session)
        raise attendance.refusal(program_session.starts_at, program_session.ends_at, now)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonMissing()
    return reason


def record_attendance(row, value, *, actor, now, action, complex_id, where=()):
    """Write `value` if nothing is recorded yet (True); the same again changes nothing
    (False); the other answer is refused: it needs `correct_attendance`."""
    model = type(row)
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, model.attendance.is_(None), *where)
        .values(attendance=value, checked_in_at=now, checked_in_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    if result.rowcount == 1:
        log_change(
            f"{action}.{value.value}",
            row,
            actor=actor,
            complex_id=complex_id,
            after={"attendance": value.value},
        )
        return True
    if row.attendance is value:
        return False
    if row.attendance is None:
        raise Conflict()  # the row changed otherwise meanwhile (e.g. cancelled)
    raise AttendanceCorrectionNeeded(
        _l(
            "%(name)s is already recorded as “%(attendance)s”. "
            "To change it, correct it with a reason."
        ),
        name=row.who,
        attendance=row.attendance.label,
    )


def correct_attendance(row, value, *, actor, reason, action, complex_id, where=()):
    """Change what was recorded to `value`; `reason` was checked by
    `check_taking_corrections`. One audit entry, before and after, with the reason."""
    before = row.attendance
    if before is None:
        raise Conflict(_l("Nothing is recorded yet for %(name)s to correct."), name=row.who)
    if before is value:
        raise Conflict(
            _l("%(name)s is already recorded as “%(attendance)s”."),
            name=row.who,
            attendance=value.label,
        )
    model = type(row)
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, model.attendance == before, *where)
        .values(attendance=value)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    if result.rowcount != 1:
        raise Conflict()  # someone else changed it meanwhile: reload and look again
    log_change(
        f"{action}.attendance_corrected",
        row,
        actor=actor,
        complex_id=complex_id,
        before={"attendance": before.value},
        after={"attendance": value.value, "reason": reason},
    )
    return row
