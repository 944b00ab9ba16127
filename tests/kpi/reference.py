"""The board's figures computed from the data at the moment of asking, the slow way: the
reference the refresh (gachi/kpi/refresh.py) is tested against. One query joining every
KPI's measure (a GROUP BY subquery each) to the cohort's participations; only tests use
it, as it would be slow at city scale."""

from sqlalchemy import func, select

from gachi.complexes.districts import District
from gachi.complexes.models import Complex, Participation
from gachi.core.i18n import in_reader_language
from gachi.extensions import db
from gachi.kpi.measures import in_cohort
from gachi.kpi.queries import (
    COMPLEXES_PER_PAGE,
    Board,
    Filters,
    RollupRow,
    _figures,
    _with_entries_and_targets,
    _with_kpi_sums,
    active_kpis,
)
from gachi.kpi.refresh import main_category
from gachi.proposals.models import Category


def _base(cohort_id, filters, category):
    query = (
        select()
        .select_from(Participation)
        .join(Complex, Complex.id == Participation.complex_id)
        .outerjoin(category, category.c.participation_id == Participation.id)
        .where(Participation.cohort_id == cohort_id)
    )
    if filters.district is not None:
        query = query.where(Complex.district == filters.district)
    if filters.stage is not None:
        query = query.where(Participation.stage == filters.stage)
    if filters.category_id is not None:
        query = query.where(category.c.category_id == filters.category_id)
    return query


def live_rollup(
    cohort_id, kpis, by=None, filters=Filters(), page=None, per_page=COMPLEXES_PER_PAGE
) -> list[RollupRow]:
    """`rollup()` computed from the data now rather than read from the figures computed
    ahead."""
    category = main_category()
    query = _with_kpi_sums(_base(cohort_id, filters, category), kpis, in_cohort(cohort_id))
    if by == "district":
        query = query.add_columns(Complex.district).group_by(Complex.district)
    elif by == "category":
        query = (
            query.outerjoin(Category, Category.id == category.c.category_id)
            .add_columns(
                Category.id.label("category_id"),
                Category.name_ko,
                Category.name_en,
                Category.position,
            )
            .group_by(Category.id, Category.name_ko, Category.name_en, Category.position)
            .order_by(Category.position.is_(None), Category.position)
        )
    elif by == "complex":
        query = (
            query.add_columns(
                Participation.id.label("participation_id"),
                Complex.name,
                Complex.district,
                Participation.stage,
            )
            .group_by(
                Participation.id, Complex.id, Complex.name, Complex.district, Participation.stage
            )
            .order_by(Complex.name, Complex.id)
        )
        if page is not None:
            query = query.limit(per_page).offset((page - 1) * per_page)
    rows = [_rollup_row(row._mapping, kpis, by) for row in db.session.execute(query)]
    if by == "district":
        rows.sort(key=lambda row: list(District).index(row.key))
    return rows


def _rollup_row(row, kpis, by):
    figures = _figures(row, kpis)
    if by == "district":
        return RollupRow(
            row["district"],
            str(row["district"].label),
            row["complex_count"],
            figures,
            district=row["district"],
        )
    if by == "category":
        label = in_reader_language(row["name_ko"], row["name_en"]) if row["category_id"] else None
        return RollupRow(row["category_id"], label, row["complex_count"], figures)
    if by == "complex":
        return RollupRow(
            row["participation_id"],
            row["name"],
            row["complex_count"],
            figures,
            participation_id=row["participation_id"],
            district=row["district"],
            stage=row["stage"],
        )
    return RollupRow(None, "", row["complex_count"], figures)


def complex_count_live(cohort_id, filters=Filters()) -> int:
    category = main_category()
    return db.session.scalar(
        _base(cohort_id, filters, category).add_columns(func.count(Participation.id))
    )


def live_cohort_board(cohort_id, filters=Filters()) -> Board:
    """cohort_board() computed from the data now."""
    kpis = active_kpis()
    totals = live_rollup(cohort_id, kpis, filters=filters)[0]
    return _with_entries_and_targets(Board(kpis, totals), cohort_id, filters)
