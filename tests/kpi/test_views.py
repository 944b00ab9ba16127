"""The board, a complex's results and the exports over HTTP: who sees what, and that a
figure is the same number on every page, in the API and in the files."""

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gachi.extensions import db
from gachi.kpi import tables
from gachi.kpi.models import Kpi, KpiTarget
from gachi.kpi.refresh import refresh_all
from tests.conftest import post_form, sign_in
from tests.kpi.helpers import known_cohort


@pytest.fixture
def scene(make):
    scene = known_cohort(make)
    refresh_all()  # the figures as the scheduler's job computes them
    return scene


def _set_target(scene, code, value):
    kpi = db.session.query(Kpi).filter_by(code=code).one()
    db.session.add(KpiTarget(kpi_id=kpi.id, cohort_id=scene.cohort.id, value=Decimal(value)))
    db.session.commit()


def test_staff_see_the_board_with_target_actual_rate_and_arrow(client, scene):
    _set_target(scene, "problems", 4)
    sign_in(client, scene.staff)
    page = client.get(f"/staff/cohorts/{scene.cohort.id}/board").get_data(as_text=True)
    row = re.search(r"Problems proposed</th>(.*?)</tr>", page, re.S).group(1)
    assert [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] == [
        "problems",
        "4",
        "3",
        "75",
        "↘",
    ]
    assert "마포 단지" in page and "은평 단지" in page


def test_the_board_is_for_staff_only(client, scene):
    sign_in(client, scene.coordinator)
    assert client.get(f"/staff/cohorts/{scene.cohort.id}/board").status_code == 403


def test_a_bad_filter_is_a_400_not_a_500(client, scene):
    sign_in(client, scene.staff)
    assert (
        client.get(f"/staff/cohorts/{scene.cohort.id}/board?district=atlantis").status_code == 400
    )
    assert client.get(f"/staff/cohorts/{scene.cohort.id}/board?page=99").status_code == 404


def test_the_board_can_be_filtered_by_category(client, scene, make):
    sign_in(client, scene.staff)
    food = make.category("food").id
    page = client.get(f"/staff/cohorts/{scene.cohort.id}/board?category={food}").get_data(
        as_text=True
    )
    assert "은평 단지" in page and "마포 단지" not in page


def test_a_resident_sees_their_complexs_results_and_not_another(client, scene, make):
    sign_in(client, scene.resident)
    client.get("/my/complex")  # the welcome message, with the resident's name, shows there
    own = client.get(f"/participations/{scene.mapo.id}/results")
    other = client.get(f"/participations/{scene.eunpyeong.id}/results")
    assert own.status_code == 200 and other.status_code == 404
    text = own.get_data(as_text=True)
    assert "Problems proposed" in text
    assert scene.resident.display_name not in text  # aggregates only


def test_a_coordinator_sees_their_complexs_results(client, scene):
    sign_in(client, scene.coordinator)
    assert client.get(f"/participations/{scene.mapo.id}/results").status_code == 200
    assert client.get(f"/participations/{scene.eunpyeong.id}/results").status_code == 404


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_and_xlsx_hold_the_boards_numbers_with_korean_headers(client, scene):
    _set_target(scene, "turnout", 40)
    sign_in(client, scene.staff)
    base = f"/staff/cohorts/{scene.cohort.id}/board/kpis"
    rows = _csv_rows(client.get(base + ".csv"))
    assert rows[0] == ["지표", "단위", "목표", "실적", "달성률(%)", "추이"]
    assert ["투표율", "%", "40.00", "42.9", "107", "↗"] in rows
    sheet = load_workbook(io.BytesIO(client.get(base + ".xlsx").data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == rows[0]
    turnout = next(row for row in values if row[0] == "투표율")
    assert turnout[2:6] == [40, 42.9, 107, "↗"]
    assert isinstance(turnout[3], float)


def test_every_board_table_exports(client, scene):
    sign_in(client, scene.staff)
    for name in ("kpis", "districts", "categories", "complexes", "models"):
        for kind in ("csv", "xlsx"):
            response = client.get(f"/staff/cohorts/{scene.cohort.id}/board/{name}.{kind}")
            assert response.status_code == 200, (name, kind)
    assert client.get(f"/staff/cohorts/{scene.cohort.id}/board/secrets.csv").status_code == 404


def test_user_text_beginning_with_a_formula_sign_is_exported_as_text(client, scene):
    scene.mapo.complex.name = '=HYPERLINK("http://evil")'
    db.session.commit()
    sign_in(client, scene.staff)
    base = f"/staff/cohorts/{scene.cohort.id}/board/complexes"
    rows = _csv_rows(client.get(base + ".csv"))
    assert any(row[0] == '\'=HYPERLINK("http://evil")' for row in rows)
    sheet = load_workbook(io.BytesIO(client.get(base + ".xlsx").data)).active
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(row[0].value))
    # The same text in both files: a sheet saved again as CSV stays safe.
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://evil")'


def _number(text):
    return None if text in ("", "—") else Decimal(text.replace(",", ""))


def test_one_figure_is_the_same_number_on_the_board_complex_page_api_and_exports(client, scene):
    sign_in(client, scene.staff)
    board = client.get(f"/staff/cohorts/{scene.cohort.id}/board").get_data(as_text=True)
    complex_row = re.search(r"마포 단지</a></th>(.*?)</tr>", board, re.S).group(1)
    on_board = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", complex_row, re.S)]
    exported = next(
        row
        for row in _csv_rows(client.get(f"/staff/cohorts/{scene.cohort.id}/board/complexes.csv"))
        if row[0] == "마포 단지"
    )
    # Past the district and stage, every column is a number: the same on the page and in the file.
    assert [_number(cell) for cell in on_board[2:]] == [_number(cell) for cell in exported[3:]]
    api = client.get(f"/api/v1/cohorts/{scene.cohort.id}/complexes").get_json()
    mapo_api = {
        figure["code"]: figure["actual"]
        for figure in next(item for item in api["items"] if item["name"] == "마포 단지")["figures"]
    }
    page = client.get(f"/participations/{scene.mapo.id}/results").get_data(as_text=True)
    results = {
        name: _number(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2].strip())
        for name, row in re.findall(r"<th scope=\"row\">([^<]+)</th>(.*?)</tr>", page, re.S)
    }
    headers = re.findall(
        r"<th scope=\"col\"[^>]*>([^<]+)</th>", board[board.index('id="table-complexes"') :]
    )
    codes = {kpi["name_en"]: kpi["code"] for kpi in client.get("/api/v1/kpis").get_json()["items"]}
    compared = 0
    for header, cell in zip(headers[3:], on_board[2:], strict=False):
        name = header.rsplit(" (", 1)[0]
        if name in results:  # budget and spent are not KPIs of their own
            code = codes[name]
            assert results[name] == _number(cell) == Decimal(str(mapo_api[code])), name
            compared += 1
    assert compared == len(tables.ROLLUP_CODES)
    assert results["Turnout"] == 50 and results["Problems proposed"] == 2


def test_staff_set_targets_and_they_show_on_the_board(client, scene):
    sign_in(client, scene.staff)
    kpi = db.session.query(Kpi).filter_by(code="problems").one()
    response = post_form(
        client, f"/staff/cohorts/{scene.cohort.id}/targets", {f"kpi_{kpi.id}": "6"}
    )
    assert response.status_code == 302
    assert db.session.query(KpiTarget).filter_by(kpi_id=kpi.id).one().value == 6
    bad = post_form(client, f"/staff/cohorts/{scene.cohort.id}/targets", {f"kpi_{kpi.id}": "-1"})
    assert bad.status_code == 400


def test_staff_add_a_kpi_entered_by_hand_and_upload_its_figures(client, scene):
    sign_in(client, scene.staff)
    created = post_form(
        client,
        "/staff/kpis/new",
        {
            "code": "newsletters",
            "name_ko": "소식지 발행",
            "name_en": "Newsletters",
            "unit_ko": "건",
            "unit_en": "issues",
            "direction": "higher",
        },
    )
    assert created.status_code == 302
    upload = (
        f"kpi,complex_id,value,note\nnewsletters,,7,\nnewsletters,{scene.mapo.complex_id},3,=cmd\n"
    )
    saved = post_form(
        client,
        f"/staff/cohorts/{scene.cohort.id}/actuals/import",
        {"file": (io.BytesIO(upload.encode()), "figures.csv")},
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303
    refused = post_form(
        client,
        f"/staff/cohorts/{scene.cohort.id}/actuals/import",
        {"file": (io.BytesIO(b"kpi,value\nproblems,3\nnope,x\n"), "f.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "Line" in refused.get_data(as_text=True)
    not_utf8 = post_form(
        client,
        f"/staff/cohorts/{scene.cohort.id}/actuals/import",
        {"file": (io.BytesIO("kpi,value\n문제,3\n".encode("cp949")), "f.csv")},
        content_type="multipart/form-data",
    )
    assert not_utf8.status_code == 400
    assert "The file is not UTF-8 text." in not_utf8.get_data(as_text=True)
    page = client.get(f"/staff/cohorts/{scene.cohort.id}/board").get_data(as_text=True)
    assert re.search(
        r"Newsletters</th>\s*<td>issues</td>\s*<td class=\"num\">—</td>\s*"
        r"<td class=\"num\">7</td>",
        page,
    )


def test_drill_down_from_the_complex_to_a_programme_and_its_sessions(client, scene):
    sign_in(client, scene.coordinator)
    page = client.get(f"/participations/{scene.mapo.id}/results").get_data(as_text=True)
    link = re.search(r'href="(/programs/(\d+)/results)">아이돌봄</a></th>(.*?)</tr>', page, re.S)
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", link.group(3), re.S)]
    # The programme's line holds the complex's programme KPIs: 3 planned, 2 held, 7 bookings,
    # 4 of 5 attended (80%), ratings 5, 4 and 3.
    assert cells == ["3", "2", "7", "4", "80", "4"]
    sessions = client.get(link.group(1))
    assert sessions.status_code == 200
    assert sessions.get_data(as_text=True).count('href="/sessions/') == 4


def test_a_resident_of_another_complex_cannot_open_a_programmes_results(client, scene, make):
    outsider = make.resident(scene.eunpyeong.complex)
    program_id = db.session.execute(db.text("SELECT id FROM programs")).scalar()
    sign_in(client, outsider)
    assert client.get(f"/programs/{program_id}/results").status_code == 404


@pytest.mark.parametrize("complex_id", ["²", "2147483648", "abc"])
def test_a_hostile_complex_id_on_the_targets_page_is_a_404(client, scene, complex_id):
    # "²" passes str.isdigit() but not int(): it was a 500, and so was an id past
    # PostgreSQL's integer.
    sign_in(client, scene.staff)
    response = client.get(f"/staff/cohorts/{scene.cohort.id}/targets?complex_id={complex_id}")
    assert response.status_code == 404
