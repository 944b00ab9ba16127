"""What the scheduler calls for rosters: remind the volunteers on a shift before it
begins, their complex's lead time ahead (`shift_hours`), each once (a row in
sent_reminders)."""

from datetime import timedelta

from sqlalchemy import select

from gachi.complexes.models import LONGEST_LEAD_HOURS, lead_hours
from gachi.core.time import seoul_label
from gachi.extensions import db
from gachi.notifications.models import N_, NotificationKind
from gachi.notifications.operations import send_reminder
from gachi.programs.rosters.models import RosterEntry, VolunteerShift
from gachi.programs.sessions.models import ProgramSession, SessionState


def remind_shifts(now):
    """Remind the volunteers (with an account) on each shift of a live session that begins
    within its complex's lead time. Returns how many were reminded."""
    shifts = db.session.scalars(
        select(VolunteerShift)
        .join(ProgramSession, ProgramSession.id == VolunteerShift.session_id)
        .where(
            ProgramSession.state == SessionState.SCHEDULED,
            VolunteerShift.starts_at > now,
            VolunteerShift.starts_at <= now + timedelta(hours=LONGEST_LEAD_HOURS),
        )
        .order_by(VolunteerShift.id)
    ).all()
    hours = lead_hours({shift.program_session.program.complex_id for shift in shifts})
    sent = 0
    for shift in shifts:
        program_session = shift.program_session
        complex_id = program_session.program.complex_id
        if shift.starts_at > now + timedelta(hours=hours[complex_id]["shift_hours"]):
            continue
        volunteers = db.session.scalars(
            select(RosterEntry.user_id).where(
                RosterEntry.shift_id == shift.id, RosterEntry.user_id.is_not(None)
            )
        ).all()
        sent += send_reminder(
            "shift",
            shift.id,
            volunteers,
            now,
            N_("Reminder: your volunteer shift for %(program)s begins on %(when)s at %(place)s."),
            kind=NotificationKind.SHIFTS,
            link=f"/sessions/{program_session.id}",
            program=program_session.display_title,
            when=seoul_label(shift.starts_at),
            place=program_session.program.venue or "-",
        )
    return sent
