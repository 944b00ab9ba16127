"""The board, a complex's page and the API make as many queries with ten complexes as
with two: they aggregate in SQL rather than walking rows."""

import pytest

from gachi.complexes.districts import District
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance
from gachi.programs.models import Program
from gachi.proposals.models import ProblemState
from tests.conftest import counted_queries, sign_in
from tests.kpi.helpers import _booking, _session, a_ballot, known_cohort


def _grow(make, scene, extra):
    districts = list(District)
    for number in range(extra):
        complex_ = make.complex_(district=districts[number % len(districts)])
        participation = make.participation(complex_, scene.cohort)
        resident = make.resident(complex_)
        make.problem(
            participation,
            state=ProblemState.SELECTED,
            proposed_by_id=resident.id,
            category_code=("care", "food", "health")[number % 3],
        )
        a_ballot(participation, 3, online_voters=(resident,))
    program = db.session.query(Program).filter_by(participation_id=scene.mapo.id).one()
    for days in range(extra):
        _booking(_session(program, -20 - days), scene.resident, attendance=Attendance.ATTENDED)
    db.session.commit()


def _queries(client, path):
    # Warm up: the session's user, the page's first-time lookups. Twice: the first may
    # refresh the figures computed ahead, whose commits expire what the session (shared by
    # the test's requests) had loaded.
    client.get(path)
    client.get(path)
    with counted_queries(with_transaction_statements=True) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "path",
    [
        "/staff/cohorts/{cohort}/board",
        "/participations/{mapo}/results",
        "/api/v1/cohorts/{cohort}/results?by=district",
        "/api/v1/cohorts/{cohort}/complexes",
        "/staff/cohorts/{cohort}/board/complexes.xlsx",
        "/programs/{program}/results",
        "/participations/{mapo}/report",
        "/staff/cohorts/{cohort}/report",
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_data(client, make, path):
    scene = known_cohort(make)
    sign_in(client, scene.staff)
    program = db.session.query(Program).filter_by(participation_id=scene.mapo.id).one()
    path = path.format(cohort=scene.cohort.id, mapo=scene.mapo.id, program=program.id)
    small = _queries(client, path)
    _grow(make, scene, 12)
    assert _queries(client, path) == small
