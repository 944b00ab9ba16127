"""The board's tables, built once for the page and the exports alike.

A table is a title, headers and rows of plain values (text, whole numbers, Decimals,
None for "no data"): the page formats them, the CSV and XLSX files write them as they
are, so both hold the same numbers. Exports are built with Korean labels.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from gachi.bizmodels.queries import model_rows
from gachi.districts.queries import offices_by_district
from gachi.kpi import queries
from gachi.kpi.models import exact_number

# The KPIs a roll-up shows as columns, when they are active.
ROLLUP_CODES = (
    "residents",
    "households",
    "problems",
    "ballots_cast",
    "turnout",
    "matches",
    "sessions_held",
    "bookings",
    "attendance_rate",
    "execution_rate",
)


@dataclass(frozen=True)
class Column:
    korean: str
    label: object  # shown on the page, in the reader's language
    numeric: bool = True


@dataclass
class Table:
    name: str
    title: object
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    links: list = field(default_factory=list)  # per row: a URL for the first cell, or None

    def headers(self, korean=False):
        return [column.korean if korean else str(column.label) for column in self.columns]


class TargetLine(NamedTuple):
    """One KPI's line of the 목표/실적/달성률 table."""

    indicator: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    rate: int | None
    arrow: str | None


def target_table(lines) -> Table:
    """목표/실적/달성률: TargetLines as a table."""
    return Table(
        "kpis",
        _l("Targets and results"),
        [
            Column("지표", _l("Indicator"), numeric=False),
            Column("단위", _l("Unit"), numeric=False),
            Column("목표", _l("Target")),
            Column("실적", _l("Actual")),
            Column("달성률(%)", _l("Achievement (%)")),
            Column("추이", _l("Trend"), numeric=False),
        ],
        [list(line) for line in lines],
    )


def board_lines(board, korean=False) -> list[TargetLine]:
    return [
        TargetLine(
            figure.kpi.name_ko if korean else figure.kpi.name,
            figure.kpi.unit_ko if korean else figure.kpi.unit,
            figure.target,
            figure.actual,
            figure.rate,
            figure.arrow,
        )
        for figure in board.figures
    ]


def kpi_table(board, korean=False) -> Table:
    return target_table(board_lines(board, korean))


def rollup_kpis(kpis):
    return [kpi for kpi in kpis if kpi.code in ROLLUP_CODES]


def _rollup_columns(first, kpis, korean):
    columns = [*first, Column("단지 수", _l("Complexes"))]
    for kpi in rollup_kpis(kpis):
        unit = kpi.unit_ko if korean else kpi.unit
        columns.append(Column(f"{kpi.name_ko}({kpi.unit_ko})", f"{kpi.name} ({unit})"))
    if any(kpi.code == "execution_rate" for kpi in kpis):
        columns += [
            Column("예산액(원)", _l("Budget (won)")),
            Column("집행액(원)", _l("Spent (won)")),
        ]
    return columns


def _rollup_values(row, kpis):
    values = [row.complex_count]
    values += [row.figures[kpi.code].actual for kpi in rollup_kpis(kpis)]
    budget = row.figures.get("execution_rate")
    if budget is not None:
        values += [budget.denominator, budget.numerator]
    return values


def district_table(kpis, rows, korean=False) -> Table:
    table = Table(
        "districts",
        _l("By district"),
        _rollup_columns([Column("자치구", _l("District"), numeric=False)], kpis, korean),
    )
    for row in rows:
        table.rows.append([row.label, *_rollup_values(row, kpis)])
    return table


# The KPIs the comparison of districts shows: shares and averages, which a district's
# complexes can be held to against the cohort's target whatever the district's size.
HEADLINE_CODES = ("household_share", "turnout", "attendance_rate", "satisfaction", "execution_rate")


def headline_kpis(kpis):
    return [kpi for kpi in kpis if kpi.code in HEADLINE_CODES]


def comparison_table(board, rows, offices, korean=False) -> Table:
    """The districts side by side: per district its support organisation(s), complexes
    and the headline KPIs, each with its arrow against the cohort's target; the total
    of the rows last. `rows` is the district roll-up, `offices` {district: [names]}."""
    kpis = headline_kpis(board.kpis)
    columns = [
        Column("자치구", _l("District"), numeric=False),
        Column("지원조직", _l("Support organisation"), numeric=False),
        Column("단지 수", _l("Complexes")),
    ]
    for kpi in kpis:
        unit = kpi.unit_ko if korean else kpi.unit
        columns += [
            Column(f"{kpi.name_ko}({kpi.unit_ko})", f"{kpi.name} ({unit})"),
            Column(f"{kpi.name_ko} 추이", _l("Trend"), numeric=False),
        ]
    table = Table("comparison", _l("Districts compared"), columns)
    targets = {kpi.code: board.totals.figures[kpi.code].target for kpi in kpis}

    def figures(row):
        values = []
        for kpi in kpis:
            figure = row.figures[kpi.code].with_target(targets[kpi.code])
            values += [figure.actual, figure.arrow]
        return values

    for row in rows:
        names = ", ".join(offices.get(row.district, ())) or None
        table.rows.append([row.label, names, row.complex_count, *figures(row)])
    total = "합계" if korean else str(_l("Total"))
    table.rows.append([total, None, board.totals.complex_count, *figures(board.totals)])
    return table


def category_table(kpis, rows, korean=False) -> Table:
    table = Table(
        "categories",
        _l("By problem category"),
        _rollup_columns([Column("문제 분야", _l("Problem category"), numeric=False)], kpis, korean),
    )
    for row in rows:
        label = row.label or ("선정된 문제 없음" if korean else str(_l("No problem chosen yet")))
        table.rows.append([label, *_rollup_values(row, kpis)])
    return table


def complex_table(kpis, rows, korean=False, link=None) -> Table:
    first = [
        Column("단지", _l("Complex"), numeric=False),
        Column("자치구", _l("District"), numeric=False),
        Column("단계", _l("Stage"), numeric=False),
    ]
    table = Table("complexes", _l("By complex"), _rollup_columns(first, kpis, korean))
    labels: dict = {}  # a district's or stage's label, translated once per table

    def label(value):
        if value not in labels:
            labels[value] = str(value.label)
        return labels[value]

    for row in rows:
        table.rows.append(
            [row.label, label(row.district), label(row.stage), *_rollup_values(row, kpis)[1:]]
        )
        table.links.append(link(row) if link else None)
    del table.columns[3]  # one complex per row: no complex count
    return table


def model_table(models, korean=False) -> Table:
    table = Table(
        "models",
        _l("Business models and their adoptions"),
        [
            Column("사업모델", _l("Business model"), numeric=False),
            Column("문제 분야", _l("Problem category"), numeric=False),
            Column("처음 운영한 단지", _l("First run in"), numeric=False),
            Column("도입한 단지 수", _l("Complexes that adopted it")),
            Column("확정된 프로그램 수", _l("Programmes confirmed")),
            Column("원 단지 운영 회차", _l("Sessions held where it ran")),
            Column("도입 단지 운영 회차", _l("Sessions held in adopting complexes")),
            Column("원 단지 출석률(%)", _l("Attendance where it ran (%)")),
            Column("도입 단지 출석률(%)", _l("Attendance in adopting complexes (%)")),
            Column("원 단지 만족도", _l("Satisfaction where it ran")),
            Column("도입 단지 만족도", _l("Satisfaction in adopting complexes")),
        ],
    )
    for model in models:
        category = model.category_ko if korean else model.category
        table.rows.append(
            [
                model.title,
                category,
                model.origin_name,
                model.adoptions,
                model.confirmed,
                exact_number(model.source_sessions),
                model.adopted_sessions,
                exact_number(model.source_attendance_rate),
                model.adopted_attendance_rate,
                exact_number(model.source_satisfaction),
                model.adopted_satisfaction,
            ]
        )
    return table


BOARD_TABLES = ("kpis", "districts", "comparison", "categories", "complexes", "models")
# What a district account's board exports: its own figures (no comparison of districts,
# no catalogue of models, which are the center's).
DISTRICT_BOARD_TABLES = ("kpis", "districts", "categories", "complexes")


def board_table(cohort_id, name, filters, korean=False) -> Table:
    """One table of the board for an export, all complexes rather than one page: only
    what that table needs is read (an export of the models reads no figures)."""
    if name == "models":
        return model_table(model_rows(cohort_id), korean)
    if name == "kpis":
        board = queries.cohort_board(cohort_id, filters)
        if filters.within is not None:  # a district's board: held to shares only
            board = queries.held_to_shares_only(board)
        return kpi_table(board, korean)
    kpis = queries.active_kpis()
    if name == "districts":
        return district_table(kpis, queries.rollup(cohort_id, kpis, "district", filters), korean)
    if name == "comparison":
        board = queries.cohort_board(cohort_id, filters)
        rows = queries.rollup(cohort_id, board.kpis, "district", filters)
        return comparison_table(board, rows, offices_by_district(), korean)
    if name == "categories":
        return category_table(kpis, queries.rollup(cohort_id, kpis, "category", filters), korean)
    if name == "complexes":  # a row per complex: only the figures its columns show
        return complex_file_table(cohort_id, kpis, filters, korean)
    raise KeyError(name)


def complex_file_table(cohort_id, kpis, filters, korean=False) -> Table:
    """The table by complex for a file: every complex of the city, the same columns and
    numbers as `complex_table` (tests/kpi check), but each figure computed by the
    database (`queries.complex_figure_rows`), not made a Figure in Python."""
    shown = rollup_kpis(kpis)
    amounts = next((kpi for kpi in kpis if kpi.code == "execution_rate"), None)
    first = [
        Column("단지", _l("Complex"), numeric=False),
        Column("자치구", _l("District"), numeric=False),
        Column("단계", _l("Stage"), numeric=False),
    ]
    columns = _rollup_columns(first, kpis, korean)
    del columns[3]  # one complex per row: no complex count
    labels: dict = {}

    def label(value):
        if value not in labels:
            labels[value] = str(value.label)
        return labels[value]

    rows = [
        [name, label(district), label(stage), *figures]
        for name, district, stage, *figures in queries.complex_figure_rows(
            cohort_id, shown, filters, amounts_of=amounts
        )
    ]
    return Table("complexes", _l("By complex"), columns, rows)
