"""Reading a CSV file of enterprises, line by line, into good rows and refused lines.

The file is UTF-8 (a byte-order mark is allowed) or CP949, which Korean Excel writes
when it saves "CSV (쉼표로 분리)"; `detect_encoding` tells which, from the lines that
are not plain ASCII. Each line is then decoded on its own, so one line with bytes from
another encoding is refused without losing the others. Any other encoding (UTF-16, or
bytes neither reads) refuses the whole file.
A header line names the columns, in English or Korean:

    name,legal_form,categories,districts,description,contact
    이름,법인형태,분야,지역,소개,연락처

Categories and districts hold one or more values separated by ";" (or "," or "/"
inside quotes); "서울 전역" (or "Seoul-wide") instead of districts means all of Seoul.
A quoted value cannot run over two lines here: write line breaks in the app instead.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from gachi.complexes.districts import District
from gachi.enterprises.models import LEGAL_FORM_KOREAN_NAMES, LegalForm

MAX_LINES = 5000
NAME_MAX = 120
CONTACT_MAX = 200
DESCRIPTION_MAX = 5000
BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8, CP949 = "utf-8", "cp949"
ENCODING_NAMES = {UTF8: "UTF-8", CP949: "CP949"}

DISTRICT_KOREAN_NAMES = {
    District.JONGNO: "종로구",
    District.JUNG: "중구",
    District.YONGSAN: "용산구",
    District.SEONGDONG: "성동구",
    District.GWANGJIN: "광진구",
    District.DONGDAEMUN: "동대문구",
    District.JUNGNANG: "중랑구",
    District.SEONGBUK: "성북구",
    District.GANGBUK: "강북구",
    District.DOBONG: "도봉구",
    District.NOWON: "노원구",
    District.EUNPYEONG: "은평구",
    District.SEODAEMUN: "서대문구",
    District.MAPO: "마포구",
    District.YANGCHEON: "양천구",
    District.GANGSEO: "강서구",
    District.GURO: "구로구",
    District.GEUMCHEON: "금천구",
    District.YEONGDEUNGPO: "영등포구",
    District.DONGJAK: "동작구",
    District.GWANAK: "관악구",
    District.SEOCHO: "서초구",
    District.GANGNAM: "강남구",
    District.SONGPA: "송파구",
    District.GANGDONG: "강동구",
}
SEOUL_WIDE_WORDS = {
    "서울 전역",
    "서울전역",
    "서울시 전역",
    "서울 전체",
    "seoul-wide",
    "seoul wide",
    "all of seoul",
    "seoul",
}

COLUMNS = {
    "name": "name",
    "이름": "name",
    "기업명": "name",
    "legal_form": "legal_form",
    "법인형태": "legal_form",
    "법인 형태": "legal_form",
    "categories": "categories",
    "분야": "categories",
    "districts": "districts",
    "지역": "districts",
    "description": "description",
    "소개": "description",
    "contact": "contact",
    "연락처": "contact",
}
REQUIRED_COLUMNS = ("name", "legal_form", "categories", "districts")

_SEPARATORS = re.compile(r"[;,/|]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class HeaderError(ValueError):
    """The header line cannot be used: nothing in the file is read."""


@dataclass
class RefusedLine:
    number: int
    text: str
    reason: str


@dataclass
class EnterpriseRow:
    number: int
    name: str
    legal_form: LegalForm
    category_ids: list
    districts: list
    seoul_wide: bool
    description: str
    contact: str


@dataclass
class ParsedFile:
    rows: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    encoding: str = UTF8

    @property
    def encoding_name(self):
        return ENCODING_NAMES[self.encoding]


def _key(text):
    return unicodedata.normalize("NFC", text).strip().casefold()


def _lookup_tables(categories):
    legal_forms = {}
    for form in LegalForm:
        legal_forms[_key(form.value)] = form
        legal_forms[_key(LEGAL_FORM_KOREAN_NAMES[form])] = form
    districts = {}
    for district in District:
        korean = DISTRICT_KOREAN_NAMES[district]
        for name in (district.value, f"{district.value}-gu", korean, korean.removesuffix("구")):
            districts[_key(name)] = district
    category_ids = {}
    for category in categories:
        for name in (category.code, category.name_ko, category.name_en):
            category_ids[_key(name)] = category.id
    return legal_forms, districts, category_ids


def _split_lines(data: bytes):
    """(line number, raw bytes) of each non-empty physical line."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if raw.strip():
            yield number, raw


def _decodes(raw, encoding):
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes, lines) -> str:
    """UTF-8 or CP949, by the lines that are not plain ASCII; raises HeaderError otherwise.

    A byte-order mark means UTF-8. Else the encoding more of those lines decode in wins
    (UTF-8 on a tie: Korean text in CP949 is almost never valid UTF-8, the other way
    round it often decodes as nonsense). A NUL byte means UTF-16 or a binary file.
    """
    unreadable = HeaderError(
        _l(
            "This file is neither UTF-8 nor CP949 (what Korean Excel saves) text. "
            "Save it as “CSV UTF-8” or “CSV (쉼표로 분리)” and try again."
        )
    )
    if data.startswith(BOM):
        return UTF8
    if data.startswith(UTF16_BOMS) or b"\x00" in data:
        raise unreadable
    wide = [raw for _number, raw in lines if not raw.isascii()]
    if not wide:
        return UTF8
    as_utf8 = sum(_decodes(raw, UTF8) for raw in wide)
    as_cp949 = sum(_decodes(raw, CP949) and not _decodes(raw, UTF8) for raw in wide)
    if as_utf8 == 0 and as_cp949 == 0:
        raise unreadable
    return UTF8 if as_utf8 >= as_cp949 else CP949


def _cells(text):
    """The CSV cells of one line, or None when the quotes do not close."""
    try:
        return next(csv.reader([text], strict=True))
    except (csv.Error, StopIteration):
        return None


def _header(text):
    cells = _cells(text)
    if cells is None:
        raise HeaderError(
            _l(
                "The first line must name the columns, such as "
                "name,legal_form,categories,districts,description,contact."
            )
        )
    columns = [
        COLUMNS.get(_key(cell).replace(" ", "_")) or COLUMNS.get(_key(cell)) for cell in cells
    ]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise HeaderError(
            _l(
                "The first line must name the columns %(columns)s; missing: %(missing)s.",
                columns=", ".join(REQUIRED_COLUMNS),
                missing=", ".join(missing),
            )
        )
    return columns


def _values(cell):
    return [value.strip() for value in _SEPARATORS.split(cell) if value.strip()]


def parse(data: bytes, categories) -> ParsedFile:
    """Read `data`; raises HeaderError if the header line is unusable or the file too long."""
    legal_forms, district_names, category_ids = _lookup_tables(categories)
    lines = list(_split_lines(data))
    if not lines:
        raise HeaderError(_l("The file is empty."))
    if len(lines) > MAX_LINES + 1:
        raise HeaderError(_l("Import at most %(count)s enterprises at a time.", count=MAX_LINES))
    encoding = detect_encoding(data, lines)
    try:
        columns = _header(lines[0][1].decode(encoding))
    except UnicodeDecodeError:
        raise HeaderError(
            _l(
                "The first line is not %(encoding)s text like the rest of the file. "
                "Save the file as “CSV UTF-8” and try again.",
                encoding=ENCODING_NAMES[encoding],
            )
        ) from None
    parsed, seen = ParsedFile(encoding=encoding), {}
    for number, raw in lines[1:]:
        text = raw.decode(encoding, errors="replace")
        if not _decodes(raw, encoding):
            reason = (
                _l("This line is not UTF-8 text. Save the file as “CSV UTF-8” and try again.")
                if encoding == UTF8
                else _l(
                    "This line is not CP949 text like the rest of the file. "
                    "Save the file as “CSV UTF-8” and try again."
                )
            )
        else:
            result = _row(number, text, columns, legal_forms, district_names, category_ids)
            if isinstance(result, EnterpriseRow) and _key(result.name) in seen:
                reason = _l(
                    "%(name)s is also on line %(line)s.",
                    name=result.name,
                    line=seen[_key(result.name)],
                )
            elif isinstance(result, EnterpriseRow):
                seen[_key(result.name)] = number
                parsed.rows.append(result)
                continue
            else:
                reason = result
        parsed.refused.append(RefusedLine(number, text, str(reason)))
    return parsed


def _row(number, text, columns, legal_forms, district_names, category_ids):
    """An EnterpriseRow, or the reason (translatable) the line is refused."""
    cells = _cells(unicodedata.normalize("NFC", text))
    if cells is None:
        return _l("This line is not well-formed CSV: check its quotes.")
    if len(cells) != len(columns):
        return _l(
            "This line has %(found)s fields; the header has %(expected)s.",
            found=len(cells),
            expected=len(columns),
        )
    values = {column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column}
    if any(_CONTROL.search(value) for value in values.values()):
        return _l("Control characters are not allowed.")
    name = values["name"]
    if not name:
        return _l("The name is missing.")
    for column, limit in (
        ("name", NAME_MAX),
        ("contact", CONTACT_MAX),
        ("description", DESCRIPTION_MAX),
    ):
        if len(values.get(column, "")) > limit:
            return _l(
                "The %(column)s is longer than %(count)s characters.", column=column, count=limit
            )
    legal_form = legal_forms.get(_key(values["legal_form"]))
    if legal_form is None:
        return _l(
            "Unknown legal form: “%(value)s”. Use one of 사회적기업, 예비사회적기업, 협동조합, "
            "사회적협동조합, 마을기업, 자활기업, 소셜벤처.",
            value=values["legal_form"],
        )
    categories = _values(values["categories"])
    if not categories:
        return _l("Name at least one category.")
    unknown = [value for value in categories if _key(value) not in category_ids]
    if unknown:
        return _l("Unknown category: “%(value)s”.", value=unknown[0])
    districts_cell = values["districts"]
    seoul_wide = _key(districts_cell) in SEOUL_WIDE_WORDS
    districts = [] if seoul_wide else _values(districts_cell)
    if not seoul_wide and not districts:
        return _l("Name the districts it serves, or write 서울 전역 for all of Seoul.")
    unknown = [value for value in districts if _key(value) not in district_names]
    if unknown:
        return _l("Unknown district: “%(value)s”.", value=unknown[0])
    return EnterpriseRow(
        number=number,
        name=name,
        legal_form=legal_form,
        category_ids=sorted({category_ids[_key(value)] for value in categories}),
        districts=sorted(
            {district_names[_key(value)] for value in districts}, key=list(District).index
        ),
        seoul_wide=seoul_wide,
        description=values.get("description", ""),
        contact=values.get("contact", ""),
    )
