"""The reads behind programme, session, booking and roster pages, the feedback summary
and the volunteer hours: a fixed number of queries per page."""

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from gachi.auth.models import Role, User
from gachi.complexes.models import Household, Participation
from gachi.extensions import db
from gachi.programs.models import (
    Booking,
    BookingStatus,
    ChangeTopic,
    Feedback,
    Program,
    ProgramEnterprise,
    ProgramSession,
    RosterEntry,
    RosterRole,
    SessionState,
)

COMMENTS_SHOWN = 30

# Loaded with a session: what its permission rules read (programme → participation →
# complex), in the one query rather than a lazy load for each step.
SESSION_WITH_SCOPE = (
    joinedload(ProgramSession.program)
    .joinedload(Program.participation)
    .joinedload(Participation.complex),
)


def participation_programs(participation_id):
    """The participation's programmes with their number of live sessions, by title."""
    live = func.count(ProgramSession.id).filter(ProgramSession.state == SessionState.SCHEDULED)
    return db.session.execute(
        select(Program, live.label("session_count"))
        .outerjoin(ProgramSession, ProgramSession.program_id == Program.id)
        .where(Program.participation_id == participation_id)
        .group_by(Program.id)
        .order_by(Program.title, Program.id)
    ).all()


@dataclass
class SessionRow:
    session: ProgramSession
    waiting: int
    volunteers: int

    @property
    def understaffed(self):
        return not self.session.is_cancelled and self.volunteers < self.session.volunteers_needed


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


def session_bookings(session_id):
    """Confirmed first, then the waiting list in its order, then cancelled ones."""
    order = {BookingStatus.CONFIRMED: 0, BookingStatus.WAITING: 1, BookingStatus.CANCELLED: 2}
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session_id)
        .options(joinedload(Booking.user), joinedload(Booking.household))
        .order_by(Booking.id)
    ).all()
    return sorted(bookings, key=lambda booking: order[booking.status])


def session_roster(session_id):
    return db.session.scalars(
        select(RosterEntry)
        .where(RosterEntry.session_id == session_id)
        .options(joinedload(RosterEntry.user))
        .order_by(RosterEntry.role, RosterEntry.id)
    ).all()


def active_booking(session_id, user_id):
    return db.session.scalar(
        select(Booking).where(
            Booking.session_id == session_id,
            Booking.user_id == user_id,
            Booking.status != BookingStatus.CANCELLED,
        )
    )


def my_bookings(user_id):
    """A resident's bookings that are not cancelled, the soonest first."""
    return db.session.scalars(
        select(Booking)
        .join(Booking.session)
        .where(Booking.user_id == user_id, Booking.status != BookingStatus.CANCELLED)
        .options(joinedload(Booking.session).joinedload(ProgramSession.program))
        .order_by(ProgramSession.starts_at, Booking.id)
    ).all()


def my_shifts(user_id):
    return db.session.scalars(
        select(RosterEntry)
        .join(RosterEntry.session)
        .where(RosterEntry.user_id == user_id)
        .options(joinedload(RosterEntry.session).joinedload(ProgramSession.program))
        .order_by(ProgramSession.starts_at, RosterEntry.id)
    ).all()


def complex_programs(complex_id):
    """Programmes in the complex's participations, for its residents' page."""
    return db.session.scalars(
        select(Program)
        .join(Participation, Participation.id == Program.participation_id)
        .where(Participation.complex_id == complex_id)
        .order_by(Program.title, Program.id)
    ).all()


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


# Volunteer hours ------------------------------------------------------------------------


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
    """Per volunteer: shifts that have begun (not cancelled) and their minutes, most first.
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


# Feedback -------------------------------------------------------------------------------


@dataclass
class FeedbackSummary:
    responses: int = 0
    average: float | None = None
    by_rating: dict = field(default_factory=dict)
    by_topic: dict = field(default_factory=dict)
    comments: list = field(default_factory=list)

    @property
    def top_topic(self):
        """The change most asked for (ties: the order of ChangeTopic), not counting "nothing"."""
        asked = [
            (count, -list(ChangeTopic).index(topic), topic)
            for topic, count in self.by_topic.items()
            if topic is not ChangeTopic.NOTHING and count
        ]
        return max(asked)[2] if asked else None


def feedback_summary(program_id):
    """Responses, the average rating, counts per rating and per "what should change", and
    the latest comments. Each is one GROUP BY over the programme's sessions."""
    of_program = and_(
        Feedback.session_id == ProgramSession.id, ProgramSession.program_id == program_id
    )
    summary = FeedbackSummary(
        by_rating=dict.fromkeys(range(5, 0, -1), 0), by_topic=dict.fromkeys(ChangeTopic, 0)
    )
    for rating, count in db.session.execute(
        select(Feedback.rating, func.count(Feedback.id)).where(of_program).group_by(Feedback.rating)
    ):
        summary.by_rating[rating] = count
    for topic, count in db.session.execute(
        select(Feedback.change_topic, func.count(Feedback.id))
        .where(of_program)
        .group_by(Feedback.change_topic)
    ):
        summary.by_topic[topic] = count
    summary.responses = sum(summary.by_rating.values())
    if summary.responses:
        summary.average = round(
            sum(r * n for r, n in summary.by_rating.items()) / summary.responses, 1
        )
    summary.comments = db.session.execute(
        select(Feedback, ProgramSession.starts_at)
        .where(of_program)
        .where((Feedback.comment != "") | (Feedback.change_note != ""))
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(COMMENTS_SHOWN)
    ).all()
    return summary


def programs_with_feedback_counts(participation_id):
    return dict(
        db.session.execute(
            select(Program.id, func.count(Feedback.id))
            .join(ProgramSession, ProgramSession.program_id == Program.id)
            .join(Feedback, Feedback.session_id == ProgramSession.id)
            .where(Program.participation_id == participation_id)
            .group_by(Program.id)
        ).all()
    )


def sessions_for_ids(ids):
    return db.session.scalars(
        select(ProgramSession)
        .where(ProgramSession.id.in_(ids))
        .options(selectinload(ProgramSession.program))
    ).all()
