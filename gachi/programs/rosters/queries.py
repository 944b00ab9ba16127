"""The reads behind rosters: a session's roster, a resident's shifts, volunteer hours."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gachi.auth.models import User
from gachi.complexes.models import Participation
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance
from gachi.programs.models import Program
from gachi.programs.rosters.models import RosterEntry, RosterRole
from gachi.programs.sessions.models import ProgramSession, SessionState


def session_roster(session_id):
    return db.session.scalars(
        select(RosterEntry)
        .where(RosterEntry.session_id == session_id)
        .options(joinedload(RosterEntry.user))
        .order_by(RosterEntry.role, RosterEntry.id)
    ).all()


def my_shifts(user_id):
    return db.session.scalars(
        select(RosterEntry)
        .join(RosterEntry.program_session)
        .where(RosterEntry.user_id == user_id)
        .options(joinedload(RosterEntry.program_session).joinedload(ProgramSession.program))
        .order_by(ProgramSession.starts_at, RosterEntry.id)
    ).all()


@dataclass
class VolunteerHours:
    name: str
    shifts: int
    minutes: int
    user_id: int | None = None

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


def volunteer_hours(complex_id, now):
    """Per volunteer: shifts that have begun (not cancelled; not those they were marked
    as not come to) and their minutes, most first.
    Volunteers with an account are counted by it (two of the same name stay apart); those
    without one by the name written on the roster."""
    who = func.coalesce(User.display_name, RosterEntry.name)
    rows = db.session.execute(
        select(who, func.count(RosterEntry.id), func.sum(RosterEntry.minutes), RosterEntry.user_id)
        .join(ProgramSession, ProgramSession.id == RosterEntry.session_id)
        .join(Program, Program.id == ProgramSession.program_id)
        .join(Participation, Participation.id == Program.participation_id)
        .outerjoin(User, User.id == RosterEntry.user_id)
        .where(
            Participation.complex_id == complex_id,
            RosterEntry.role == RosterRole.VOLUNTEER,
            RosterEntry.attendance.is_distinct_from(Attendance.NO_SHOW),
            ProgramSession.state == SessionState.SCHEDULED,
            ProgramSession.starts_at <= now,
        )
        .group_by(RosterEntry.user_id, who)
        .order_by(func.sum(RosterEntry.minutes).desc(), who, RosterEntry.user_id)
    ).all()
    return [
        VolunteerHours(name, shifts, minutes or 0, user_id)
        for name, shifts, minutes, user_id in rows
    ]


def entry_for(program_session, user):
    """`user`'s place on the session's roster, or None."""
    return db.session.scalar(
        select(RosterEntry).where(
            RosterEntry.session_id == program_session.id, RosterEntry.user_id == user.id
        )
    )
