"""One turnout: ballots cast (online voters plus the current paper tally) ÷ the eligible,
per ballot; for a complex, the ballot that decided its selection. The same figure on the
ballot page and its CSV, the complex's results, the board, the API and the board's files;
and never above 100% on a one-per-household ballot, whatever is entered."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gachi.ballots.models import Eligibility
from gachi.ballots.operations import (
    cast_vote,
    close_ballot,
    confirm_selection,
    mark_household_on_paper,
    record_paper_tally,
)
from gachi.ballots.queries import ballot_results, deciding_ballots
from gachi.complexes.stages import Stage
from gachi.core.errors import Conflict, DomainError
from gachi.core.numbers import percent
from gachi.extensions import db
from gachi.kpi.measures import among
from gachi.kpi.refresh import refresh_all
from gachi.proposals.models import ProblemState
from tests.ballots.helpers import a_ballot, ballot_scene, option_ids
from tests.complexes.helpers import post, signed_in, text_of


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _column(rows, header, first_cell):
    """The value in column `header` of the row whose first cell is `first_cell`."""
    index = rows[0].index(header)
    return next(row[index] for row in rows if row and row[0] == first_cell)


def _board_cell(page, table, header, first_cell):
    """A cell of one of the board's tables on the page, found by its column and row."""
    section = re.search(rf'id="table-{table}".*?</table>', page, re.S).group(0)
    headers = [h.strip() for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', section, re.S)]
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        if first_cell in cells[0]:
            return cells[headers.index(header)].strip()
    raise AssertionError(f"no row {first_cell} in {table}")


def _figure(figures, code):
    return next(figure for figure in figures if figure["code"] == code)


@pytest.fixture
def complex_with_two_ballots(make):
    """A complex of 16 households: a confirmed ballot where 2 households voted online and
    3 on paper (5 of 16: 31.25%, which rounds half up to 31.3, where a binary float's
    round() gives 31.2), then a second ballot, opened later, that nobody voted in."""
    scene = ballot_scene(make, resident_count=2, household_count=16, name="가람 단지")
    decided = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD, opens_in=timedelta(hours=-3))
    first, second, third = option_ids(decided)
    for resident in scene.residents:
        cast_vote(decided, voter=resident, choices={first: 1})
    record_paper_tally(
        decided,
        ballot_count=3,
        votes={first: 1, second: 2, third: 0},
        actor=scene.coordinator,
    )
    close_ballot(decided, actor=scene.coordinator)
    confirm_selection(decided, actor=scene.coordinator)
    db.session.commit()
    scene.problems = [
        make.problem(scene.participation, title=title, state=ProblemState.SHORTLISTED)
        for title in ("놀이터 안전", "경비실 휴게 공간")
    ]
    empty = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD, opens_in=timedelta(hours=-1))
    refresh_all()  # the board's figures, as the scheduler's job computes them
    return scene, decided, empty


def test_every_page_api_and_file_shows_the_deciding_ballots_turnout(
    app, make, complex_with_two_ballots
):
    scene, decided, empty = complex_with_two_ballots
    participation = scene.participation
    cohort_id = participation.cohort_id
    name = scene.complex.name
    assert ballot_results(decided).turnout_percent == Decimal("31.3")
    assert ballot_results(empty).turnout_percent == Decimal("0.0")

    client = signed_in(app.test_client(), scene.coordinator)
    ballot_page = text_of(client.get(f"/ballots/{decided.id}"))
    assert "<dt>Turnout</dt><dd>5 / 16 (31.3%)</dd>" in ballot_page
    ballot_csv = _csv_rows(client.get(f"/ballots/{decided.id}/results.csv"))
    assert ["Turnout (%)", "31.3"] in ballot_csv

    results_page = text_of(client.get(f"/participations/{participation.id}/results"))
    assert _board_cell(results_page, "kpis", "Actual", "Turnout") == "31.3"
    assert _board_cell(results_page, "kpis", "Actual", "Ballots cast") == "5"

    staff = signed_in(app.test_client(), make.staff())
    board = text_of(staff.get(f"/staff/cohorts/{cohort_id}/board"))
    assert _board_cell(board, "complexes", "Turnout (%)", name) == "31.3"
    assert _board_cell(board, "complexes", "Ballots cast (ballots)", name) == "5"
    assert _board_cell(board, "kpis", "Actual", "Turnout") == "31.3"

    base = f"/staff/cohorts/{cohort_id}/board"
    assert _column(_csv_rows(staff.get(f"{base}/complexes.csv")), "투표율(%)", name) == "31.3"
    assert _column(_csv_rows(staff.get(f"{base}/kpis.csv")), "실적", "투표율") == "31.3"
    sheet = load_workbook(io.BytesIO(staff.get(f"{base}/complexes.xlsx").data)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert _column(cells, "투표율(%)", name) == 31.3

    api = app.test_client()
    own = api.get(f"/api/v1/participations/{participation.id}/results").get_json()
    assert _figure(own["figures"], "turnout")["actual"] == 31.3
    listed = api.get(f"/api/v1/cohorts/{cohort_id}/complexes").get_json()["items"]
    (line,) = [item for item in listed if item["participation_id"] == participation.id]
    assert _figure(line["figures"], "turnout")["actual"] == 31.3
    assert _figure(line["figures"], "turnout")["numerator"] == 5
    assert _figure(line["figures"], "turnout")["denominator"] == 16
    cohort = api.get(f"/api/v1/cohorts/{cohort_id}/results").get_json()
    assert _figure(cohort["figures"], "turnout")["actual"] == 31.3


def _deciding(participation):
    return set(db.session.scalars(deciding_ballots(among([participation.id]))))


def test_the_deciding_ballot_is_the_latest_confirmed_one(complex_with_two_ballots):
    scene, decided, _empty = complex_with_two_ballots
    assert _deciding(scene.participation) == {decided.id}


def test_until_one_is_confirmed_the_latest_ballot_that_opened_decides(make):
    scene = ballot_scene(make)
    first = a_ballot(scene, opens_in=timedelta(days=-2), lasts=timedelta(days=1))
    assert _deciding(scene.participation) == {first.id}
    second = a_ballot(scene, opens_in=timedelta(hours=-1))
    a_ballot(scene, opens_in=timedelta(days=1))  # scheduled: it has not opened
    assert _deciding(scene.participation) == {second.id}
    unballoted = make.participation(stage=Stage.PROBLEM_WORKSHOP)
    assert _deciding(unballoted) == set()


def test_turnout_rounds_half_up_with_one_decimal():
    assert [percent(*figures) for figures in ((1, 16), (2, 3), (1, 8), (0, 5), (3, 0))] == [
        Decimal("6.3"),
        Decimal("66.7"),
        Decimal("12.5"),
        Decimal("0.0"),
        None,
    ]


# Never above 100% ------------------------------------------------------------------------


def test_a_paper_tally_beyond_the_households_left_is_refused_in_korean(client, make):
    scene = ballot_scene(make, resident_count=2, household_count=3)
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD)
    first, second, third = option_ids(ballot)
    cast_vote(ballot, voter=scene.residents[0], choices={first: 1})
    db.session.commit()
    signed_in(client, scene.coordinator)
    client.set_cookie("lang", "ko")

    response = post(
        client,
        f"/ballots/{ballot.id}/paper",
        {"ballot_count": "3", f"votes_{first}": "3", f"votes_{second}": "0", f"votes_{third}": "0"},
    )
    assert response.status_code == 400
    assert "종이 투표는 최대 2장까지만 집계할 수 있습니다" in text_of(response)
    client.set_cookie("lang", "en")
    assert "<dd>1 / 3 (33.3%)</dd>" in text_of(client.get(f"/ballots/{ballot.id}"))


def test_whatever_is_entered_a_household_ballot_stays_within_its_households(make):
    scene = ballot_scene(make, resident_count=3, household_count=3)
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD)
    first = option_ids(ballot)[0]
    cast_vote(ballot, voter=scene.residents[0], choices={first: 1})
    record_paper_tally(ballot, ballot_count=2, votes={first: 2}, actor=scene.coordinator)
    db.session.commit()
    with pytest.raises(Conflict, match="Every eligible"):
        cast_vote(ballot, voter=scene.residents[1], choices={first: 1})
    db.session.rollback()
    for resident in scene.residents[1:]:  # the two paper ballots counted, marked by household
        mark_household_on_paper(ballot, household=resident.household, actor=scene.coordinator)
    db.session.commit()
    with pytest.raises(Conflict, match="No more paper ballots"):
        mark_household_on_paper(
            ballot, household=make.household(scene.complex), actor=scene.coordinator
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="At most 2 paper ballots"):
        record_paper_tally(ballot, ballot_count=3, votes={first: 3}, actor=scene.coordinator)
    db.session.rollback()
    results = ballot_results(ballot)
    assert (results.turnout, results.eligible, results.turnout_percent) == (3, 3, 100)
