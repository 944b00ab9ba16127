"""The reads behind the district pages: one query per list."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from gachi.auth.models import Role, User
from gachi.complexes.districts import District, in_city_order
from gachi.complexes.models import Cohort, Complex, Participation
from gachi.core.pagination import Page
from gachi.districts.models import DistrictCover, DistrictOffice
from gachi.extensions import db

COMPLEXES_PER_PAGE = 50


@dataclass
class OfficeRow:
    user_id: int
    username: str
    display_name: str
    active: bool
    may_place_coordinators: bool
    districts: list = field(default_factory=list)


def office_rows() -> list[OfficeRow]:
    """Every district account with its districts, by name: one query."""
    rows = db.session.execute(
        select(
            User.id,
            User.username,
            User.display_name,
            User.active,
            DistrictOffice.may_place_coordinators,
            DistrictCover.district,
        )
        .join(DistrictOffice, DistrictOffice.user_id == User.id)
        .outerjoin(DistrictCover, DistrictCover.user_id == DistrictOffice.user_id)
        .where(User.role == Role.DISTRICT)
        .order_by(User.display_name, User.id)
    ).all()
    offices: dict[int, OfficeRow] = {}
    for user_id, username, name, active, may_place, district in rows:
        office = offices.setdefault(user_id, OfficeRow(user_id, username, name, active, may_place))
        if district is not None:
            office.districts.append(district)
    for office in offices.values():
        office.districts = in_city_order(office.districts)
    return list(offices.values())


def offices_by_district() -> dict[District, list[str]]:
    """{district: names of the active organisations covering it}: one query."""
    covering: dict[District, list[str]] = {}
    for district, name in db.session.execute(
        select(DistrictCover.district, User.display_name)
        .join(User, User.id == DistrictCover.user_id)
        .where(User.active.is_(True), User.role == Role.DISTRICT)
        .order_by(User.display_name)
    ):
        covering.setdefault(district, []).append(name)
    return covering


@dataclass
class DistrictComplex:
    id: int
    name: str
    district: District
    participations: list = field(default_factory=list)  # rows, newest cohort first


def complex_page(districts, page=1, per_page=COMPLEXES_PER_PAGE) -> Page:
    """A page of the complexes in `districts`, by name, each with its participations:
    two queries whatever the number of complexes."""
    where = Complex.district.in_(in_city_order(districts))
    total = db.session.scalar(select(func.count(Complex.id)).where(where)) or 0
    number = min(max(page, 1), max(1, -(-total // per_page)))
    shown = (
        select(Complex.id)
        .where(where)
        .order_by(Complex.name, Complex.id)
        .limit(per_page)
        .offset((number - 1) * per_page)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Complex.id,
            Complex.name,
            Complex.district,
            Participation.id.label("participation_id"),
            Participation.stage,
            Cohort.name.label("cohort_name"),
        )
        .join(shown, shown.c.id == Complex.id)
        .outerjoin(Participation, Participation.complex_id == Complex.id)
        .outerjoin(Cohort, Cohort.id == Participation.cohort_id)
        .order_by(Complex.name, Complex.id, Cohort.year.desc(), Cohort.id.desc())
    ).all()
    complexes: dict[int, DistrictComplex] = {}
    for row in rows:
        shown_complex = complexes.setdefault(
            row.id, DistrictComplex(row.id, row.name, row.district)
        )
        if row.participation_id is not None:
            shown_complex.participations.append(row)
    return Page(list(complexes.values()), number, total, per_page)


def cohort_rows():
    """Every cohort, newest first, for the links to the district's board."""
    return db.session.execute(
        select(Cohort.id, Cohort.name, Cohort.year).order_by(Cohort.year.desc(), Cohort.id.desc())
    ).all()
