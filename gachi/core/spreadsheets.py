"""Every CSV and XLSX file the app sends, written by one writer.

A file is a list of rows; a row is a list of plain values: text, numbers (int, float,
Decimal), dates and moments, or None for an empty cell. Numbers are written as numbers.

A spreadsheet reads a cell beginning with = + - @, a tab or a carriage return as a
formula (OWASP "CSV injection"): a problem title "=HYPERLINK(…)" would become a live
link, "-2+3+cmd|' /C calc'!A0" a command. `spreadsheet_cell` puts an apostrophe before
such text, in the CSV and the XLSX alike, so every spreadsheet shows it as the text it
is, and a sheet saved again as CSV stays safe. The rule goes by what the value is, not
by how it looks: "-5" typed by a user into a title is text and is written '-5; the
number -5 the app computed is written -5 (a number cell in the XLSX).
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gachi.core.time import to_seoul

Rows = Iterable[Sequence[Any]]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_cell(value: object) -> object:
    """The value as a cell: numbers, dates and None as they are; anything else as text,
    with an apostrophe first when a spreadsheet would read it as a formula. A moment is
    written in Seoul's time, as the pages show it (a spreadsheet keeps no time zone)."""
    if isinstance(value, datetime):
        return to_seoul(value).replace(tzinfo=None)
    if value is None or isinstance(value, (int, float, Decimal, date)):
        return value
    text = str(value)  # lazy translations and enum labels too
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(rows: Rows) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Korean correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_chunks(rows: Rows, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The same bytes as `csv_bytes`, a few hundred rows at a time, for a streamed
    response: a city's file starts at once and is never held whole."""
    yield "\ufeff".encode()
    out = io.StringIO()
    writer = csv.writer(out)
    for number, row in enumerate(rows, 1):
        writer.writerow([spreadsheet_cell(value) for value in row])
        if number % rows_per_chunk == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def _xlsx_value(value: object) -> object:
    value = spreadsheet_cell(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # XML holds no other control characters
    return value


def xlsx_bytes(rows: Rows, sheet_title: str) -> bytes:
    """Written row by row in openpyxl's write-only mode: no cell objects kept for the
    whole sheet, so a city's export costs little more than its values."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _download(body: bytes | Iterator[bytes], mimetype: str, filename: str) -> Response:
    # Exports may name residents; a shared computer's browser cache must not keep them.
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def csv_response(rows: Rows, filename: str) -> Response:
    return _download(csv_bytes(rows), CSV_MIMETYPE, filename)


def csv_stream_response(rows: Rows, filename: str) -> Response:
    """A CSV file sent as it is written (`csv_chunks`). The rows are read before: the
    database is not held while a slow client downloads."""
    return _download(csv_chunks(rows), CSV_MIMETYPE, filename)


def xlsx_response(rows: Rows, filename: str, sheet_title: str) -> Response:
    return _download(xlsx_bytes(rows, sheet_title), XLSX_MIMETYPE, filename)
