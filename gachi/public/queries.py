"""The reads behind the public overview and the resident's and partner's home pages."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gachi.complexes.districts import District
from gachi.complexes.models import Cohort, Complex, Household, Participation
from gachi.complexes.queries import latest_participation
from gachi.complexes.stages import Stage
from gachi.coordinators.contacts import CoordinatorContact, coordinator_contacts
from gachi.core.time import seoul_today
from gachi.extensions import db
from gachi.notices.models import Notice
from gachi.notices.queries import home_notices

COMPLEXES_PER_PAGE = 100


@dataclass
class ComplexLine:
    """One participating complex as the public may see it: no personal data."""

    name: str
    district: District
    household_count: int | None
    stage: Stage
    is_demo: bool


@dataclass
class CohortOverview:
    id: int
    name: str
    year: int
    starts_on: date | None
    ends_on: date | None
    description: str
    complex_count: int
    complexes: list[ComplexLine] = field(default_factory=list)

    @property
    def has_more(self):
        return self.complex_count > len(self.complexes)


def _complex_columns():
    return (
        Complex.name,
        Complex.district,
        Complex.household_count,
        Participation.stage,
        Complex.source,
    )


def _complex_line(row):
    return ComplexLine(
        name=row.name,
        district=row.district,
        household_count=row.household_count,
        stage=row.stage,
        is_demo=row.source == "demo",
    )


def cohort_overviews(per_cohort=COMPLEXES_PER_PAGE) -> list[CohortOverview]:
    """Every cohort, newest first, with its complex count and its first `per_cohort`
    complexes by name (then id, so equal names keep a stable order).

    Two queries whatever the number of cohorts and complexes.
    """
    counted = db.session.execute(
        select(Cohort, func.count(Participation.id).label("complex_count"))
        .outerjoin(Participation, Participation.cohort_id == Cohort.id)
        .group_by(Cohort.id)
        .order_by(Cohort.year.desc(), Cohort.name)
    ).all()
    overviews = {
        cohort.id: CohortOverview(
            id=cohort.id,
            name=cohort.name,
            year=cohort.year,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            description=cohort.description,
            complex_count=complex_count,
        )
        for cohort, complex_count in counted
    }
    if not overviews:
        return []
    rank = (
        func.row_number()
        .over(partition_by=Participation.cohort_id, order_by=(Complex.name, Complex.id))
        .label("rank")
    )
    ranked = (
        select(Participation.cohort_id, *_complex_columns(), rank)
        .join(Complex, Participation.complex_id == Complex.id)
        .subquery()
    )
    rows = db.session.execute(
        select(ranked)
        .where(ranked.c.rank <= per_cohort)
        .order_by(ranked.c.cohort_id, ranked.c.rank)
    )
    for row in rows:
        overviews[row.cohort_id].complexes.append(_complex_line(row))
    return list(overviews.values())


def cohort_complex_page(cohort_id, page, per_page=COMPLEXES_PER_PAGE) -> list[ComplexLine]:
    """One page of a cohort's complexes, in the overview's order."""
    rows = db.session.execute(
        select(*_complex_columns())
        .join(Complex, Participation.complex_id == Complex.id)
        .where(Participation.cohort_id == cohort_id)
        .order_by(Complex.name, Complex.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [_complex_line(row) for row in rows]


def cohort_complex_count(cohort_id) -> int:
    return db.session.execute(
        select(func.count(Participation.id)).where(Participation.cohort_id == cohort_id)
    ).scalar_one()


@dataclass
class ResidentHome:
    household: Household
    complex: Complex
    participation: Participation | None
    coordinators: list[CoordinatorContact]
    notices: list[Notice]


def resident_home(user) -> ResidentHome:
    """The resident's household and complex, the complex's latest participation, the
    coordinators placed there today (with their phones) and the notices on its board.
    Four queries."""
    household = db.session.scalars(
        select(Household)
        .options(joinedload(Household.complex))
        .where(Household.id == user.household_id)
    ).one()
    return ResidentHome(
        household=household,
        complex=household.complex,
        participation=latest_participation(household.complex_id),
        coordinators=coordinator_contacts(household.complex_id, seoul_today()),
        notices=home_notices(household.complex_id, seoul_today()),
    )
