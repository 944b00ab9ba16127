"""How each computed KPI is counted: one SQL aggregate per KPI, per participation.

A measure gives, for every participation of a cohort, a numerator and a denominator
(GROUP BY participation). A count's actual is its numerator; a ratio's actual is
numerator / denominator in percent. Roll-ups add numerators and denominators up
(never averages of percentages), so any roll-up's totals are the sums of its parts.

Who counts as taking part: a resident (an account with the resident role) who did at
least one of: proposed, supported or commented on a problem of the participation,
voted in one of its ballots online or on paper (the roll says who voted, never what),
was checked in at one of its workshops, booked a session of one of its programmes (a
booking not cancelled), was on a session's roster, or gave feedback. A person without an
account (gachi/people: a phone booking, a walk-in at a session or a workshop, feedback on
paper) counts as a resident too, once: as the account they later joined with when they
did (Person.user_id), else as themselves (the key -person.id, which no account id
equals). A row with no person (a name without a household, a household marked as having
voted on paper) counts for its household when the coordinator wrote it down.

Programmes (gachi/programs): a session is planned unless cancelled, and held once it
has ended; a booking counts when confirmed (not waiting, not cancelled), as one
booking whatever its party size; attendance and no-shows are over the confirmed
bookings whose attendance was recorded; volunteer hours count only the shifts the
volunteers were checked in at (not cancelled, begun), each person once by their account
(one written on the roster by name: once per shift, never merged by name), as the
programme's own volunteer page does.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Integer,
    String,
    cast,
    distinct,
    func,
    literal,
    null,
    select,
    union,
    union_all,
)

from gachi.auth.models import Role, User
from gachi.ballots.models import Ballot, BallotVoter
from gachi.ballots.queries import cast_and_eligible, deciding_ballots
from gachi.bizmodels.models import BusinessModel
from gachi.complexes.models import Complex, Participation
from gachi.core.time import utcnow
from gachi.matching.models import AGREED_STATES, Match
from gachi.people.models import Person
from gachi.plans.models import BudgetLine, ExecutionPlan, SpendingEntry
from gachi.programs.bookings.models import Attendance, Booking, BookingStatus
from gachi.programs.feedback.models import Feedback
from gachi.programs.models import Program
from gachi.programs.rosters.models import RosterEntry, RosterRole
from gachi.programs.sessions.models import ProgramSession, SessionState
from gachi.proposals.models import Problem, ProblemComment, ProblemState, ProblemSupport
from gachi.workshops.models import Workshop, WorkshopAttendance

# How a measure's actual comes from its numerator (num) and denominator (den):
# COUNT num; RATIO num / den in percent; AVERAGE num / den; HOURS num minutes in hours.
COUNT, RATIO, AVERAGE, HOURS = "count", "ratio", "average", "hours"


@dataclass(frozen=True)
class Measure:
    key: str
    kind: str
    # scope (a SELECT of participation ids, in_cohort() or among()) -> a subquery of
    # (participation_id, num, den)
    build: Callable


MEASURES: dict[str, Measure] = {}


def measure(key, kind=COUNT):
    def register(build):
        MEASURES[key] = Measure(key, kind, build)
        return build

    return register


def in_cohort(cohort_id):
    """The scope of a cohort: its participations' ids (the SELECT every measure takes)."""
    return select(Participation.id).where(Participation.cohort_id == cohort_id)


def among(participation_ids):
    """The scope of some participations, e.g. one complex's."""
    return select(Participation.id).where(Participation.id.in_(participation_ids))


def _count_per_participation(participation_id, counted, *where, den=None):
    return (
        select(
            participation_id.label("participation_id"),
            counted.label("num"),
            (den if den is not None else literal(0)).label("den"),
        )
        .where(*where)
        .group_by(participation_id)
    )


@measure("complexes")
def complexes_taking_part(scope):
    return (
        select(
            Participation.id.label("participation_id"),
            literal(1).label("num"),
            literal(0).label("den"),
        )
        .where(Participation.id.in_(scope))
        .subquery()
    )


def _resident_activity(scope):
    """(participation_id, user_id) for every act of a resident that counts as taking part."""
    return union_all(
        select(Problem.participation_id, Problem.proposed_by_id.label("user_id")).where(
            Problem.participation_id.in_(scope), Problem.proposed_by_id.is_not(None)
        ),
        select(Problem.participation_id, ProblemSupport.user_id)
        .join(Problem, Problem.id == ProblemSupport.problem_id)
        .where(Problem.participation_id.in_(scope)),
        select(Problem.participation_id, ProblemComment.author_id)
        .join(Problem, Problem.id == ProblemComment.problem_id)
        .where(Problem.participation_id.in_(scope), ProblemComment.author_id.is_not(None)),
        select(Ballot.participation_id, BallotVoter.user_id)
        .join(Ballot, Ballot.id == BallotVoter.ballot_id)
        .where(Ballot.participation_id.in_(scope)),
        select(Workshop.participation_id, _account(WorkshopAttendance))
        .select_from(WorkshopAttendance)
        .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
        .outerjoin(Person, Person.id == WorkshopAttendance.person_id)
        .where(Workshop.participation_id.in_(scope), _account(WorkshopAttendance).is_not(None)),
        _of_sessions(
            select(Program.participation_id, _account(Booking)).select_from(Booking),
            Booking.session_id,
            scope,
        )
        .outerjoin(Person, Person.id == Booking.person_id)
        .where(_account(Booking).is_not(None), Booking.status != BookingStatus.CANCELLED),
        _of_sessions(
            select(Program.participation_id, RosterEntry.user_id), RosterEntry.session_id, scope
        ).where(RosterEntry.user_id.is_not(None)),
        _of_sessions(
            select(Program.participation_id, _account(Feedback)).select_from(Feedback),
            Feedback.session_id,
            scope,
        )
        .outerjoin(Person, Person.id == Feedback.person_id)
        .where(_account(Feedback).is_not(None)),
    ).subquery()


def _account(row):
    """The account a row is of: its own, or that of the person it names once they joined
    (the query outer-joins Person on `row.person_id`)."""
    return func.coalesce(row.user_id, Person.user_id)


def _who(row):
    """Whom a row counts as, once: the account (`_account`), else the person (-person.id,
    no account's id), else NULL (a name written without a household)."""
    return func.coalesce(row.user_id, Person.user_id, -Person.id)


def _people_without_accounts(scope):
    """(participation_id, -person.id, household_id) for each person without an account who
    booked (not cancelled), came to a workshop or gave feedback on paper."""
    unlinked = (Person.user_id.is_(None),)
    return (
        select(
            Workshop.participation_id,
            (-Person.id).label("user_id"),
            Person.household_id.label("household_id"),
        )
        .select_from(WorkshopAttendance)
        .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
        .join(Person, Person.id == WorkshopAttendance.person_id)
        .where(
            Workshop.participation_id.in_(scope),
            WorkshopAttendance.user_id.is_(None),
            *unlinked,
        ),
        _of_sessions(
            select(
                Program.participation_id, (-Person.id).label("user_id"), Person.household_id
            ).select_from(Booking),
            Booking.session_id,
            scope,
        )
        .join(Person, Person.id == Booking.person_id)
        .where(Booking.user_id.is_(None), Booking.status != BookingStatus.CANCELLED, *unlinked),
        _of_sessions(
            select(
                Program.participation_id, (-Person.id).label("user_id"), Person.household_id
            ).select_from(Feedback),
            Feedback.session_id,
            scope,
        )
        .join(Person, Person.id == Feedback.person_id)
        .where(Feedback.user_id.is_(None), *unlinked),
    )


def _of_sessions(query, session_id, scope):
    """`query` joined from a session's row up to its programme in the scope."""
    return (
        query.join(ProgramSession, ProgramSession.id == session_id)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(Program.participation_id.in_(scope))
    )


def _people(scope):
    """(participation_id, user_id, household_id) for everyone taking part: a resident with
    their household, and a household that came without an account (user_id NULL). The
    activity tables are read once for both the residents and the households."""
    acts = _resident_activity(scope)
    nobody = cast(null(), Integer)
    return union_all(
        *_people_without_accounts(scope),
        select(
            acts.c.participation_id,
            acts.c.user_id.label("user_id"),
            User.household_id.label("household_id"),
        )
        .join(User, User.id == acts.c.user_id)
        .where(User.role == Role.RESIDENT),
        select(Workshop.participation_id, nobody, WorkshopAttendance.household_id)
        .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
        .where(
            Workshop.participation_id.in_(scope),
            WorkshopAttendance.user_id.is_(None),
            WorkshopAttendance.person_id.is_(None),
            WorkshopAttendance.household_id.is_not(None),
        ),
        select(Ballot.participation_id, nobody, BallotVoter.household_id)
        .join(Ballot, Ballot.id == BallotVoter.ballot_id)
        .where(
            Ballot.participation_id.in_(scope),
            BallotVoter.user_id.is_(None),
            BallotVoter.household_id.is_not(None),
        ),
        _of_sessions(
            select(Program.participation_id, nobody, Booking.household_id),
            Booking.session_id,
            scope,
        ).where(
            Booking.user_id.is_(None),
            Booking.person_id.is_(None),
            Booking.household_id.is_not(None),
            Booking.status != BookingStatus.CANCELLED,
        ),
    ).subquery()


def people_counts(scope):
    """(participation_id, residents, households): residents and households taking part,
    each counted once, in one GROUP BY (the refresh reads both from this)."""
    people = _people(scope)
    return select(
        people.c.participation_id,
        func.count(distinct(people.c.user_id)).label("residents"),
        func.count(distinct(people.c.household_id)).label("households"),
    ).group_by(people.c.participation_id)


@measure("residents")
def residents_taking_part(scope):
    counts = people_counts(scope).subquery()
    return select(
        counts.c.participation_id, counts.c.residents.label("num"), literal(0).label("den")
    ).subquery()


@measure("households")
def households_taking_part(scope):
    counts = people_counts(scope).subquery()
    return select(
        counts.c.participation_id, counts.c.households.label("num"), literal(0).label("den")
    ).subquery()


@measure("household_share", RATIO)
def household_share(scope):
    """Households taking part / the complex's households, for complexes whose number
    of households is known (the others count in neither numerator nor denominator)."""
    homes = households_taking_part(scope)
    return (
        select(
            Participation.id.label("participation_id"),
            func.coalesce(homes.c.num, 0).label("num"),
            Complex.household_count.label("den"),
        )
        .join(Complex, Complex.id == Participation.complex_id)
        .outerjoin(homes, homes.c.participation_id == Participation.id)
        .where(Participation.id.in_(scope), Complex.household_count.is_not(None))
        .subquery()
    )


@measure("problems")
def problems_proposed(scope):
    """Every problem raised, except those merged into another (counted there)."""
    return _count_per_participation(
        Problem.participation_id,
        func.count(Problem.id),
        Problem.participation_id.in_(scope),
        Problem.state != ProblemState.MERGED,
    ).subquery()


def _deciding_ballots(scope):
    """Per participation, its deciding ballot's figures: gachi/ballots/queries.py
    (`cast_and_eligible` of `deciding_ballots`), the figures the ballot page shows."""
    return cast_and_eligible(Ballot.id.in_(deciding_ballots(scope))).subquery()


@measure("ballots_cast")
def ballots_cast(scope):
    """Ballots cast in the ballot that decided the selection (its latest confirmed
    ballot, or while none is, its latest opened ballot): online voters plus the paper
    tally. A ballot held again after one fell short of its quorum does not add to it."""
    ballots = _deciding_ballots(scope)
    return _count_per_participation(ballots.c.participation_id, func.sum(ballots.c.cast)).subquery()


@measure("turnout", RATIO)
def turnout(scope):
    """Ballots cast ÷ eligible residents or households, of the ballot that decided the
    selection (as `ballots_cast`); a roll-up adds the complexes' casts and eligibles up."""
    ballots = _deciding_ballots(scope)
    return _count_per_participation(
        ballots.c.participation_id,
        func.sum(ballots.c.cast),
        ballots.c.eligible > 0,
        den=func.sum(ballots.c.eligible),
    ).subquery()


def _agreed_matches(scope):
    return (
        select(Problem.participation_id, Match.id, Match.enterprise_id)
        .join(Problem, Problem.id == Match.problem_id)
        .where(Problem.participation_id.in_(scope), Match.state.in_(AGREED_STATES))
        .subquery()
    )


@measure("enterprises")
def enterprises_engaged(scope):
    """Enterprises that said yes in a complex; one working in two complexes counts in each."""
    matches = _agreed_matches(scope)
    return _count_per_participation(
        matches.c.participation_id, func.count(distinct(matches.c.enterprise_id))
    ).subquery()


@measure("matches")
def matches_accepted(scope):
    matches = _agreed_matches(scope)
    return _count_per_participation(matches.c.participation_id, func.count(matches.c.id)).subquery()


@measure("execution_rate", RATIO)
def execution_rate(scope):
    """Spent (집행액) / budget (예산액) of the execution plan, in whole won."""
    spent = (
        select(SpendingEntry.budget_line_id, func.sum(SpendingEntry.amount).label("spent"))
        .group_by(SpendingEntry.budget_line_id)
        .subquery()
    )
    return (
        _count_per_participation(
            ExecutionPlan.participation_id,
            func.coalesce(func.sum(spent.c.spent), 0),
            ExecutionPlan.participation_id.in_(scope),
            den=func.sum(BudgetLine.amount),
        )
        .select_from(ExecutionPlan)
        .join(BudgetLine, BudgetLine.plan_id == ExecutionPlan.id)
        .outerjoin(spent, spent.c.budget_line_id == BudgetLine.id)
        .subquery()
    )


@measure("business_models")
def business_models(scope):
    """Published models (not withdrawn) from the cohort's participations."""
    return _count_per_participation(
        BusinessModel.origin_participation_id,
        func.count(BusinessModel.id),
        BusinessModel.origin_participation_id.in_(scope),
        BusinessModel.withdrawn_at.is_(None),
    ).subquery()


# Programmes and sessions -----------------------------------------------------------------


def _sessions(scope):
    return (
        select(
            Program.participation_id,
            ProgramSession.id,
            ProgramSession.ends_at,
            ProgramSession.starts_at,
        )
        .join(Program, Program.id == ProgramSession.program_id)
        .where(Program.participation_id.in_(scope), ProgramSession.state == SessionState.SCHEDULED)
        .subquery()
    )


@measure("sessions_planned")
def sessions_planned(scope):
    sessions = _sessions(scope)
    return _count_per_participation(
        sessions.c.participation_id, func.count(sessions.c.id)
    ).subquery()


@measure("sessions_held")
def sessions_held(scope):
    sessions = _sessions(scope)
    return _count_per_participation(
        sessions.c.participation_id, func.count(sessions.c.id), sessions.c.ends_at <= utcnow()
    ).subquery()


def _confirmed_bookings(scope):
    return (
        select(
            Program.participation_id,
            Booking.id,
            _who(Booking).label("who"),
            Booking.attendance,
            Booking.session_id,
        )
        .join(ProgramSession, ProgramSession.id == Booking.session_id)
        .join(Program, Program.id == ProgramSession.program_id)
        .outerjoin(Person, Person.id == Booking.person_id)
        .where(
            Program.participation_id.in_(scope),
            Booking.status == BookingStatus.CONFIRMED,
            ProgramSession.state == SessionState.SCHEDULED,
        )
        .subquery()
    )


@measure("bookings")
def bookings(scope):
    confirmed = _confirmed_bookings(scope)
    return _count_per_participation(
        confirmed.c.participation_id, func.count(confirmed.c.id)
    ).subquery()


def _attendance_share(scope, counted):
    confirmed = _confirmed_bookings(scope)
    return _count_per_participation(
        confirmed.c.participation_id,
        func.count(confirmed.c.id).filter(confirmed.c.attendance == counted),
        confirmed.c.attendance.is_not(None),
        den=func.count(confirmed.c.id),
    ).subquery()


@measure("attendance_rate", RATIO)
def attendance_rate(scope):
    """Attended ÷ confirmed bookings whose attendance was recorded."""
    return _attendance_share(scope, Attendance.ATTENDED)


@measure("no_show_rate", RATIO)
def no_show_rate(scope):
    """No-shows ÷ confirmed bookings whose attendance was recorded (lower is better)."""
    return _attendance_share(scope, Attendance.NO_SHOW)


def _attenders(scope):
    """(participation_id, who, sessions attended) for each resident who came: an account,
    or a person without one (`_who`: a person who joined later counts as the account)."""
    confirmed = _confirmed_bookings(scope)
    return (
        select(
            confirmed.c.participation_id,
            confirmed.c.who,
            func.count(distinct(confirmed.c.session_id)).label("sessions"),
        )
        .where(confirmed.c.attendance == Attendance.ATTENDED, confirmed.c.who.is_not(None))
        .group_by(confirmed.c.participation_id, confirmed.c.who)
        .subquery()
    )


@measure("participants")
def unique_participants(scope):
    """Residents who attended at least one session, each once, with an account or not."""
    people = _attenders(scope)
    return _count_per_participation(people.c.participation_id, func.count(people.c.who)).subquery()


@measure("returning")
def returning_participants(scope):
    """Of those, the ones who attended two sessions or more."""
    people = _attenders(scope)
    return _count_per_participation(
        people.c.participation_id, func.count(people.c.who), people.c.sessions >= 2
    ).subquery()


def _volunteer_shifts(scope):
    return (
        _of_sessions(
            select(
                Program.participation_id, RosterEntry.id, RosterEntry.user_id, RosterEntry.minutes
            ),
            RosterEntry.session_id,
            scope,
        )
        .where(
            RosterEntry.role == RosterRole.VOLUNTEER,
            # Only a shift they came to counts (not come, or not recorded: none).
            RosterEntry.attendance == Attendance.ATTENDED,
            ProgramSession.state == SessionState.SCHEDULED,
            ProgramSession.starts_at <= utcnow(),
        )
        .subquery()
    )


@measure("volunteers")
def volunteers(scope):
    """Volunteers who came to a shift: an account once, someone without one once per
    shift (two written alike may be two people)."""
    shifts = _volunteer_shifts(scope)
    people = union(
        select(
            shifts.c.participation_id,
            literal("u").label("kind"),
            cast(shifts.c.user_id, String).label("who"),
        ).where(shifts.c.user_id.is_not(None)),
        select(shifts.c.participation_id, literal("e"), cast(shifts.c.id, String)).where(
            shifts.c.user_id.is_(None)
        ),
    ).subquery()
    return _count_per_participation(people.c.participation_id, func.count()).subquery()


@measure("volunteer_hours", HOURS)
def volunteer_hours(scope):
    shifts = _volunteer_shifts(scope)
    return _count_per_participation(
        shifts.c.participation_id, func.sum(shifts.c.minutes)
    ).subquery()


@measure("satisfaction", AVERAGE)
def satisfaction(scope):
    """The average feedback rating (1 to 5)."""
    rated = _of_sessions(
        select(Program.participation_id, Feedback.rating), Feedback.session_id, scope
    ).subquery()
    return _count_per_participation(
        rated.c.participation_id, func.sum(rated.c.rating), den=func.count(rated.c.rating)
    ).subquery()
