"""Lists of households in bulk: a 동 × 층 × 호 range, or the management office's file.

Both give a list of `ListedLine`s, (building, unit) or the reason a line can't be read,
which `operations.preview_households` sorts into new / listed already / duplicate /
unreadable before anything is written.

A range is buildings × floors × lines: "101-107" 동, floors "1-45", lines "1-4" give
101동 101호 … 107동 4504호 (호 = floor × 100 + line). Each of the three takes numbers
and ranges separated by commas ("101-105, 107"). Exceptions leave units out, one rule a
line:

    101동 1501, 1502      those units of 101동
    101-103동 201-204     those units of 101동, 102동 and 103동 (a range of 호 is one floor's)
    101, 102             those units of every building (no 동: all of them)

A file is an XLSX (its first sheet) or a CSV in UTF-8 (with or without a byte-order
mark) or CP949 (what Korean Excel writes as "CSV"). Its first non-empty line names the
columns; 동 and 호 are needed (building/unit in English), 층 is read when 호 holds only
the line ("3" on floor 15 is 1503), every other column (세대주, 메모 …) is ignored and
never kept.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from openpyxl import load_workbook

from gachi.core.errors import DomainError

MAX_HOUSEHOLDS = 10_000
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_FLOOR = 99
MAX_LINE = 99
# The signed list carried from the preview to the confirm stays good for an hour.
SEAL_MAX_AGE = 3600

BUILDING = re.compile(r"^[0-9A-Z가-힣]{1,20}$")
UNIT = re.compile(r"^[0-9A-Z]{1,20}$")
_RANGE_PART = re.compile(r"^(\d{1,6})\s*[-~–]\s*(\d{1,6})$")


class HouseholdListRefused(DomainError):
    """The range or the file can't be read at all; nothing is written."""

    code = "household_list_refused"
    status = 422


@dataclass(frozen=True)
class ListedLine:
    number: int  # the line of the file (or the place in the range), from 1
    text: str
    building: str | None = None
    unit: str | None = None
    reason: str | None = None  # why the line can't be read

    @property
    def key(self):
        return (self.building, self.unit)


# Ranges --------------------------------------------------------------------------------


def _clean(text):
    return unicodedata.normalize("NFKC", text or "").strip().upper()


def expand_numbers(text, *, what, low=1, high=999_999):
    """The numbers of "101-105, 107" in order, each once; refuses with `what` named."""
    text = _clean(text)
    if not text:
        raise HouseholdListRefused(_l("Fill in the %(what)s.", what=what))
    numbers: dict[int, None] = {}
    text = re.sub(r"\s*([-~–])\s*", r"\1", text)
    for part in filter(None, re.split(r"[\s,、，]+", text)):
        match = _RANGE_PART.match(part)
        if match:
            first, last = int(match[1]), int(match[2])
        elif part.isdigit() and len(part) <= 6:
            first = last = int(part)
        else:
            raise HouseholdListRefused(
                _l(
                    "%(what)s: “%(part)s” is not a number or a range such as 1-15.",
                    what=what,
                    part=part,
                )
            )
        if last < first:
            raise HouseholdListRefused(
                _l(
                    "%(what)s: the range %(part)s runs backwards; write the smaller number first.",
                    what=what,
                    part=part,
                )
            )
        if first < low or last > high:
            raise HouseholdListRefused(
                _l(
                    "%(what)s: use numbers from %(low)s to %(high)s.",
                    what=what,
                    low=low,
                    high=high,
                )
            )
        if last - first >= MAX_HOUSEHOLDS:
            raise HouseholdListRefused(_too_many())
        numbers.update(dict.fromkeys(range(first, last + 1)))
    return list(numbers)


def _too_many():
    return _l("Add at most %(count)s households at a time.", count=f"{MAX_HOUSEHOLDS:,}")


def unit_number(floor, line):
    """호 of a floor and a line: floor 15, line 3 is "1503"."""
    return str(floor * 100 + line)


def _exception_rules(text, buildings):
    """{(building, unit)} the exceptions leave out."""
    left_out = set()
    all_buildings = [str(number) for number in buildings]
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = _clean(raw)
        if not line:
            continue
        if "동" in line:
            building_part, unit_part = line.split("동", 1)
            which = [
                str(n)
                for n in expand_numbers(building_part, what=_l("Exception line %(n)s", n=number))
            ]
        else:
            which, unit_part = all_buildings, line
        unit_part = unit_part.replace("호", "")
        units = expand_numbers(unit_part, what=_l("Exception line %(n)s", n=number))
        left_out.update((building, str(unit)) for building in which for unit in units)
    return left_out


def households_in_range(buildings, floors, lines, exceptions=""):
    """The households of buildings × floors × lines, less the exceptions, as ListedLines
    in order (building, floor, line). Refuses bad or reversed ranges, and more than
    MAX_HOUSEHOLDS."""
    building_numbers = expand_numbers(buildings, what=_l("buildings (동)"))
    floor_numbers = expand_numbers(floors, what=_l("floors (층)"), high=MAX_FLOOR)
    line_numbers = expand_numbers(lines, what=_l("units on a floor (호)"), high=MAX_LINE)
    if len(building_numbers) * len(floor_numbers) * len(line_numbers) > MAX_HOUSEHOLDS:
        raise HouseholdListRefused(_too_many())
    left_out = _exception_rules(exceptions, building_numbers)
    listed = []
    for building in map(str, building_numbers):
        for floor in floor_numbers:
            for line in line_numbers:
                unit = unit_number(floor, line)
                if (building, unit) not in left_out:
                    listed.append(
                        ListedLine(
                            len(listed) + 1, f"{building}동 {unit}호", building=building, unit=unit
                        )
                    )
    if not listed:
        raise HouseholdListRefused(_l("The exceptions leave no household in the range."))
    return listed


# Files ---------------------------------------------------------------------------------

COLUMNS = {
    "동": "building",
    "동번호": "building",
    "동명": "building",
    "building": "building",
    "bldg": "building",
    "dong": "building",
    "호": "unit",
    "호수": "unit",
    "호실": "unit",
    "unit": "unit",
    "ho": "unit",
    "층": "floor",
    "floor": "floor",
}

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old .xls


def _cell_text(value):
    """A cell as text: 101.0 from a spreadsheet is "101"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _not_a_workbook():
    return HouseholdListRefused(
        _l("This file is not an Excel file (.xlsx) that can be read. Save it again as .xlsx.")
    )


def _xlsx_rows(data):
    """The first sheet's rows as text. A damaged workbook can fail in openpyxl (or the XML
    parser under it) with almost any exception, so any of them is the same refusal; and
    a workbook that would unpack to more than MAX_UNPACKED_BYTES (a "zip bomb") is refused
    before it is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_workbook() from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _not_a_workbook()
    rows = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                rows.append([_cell_text(value) for value in row])
                if len(rows) > MAX_HOUSEHOLDS + 1:
                    break
        finally:
            workbook.close()
    except Exception:  # any: see the docstring
        raise _not_a_workbook() from None
    if len(rows) > MAX_HOUSEHOLDS + 1:
        raise HouseholdListRefused(_too_many())
    return rows


def _decode(data):
    """UTF-8 (with or without a byte-order mark), else CP949; anything else is refused."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HouseholdListRefused(
        _l(
            "The file's characters can't be read: save it as CSV UTF-8, "
            "or as an Excel file (.xlsx)."
        )
    )


def _csv_rows(data):
    text = _decode(data)
    if "\x00" in text:
        raise HouseholdListRefused(
            _l(
                "The file's characters can't be read: save it as CSV UTF-8, "
                "or as an Excel file (.xlsx)."
            )
        )
    rows = []
    for row in csv.reader(io.StringIO(text, newline="")):
        rows.append([_cell_text(value) for value in row])
        if len(rows) > MAX_HOUSEHOLDS + 1:
            raise HouseholdListRefused(_too_many())
    return rows


def _header(rows):
    """(index of the header row, {column: position}); refuses a file without 동 and 호."""
    for index, row in enumerate(rows):
        if not any(row):
            continue
        columns = {}
        for position, name in enumerate(row):
            column = COLUMNS.get(re.sub(r"\s+", "", name).lower())
            if column and column not in columns:
                columns[column] = position
        if "building" in columns and "unit" in columns:
            return index, columns
        break
    raise HouseholdListRefused(
        _l("The first line of the file must name the columns 동 and 호 (building and unit).")
    )


def _strip_suffix(text, suffix):
    text = text.upper().replace(" ", "")
    return text[: -len(suffix)] if text.endswith(suffix) else text


def _read_row(number, row, columns):
    def cell(column):
        position = columns.get(column)
        return row[position] if position is not None and position < len(row) else ""

    building = _strip_suffix(cell("building"), "동")
    unit = _strip_suffix(cell("unit"), "호")
    floor = _strip_suffix(cell("floor"), "층")
    text = " ".join(part for part in (cell("building"), cell("floor"), cell("unit")) if part)
    if floor and unit.isdigit() and len(unit) <= 2:
        if not floor.isdigit() or not 1 <= int(floor) <= MAX_FLOOR:
            return ListedLine(number, text, reason=str(_l("The floor (층) is not a number.")))
        unit = unit_number(int(floor), int(unit))
    if not building or not unit:
        return ListedLine(number, text, reason=str(_l("The building (동) or unit (호) is empty.")))
    if not BUILDING.match(building):
        return ListedLine(number, text, reason=str(_l("The building (동) can't be read.")))
    if not UNIT.match(unit):
        return ListedLine(number, text, reason=str(_l("The unit (호) can't be read.")))
    return ListedLine(number, text, building=building, unit=unit)


def households_in_file(data, filename=""):
    """Each line of an XLSX or CSV file under its header as a ListedLine (numbered as the
    spreadsheet numbers its rows); empty lines are skipped."""
    if len(data) > MAX_FILE_BYTES:
        raise HouseholdListRefused(
            _l("The file is larger than %(size)s MB.", size=MAX_FILE_BYTES // (1024 * 1024))
        )
    if not data.strip():
        raise HouseholdListRefused(_l("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        raise HouseholdListRefused(
            _l("Old Excel files (.xls) can't be read: save it as .xlsx or as CSV UTF-8.")
        )
    if data.startswith(_XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    start, columns = _header(rows)
    listed = [
        _read_row(index + 1, row, columns)
        for index, row in enumerate(rows[start + 1 :], start=start + 1)
        if any(row)
    ]
    if not listed:
        raise HouseholdListRefused(_l("The file lists no households under its first line."))
    if len(listed) > MAX_HOUSEHOLDS:
        raise HouseholdListRefused(_too_many())
    return listed


# Carrying the list from the preview to the confirm ----------------------------------------


def _serializer(secret, complex_id):
    return URLSafeTimedSerializer(secret, salt=f"gachi.households.{complex_id}")


def seal(keys, *, secret, complex_id):
    """The (building, unit) pairs as a signed token for a hidden field: the confirm
    writes what the preview showed, and no one can slip in others."""
    return _serializer(secret, complex_id).dumps([list(key) for key in keys])


def unseal(token, *, secret, complex_id):
    """The pairs of `seal`; refuses a token that is forged, for another complex or old."""
    try:
        pairs = _serializer(secret, complex_id).loads(token, max_age=SEAL_MAX_AGE)
    except BadSignature:
        raise HouseholdListRefused(
            _l("This preview is too old or was changed. Make the preview again.")
        ) from None
    keys = []
    for pair in pairs:
        building, unit = pair
        if not (BUILDING.match(building) and UNIT.match(unit)):
            raise HouseholdListRefused(
                _l("This preview is too old or was changed. Make the preview again.")
            )
        keys.append((building, unit))
    if len(keys) > MAX_HOUSEHOLDS:
        raise HouseholdListRefused(_too_many())
    return keys
