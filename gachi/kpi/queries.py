"""The reads behind the board, a complex's results, the API and the exports.

The board, its exports and the API read the figures computed ahead by the refresh
(gachi/kpi/refresh.py): `rollup()` is one small indexed query per table whatever the
number of complexes, as of the cohort's last refresh (`cohort_board().as_of`). These
reads never write and never refresh: stale figures are shown as stale, with their time.
A complex's own results are computed as they stand (`participation_board()`: every
measure narrowed to the one complex). Both count by the same measures, so a figure is
the same number wherever it appears once the refresh has run (tests/kpi/reference.py
computes every roll-up from the data, to check the refresh against).
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, case, cast, func, literal, literal_column, select

from gachi.complexes.districts import District
from gachi.complexes.models import Complex, Participation
from gachi.complexes.stages import Stage
from gachi.core.i18n import in_reader_language
from gachi.core.numbers import one_decimal, percent
from gachi.extensions import db
from gachi.kpi.achievement import achievement_rate, arrow
from gachi.kpi.measures import AVERAGE, COUNT, HOURS, MEASURES, RATIO, among
from gachi.kpi.models import (
    COHORT as COHORT_SCOPE,
)
from gachi.kpi.models import (
    COMPLEX as COMPLEX_SCOPE,
)
from gachi.kpi.models import (
    BilingualKpiText,
    Direction,
    Kpi,
    KpiEntry,
    KpiFigure,
    KpiRefresh,
    KpiRollup,
    KpiTarget,
    Method,
    exact_number,
)
from gachi.proposals.models import Category

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
    return (
        Decimal(value) if isinstance(value, int) else Decimal(str(value)).quantize(Decimal("0.01"))
    )


def actual_of(kind, numerator, denominator) -> Decimal | None:
    """A measure's actual: a count as it is; a ratio in percent, an average and hours
    (from minutes) with one decimal, rounded half up (gachi/core/numbers.py, the rule
    turnout follows on every page too); None where nothing divides."""
    if kind == RATIO:
        return percent(numerator, denominator)
    if kind == AVERAGE:
        return one_decimal(Decimal(numerator) / Decimal(denominator)) if denominator else None
    if kind == HOURS and numerator is not None:
        return one_decimal(Decimal(numerator) / 60)
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
    label: str | None  # None: problems without a category
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
    # A district account's board: only the complexes of these districts (None: all).
    within: frozenset[District] | None = None

    @property
    def any(self):
        return any(
            value is not None
            for value in (self.district, self.category_id, self.stage, self.within)
        )


def active_kpis() -> list[KpiLine]:
    """The KPIs the board shows, in their order. One query."""
    rows = db.session.scalars(
        select(Kpi).where(Kpi.active.is_(True)).order_by(Kpi.position, Kpi.id)
    ).all()
    return [
        KpiLine(
            kpi.id,
            kpi.code,
            kpi.name_ko,
            kpi.name_en,
            kpi.unit_ko,
            kpi.unit_en,
            kpi.definition_ko,
            kpi.definition_en,
            kpi.direction,
            kpi.method,
            kpi.measure,
        )
        for kpi in rows
        if kpi.method is Method.MANUAL or kpi.measure in MEASURES
    ]


def targets(cohort_id, complex_id=None) -> dict[int, Decimal]:
    """{kpi_id: target} for the cohort as a whole, or for one complex in it."""
    where = (
        KpiTarget.complex_id.is_(None) if complex_id is None else KpiTarget.complex_id == complex_id
    )
    return dict(
        db.session.execute(
            select(KpiTarget.kpi_id, KpiTarget.value).where(KpiTarget.cohort_id == cohort_id, where)
        )
        .tuples()
        .all()
    )


def entries(cohort_id, complex_id=None) -> dict[int, Decimal]:
    """{kpi_id: actual} entered by hand for the cohort as a whole, or for one complex."""
    where = (
        KpiEntry.complex_id.is_(None) if complex_id is None else KpiEntry.complex_id == complex_id
    )
    return dict(
        db.session.execute(
            select(KpiEntry.kpi_id, KpiEntry.value).where(KpiEntry.cohort_id == cohort_id, where)
        )
        .tuples()
        .all()
    )


def _entries_by_participation(kpi_id, scope):
    return (
        select(
            Participation.id.label("participation_id"),
            KpiEntry.value.label("num"),
            literal(0).label("den"),
        )
        .join(
            KpiEntry,
            (KpiEntry.complex_id == Participation.complex_id)
            & (KpiEntry.cohort_id == Participation.cohort_id),
        )
        .where(Participation.id.in_(scope), KpiEntry.kpi_id == kpi_id)
        .subquery()
    )


def _kpi_subquery(kpi, scope):
    if kpi.method is Method.MANUAL:
        return _entries_by_participation(kpi.id, scope)
    return MEASURES[kpi.measure].build(scope)


def _with_kpi_sums(query, kpis, scope):
    columns = []
    for index, kpi in enumerate(kpis):
        figures = _kpi_subquery(kpi, scope)
        query = query.outerjoin(figures, figures.c.participation_id == Participation.id)
        numerator = func.sum(figures.c.num)
        if kpi.method is Method.COMPUTED:
            numerator = func.coalesce(numerator, 0)  # nothing counted is a count of 0
        columns += [
            numerator.label(f"num_{index}"),
            func.coalesce(func.sum(figures.c.den), 0).label(f"den_{index}"),
        ]
    return query.add_columns(func.count(Participation.id).label("complex_count"), *columns)


def _figures(row, kpis):
    return {
        kpi.code: Figure(kpi, _decimal(row[f"num_{index}"]), _decimal(row[f"den_{index}"]))
        for index, kpi in enumerate(kpis)
    }


# Reading the figures computed ahead (gachi/kpi/refresh.py) ---------------------------------


def _stored_figures(kpis, values) -> dict:
    """{code: Figure} from {kpi_id: (numerator, denominator)}: a computed KPI with nothing
    stored counted nothing (0); one entered by hand has no actual."""
    figures = {}
    for kpi in kpis:
        numerator, denominator = values.get(kpi.id, (None, None))
        if numerator is None and kpi.method is Method.COMPUTED:
            numerator = 0
        figures[kpi.code] = Figure(
            kpi, exact_number(numerator), exact_number(denominator) or Decimal(0)
        )
    return figures


def _complex_lines(cohort_id, filters, *columns):
    """The cohort's complexes as computed, narrowed by the filters (the stage is the
    participation's own, as it stands)."""
    query = (
        select(*columns)
        .select_from(KpiRollup)
        .join(Participation, Participation.id == KpiRollup.participation_id)
        .where(KpiRollup.cohort_id == cohort_id, KpiRollup.scope == COMPLEX_SCOPE)
    )
    if filters.district is not None:
        query = query.where(KpiRollup.district == filters.district)
    if filters.within is not None:
        query = query.where(KpiRollup.district.in_([d for d in District if d in filters.within]))
    if filters.category_id is not None:
        query = query.where(KpiRollup.category_id == filters.category_id)
    if filters.stage is not None:
        query = query.where(Participation.stage == filters.stage)
    return query


def _stored_lines(cohort_id, by):
    """[(key, complex_count, {kpi_id: (num, den)}, category names)] of a roll-up as
    stored: one query."""
    scope = by or COHORT_SCOPE
    lines = {}
    for (
        key,
        district,
        category_id,
        count,
        name_ko,
        name_en,
        position,
        kpi_id,
        numerator,
        denominator,
    ) in db.session.execute(
        select(
            KpiRollup.key,
            KpiRollup.district,
            KpiRollup.category_id,
            KpiRollup.complex_count,
            Category.name_ko,
            Category.name_en,
            Category.position,
            KpiFigure.kpi_id,
            KpiFigure.numerator,
            KpiFigure.denominator,
        )
        .outerjoin(Category, Category.id == KpiRollup.category_id)
        .outerjoin(KpiFigure, KpiFigure.rollup_id == KpiRollup.id)
        .where(KpiRollup.cohort_id == cohort_id, KpiRollup.scope == scope)
    ):
        line = lines.setdefault(
            key,
            {
                "district": district,
                "category_id": category_id,
                "complex_count": count,
                "names": (name_ko, name_en),
                "position": position,
                "values": {},
            },
        )
        if kpi_id is not None:
            line["values"][kpi_id] = (numerator, denominator)
    return list(lines.values())


def _summed_lines(cohort_id, by, filters):
    """The same lines added up from the filtered complexes: two queries."""
    group = {None: [], "district": [KpiRollup.district], "category": [KpiRollup.category_id]}[by]
    counts = db.session.execute(
        _complex_lines(cohort_id, filters, *group, func.count(KpiRollup.id)).group_by(*group)
    ).all()
    sums = db.session.execute(
        _complex_lines(
            cohort_id,
            filters,
            *group,
            KpiFigure.kpi_id,
            func.sum(KpiFigure.numerator),
            func.sum(KpiFigure.denominator),
        )
        .join(KpiFigure, KpiFigure.rollup_id == KpiRollup.id)
        .group_by(*group, KpiFigure.kpi_id)
    ).all()
    names = {}
    if by == "category":
        names = {
            id_: (name_ko, name_en, position)
            for id_, name_ko, name_en, position in db.session.execute(
                select(Category.id, Category.name_ko, Category.name_en, Category.position).where(
                    Category.id.in_([row[0] for row in counts if row[0] is not None])
                )
            )
        }
    lines = {}
    for *key, count in counts:
        key = key[0] if key else None
        name_ko, name_en, position = names.get(key, (None, None, None))
        lines[key] = {
            "district": key if by == "district" else None,
            "category_id": key if by == "category" else None,
            "complex_count": count,
            "names": (name_ko, name_en),
            "position": position,
            "values": {},
        }
    for *key, kpi_id, numerator, denominator in sums:
        lines[key[0] if key else None]["values"][kpi_id] = (numerator, denominator)
    return list(lines.values())


def rollup(
    cohort_id, kpis, by=None, filters=Filters(), page=None, per_page=COMPLEXES_PER_PAGE
) -> list[RollupRow]:
    """Each KPI's figures for the cohort as a whole (by=None) or per district, problem
    category or complex (a page of them, by name, when `page` is given), as computed
    by the last refresh. One query (two when filtered)."""
    if by == "complex":
        return _complex_rows(cohort_id, kpis, filters, page, per_page)
    lines = _summed_lines(cohort_id, by, filters) if filters.any else _stored_lines(cohort_id, by)
    if by is None:
        line: dict[str, Any] = lines[0] if lines else {"complex_count": 0, "values": {}}
        return [RollupRow(None, "", line["complex_count"], _stored_figures(kpis, line["values"]))]
    rows = []
    if by == "district":
        lines.sort(key=lambda line: list(District).index(line["district"]))
        for line in lines:
            rows.append(
                RollupRow(
                    line["district"],
                    str(line["district"].label),
                    line["complex_count"],
                    _stored_figures(kpis, line["values"]),
                    district=line["district"],
                )
            )
        return rows
    lines.sort(key=lambda line: (line["position"] is None, line["position"] or 0))
    for line in lines:
        label = in_reader_language(*line["names"]) if line["category_id"] else None
        rows.append(
            RollupRow(
                line["category_id"],
                label,
                line["complex_count"],
                _stored_figures(kpis, line["values"]),
            )
        )
    return rows


def _complex_rows(cohort_id, kpis, filters, page, per_page):
    """A page of complexes, by name, with the figures of `kpis` (only those read): one
    query."""
    lines = (
        _complex_lines(
            cohort_id,
            filters,
            KpiRollup.id.label("rollup_id"),
            KpiRollup.participation_id,
            Complex.id.label("complex_id"),
            Complex.name,
            KpiRollup.district,
            Participation.stage,
        )
        .join(Complex, Complex.id == Participation.complex_id)
        .order_by(Complex.name, Complex.id)
    )
    if page is not None:
        lines = lines.limit(per_page).offset((page - 1) * per_page)
    lines = lines.subquery()
    rows = {}
    for (
        rollup_id,
        participation_id,
        _complex_id,
        name,
        district,
        stage,
        kpi_id,
        numerator,
        denominator,
    ) in db.session.connection().execute(  # Core rows: no ORM row machinery per figure
        select(lines, KpiFigure.kpi_id, KpiFigure.numerator, KpiFigure.denominator)
        .outerjoin(
            KpiFigure,
            (KpiFigure.rollup_id == lines.c.rollup_id)
            & KpiFigure.kpi_id.in_([kpi.id for kpi in kpis]),
        )
        .order_by(lines.c.name, lines.c.complex_id)
    ):
        row = rows.setdefault(
            rollup_id,
            (
                RollupRow(
                    participation_id,
                    name,
                    1,
                    participation_id=participation_id,
                    district=district,
                    stage=stage,
                ),
                {},
            ),
        )
        if kpi_id is not None:
            row[1][kpi_id] = (numerator, denominator)
    result = []
    for row, values in rows.values():
        row.figures = _stored_figures(kpis, values)
        result.append(row)
    return result


def complex_count(cohort_id, filters=Filters()) -> int:
    """How many complexes the last refresh counted (narrowed by the filters)."""
    return db.session.scalar(_complex_lines(cohort_id, filters, func.count(KpiRollup.id)))


@dataclass
class Board:
    """The cohort's KPIs with target, actual, rate and arrow."""

    kpis: list[KpiLine]
    totals: RollupRow
    as_of: datetime | None = None  # when the figures were computed (None: live)
    activity: list = field(default_factory=list)  # [[week, acts], ...] for the chart

    @property
    def figures(self) -> list[Figure]:
        return [self.totals.figures[kpi.code] for kpi in self.kpis]


def figures_state(cohort_id) -> KpiRefresh | None:
    """When the cohort's figures were last computed (None: never yet). Only reads."""
    return db.session.get(KpiRefresh, cohort_id)


def _with_entries_and_targets(board, cohort_id, filters):
    """A KPI entered by hand for the whole cohort shows that entry; otherwise the sum of
    its complexes' entries (and always that sum when the board is filtered)."""
    goals = targets(cohort_id)
    entered = {} if filters.any else entries(cohort_id)
    for kpi in board.kpis:
        figure = board.totals.figures[kpi.code]
        if kpi.id in entered:
            figure = Figure(kpi, _decimal(entered[kpi.id]), Decimal(0))
        board.totals.figures[kpi.code] = figure.with_target(_decimal(goals.get(kpi.id)))
    return board


def cohort_board(cohort_id, filters=Filters()) -> Board:
    """The center's figures for a cohort, as of the last refresh: five small queries."""
    state = figures_state(cohort_id)
    kpis = active_kpis()
    totals = rollup(cohort_id, kpis, filters=filters)[0]
    board = Board(
        kpis,
        totals,
        as_of=state.computed_at if state else None,
        activity=json.loads(state.activity) if state and state.activity else [],
    )
    return _with_entries_and_targets(board, cohort_id, filters)


def held_to_shares_only(board) -> Board:
    """A part of the cohort (a district's complexes) is held to the cohort's targets for
    shares and averages, which do not depend on its size; a count's target is the whole
    cohort's, so a part has none."""
    for kpi in board.kpis:
        if kpi.kind not in (RATIO, AVERAGE):
            board.totals.figures[kpi.code] = board.totals.figures[kpi.code].with_target(None)
    return board


def participation_board(participation) -> Board:
    """One complex's figures in its cohort, against the targets set for that complex,
    computed from the data now: every measure narrowed to the one participation."""
    kpis = active_kpis()
    totals = _single_participation(participation, kpis)
    goals = targets(participation.cohort_id, participation.complex_id)
    for kpi in kpis:
        totals.figures[kpi.code] = totals.figures[kpi.code].with_target(_decimal(goals.get(kpi.id)))
    return Board(kpis, totals)


def _single_participation(participation, kpis):
    query = _with_kpi_sums(
        select().select_from(Participation), kpis, among([participation.id])
    ).where(Participation.id == participation.id)
    row = db.session.execute(query).one()
    return RollupRow(
        participation.id,
        participation.complex.name,
        row.complex_count,
        _figures(row._mapping, kpis),
        participation_id=participation.id,
    )


# The complexes export, computed in SQL ---------------------------------------------------


def _cents(value):
    """A stored number (NUMERIC to the cent) as a whole number of cents."""
    return cast(func.round(value * 100), BigInteger)


def _exact_sql(value):
    """`exact_number` in SQL: a whole number as an integer, otherwise to the cent."""
    cents = _cents(value)
    return case(
        (value.is_(None), None),
        (cents % 100 == 0, cents // 100),
        else_=func.round(cents / literal_column("100.0"), 2),
    )


def _tenths_sql(numerator, denominator):
    """numerator / denominator with one decimal, rounded half up, as gachi/core/numbers.py
    rounds it, in integer arithmetic (no binary float decides a half): tenths =
    floor((20 n + d) / (2 d)), both in cents; None over nothing."""
    n, d = _cents(numerator), _cents(denominator)
    return case(
        (numerator.is_(None) | (func.coalesce(denominator, 0) == 0), None),
        else_=func.round(((20 * n + d) // (2 * d)) / literal_column("10.0"), 1),
    )


def _actual_sql(kpi, numerator, denominator):
    """`actual_of` in SQL, for one KPI's stored numerator and denominator."""
    if kpi.method is Method.COMPUTED:
        numerator = func.coalesce(numerator, 0)  # nothing stored counted nothing
    if kpi.kind == RATIO:
        return _tenths_sql(numerator * 100, denominator)
    if kpi.kind == AVERAGE:
        return _tenths_sql(numerator, denominator)
    if kpi.kind == HOURS:
        return _tenths_sql(numerator, literal_column("60"))
    return _exact_sql(numerator)


def complex_figure_rows(cohort_id, kpis, filters=Filters(), amounts_of=None):
    """Every complex of the cohort, by name, as (name, district, stage, the actual of each
    of `kpis`, then the denominator and numerator of the KPI `amounts_of` if given),
    every number computed by the database from the stored figures: one query, and no
    Figure or Decimal made per cell. The same numbers as `rollup(..., "complex")`."""
    lines = (
        _complex_lines(
            cohort_id,
            filters,
            KpiRollup.id.label("rollup_id"),
            Complex.id.label("complex_id"),
            Complex.name.label("name"),
            KpiRollup.district.label("district"),
            Participation.stage.label("stage"),
        )
        .join(Complex, Complex.id == Participation.complex_id)
        .subquery()
    )
    read = sorted({kpi.id for kpi in kpis} | ({amounts_of.id} if amounts_of else set()))
    pivot = []
    for kpi_id in read:
        for part in ("numerator", "denominator"):
            value = getattr(KpiFigure, part)
            pivot.append(
                func.max(case((KpiFigure.kpi_id == kpi_id, value))).label(f"{part}_{kpi_id}")
            )
    # One pass over the cohort's complex figures in primary-key order (rollup, KPI): the
    # grouping needs no sort; then one line per complex, by name.
    by_rollup = (
        select(KpiFigure.rollup_id, *pivot)
        .where(
            KpiFigure.kpi_id.in_(read),
            KpiFigure.rollup_id.in_(select(lines.c.rollup_id).scalar_subquery()),
        )
        .group_by(KpiFigure.rollup_id)
        .subquery()
    )
    figures = (
        select(lines, *[column for column in by_rollup.c if column.name != "rollup_id"])
        .outerjoin(by_rollup, by_rollup.c.rollup_id == lines.c.rollup_id)
        .subquery()
    )
    columns = [
        _actual_sql(kpi, figures.c[f"numerator_{kpi.id}"], figures.c[f"denominator_{kpi.id}"])
        for kpi in kpis
    ]
    if amounts_of is not None:
        numerator = figures.c[f"numerator_{amounts_of.id}"]
        denominator = figures.c[f"denominator_{amounts_of.id}"]
        if amounts_of.method is Method.COMPUTED:
            numerator = func.coalesce(numerator, 0)
        columns += [_exact_sql(func.coalesce(denominator, 0)), _exact_sql(numerator)]
    query = select(figures.c.name, figures.c.district, figures.c.stage, *columns).order_by(
        figures.c.name, figures.c.complex_id
    )
    return db.session.connection().execute(query).all()
