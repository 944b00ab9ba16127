"""The reads behind suggestions and match lists: a fixed number of queries per page."""

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from gachi.auth.models import Role, User
from gachi.complexes.models import Complex, Participation
from gachi.enterprises.models import Enterprise, EnterpriseCategory, EnterpriseDistrict
from gachi.extensions import db
from gachi.matching import scoring
from gachi.matching.models import LOAD_STATES, OPEN_STATES, Match, MatchState, Rating
from gachi.proposals.models import Category, Problem, ProblemState

SUGGESTIONS_SHOWN = 20
# The problems a match may be made for: chosen by the residents, and not yet resolved.
MATCHABLE_PROBLEM_STATES = (ProblemState.SELECTED, ProblemState.IN_PROGRESS)


def _ratings():
    """Per enterprise: the average rating and the number of complexes that rated it."""
    return (
        select(
            Match.enterprise_id,
            func.avg(Rating.score).label("rating"),
            func.count(func.distinct(Participation.complex_id)).label("rated_by"),
        )
        .join(Rating, Rating.match_id == Match.id)
        .join(Problem, Problem.id == Match.problem_id)
        .join(Participation, Participation.id == Problem.participation_id)
        .group_by(Match.enterprise_id)
        .subquery()
    )


def _loads():
    """Per enterprise: the matches it has accepted or is running now."""
    return (
        select(Match.enterprise_id, func.count(Match.id).label("load"))
        .where(Match.state.in_(LOAD_STATES))
        .group_by(Match.enterprise_id)
        .subquery()
    )


def suggestion_rows(category_id, district, problem_id):
    """Every enterprise that works on the category or names the district, with what
    scoring needs, and its open match for this problem if there is one. One query."""
    category_fit = exists().where(
        EnterpriseCategory.enterprise_id == Enterprise.id,
        EnterpriseCategory.category_id == category_id,
    )
    district_fit = exists().where(
        EnterpriseDistrict.enterprise_id == Enterprise.id, EnterpriseDistrict.district == district
    )
    has_partner = exists().where(
        User.enterprise_id == Enterprise.id, User.role == Role.PARTNER, User.active.is_(True)
    )
    ratings, loads = _ratings(), _loads()
    open_match = aliased(Match)
    return db.session.execute(
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.legal_form,
            Enterprise.verified,
            Enterprise.seoul_wide,
            category_fit.label("category_fit"),
            district_fit.label("district_fit"),
            ratings.c.rating,
            ratings.c.rated_by,
            func.coalesce(loads.c.load, 0).label("load"),
            open_match.id.label("open_match_id"),
            open_match.state.label("open_match_state"),
            has_partner.label("has_partner"),
        )
        .outerjoin(ratings, ratings.c.enterprise_id == Enterprise.id)
        .outerjoin(loads, loads.c.enterprise_id == Enterprise.id)
        .outerjoin(
            open_match,
            and_(
                open_match.enterprise_id == Enterprise.id,
                open_match.problem_id == problem_id,
                open_match.state.in_(OPEN_STATES),
            ),
        )
        .where(or_(category_fit, district_fit))
    ).all()


def suggestions_for(problem, limit=SUGGESTIONS_SHOWN):
    """Ranked enterprises for `problem` (see scoring.py for the weights and the tie rule)."""
    district = problem.participation.complex.district
    rows = suggestion_rows(problem.category_id, district, problem.id)
    return scoring.rank(rows, category=problem.category, district=district, limit=limit)


def problem_match_rows(problem_id):
    """Every match made for a problem, newest first, with the enterprise's name."""
    return db.session.execute(
        select(Match, Enterprise.name.label("enterprise_name"))
        .join(Enterprise, Enterprise.id == Match.enterprise_id)
        .where(Match.problem_id == problem_id)
        .order_by(Match.created_at.desc(), Match.id.desc())
    ).all()


def participation_problem_rows(participation_id):
    """The participation's selected problems with their matches (one query, grouped here)."""
    rows = db.session.execute(
        select(
            Problem.id,
            Problem.title,
            Problem.state,
            Category.code.label("category_code"),
            Match.id.label("match_id"),
            Match.state.label("match_state"),
            Enterprise.name.label("enterprise_name"),
        )
        .join(Category, Category.id == Problem.category_id)
        .outerjoin(Match, Match.problem_id == Problem.id)
        .outerjoin(Enterprise, Enterprise.id == Match.enterprise_id)
        .where(
            Problem.participation_id == participation_id,
            Problem.state.in_(MATCHABLE_PROBLEM_STATES),
        )
        .order_by(Problem.id, Match.id)
    ).all()
    problems = {}
    for row in rows:
        entry = problems.setdefault(
            row.id, {"id": row.id, "title": row.title, "state": row.state, "matches": []}
        )
        if row.match_id is not None:
            entry["matches"].append(row)
    return list(problems.values())


def partner_offer_rows(enterprise_id):
    """The matches offered to an enterprise (never its mere suggestions), open ones first."""
    open_first = case(
        (Match.state == MatchState.OFFERED, 0), (Match.state.in_(LOAD_STATES), 1), else_=2
    )
    return db.session.execute(
        select(
            Match,
            Problem.title.label("problem_title"),
            Complex.name.label("complex_name"),
            Complex.district,
        )
        .join(Problem, Problem.id == Match.problem_id)
        .join(Participation, Participation.id == Problem.participation_id)
        .join(Complex, Complex.id == Participation.complex_id)
        .where(Match.enterprise_id == enterprise_id, Match.state != MatchState.SUGGESTED)
        .order_by(open_first, Match.offered_at.desc(), Match.id.desc())
    ).all()


def enterprise_match_counts(enterprise_id):
    """{state: count} of an enterprise's matches, one GROUP BY."""
    return dict(
        db.session.execute(
            select(Match.state, func.count(Match.id))
            .where(Match.enterprise_id == enterprise_id)
            .group_by(Match.state)
        ).all()
    )


@dataclass
class PartnerSummary:
    waiting: int  # offers the partner has not answered
    in_hand: int  # accepted or running
    completed: int


def partner_summary(enterprise_id):
    counts = enterprise_match_counts(enterprise_id)
    return PartnerSummary(
        waiting=counts.get(MatchState.OFFERED, 0),
        in_hand=counts.get(MatchState.ACCEPTED, 0) + counts.get(MatchState.ACTIVE, 0),
        completed=counts.get(MatchState.COMPLETED, 0),
    )
