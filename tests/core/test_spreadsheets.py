"""The one writer of CSV and XLSX files: formula-like text kept as text, numbers as numbers."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import load_workbook

from gachi.core.spreadsheets import csv_bytes, spreadsheet_cell, xlsx_bytes

FORMULAS = (
    '=HYPERLINK("http://evil.example")',
    "+cmd",
    "@SUM(1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


def _csv(rows):
    return list(csv.reader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"))))


def _sheet(rows):
    return load_workbook(io.BytesIO(xlsx_bytes(rows, "sheet"))).active


def test_text_a_spreadsheet_would_run_is_written_after_an_apostrophe_in_both_files():
    assert _csv([FORMULAS]) == [["'" + text for text in FORMULAS]]
    cells = next(_sheet([FORMULAS]).iter_rows())
    # (XML reads a carriage return back as a line feed.)
    assert [(cell.data_type, cell.value) for cell in cells] == [
        ("s", "'" + text.replace("\r", "\n")) for text in FORMULAS
    ]


def test_numbers_the_app_wrote_stay_numbers_and_text_that_looks_like_one_stays_text():
    row = [-5, Decimal("-2.50"), -0.5, "-5", "5", None]

    assert _csv([row]) == [["-5", "-2.50", "-0.5", "'-5", "5", ""]]
    cells = next(_sheet([row]).iter_rows())
    assert [(cell.data_type, cell.value) for cell in cells[:5]] == [
        ("n", -5),
        ("n", -2.5),
        ("n", -0.5),
        ("s", "'-5"),
        ("s", "5"),
    ]


def test_a_moment_is_written_in_seoul_time_and_control_characters_leave_the_xlsx():
    moment = datetime(2026, 5, 1, 0, 30, tzinfo=UTC)

    assert spreadsheet_cell(moment) == datetime(2026, 5, 1, 9, 30)
    assert _sheet([[moment, "a\x00b\x1bc"]])["A1"].value == datetime(2026, 5, 1, 9, 30)
    assert _sheet([["a\x00b\x1bc"]])["A1"].value == "abc"
