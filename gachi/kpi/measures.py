"""How each computed KPI is counted: one SQL aggregate per KPI, per participation.

A measure gives, for every participation of a cohort, a numerator and a denominator
(GROUP BY participation). A count's actual is its numerator; a ratio's actual is
numerator / denominator in percent. Roll-ups add numerators and denominators up
(never averages of percentages), so any roll-up's totals are the sums of its parts.

Who counts as taking part: a resident (an account with the resident role) who did at
least one of: proposed, supported or commented on a problem of the participation,
voted in one of its ballots online or on paper (the roll says who voted, never what),
or was checked in at one of its workshops. People who came to a workshop without an
account are counted for their household when the coordinator wrote it down, never
as residents.
"""
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import distinct, func, literal, select, union, union_all

from gachi.auth.models import Role, User
from gachi.ballots.models import Ballot, BallotVoter, Channel, PaperTally
from gachi.bizmodels.models import BusinessModel
from gachi.complexes.models import Complex, Participation
from gachi.matching.models import AGREED_STATES, Match
from gachi.plans.models import BudgetLine, ExecutionPlan, SpendingEntry
from gachi.proposals.models import Problem, ProblemComment, ProblemState, ProblemSupport
from gachi.workshops.models import Workshop, WorkshopAttendance

COUNT, RATIO = "count", "ratio"


@dataclass(frozen=True)
class Measure:
    key: str
    kind: str
    # cohort_id -> a subquery of (participation_id, num, den)
    build: Callable


MEASURES: dict[str, Measure] = {}


def measure(key, kind=COUNT):
    def register(build):
        MEASURES[key] = Measure(key, kind, build)
        return build

    return register


def _in_cohort(cohort_id):
    return select(Participation.id).where(Participation.cohort_id == cohort_id)


def _count_per_participation(participation_id, counted, *where, den=None):
    return (select(participation_id.label("participation_id"), counted.label("num"),
                   (den if den is not None else literal(0)).label("den"))
            .where(*where).group_by(participation_id))


@measure("complexes")
def complexes_taking_part(cohort_id):
    return (select(Participation.id.label("participation_id"), literal(1).label("num"),
                   literal(0).label("den"))
            .where(Participation.cohort_id == cohort_id).subquery())


def _resident_activity(cohort_id):
    """(participation_id, user_id) for every act of a resident that counts as taking part."""
    cohort = _in_cohort(cohort_id)
    return union_all(
        select(Problem.participation_id, Problem.proposed_by_id.label("user_id"))
        .where(Problem.participation_id.in_(cohort), Problem.proposed_by_id.is_not(None)),
        select(Problem.participation_id, ProblemSupport.user_id)
        .join(Problem, Problem.id == ProblemSupport.problem_id)
        .where(Problem.participation_id.in_(cohort)),
        select(Problem.participation_id, ProblemComment.author_id)
        .join(Problem, Problem.id == ProblemComment.problem_id)
        .where(Problem.participation_id.in_(cohort), ProblemComment.author_id.is_not(None)),
        select(Ballot.participation_id, BallotVoter.user_id)
        .join(Ballot, Ballot.id == BallotVoter.ballot_id)
        .where(Ballot.participation_id.in_(cohort)),
        select(Workshop.participation_id, WorkshopAttendance.user_id)
        .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
        .where(Workshop.participation_id.in_(cohort), WorkshopAttendance.user_id.is_not(None)),
    ).subquery()


@measure("residents")
def residents_taking_part(cohort_id):
    acts = _resident_activity(cohort_id)
    return _count_per_participation(
        acts.c.participation_id, func.count(distinct(acts.c.user_id)),
        User.role == Role.RESIDENT,
    ).join(User, User.id == acts.c.user_id).subquery()


def _household_activity(cohort_id):
    acts = _resident_activity(cohort_id)
    cohort = _in_cohort(cohort_id)
    return union(
        select(acts.c.participation_id, User.household_id)
        .join(User, User.id == acts.c.user_id)
        .where(User.role == Role.RESIDENT),
        select(Workshop.participation_id, WorkshopAttendance.household_id)
        .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
        .where(Workshop.participation_id.in_(cohort), WorkshopAttendance.user_id.is_(None),
               WorkshopAttendance.household_id.is_not(None)),
    ).subquery()


@measure("households")
def households_taking_part(cohort_id):
    homes = _household_activity(cohort_id)
    return _count_per_participation(homes.c.participation_id,
                                    func.count(distinct(homes.c.household_id))).subquery()


@measure("household_share", RATIO)
def household_share(cohort_id):
    """Households taking part / the complex's households, for complexes whose number
    of households is known (the others count in neither numerator nor denominator)."""
    homes = households_taking_part(cohort_id)
    return (select(Participation.id.label("participation_id"),
                   func.coalesce(homes.c.num, 0).label("num"),
                   Complex.household_count.label("den"))
            .join(Complex, Complex.id == Participation.complex_id)
            .outerjoin(homes, homes.c.participation_id == Participation.id)
            .where(Participation.cohort_id == cohort_id, Complex.household_count.is_not(None))
            .subquery())


@measure("problems")
def problems_proposed(cohort_id):
    """Every problem raised, except those merged into another (counted there)."""
    return _count_per_participation(
        Problem.participation_id, func.count(Problem.id),
        Problem.participation_id.in_(_in_cohort(cohort_id)), Problem.state != ProblemState.MERGED,
    ).subquery()


def _ballots_cast(cohort_id):
    """Per ballot: online voters on the roll plus the current paper tally's count (as on
    the ballot's results page), and the eligible residents or households."""
    online = (select(BallotVoter.ballot_id, func.count(BallotVoter.id).label("voters"))
              .where(BallotVoter.channel == Channel.ONLINE).group_by(BallotVoter.ballot_id)
              .subquery())
    paper = (select(PaperTally.ballot_id, PaperTally.ballot_count)
             .where(PaperTally.replaced_at.is_(None)).subquery())
    return (select(Ballot.participation_id,
                   (func.coalesce(online.c.voters, 0) + func.coalesce(paper.c.ballot_count, 0))
                   .label("cast"),
                   Ballot.eligible_count)
            .outerjoin(online, online.c.ballot_id == Ballot.id)
            .outerjoin(paper, paper.c.ballot_id == Ballot.id)
            .where(Ballot.participation_id.in_(_in_cohort(cohort_id)))
            .subquery())


@measure("ballots_cast")
def ballots_cast(cohort_id):
    ballots = _ballots_cast(cohort_id)
    return _count_per_participation(ballots.c.participation_id,
                                    func.sum(ballots.c.cast)).subquery()


@measure("turnout", RATIO)
def turnout(cohort_id):
    """Ballots cast / eligible voters, over every ballot that has opened."""
    ballots = _ballots_cast(cohort_id)
    return _count_per_participation(ballots.c.participation_id, func.sum(ballots.c.cast),
                                    ballots.c.eligible_count > 0,
                                    den=func.sum(ballots.c.eligible_count)).subquery()


def _agreed_matches(cohort_id):
    return (select(Problem.participation_id, Match.id, Match.enterprise_id)
            .join(Problem, Problem.id == Match.problem_id)
            .where(Problem.participation_id.in_(_in_cohort(cohort_id)),
                   Match.state.in_(AGREED_STATES))
            .subquery())


@measure("enterprises")
def enterprises_engaged(cohort_id):
    """Enterprises that said yes in a complex; one working in two complexes counts in each."""
    matches = _agreed_matches(cohort_id)
    return _count_per_participation(matches.c.participation_id,
                                    func.count(distinct(matches.c.enterprise_id))).subquery()


@measure("matches")
def matches_accepted(cohort_id):
    matches = _agreed_matches(cohort_id)
    return _count_per_participation(matches.c.participation_id,
                                    func.count(matches.c.id)).subquery()


@measure("execution_rate", RATIO)
def execution_rate(cohort_id):
    """Spent (집행액) / budget (예산액) of the execution plan, in whole won."""
    spent = (select(SpendingEntry.budget_line_id, func.sum(SpendingEntry.amount).label("spent"))
             .group_by(SpendingEntry.budget_line_id).subquery())
    return _count_per_participation(
        ExecutionPlan.participation_id, func.coalesce(func.sum(spent.c.spent), 0),
        ExecutionPlan.participation_id.in_(_in_cohort(cohort_id)),
        den=func.sum(BudgetLine.amount),
    ).select_from(ExecutionPlan).join(BudgetLine, BudgetLine.plan_id == ExecutionPlan.id).outerjoin(
        spent, spent.c.budget_line_id == BudgetLine.id).subquery()


@measure("business_models")
def business_models(cohort_id):
    """Published models (not withdrawn) from the cohort's participations."""
    return _count_per_participation(
        BusinessModel.origin_participation_id, func.count(BusinessModel.id),
        BusinessModel.origin_participation_id.in_(_in_cohort(cohort_id)),
        BusinessModel.withdrawn_at.is_(None),
    ).subquery()

