"""A district support organisation's board: the center's, narrowed to its districts and
rolled up for them; and the center's comparison of districts."""

import csv
import io
import re
from decimal import Decimal

import pytest

from gachi.complexes.districts import District
from gachi.complexes.stages import Stage
from gachi.extensions import db
from gachi.kpi import queries
from gachi.kpi.models import Kpi, KpiTarget
from gachi.kpi.queries import Filters
from gachi.kpi.refresh import refresh_all
from gachi.proposals.models import ProblemState
from tests.conftest import counted_queries, sign_in
from tests.kpi.helpers import a_ballot, known_cohort

MAPO = frozenset({District.MAPO})


@pytest.fixture
def scene(make):
    """known_cohort (마포 단지: 2 problems counted, turnout 5 of 10; 은평 단지: 1 problem, 1 of 4)
    and a second Mapo complex: 1 problem, a ballot of 5 with 1 voter."""
    scene = known_cohort(make)
    second = make.complex_(name="마포 둘째 단지", district=District.MAPO)
    participation = make.participation(second, scene.cohort, stage=Stage.PROBLEM_WORKSHOP)
    voter = make.resident(second)
    make.problem(participation, state=ProblemState.SELECTED, proposed_by_id=voter.id)
    a_ballot(participation, 5, online_voters=(voter,))
    refresh_all()  # the figures as the scheduler's job computes them
    return scene


def _cells(page, label):
    row = re.search(rf">{re.escape(label)}</th>(.*?)</tr>", page, re.S).group(1)
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_district_roll_up_is_the_sum_of_its_complexes(scene):
    kpis = queries.active_kpis()
    within = Filters(within=MAPO)
    [total] = queries.rollup(scene.cohort.id, kpis, filters=within)
    complexes = queries.rollup(scene.cohort.id, kpis, "complex", within)

    assert sorted(row.label for row in complexes) == ["마포 단지", "마포 둘째 단지"]
    assert total.complex_count == 2
    for kpi in kpis:
        if kpi.code == "complexes" or kpi.method.value != "computed":
            continue
        parts = [row.figures[kpi.code] for row in complexes]
        assert total.figures[kpi.code].numerator == sum(f.numerator or 0 for f in parts), kpi.code
        assert total.figures[kpi.code].denominator == sum(f.denominator or 0 for f in parts), (
            kpi.code
        )
    assert total.figures["problems"].actual == 3  # 2 (one merged into another) + 1
    assert total.figures["turnout"].actual == Decimal("40.0")  # (5 + 1) of (10 + 5)
    # The same as the center's district line for Mapo.
    [mapo_line] = [
        row
        for row in queries.rollup(scene.cohort.id, kpis, "district")
        if row.district is District.MAPO
    ]
    assert mapo_line.figures["turnout"].actual == Decimal("40.0")


def _set_target(scene, code, value):
    kpi = db.session.query(Kpi).filter_by(code=code).one()
    db.session.add(KpiTarget(kpi_id=kpi.id, cohort_id=scene.cohort.id, value=Decimal(value)))
    db.session.commit()


def test_the_organisations_board_shows_its_districts_figures_only(client, make, scene):
    _set_target(scene, "problems", 4)
    _set_target(scene, "turnout", 30)
    sign_in(client, make.district_account(District.MAPO))
    page = client.get(f"/district/cohorts/{scene.cohort.id}/board").get_data(as_text=True)
    assert "마포 단지" in page and "마포 둘째 단지" in page and "은평 단지" not in page
    # [unit, target, actual, rate, arrow]: a count is not held to the whole cohort's
    # target; a share is.
    assert _cells(page, "Problems proposed")[1:] == ["—", "3", "—", "—"]
    assert _cells(page, "Turnout")[1:] == ["30", "40", "133", "↗"]

    # A district outside its own is not a filter it may choose.
    board = f"/district/cohorts/{scene.cohort.id}/board"
    assert client.get(board + "?district=eunpyeong").status_code == 400
    assert client.get(board + "?district=mapo").status_code == 200
    export = client.get(board + "/complexes.csv").get_data(as_text=True)
    assert "마포 둘째 단지" in export and "은평 단지" not in export
    assert client.get(board + "/comparison.csv").status_code == 404


def test_the_center_board_compares_districts_with_their_organisations(client, make, scene):
    _set_target(scene, "turnout", 30)
    make.district_account(District.EUNPYEONG, display_name="은평구 지원센터")
    sign_in(client, scene.staff)

    page = client.get(f"/staff/cohorts/{scene.cohort.id}/board").get_data(as_text=True)
    assert "Districts compared" in page

    response = client.get(f"/staff/cohorts/{scene.cohort.id}/board/comparison.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, *lines = rows
    assert header[:3] == ["자치구", "지원조직", "단지 수"]
    turnout_at = header.index("투표율(%)")
    by_district = {line[0]: line for line in lines}
    assert list(by_district) == ["은평구", "마포구", "합계"]
    assert by_district["은평구"][1] == "은평구 지원센터"
    assert by_district["마포구"][1] == ""
    assert by_district["마포구"][2] == "2"
    assert by_district["마포구"][turnout_at : turnout_at + 2] == ["40.0", "↗"]
    assert by_district["은평구"][turnout_at : turnout_at + 2] == ["25.0", "↘"]
    assert by_district["합계"][turnout_at : turnout_at + 2] == ["36.8", "↗"]  # 7 of 19


def _queries(client, path):
    client.get(path)
    client.get(path)
    with counted_queries(with_transaction_statements=True) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_the_organisations_board_makes_as_many_queries_with_more_complexes(client, make, scene):
    sign_in(client, make.district_account(District.MAPO, District.EUNPYEONG))
    path = f"/district/cohorts/{scene.cohort.id}/board"
    small = _queries(client, path)
    for number in range(6):
        complex_ = make.complex_(
            name=f"추가 단지 {number}",
            district=(District.MAPO, District.EUNPYEONG)[number % 2],
        )
        participation = make.participation(complex_, scene.cohort)
        resident = make.resident(complex_)
        make.problem(participation, state=ProblemState.SELECTED, proposed_by_id=resident.id)
    refresh_all()
    assert _queries(client, path) == small
