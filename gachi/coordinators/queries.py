"""The reads behind the coordinator pages: one query per list."""

from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select

from gachi.auth.models import Role, User
from gachi.ballots.models import Ballot
from gachi.complexes.models import Cohort, Complex, Participation
from gachi.coordinators.models import Placement
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from gachi.matching.models import Match, MatchState
from gachi.matching.operations import OFFER_STAGES
from gachi.matching.queries import MATCHABLE_PROBLEM_STATES
from gachi.proposals.models import Problem


def coordinator_rows(day):
    """Every coordinator account with the number of complexes they are placed at on `day`."""
    active = and_(Placement.coordinator_id == User.id, Placement.is_active_on(day))
    return db.session.execute(
        select(
            User.id,
            User.display_name,
            User.username,
            User.active,
            func.count(func.distinct(Placement.complex_id)).label("load"),
        )
        .outerjoin(Placement, active)
        .where(User.role == Role.COORDINATOR)
        .group_by(User.id, User.display_name, User.username, User.active)
        .order_by(User.display_name, User.id)
    ).all()


def active_placement_rows(day, coordinator_ids=None):
    """Placements in force on `day` with their complex's name, by coordinator."""
    statement = (
        select(Placement.coordinator_id, Placement.complex_id, Complex.name.label("complex_name"))
        .join(Complex, Complex.id == Placement.complex_id)
        .where(Placement.is_active_on(day))
        .order_by(Complex.name)
    )
    if coordinator_ids is not None:
        statement = statement.where(Placement.coordinator_id.in_(coordinator_ids))
    return db.session.execute(statement).all()


def placement_rows(coordinator_id):
    """All of a coordinator's placements, past, present and future; latest start first."""
    return db.session.execute(
        select(Placement, Complex.name.label("complex_name"), Complex.district)
        .join(Complex, Complex.id == Placement.complex_id)
        .where(Placement.coordinator_id == coordinator_id)
        .order_by(Placement.starts_on.desc(), Placement.id.desc())
    ).all()


@dataclass
class PlacedComplex:
    id: int
    name: str
    district: object
    participations: list = field(default_factory=list)


def my_complexes(coordinator_id, day):
    """The complexes a coordinator is placed at on `day`, each with its participations.

    One query; rows are only grouped by complex here, nothing is counted.
    """
    rows = db.session.execute(
        select(
            Complex.id,
            Complex.name,
            Complex.district,
            Participation.id.label("participation_id"),
            Participation.stage,
            Cohort.name.label("cohort_name"),
        )
        .select_from(Placement)
        .join(Complex, Complex.id == Placement.complex_id)
        .outerjoin(Participation, Participation.complex_id == Complex.id)
        .outerjoin(Cohort, Cohort.id == Participation.cohort_id)
        .where(Placement.coordinator_id == coordinator_id, Placement.is_active_on(day))
        .order_by(Complex.name, Complex.id, Cohort.year.desc(), Cohort.id.desc())
    ).all()
    complexes = {}
    for row in rows:
        placed = complexes.setdefault(row.id, PlacedComplex(row.id, row.name, row.district))
        seen = {participation.participation_id for participation in placed.participations}
        if row.participation_id is not None and row.participation_id not in seen:
            placed.participations.append(row)
    return list(complexes.values())


# What needs the coordinator ----------------------------------------------------------
# Sessions this week and evaluations due come with later areas; each adds its own
# query here when it lands.


def ballots_to_close(complex_ids, now):
    """(ballot, complex id) of ballots that have opened and whose selection is not
    confirmed yet: open ones to close, and closed ones to confirm
    (`Ballot.is_open_at(now)` tells which is which)."""
    if not complex_ids:
        return []
    return db.session.execute(
        select(Ballot, Participation.complex_id)
        .join(Participation, Participation.id == Ballot.participation_id)
        .where(
            Participation.complex_id.in_(complex_ids),
            Ballot.opens_at <= now,
            Ballot.confirmed_at.is_(None),
        )
        .order_by(Ballot.closes_at, Ballot.id)
    ).all()


def waiting_offer_rows(complex_ids):
    """Offers waiting for the enterprise's answer, and accepted ones waiting to start."""
    if not complex_ids:
        return []
    return db.session.execute(
        select(
            Match.id,
            Match.state,
            (Match.state == MatchState.OFFERED).label("awaits_answer"),
            Match.offered_at,
            Problem.title.label("problem_title"),
            Enterprise.name.label("enterprise_name"),
            Participation.complex_id,
        )
        .join(Problem, Problem.id == Match.problem_id)
        .join(Participation, Participation.id == Problem.participation_id)
        .join(Enterprise, Enterprise.id == Match.enterprise_id)
        .where(
            Participation.complex_id.in_(complex_ids),
            Match.state.in_((MatchState.OFFERED, MatchState.ACCEPTED)),
        )
        .order_by(Match.offered_at, Match.id)
    ).all()


def unmatched_problem_rows(complex_ids):
    """Selected problems, at complexes that are matching, with no enterprise on them yet
    (none offered, none agreed): a declined offer puts a problem back on this list."""
    if not complex_ids:
        return []
    working = (MatchState.OFFERED, MatchState.ACCEPTED, MatchState.ACTIVE, MatchState.COMPLETED)
    return db.session.execute(
        select(Problem.id, Problem.title, Participation.complex_id)
        .join(Participation, Participation.id == Problem.participation_id)
        .where(
            Participation.complex_id.in_(complex_ids),
            Participation.stage.in_(OFFER_STAGES),
            Problem.state.in_(MATCHABLE_PROBLEM_STATES),
            ~exists().where(Match.problem_id == Problem.id, Match.state.in_(working)),
        )
        .order_by(Problem.id)
    ).all()


def open_offer_counts(day):
    """{coordinator id: offers waiting or accepted at the complexes they hold on `day`}."""
    return dict(
        db.session.execute(
            select(Placement.coordinator_id, func.count(func.distinct(Match.id)))
            .join(Participation, Participation.complex_id == Placement.complex_id)
            .join(Problem, Problem.participation_id == Participation.id)
            .join(Match, Match.problem_id == Problem.id)
            .where(
                Placement.is_active_on(day),
                Match.state.in_((MatchState.OFFERED, MatchState.ACCEPTED)),
            )
            .group_by(Placement.coordinator_id)
        ).all()
    )
