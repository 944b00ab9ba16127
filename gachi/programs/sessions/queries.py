"""The reads behind session lists and the session page: a fixed number of queries per page."""

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from gachi.auth.models import Role, User
from gachi.complexes.models import Household, Participation
from gachi.extensions import db
from gachi.people.phones import mask_phone
from gachi.people.queries import complex_people
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.models import Program, ProgramEnterprise
from gachi.programs.rosters.models import RosterEntry, RosterRole
from gachi.programs.sessions.models import ProgramSession

# Loaded with a session: what its permission rules read (programme → participation →
# complex), in the one query rather than a lazy load for each step.
SESSION_WITH_SCOPE = (
    joinedload(ProgramSession.program)
    .joinedload(Program.participation)
    .joinedload(Participation.complex),
)


@dataclass
class SessionRow:
    program_session: ProgramSession
    waiting: int
    volunteers: int

    @property
    def understaffed(self):
        return (
            not self.program_session.is_cancelled
            and self.volunteers < self.program_session.volunteers_needed
        )


def _session_rows(condition, *, limit=None):
    waiting = (
        select(Booking.session_id, func.count(Booking.id).label("n"))
        .where(Booking.status == BookingStatus.WAITING)
        .group_by(Booking.session_id)
        .subquery()
    )
    volunteers = (
        select(RosterEntry.session_id, func.count(RosterEntry.id).label("n"))
        .where(RosterEntry.role == RosterRole.VOLUNTEER)
        .group_by(RosterEntry.session_id)
        .subquery()
    )
    query = (
        select(ProgramSession, func.coalesce(waiting.c.n, 0), func.coalesce(volunteers.c.n, 0))
        .outerjoin(waiting, waiting.c.session_id == ProgramSession.id)
        .outerjoin(volunteers, volunteers.c.session_id == ProgramSession.id)
        .options(joinedload(ProgramSession.program))
        .where(condition)
        .order_by(ProgramSession.starts_at, ProgramSession.id)
    )
    if limit:
        query = query.limit(limit)
    return [SessionRow(*row) for row in db.session.execute(query).all()]


def program_sessions(program_id):
    """Every session of the programme, in time order, with its waiting list and volunteers."""
    return _session_rows(ProgramSession.program_id == program_id)


def upcoming_sessions_of_complex(complex_id, now, *, public_only=False, limit=None):
    condition = and_(
        ProgramSession.program_id == Program.id,
        Program.participation_id == Participation.id,
        Participation.complex_id == complex_id,
        ProgramSession.ends_at > now,
    )
    if public_only:
        condition = and_(condition, Program.is_public.is_(True))
    return _session_rows(condition, limit=limit)


def complex_public_sessions(complex_id):
    """Every session of the complex's public programmes, for its calendar feed."""
    return db.session.scalars(
        select(ProgramSession)
        .join(ProgramSession.program)
        .join(Participation, Participation.id == Program.participation_id)
        .where(Participation.complex_id == complex_id, Program.is_public.is_(True))
        .options(joinedload(ProgramSession.program))
        .order_by(ProgramSession.starts_at, ProgramSession.id)
    ).all()


def partner_sessions(enterprise_id, now):
    """Upcoming sessions of the programmes an enterprise delivers."""
    delivered = select(ProgramEnterprise.program_id).where(
        ProgramEnterprise.enterprise_id == enterprise_id
    )
    return _session_rows(
        and_(ProgramSession.program_id.in_(delivered), ProgramSession.ends_at > now)
    )


def complex_residents(complex_id):
    """(id, "name · 101동 101호") for the complex's active residents, by household."""
    rows = db.session.execute(
        select(User.id, User.display_name, Household.building, Household.unit)
        .join(Household, Household.id == User.household_id)
        .where(
            Household.complex_id == complex_id, User.role == Role.RESIDENT, User.active.is_(True)
        )
        .order_by(Household.building, Household.unit, User.display_name)
    ).all()
    return [(user_id, f"{name} · {building}동 {unit}호") for user_id, name, building, unit in rows]


def sessions_for_ids(ids):
    return db.session.scalars(
        select(ProgramSession)
        .where(ProgramSession.id.in_(ids))
        .options(selectinload(ProgramSession.program))
    ).all()


def complex_people_choices(complex_id):
    """(id, "name · 101동 101호 · 010-****-5678") for the complex's people without an
    account, so the phone-booking and walk-in forms offer them again."""
    return [
        (
            person.id,
            " · ".join(
                part
                for part in (person.name, person.household.label, mask_phone(person.phone))
                if part
            ),
        )
        for person in complex_people(complex_id)
    ]


def household_choices(complex_id):
    """(id, "101동 101호") for the complex's households."""
    rows = db.session.execute(
        select(Household.id, Household.building, Household.unit)
        .where(Household.complex_id == complex_id)
        .order_by(Household.building, Household.unit)
    ).all()
    return [(row.id, f"{row.building}동 {row.unit}호") for row in rows]
