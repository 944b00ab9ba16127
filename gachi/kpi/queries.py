"""The reads behind the board, a complex's results, the API and the exports.

Every figure comes from `rollup()`: one query per table whatever the number of
complexes (each KPI's measure is a GROUP BY subquery joined to the participations,
and the table groups those by district, problem category or complex). The board,
the complex page, the API and the exports all call these functions, so a figure is
the same number wherever it appears.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, literal, select

from gachi.complexes.districts import District
from gachi.complexes.models import Complex, Participation
from gachi.complexes.stages import Stage
from gachi.extensions import db
from gachi.kpi.achievement import achievement_rate, arrow
from gachi.kpi.measures import AVERAGE, COUNT, HOURS, MEASURES, RATIO
from gachi.core.i18n import in_reader_language
from gachi.kpi.models import (
    BilingualKpiText, Direction, Kpi, KpiEntry, KpiTarget, Method,
)
from gachi.proposals.models import Category, Problem, ProblemState

CHOSEN_STATES = (ProblemState.SELECTED, ProblemState.IN_PROGRESS, ProblemState.RESOLVED)
COMPLEXES_PER_PAGE = 50


@dataclass(frozen=True)
class KpiLine(BilingualKpiText):
    """A KPI as a table shows it (plain values, so it outlives the session)."""

    id: int
    code: str
    name_ko: str
    name_en: str
    unit_ko: str
    unit_en: str
    definition_ko: str
    definition_en: str
    direction: Direction
    method: Method
    measure: str | None

    @property
    def kind(self):
        return MEASURES[self.measure].kind if self.measure else COUNT


def _decimal(value):
    """SQLite sums NUMERIC columns as floats: read them back through str()."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(value) if isinstance(value, int) else Decimal(str(value)).quantize(Decimal("0.01"))


def _one_decimal(value):
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ratio_percent(numerator, denominator) -> Decimal | None:
    """numerator / denominator in percent, one decimal, rounded half up; None over 0."""
    if numerator is None or not denominator:
        return None
    return _one_decimal(Decimal(numerator) * 100 / Decimal(denominator))


def actual_of(kind, numerator, denominator) -> Decimal | None:
    """A measure's actual: a count as it is; a ratio in percent, an average and hours
    (from minutes) with one decimal, rounded half up; None where nothing divides."""
    if kind == RATIO:
        return ratio_percent(numerator, denominator)
    if kind == AVERAGE:
        return _one_decimal(Decimal(numerator) / Decimal(denominator)) if denominator else None
    if kind == HOURS and numerator is not None:
        return _one_decimal(Decimal(numerator) / 60)
    return numerator


@dataclass(frozen=True)
class Figure:
    """One KPI in one place: its target, actual, achievement rate and arrow."""

    kpi: KpiLine
    numerator: Decimal | None
    denominator: Decimal | None
    target: Decimal | None = None

    @property
    def actual(self) -> Decimal | None:
        return actual_of(self.kpi.kind, self.numerator, self.denominator)

    @property
    def rate(self) -> int | None:
        return achievement_rate(self.actual, self.target, self.kpi.direction)

    @property
    def arrow(self) -> str | None:
        return arrow(self.actual, self.target, self.kpi.direction)

    def with_target(self, target):
        return Figure(self.kpi, self.numerator, self.denominator, target)


@dataclass
class RollupRow:
    """One line of a roll-up: a district, a category, a complex, or the whole cohort."""

    key: object
    label: str
    complex_count: int
    figures: dict = field(default_factory=dict)  # code -> Figure
    participation_id: int | None = None
    district: District | None = None
    stage: Stage | None = None


@dataclass(frozen=True)
class Filters:
    district: District | None = None
    category_id: int | None = None
    stage: Stage | None = None

    @property
    def any(self):
        return any(value is not None for value in (self.district, self.category_id, self.stage))


def active_kpis() -> list[KpiLine]:
    """The KPIs the board shows, in their order. One query."""
    rows = db.session.scalars(select(Kpi).where(Kpi.active.is_(True))
                              .order_by(Kpi.position, Kpi.id)).all()
    return [KpiLine(kpi.id, kpi.code, kpi.name_ko, kpi.name_en, kpi.unit_ko, kpi.unit_en,
                    kpi.definition_ko, kpi.definition_en, kpi.direction, kpi.method, kpi.measure)
            for kpi in rows if kpi.method is Method.MANUAL or kpi.measure in MEASURES]


def targets(cohort_id, complex_id=None) -> dict[int, Decimal]:
    """{kpi_id: target} for the cohort as a whole, or for one complex in it."""
    where = (KpiTarget.complex_id.is_(None) if complex_id is None
             else KpiTarget.complex_id == complex_id)
    return dict(db.session.execute(select(KpiTarget.kpi_id, KpiTarget.value)
                                   .where(KpiTarget.cohort_id == cohort_id, where)).all())


def entries(cohort_id, complex_id=None) -> dict[int, Decimal]:
    """{kpi_id: actual} entered by hand for the cohort as a whole, or for one complex."""
    where = (KpiEntry.complex_id.is_(None) if complex_id is None
             else KpiEntry.complex_id == complex_id)
    return dict(db.session.execute(select(KpiEntry.kpi_id, KpiEntry.value)
                                   .where(KpiEntry.cohort_id == cohort_id, where)).all())


def _entries_by_participation(kpi_id, cohort_id):
    return (select(Participation.id.label("participation_id"), KpiEntry.value.label("num"),
                   literal(0).label("den"))
            .join(KpiEntry, (KpiEntry.complex_id == Participation.complex_id)
                  & (KpiEntry.cohort_id == Participation.cohort_id))
            .where(Participation.cohort_id == cohort_id, KpiEntry.kpi_id == kpi_id)
            .subquery())


def _kpi_subquery(kpi, cohort_id):
    if kpi.method is Method.MANUAL:
        return _entries_by_participation(kpi.id, cohort_id)
    return MEASURES[kpi.measure].build(cohort_id)


def main_category():
    """Each participation's problem category: that of its earliest chosen problem.

    A complex working on two problems still counts once, under the first chosen, so
    the category roll-up adds up to the cohort; complexes with no chosen problem yet
    are a row of their own."""
    first = (select(Problem.participation_id, func.min(Problem.id).label("problem_id"))
             .where(Problem.state.in_(CHOSEN_STATES)).group_by(Problem.participation_id)
             .subquery())
    return (select(first.c.participation_id, Problem.category_id)
            .join(Problem, Problem.id == first.c.problem_id).subquery())


def _base(cohort_id, filters, category):
    query = (select().select_from(Participation)
             .join(Complex, Complex.id == Participation.complex_id)
             .outerjoin(category, category.c.participation_id == Participation.id)
             .where(Participation.cohort_id == cohort_id))
    if filters.district is not None:
        query = query.where(Complex.district == filters.district)
    if filters.stage is not None:
        query = query.where(Participation.stage == filters.stage)
    if filters.category_id is not None:
        query = query.where(category.c.category_id == filters.category_id)
    return query


def _with_kpi_sums(query, kpis, cohort_id):
    columns = []
    for index, kpi in enumerate(kpis):
        figures = _kpi_subquery(kpi, cohort_id)
        query = query.outerjoin(figures, figures.c.participation_id == Participation.id)
        numerator = func.sum(figures.c.num)
        if kpi.method is Method.COMPUTED:
            numerator = func.coalesce(numerator, 0)  # nothing counted is a count of 0
        columns += [numerator.label(f"num_{index}"),
                    func.coalesce(func.sum(figures.c.den), 0).label(f"den_{index}")]
    return query.add_columns(func.count(Participation.id).label("complex_count"), *columns)


def _figures(row, kpis):
    return {kpi.code: Figure(kpi, _decimal(row[f"num_{index}"]), _decimal(row[f"den_{index}"]))
            for index, kpi in enumerate(kpis)}


GROUPINGS = ("district", "category", "complex")


def rollup(cohort_id, kpis, by=None, filters=Filters(), page=None,
           per_page=COMPLEXES_PER_PAGE) -> list[RollupRow]:
    """Each KPI's figures for the cohort as a whole (by=None) or per district, problem
    category or complex (a page of them, by name, when `page` is given). One query."""
    category = main_category()
    query = _with_kpi_sums(_base(cohort_id, filters, category), kpis, cohort_id)
    if by == "district":
        query = query.add_columns(Complex.district).group_by(Complex.district)
    elif by == "category":
        query = (query.outerjoin(Category, Category.id == category.c.category_id)
                 .add_columns(Category.id.label("category_id"), Category.name_ko, Category.name_en,
                              Category.position)
                 .group_by(Category.id, Category.name_ko, Category.name_en, Category.position)
                 .order_by(Category.position.is_(None), Category.position))
    elif by == "complex":
        query = (query.add_columns(Participation.id.label("participation_id"), Complex.name,
                                   Complex.district, Participation.stage)
                 .group_by(Participation.id, Complex.id, Complex.name, Complex.district,
                           Participation.stage)
                 .order_by(Complex.name, Complex.id))
        if page is not None:
            query = query.limit(per_page).offset((page - 1) * per_page)
    rows = [_rollup_row(row._mapping, kpis, by) for row in db.session.execute(query)]
    if by == "district":
        rows.sort(key=lambda row: list(District).index(row.key))
    return rows


def _rollup_row(row, kpis, by):
    figures = _figures(row, kpis)
    if by == "district":
        return RollupRow(row["district"], str(row["district"].label), row["complex_count"], figures,
                         district=row["district"])
    if by == "category":
        label = (in_reader_language(row["name_ko"], row["name_en"]) if row["category_id"]
                 else None)
        return RollupRow(row["category_id"], label, row["complex_count"], figures)
    if by == "complex":
        return RollupRow(row["participation_id"], row["name"], row["complex_count"], figures,
                         participation_id=row["participation_id"], district=row["district"],
                         stage=row["stage"])
    return RollupRow(None, "", row["complex_count"], figures)


def complex_count(cohort_id, filters=Filters()) -> int:
    category = main_category()
    return db.session.scalar(_base(cohort_id, filters, category)
                             .add_columns(func.count(Participation.id)))


@dataclass
class Board:
    """The cohort's KPIs with target, actual, rate and arrow."""

    kpis: list[KpiLine]
    totals: RollupRow

    @property
    def figures(self) -> list[Figure]:
        return [self.totals.figures[kpi.code] for kpi in self.kpis]


def cohort_board(cohort_id, filters=Filters()) -> Board:
    """The center's figures for a cohort: four queries.

    A KPI entered by hand for the whole cohort shows that entry; otherwise the sum of
    its complexes' entries (and always that sum when the board is filtered)."""
    kpis = active_kpis()
    totals = rollup(cohort_id, kpis, filters=filters)[0]
    goals = targets(cohort_id)
    entered = {} if filters.any else entries(cohort_id)
    for kpi in kpis:
        figure = totals.figures[kpi.code]
        if kpi.id in entered:
            figure = Figure(kpi, _decimal(entered[kpi.id]), Decimal(0))
        totals.figures[kpi.code] = figure.with_target(_decimal(goals.get(kpi.id)))
    return Board(kpis, totals)


def participation_board(participation) -> Board:
    """One complex's figures in its cohort, against the targets set for that complex."""
    kpis = active_kpis()
    totals = _single_participation(participation, kpis)
    goals = targets(participation.cohort_id, participation.complex_id)
    for kpi in kpis:
        totals.figures[kpi.code] = totals.figures[kpi.code].with_target(_decimal(goals.get(kpi.id)))
    return Board(kpis, totals)


def _single_participation(participation, kpis):
    category = main_category()
    query = (_with_kpi_sums(_base(participation.cohort_id, Filters(), category), kpis,
                            participation.cohort_id)
             .where(Participation.id == participation.id))
    row = db.session.execute(query).one()
    return RollupRow(participation.id, participation.complex.name, row.complex_count,
                     _figures(row._mapping, kpis), participation_id=participation.id)
