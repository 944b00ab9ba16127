"""The complexes file is computed by the database, the board's table in Python: a staff
member who downloads it finds the board's numbers, rounded the same way, halves and
cents included, and the file arrives as it is written."""

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from gachi.extensions import db
from gachi.kpi import queries, tables
from gachi.kpi.models import COMPLEX, Kpi, KpiFigure, KpiRollup
from gachi.kpi.refresh import refresh_all
from tests.conftest import sign_in
from tests.kpi.helpers import known_cohort

# Stored figures no data of the known cohort gives: each one tests a rounding rule.
AWKWARD = {
    "turnout": (Decimal(1), Decimal(16)),  # 6.25 %: half up to 6.3, not a float's 6.2
    "attendance_rate": (Decimal(2), Decimal(3)),  # 66.666… %: 66.7
    "execution_rate": (Decimal("500.25"), Decimal("2000.50")),  # 25.006 %: 25.0, and cents
    "bookings": (None, Decimal(0)),  # nothing stored: a count of 0
}


def _store(participation_id, code, numerator, denominator):
    rollup_id = db.session.scalar(
        select(KpiRollup.id).where(
            KpiRollup.scope == COMPLEX, KpiRollup.participation_id == participation_id
        )
    )
    kpi_id = db.session.scalar(select(Kpi.id).where(Kpi.code == code))
    figure = db.session.get(KpiFigure, (rollup_id, kpi_id))
    if figure is None:
        figure = KpiFigure(rollup_id=rollup_id, kpi_id=kpi_id)
        db.session.add(figure)
    figure.numerator, figure.denominator = numerator, denominator


def _number(value):
    if value in (None, ""):
        return None
    return Decimal(str(value))


def test_the_complexes_file_has_the_boards_numbers_rounded_the_same_way(client, make):
    scene = known_cohort(make)
    refresh_all()
    for code, (numerator, denominator) in AWKWARD.items():
        _store(scene.mapo.id, code, numerator, denominator)
    db.session.commit()
    sign_in(client, scene.staff)
    base = f"/staff/cohorts/{scene.cohort.id}/board/complexes"

    # The board's own table, made in Python from Figures, as the page shows it.
    kpis = queries.active_kpis()
    board = tables.complex_table(
        kpis, queries.rollup(scene.cohort.id, tables.rollup_kpis(kpis), "complex")
    )
    expected = [[row[0], *[_number(value) for value in row[3:]]] for row in board.rows]

    response = client.get(base + ".csv")
    assert response.is_streamed
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header == board.headers(korean=True)
    assert [[row[0], *[_number(value) for value in row[3:]]] for row in rows] == expected

    mapo = dict(zip(header, next(row for row in rows if row[0] == "마포 단지"), strict=True))
    assert mapo["투표율(%)"] == "6.3"
    assert _number(mapo["예산액(원)"]) == Decimal("2000.50")  # SQLite writes 2000.5
    assert _number(mapo["집행액(원)"]) == Decimal("500.25")

    sheet = load_workbook(io.BytesIO(client.get(base + ".xlsx").data)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [[row[0], *[_number(value) for value in row[3:]]] for row in cells] == expected
