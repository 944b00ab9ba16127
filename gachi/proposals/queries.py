"""The reads behind the problem pages: one query per list, support counted in SQL."""

from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from gachi.auth.models import Role, User
from gachi.complexes.models import Household
from gachi.extensions import db
from gachi.proposals.models import Category, Problem, ProblemComment, ProblemState, ProblemSupport


@dataclass
class ProblemLine:
    problem: Problem
    supports: int
    comments: int
    supported_by_me: bool


def problem_lines(participation_id, user_id=None) -> list[ProblemLine]:
    """The participation's problems (merged ones left out) with their support and comment
    counts and whether `user_id` supports each; most supported first, then oldest."""
    supports = (
        select(ProblemSupport.problem_id, func.count(ProblemSupport.id).label("n"))
        .group_by(ProblemSupport.problem_id)
        .subquery()
    )
    comments = (
        select(ProblemComment.problem_id, func.count(ProblemComment.id).label("n"))
        .group_by(ProblemComment.problem_id)
        .subquery()
    )
    mine = exists().where(
        ProblemSupport.problem_id == Problem.id, ProblemSupport.user_id == user_id
    )
    rows = db.session.execute(
        select(Problem, func.coalesce(supports.c.n, 0), func.coalesce(comments.c.n, 0), mine)
        .options(joinedload(Problem.category))
        .outerjoin(supports, supports.c.problem_id == Problem.id)
        .outerjoin(comments, comments.c.problem_id == Problem.id)
        .where(Problem.participation_id == participation_id, Problem.state != ProblemState.MERGED)
        .order_by(func.coalesce(supports.c.n, 0).desc(), Problem.created_at, Problem.id)
    ).all()
    return [ProblemLine(*row) for row in rows]


def support_count(problem_id) -> int:
    return db.session.execute(
        select(func.count(ProblemSupport.id)).where(ProblemSupport.problem_id == problem_id)
    ).scalar_one()


def supported_by(problem_id, user_id) -> bool:
    return db.session.execute(
        select(
            exists().where(
                ProblemSupport.problem_id == problem_id, ProblemSupport.user_id == user_id
            )
        )
    ).scalar_one()


def comment_count(problem_id) -> int:
    return db.session.execute(
        select(func.count(ProblemComment.id)).where(ProblemComment.problem_id == problem_id)
    ).scalar_one()


def comments(problem_id):
    return db.session.scalars(
        select(ProblemComment)
        .options(joinedload(ProblemComment.author))
        .where(ProblemComment.problem_id == problem_id)
        .order_by(ProblemComment.created_at, ProblemComment.id)
    ).all()


def category_choices():
    categories = db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.position, Category.id)
    ).all()
    return [(category.id, category.label) for category in categories]


def resident_choices(complex_id):
    """(id, "name · 동 호") of the complex's residents, for entering on someone's behalf."""
    rows = db.session.execute(
        select(User.id, User.display_name, Household.building, Household.unit)
        .join(Household, User.household_id == Household.id)
        .where(
            Household.complex_id == complex_id, User.role == Role.RESIDENT, User.active.is_(True)
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [(row.id, f"{row.display_name} · {row.building}동 {row.unit}호") for row in rows]


def merge_targets(problem):
    rows = db.session.execute(
        select(Problem.id, Problem.title)
        .where(
            Problem.participation_id == problem.participation_id,
            Problem.id != problem.id,
            Problem.state.in_([ProblemState.PROPOSED, ProblemState.SHORTLISTED]),
        )
        .order_by(Problem.title)
    ).all()
    return [(row.id, row.title) for row in rows]
