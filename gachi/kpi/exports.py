"""CSV and XLSX files of the board's tables: Korean headers, numbers as numbers, and
text from users never read as a formula."""
import csv
import io
from decimal import Decimal

from openpyxl import Workbook

# A spreadsheet reads a cell beginning with these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # shown as text by every spreadsheet
    return value


def csv_bytes(table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Korean correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers(korean=True))
    writer.writerows([_csv_cell(value) for value in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def xlsx_bytes(table, sheet_title) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(table.headers(korean=True))
    for row in table.rows:
        sheet.append([_xlsx_value(value) for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"  # user text beginning with "=": keep it text
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
