"""The reads behind the cohort, complex and household pages: one query per list."""

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from gachi.auth.models import Role, User
from gachi.complexes.districts import District
from gachi.complexes.models import (
    Cohort,
    Complex,
    Household,
    InvitationCode,
    Participation,
    StageMove,
)
from gachi.complexes.stages import Stage
from gachi.coordinators.models import Placement
from gachi.core.pagination import Page
from gachi.extensions import db

COMPLEXES_PER_PAGE = 50


# Cohorts ------------------------------------------------------------------------------


def _newest_first():
    return (Cohort.year.desc(), Cohort.starts_on.desc().nulls_last(), Cohort.id.desc())


def cohort_rows():
    """Every cohort with the number of complexes taking part, newest first."""
    return db.session.execute(
        select(
            Cohort.id,
            Cohort.name,
            Cohort.year,
            Cohort.starts_on,
            Cohort.ends_on,
            func.count(Participation.id).label("complex_count"),
        )
        .outerjoin(Participation, Participation.cohort_id == Cohort.id)
        .group_by(Cohort.id, Cohort.name, Cohort.year, Cohort.starts_on, Cohort.ends_on)
        .order_by(*_newest_first())
    ).all()


def cohort_choices():
    """(id, name) of every cohort, newest first; the first is the latest."""
    return db.session.execute(select(Cohort.id, Cohort.name).order_by(*_newest_first())).all()


def cohort_participation_page(
    cohort_id, *, district=None, stage=None, name=None, page=1, per_page=COMPLEXES_PER_PAGE
):
    """One page of the complexes taking part in a cohort, with their district, size and
    stage, by district and name. Two queries whatever the cohort's size: the count of
    those the filters keep, and the page (the last one if `page` is past it)."""
    conditions = [Participation.cohort_id == cohort_id]
    if district:
        conditions.append(Complex.district == district)
    if stage:
        conditions.append(Participation.stage == stage)
    if name:
        conditions.append(Complex.name.contains(name, autoescape=True))
    total = db.session.scalar(
        select(func.count(Participation.id))
        .join(Complex, Complex.id == Participation.complex_id)
        .where(*conditions)
    )
    number = min(page, max(1, -(-total // per_page)))
    rows = db.session.execute(
        select(
            Participation.id,
            Participation.stage,
            Participation.stage_changed_at,
            Complex.id.label("complex_id"),
            Complex.name,
            Complex.district,
            Complex.household_count,
        )
        .join(Complex, Complex.id == Participation.complex_id)
        .where(*conditions)
        .order_by(Complex.district, Complex.name, Complex.id)
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    return Page(rows=rows, number=number, total=total, per_page=per_page)


def cohort_totals(cohort_id):
    """The whole cohort, whatever the page shows: complexes and households taking part,
    and the number of complexes at each stage, in the stages' order. One query."""
    counted = db.session.execute(
        select(
            Participation.stage,
            func.count(Participation.id).label("complexes"),
            func.coalesce(func.sum(Complex.household_count), 0).label("households"),
        )
        .join(Complex, Complex.id == Participation.complex_id)
        .where(Participation.cohort_id == cohort_id)
        .group_by(Participation.stage)
    ).all()
    by_stage = {row.stage: row.complexes for row in counted}
    return CohortTotals(
        complexes=sum(row.complexes for row in counted),
        households=sum(row.households for row in counted),
        by_stage=[(stage, by_stage[stage]) for stage in Stage if stage in by_stage],
    )


@dataclass
class CohortTotals:
    complexes: int
    households: int
    by_stage: list


# Complexes ----------------------------------------------------------------------------


def complex_choices():
    """(id, "name · district") of every complex, for a select."""
    rows = db.session.execute(
        select(Complex.id, Complex.name, Complex.district).order_by(Complex.name, Complex.id)
    ).all()
    return [(row.id, f"{row.name} · {District(row.district).label}") for row in rows]


def complex_page(
    *,
    cohort_id=None,
    district=None,
    stage=None,
    tenure=None,
    name=None,
    page=1,
    per_page=COMPLEXES_PER_PAGE,
):
    """One page of complexes with the stage of their participation in `cohort_id`.

    Two queries whatever the size: the count and the page.
    """
    joined = and_(Participation.complex_id == Complex.id, Participation.cohort_id == cohort_id)
    conditions = []
    if district:
        conditions.append(Complex.district == district)
    if tenure:
        conditions.append(Complex.tenure == tenure)
    if stage and cohort_id:
        conditions.append(Participation.stage == stage)
    if name:
        conditions.append(Complex.name.contains(name, autoescape=True))
    total = db.session.scalar(
        select(func.count(Complex.id)).outerjoin(Participation, joined).where(*conditions)
    )
    rows = db.session.execute(
        select(
            Complex.id,
            Complex.name,
            Complex.district,
            Complex.tenure,
            Complex.household_count,
            Complex.source,
            Participation.id.label("participation_id"),
            Participation.stage,
        )
        .outerjoin(Participation, joined)
        .where(*conditions)
        .order_by(Complex.name, Complex.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(rows=rows, number=page, total=total, per_page=per_page)


def complex_participation_rows(complex_id):
    """A complex's participations, newest cohort first."""
    return db.session.execute(
        select(Participation, Cohort.name.label("cohort_name"))
        .join(Cohort, Cohort.id == Participation.cohort_id)
        .where(Participation.complex_id == complex_id)
        .order_by(*_newest_first())
    ).all()


def stage_history(*, complex_id=None, participation_id=None):
    """Stage moves, newest first, with who made them and in which cohort."""
    statement = (
        select(
            StageMove.id,
            StageMove.from_stage,
            StageMove.to_stage,
            StageMove.moved_at,
            StageMove.note,
            User.display_name.label("moved_by"),
            Cohort.name.label("cohort_name"),
        )
        .join(Participation, Participation.id == StageMove.participation_id)
        .join(Cohort, Cohort.id == Participation.cohort_id)
        .outerjoin(User, User.id == StageMove.moved_by_id)
        .order_by(StageMove.moved_at.desc(), StageMove.id.desc())
    )
    if complex_id is not None:
        statement = statement.where(Participation.complex_id == complex_id)
    if participation_id is not None:
        statement = statement.where(StageMove.participation_id == participation_id)
    return db.session.execute(statement).all()


def placed_coordinator_rows(complex_id, day):
    """The coordinators placed at a complex on `day`, with their placement's dates."""
    return db.session.execute(
        select(
            User.id,
            User.display_name,
            Placement.id.label("placement_id"),
            Placement.starts_on,
            Placement.ends_on,
        )
        .join(User, User.id == Placement.coordinator_id)
        .where(Placement.complex_id == complex_id, Placement.is_active_on(day))
        .order_by(User.display_name, Placement.starts_on)
    ).all()


# Households and codes -----------------------------------------------------------------


def _building_order():
    """ "101" before "1001": shorter numbers first, then as text."""
    return (
        func.length(Household.building),
        Household.building,
        func.length(Household.unit),
        Household.unit,
    )


def household_rows(complex_id):
    """Every household of a complex with its live code and its number of members."""
    return db.session.execute(
        select(
            Household.id,
            Household.building,
            Household.unit,
            InvitationCode.id.label("code_id"),
            InvitationCode.code,
            func.count(User.id).label("member_count"),
        )
        .outerjoin(
            InvitationCode,
            and_(InvitationCode.household_id == Household.id, InvitationCode.revoked_at.is_(None)),
        )
        .outerjoin(User, User.household_id == Household.id)
        .where(Household.complex_id == complex_id)
        .group_by(
            Household.id, Household.building, Household.unit, InvitationCode.id, InvitationCode.code
        )
        .order_by(*_building_order())
    ).all()


def member_count(household_id) -> int:
    """How many residents have joined the household (as the household list counts them)."""
    return db.session.execute(
        select(func.count(User.id)).where(User.household_id == household_id)
    ).scalar_one()


def printable_code_rows(complex_id, batch=None):
    """The households of a complex that have a live code, with the code, for the slips;
    only those whose ids are within `batch` (first, last), the households added together
    in bulk, when it is given."""
    query = (
        select(Household.building, Household.unit, InvitationCode.code)
        .join(
            InvitationCode,
            and_(InvitationCode.household_id == Household.id, InvitationCode.revoked_at.is_(None)),
        )
        .where(Household.complex_id == complex_id)
        .order_by(*_building_order())
    )
    if batch is not None:
        query = query.where(Household.id.between(*batch))
    return db.session.execute(query).all()


def latest_participation(complex_id) -> Participation | None:
    """The complex's participation in its most recent cohort (by year, then newest cohort)."""
    return db.session.scalars(
        select(Participation)
        .join(Participation.cohort)
        .options(contains_eager(Participation.cohort))
        .where(Participation.complex_id == complex_id)
        .order_by(Cohort.year.desc(), Cohort.id.desc())
        .limit(1)
    ).first()


def resident_ids(complex_id):
    """(user id, household id) of the complex's active resident accounts, in order."""
    return db.session.execute(
        select(User.id, User.household_id)
        .join(Household, Household.id == User.household_id)
        .where(
            Household.complex_id == complex_id,
            User.role == Role.RESIDENT,
            User.active.is_(True),
        )
        .order_by(User.id)
    ).all()
