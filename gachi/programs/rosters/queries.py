"""The reads behind rosters: a session's roster, a resident's shifts, volunteer hours."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from gachi.auth.models import User
from gachi.complexes.models import Complex, Participation
from gachi.core.time import seoul_to_utc
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance
from gachi.programs.models import Program
from gachi.programs.rosters.models import RosterEntry, RosterRole, VolunteerShift
from gachi.programs.sessions.models import ProgramSession, SessionState


def session_roster(session_id):
    return db.session.scalars(
        select(RosterEntry)
        .where(RosterEntry.session_id == session_id)
        .options(joinedload(RosterEntry.user), joinedload(RosterEntry.shift))
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
    complex_name: str = ""

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


def _attended_shifts():
    """Volunteers' shifts that count: checked in as come, on a session not cancelled."""
    return (
        select()
        .select_from(RosterEntry)
        .join(ProgramSession, ProgramSession.id == RosterEntry.session_id)
        .join(Program, Program.id == ProgramSession.program_id)
        .join(Participation, Participation.id == Program.participation_id)
        .outerjoin(User, User.id == RosterEntry.user_id)
        .where(
            RosterEntry.role == RosterRole.VOLUNTEER,
            RosterEntry.attendance == Attendance.ATTENDED,
            ProgramSession.state == SessionState.SCHEDULED,
        )
    )


def _totals(query):
    """Per person: a volunteer with an account by their account (two of the same name
    stay apart); one without, written on the roster by name, by each shift (a name is
    never taken for a person)."""
    person = case((RosterEntry.user_id.is_(None), RosterEntry.id), else_=0)
    who = func.min(func.coalesce(User.display_name, RosterEntry.name))
    minutes = func.sum(RosterEntry.minutes)
    return (
        query.add_columns(who, func.count(RosterEntry.id), minutes, RosterEntry.user_id)
        .group_by(RosterEntry.user_id, person)
        .order_by(minutes.desc(), who, RosterEntry.user_id)
    )


def volunteer_hours(complex_id, now=None):
    """Per volunteer of the complex: the shifts they came to and their minutes, most first."""
    rows = db.session.execute(
        _totals(_attended_shifts().where(Participation.complex_id == complex_id))
    ).all()
    return [
        VolunteerHours(name, shifts, minutes or 0, user_id)
        for name, shifts, minutes, user_id in rows
    ]


def every_volunteers_hours():
    """Every volunteer of every complex, for the center: by person, with their complex."""
    rows = db.session.execute(
        _totals(
            _attended_shifts()
            .join(Complex, Complex.id == Participation.complex_id)
            .add_columns(Complex.name)
            .group_by(Complex.id, Complex.name)
        )
    ).all()
    return [
        VolunteerHours(name, shifts, minutes or 0, user_id, complex_name)
        for complex_name, name, shifts, minutes, user_id in rows
    ]


@dataclass
class StatementLine:
    programme: str
    starts_at: datetime
    ends_at: datetime
    minutes: int
    attended: bool

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


def volunteering_of(user_id, since=None, until=None):
    """A resident's shifts (between Seoul dates `since` and `until`, both included), in time
    order: when, the programme, and the minutes each counts for (none unless they came)."""
    query = (
        select(RosterEntry)
        .join(ProgramSession, ProgramSession.id == RosterEntry.session_id)
        .outerjoin(VolunteerShift, VolunteerShift.id == RosterEntry.shift_id)
        .where(RosterEntry.user_id == user_id, RosterEntry.role == RosterRole.VOLUNTEER)
        .options(
            joinedload(RosterEntry.program_session).joinedload(ProgramSession.program),
            joinedload(RosterEntry.shift),
        )
        .order_by(ProgramSession.starts_at, RosterEntry.id)
    )
    begins = func.coalesce(VolunteerShift.starts_at, ProgramSession.starts_at)
    if since is not None:
        query = query.where(begins >= seoul_to_utc(datetime.combine(since, time())))
    if until is not None:
        query = query.where(
            begins < seoul_to_utc(datetime.combine(until + timedelta(days=1), time()))
        )
    lines = []
    for entry in db.session.scalars(query):
        shift, program_session = entry.shift, entry.program_session
        counts = entry.attendance is Attendance.ATTENDED and not program_session.is_cancelled
        lines.append(
            StatementLine(
                programme=program_session.display_title,
                starts_at=shift.starts_at if shift else program_session.starts_at,
                ends_at=shift.ends_at if shift else program_session.ends_at,
                minutes=entry.minutes if counts else 0,
                attended=counts,
            )
        )
    return lines


def session_shifts(session_id):
    return db.session.scalars(
        select(VolunteerShift)
        .where(VolunteerShift.session_id == session_id)
        .order_by(VolunteerShift.starts_at, VolunteerShift.id)
    ).all()


def entry_for(program_session, user):
    """`user`'s place on the session's roster, or None."""
    return db.session.scalar(
        select(RosterEntry).where(
            RosterEntry.session_id == program_session.id, RosterEntry.user_id == user.id
        )
    )


def complex_name(complex_id):
    """The name of a resident's complex, for their statement ("" when they have none)."""
    if complex_id is None:
        return ""
    return db.session.scalar(select(Complex.name).where(Complex.id == complex_id)) or ""
