"""Households in bulk: a coordinator describes the complex as a 동 × 층 × 호 range, or sends
the management office's list (XLSX or CSV), sees what becomes of each line, then adds
the new ones, with their codes, in one go."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from gachi.auth.models import User
from gachi.complexes.household_lists import (
    MAX_HOUSEHOLDS,
    MAX_UNPACKED_BYTES,
    HouseholdListRefused,
    households_in_file,
    households_in_range,
    seal,
    unseal,
)
from gachi.complexes.models import Complex, Household, InvitationCode
from gachi.complexes.operations import Fate, add_household_list, preview_households
from gachi.core.errors import DomainError
from gachi.extensions import db
from tests.complexes.helpers import signed_in, text_of
from tests.conftest import csrf_token
from tests.core.test_database import run_together

# 101–107동, 45 floors of 4 units, the first two floors (pilotis) left out: 7 × 43 × 4.
RANGE = {
    "buildings": "101-107",
    "floors": "1-45",
    "lines": "1-4",
    "exceptions": "101-104, 201-204",
}


def the_management_office_list():
    """The same 1,204 households as RANGE, as 관리사무소 keeps them: 동, 층, 호, 세대주."""
    return [
        (f"{building}동", floor, f"{floor * 100 + line}호", "홍길동")
        for building in range(101, 108)
        for floor in range(3, 46)
        for line in range(1, 5)
    ]


def xlsx_of(rows, header=("동", "층", "호", "세대주")):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_of(lines, encoding):
    return "\r\n".join(lines).encode(encoding)


def households_of(complex_id):
    return set(
        db.session.execute(
            select(Household.building, Household.unit).where(Household.complex_id == complex_id)
        ).tuples()
    )


def count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def post_form(client, path, data):
    return client.post(
        path,
        data={"csrf_token": csrf_token(client, "/no-such-page"), **data},
        content_type="multipart/form-data",
    )


def preview_and_confirm(client, complex_id, path, data):
    """Send the range or the file for a preview, then press its confirm button."""
    preview = post_form(client, path, data)
    assert preview.status_code == 200, text_of(preview)[:2000]
    page = text_of(preview)
    token = re.search(r'name="households" type="hidden" value="([^"]+)"', page)
    assert token, page[:2000]
    return preview, post_form(
        client,
        f"/complexes/{complex_id}/households/bulk",
        {"households": token[1], "make_codes": "y"},
    )


@pytest.fixture
def coordinator(client, make):
    complex_ = make.complex_(name="면목동 R아파트")
    user = make.coordinator(complex_obj=complex_)
    signed_in(client, user)
    return complex_


# Reading a range ----------------------------------------------------------------------


def test_a_range_gives_floor_times_a_hundred_plus_the_unit():
    listed = households_in_range("101-102", "1-15", "1-4")

    assert len(listed) == 2 * 15 * 4
    assert [line.key for line in listed[:5]] == [
        ("101", "101"),
        ("101", "102"),
        ("101", "103"),
        ("101", "104"),
        ("101", "201"),
    ]
    assert listed[-1].key == ("102", "1504")


def test_exceptions_leave_out_units_of_one_building_or_of_all():
    listed = households_in_range(
        "101-103", "1-15", "1-4", "101동 1501, 1502\n102-103동 1504호\n101"
    )
    keys = {line.key for line in listed}

    assert ("101", "1501") not in keys and ("101", "1502") not in keys
    assert ("102", "1501") in keys and ("102", "1504") not in keys
    assert ("103", "1504") not in keys
    assert not any(unit == "101" for _building, unit in keys)
    assert len(listed) == 3 * 60 - 2 - 2 - 3


@pytest.mark.parametrize(
    ("buildings", "floors", "lines", "exceptions", "message"),
    [
        ("108-101", "1-15", "1-4", "", "runs backwards"),
        ("101-108", "15-1", "1-4", "", "runs backwards"),
        ("101-108", "1-15", "일-사", "", "not a number or a range"),
        ("101-108", "0-15", "1-4", "", "from 1 to 99"),
        ("101-108", "1-150", "1-4", "", "from 1 to 99"),
        ("101-900", "1-99", "1-4", "", "Add at most"),
        ("101", "1", "1", "101", "leave no household"),
        ("101", "1-2", "1", "101동 저층", "not a number or a range"),
    ],
)
def test_a_bad_range_is_refused_with_the_reason(buildings, floors, lines, exceptions, message):
    with pytest.raises(HouseholdListRefused) as refused:
        households_in_range(buildings, floors, lines, exceptions)
    assert message in str(refused.value)


# Reading a file -----------------------------------------------------------------------


def test_a_cp949_csv_from_korean_excel_is_read_right():
    data = csv_of(["동,호,세대주", "101동,1203호,김영희", "가동,305,박철수"], "cp949")

    listed = households_in_file(data, "세대목록.csv")

    assert [line.key for line in listed] == [("101", "1203"), ("가", "305")]


def test_a_utf8_csv_with_a_byte_order_mark_and_english_columns_is_read():
    data = b"\xef\xbb\xbf" + csv_of(["Building,Floor,Unit", "101,12,3", "102,,1503"], "utf-8")

    listed = households_in_file(data, "units.csv")

    assert [line.key for line in listed] == [("101", "1203"), ("102", "1503")]


def test_a_file_in_another_encoding_is_refused():
    data = csv_of(["동,호", "101,1203"], "utf-16")

    with pytest.raises(HouseholdListRefused, match="characters can't be read"):
        households_in_file(data, "list.csv")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"PK\x03\x04 this is no workbook", "list.xlsx", "not an Excel file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "list.xls", "Old Excel files"),
        ("이름,연락처\n김영희,010".encode(), "list.csv", "name the columns"),
        ("동,호\n".encode(), "list.csv", "lists no households"),
        (b"", "list.csv", "empty"),
        (b"x" * (5 * 1024 * 1024 + 1), "list.csv", "larger than 5 MB"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(data, filename, message):
    with pytest.raises(HouseholdListRefused, match=message):
        households_in_file(data, filename)


def workbook_with(name, content):
    """An XLSX made by openpyxl with one of its parts replaced by `content`."""
    with zipfile.ZipFile(io.BytesIO(xlsx_of([("101", 1, "101")]))) as original:
        parts = {part: original.read(part) for part in original.namelist()}
    parts[name] = content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as changed:
        for part, data in parts.items():
            changed.writestr(part, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        workbook_with("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c"),
        workbook_with("xl/workbook.xml", b"not xml"),
        workbook_with("xl/sharedStrings.xml", b" " * (MAX_UNPACKED_BYTES + 1)),  # a zip bomb
    ],
    ids=["damaged sheet", "damaged workbook", "unpacks too large"],
)
def test_a_damaged_or_swelling_workbook_is_refused(data):
    with pytest.raises(HouseholdListRefused, match="not an Excel file"):
        households_in_file(data, "세대현황.xlsx")


def test_a_file_of_more_lines_than_the_limit_is_refused():
    lines = ["동,호"] + [f"101,{unit}" for unit in range(1, MAX_HOUSEHOLDS + 2)]

    with pytest.raises(HouseholdListRefused, match="Add at most"):
        households_in_file(csv_of(lines, "utf-8"), "list.csv")


# The preview --------------------------------------------------------------------------


def test_the_preview_says_what_becomes_of_each_line(make):
    complex_ = make.complex_()
    make.household(complex_, building="101", unit="1203")
    data = csv_of(["동,호", "101,1203", "101,1204", "101,1204", "101,12-03", "102,"], "utf-8")

    preview = preview_households(complex_, households_in_file(data, "list.csv"))

    assert [(entry.line.number, entry.fate) for entry in preview.lines] == [
        (2, Fate.LISTED),
        (3, Fate.NEW),
        (4, Fate.DUPLICATE),
        (5, Fate.UNREADABLE),
        (6, Fate.UNREADABLE),
    ]
    assert "line 3" in preview.lines[2].note
    assert preview.new_keys == [("101", "1204")]
    assert count(Household) == 1


# Writing ------------------------------------------------------------------------------


def test_a_list_sealed_for_one_complex_cannot_be_confirmed_for_another(app):
    token = seal([("101", "1203")], secret=app.secret_key, complex_id=1)

    assert unseal(token, secret=app.secret_key, complex_id=1) == [("101", "1203")]
    with pytest.raises(HouseholdListRefused):
        unseal(token, secret=app.secret_key, complex_id=2)
    with pytest.raises(HouseholdListRefused):
        unseal(token[:-2] + "xx", secret=app.secret_key, complex_id=1)


def test_two_coordinators_confirming_the_same_list_at_once_leave_no_duplicates(app, make):
    complex_id = make.complex_().id
    staff_id = make.staff().id
    keys = [("101", str(unit)) for unit in range(101, 141)]

    def confirm(_index):
        added, _listed = add_household_list(
            db.session.get(Complex, complex_id), keys, actor=db.session.get(User, staff_id)
        )
        db.session.commit()
        return len(added)

    results = run_together(app, 2, confirm)

    # One adds all 40; the other finds them listed, or trips the constraint: refused.
    assert [result for result in results if isinstance(result, int)] == [40], results
    assert all(isinstance(r, DomainError) for r in results if not isinstance(r, int)), results
    assert count(Household, Household.complex_id == complex_id) == 40
    assert count(InvitationCode) == 40


# Through the pages --------------------------------------------------------------------


def test_1204_households_from_a_range_and_from_the_offices_xlsx_give_the_same_rows(client, make):
    staff = make.staff()
    signed_in(client, staff)
    by_range, by_file = make.complex_(name="면목동 R아파트"), make.complex_(name="면목동 S아파트")

    preview, done = preview_and_confirm(
        client, by_range.id, f"/complexes/{by_range.id}/households/range", RANGE
    )
    assert "1,204" in text_of(preview)
    assert done.status_code == 302
    upload = (io.BytesIO(xlsx_of(the_management_office_list())), "세대현황.xlsx")
    preview, done = preview_and_confirm(
        client, by_file.id, f"/complexes/{by_file.id}/households/import", {"file": upload}
    )
    assert done.status_code == 302

    assert len(households_of(by_range.id)) == 1204
    assert households_of(by_range.id) == households_of(by_file.id)
    assert ("101", "101") not in households_of(by_range.id)
    assert ("107", "4504") in households_of(by_range.id)
    # Codes for all of them in one go, ready on the slips page.
    assert count(InvitationCode) == 2 * 1204
    slips = text_of(client.get(f"/complexes/{by_range.id}/codes/print"))
    assert slips.count('class="slip"') == 1204
    # No resident's name from the office's list is kept anywhere.
    assert "홍길동" not in text_of(client.get(f"/complexes/{by_file.id}/households"))


def test_after_adding_the_slips_of_just_the_new_households_are_one_click_away(client, make):
    complex_ = make.complex_()
    make.invitation(make.household(complex_, building="101", unit="101"))
    signed_in(client, make.coordinator(complex_obj=complex_))

    _preview, done = preview_and_confirm(
        client,
        complex_.id,
        f"/complexes/{complex_.id}/households/range",
        {"buildings": "101-102", "floors": "1-2", "lines": "1-2", "exceptions": ""},
    )
    households_page = text_of(client.get(done.location))
    link = re.search(r'href="([^"]*/codes/print\?[^"]*)"', households_page)
    slips = text_of(client.get(link[1].replace("&amp;", "&")))

    assert "7 households were added." in households_page
    assert slips.count('class="slip"') == 7  # 8 in the range, 101동 101호 listed already
    assert "Building 101, unit 101<" not in slips
    assert "Building 102, unit 202<" in slips
    every_slip = client.get(f"/complexes/{complex_.id}/codes/print")
    assert text_of(every_slip).count('class="slip"') == 8


def test_sending_the_same_list_again_adds_nothing_twice(client, make):
    complex_ = make.complex_()
    make.household(complex_, building="101", unit="1203")
    signed_in(client, make.coordinator(complex_obj=complex_))
    upload = (io.BytesIO(csv_of(["동,호", "101,1203", "101,1204"], "utf-8")), "list.csv")

    preview, done = preview_and_confirm(
        client, complex_.id, f"/complexes/{complex_.id}/households/import", {"file": upload}
    )

    assert "Listed already" in text_of(preview)
    assert done.status_code == 302
    assert households_of(complex_.id) == {("101", "1203"), ("101", "1204")}
    again = post_form(
        client,
        f"/complexes/{complex_.id}/households/import",
        {"file": (io.BytesIO(csv_of(["동,호", "101,1203", "101,1204"], "utf-8")), "list.csv")},
    )
    assert "nothing to add" in text_of(again)
    assert 'name="households"' not in text_of(again)


REFUSED_IN_KOREAN = [
    ("range", {**RANGE, "buildings": "107-101"}, "거꾸로"),
    ("range", {**RANGE, "floors": "1-층"}, "숫자"),
    ("range", {**RANGE, "buildings": "101-400"}, "한 번에"),
    ("range", {**RANGE, "buildings": ""}, None),
    ("import", {"file": (io.BytesIO(b"PK\x03\x04 not a workbook"), "list.xlsx")}, "엑셀"),
    ("import", {"file": (io.BytesIO("동,호".encode("utf-16")), "list.csv")}, "글자"),
    ("import", {}, None),
    ("bulk", {"households": "forged.token"}, "미리 보기"),
    ("bulk", {}, "미리 보기"),
]


@pytest.mark.parametrize(("route", "data", "korean"), REFUSED_IN_KOREAN)
def test_every_bulk_form_refuses_bad_input_in_korean_and_writes_nothing(
    client, make, route, data, korean
):
    complex_ = make.complex_()
    signed_in(client, make.coordinator(complex_obj=complex_))
    client.set_cookie("lang", "ko")
    if "file" in data:  # a fresh stream for each run of the parameters
        stream, name = data["file"]
        data = {"file": (io.BytesIO(stream.getvalue()), name)}

    response = post_form(client, f"/complexes/{complex_.id}/households/{route}", data)

    assert 400 <= response.status_code < 500
    page = text_of(response)
    if korean:
        assert korean in page, page[:3000]
    assert count(Household) == 0 and count(InvitationCode) == 0


def test_a_coordinator_of_another_complex_cannot_preview_or_add(client, make):
    complex_ = make.complex_()
    signed_in(client, make.coordinator(complex_obj=make.complex_()))
    token = seal([("101", "101")], secret=client.application.secret_key, complex_id=complex_.id)

    assert client.get(f"/complexes/{complex_.id}/households/bulk").status_code == 404
    for route, data in (("range", RANGE), ("import", {"file": (io.BytesIO(b"x"), "a.csv")})):
        assert (
            post_form(client, f"/complexes/{complex_.id}/households/{route}", data).status_code
            == 404
        )
    response = post_form(client, f"/complexes/{complex_.id}/households/bulk", {"households": token})

    assert response.status_code == 404
    assert count(Household) == 0
