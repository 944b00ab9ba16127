"""A complex's results and a programme's results read their own sessions' bookings and
ratings only: thirty other complexes booking and rating their own programmes change
neither the number of statements nor what those statements read."""

import pytest
from sqlalchemy import event

from gachi.extensions import db
from gachi.programs.models import Program
from gachi.proposals.models import ProblemState
from tests.conftest import sign_in
from tests.kpi.helpers import a_programme, known_cohort

PAGES = ["/participations/{mapo}/results", "/programs/{program}/results"]
BOOKINGS_AND_RATINGS = ("bookings", "session_feedback")


def _other_complexes_book_and_rate(make, cohort, count):
    for _ in range(count):
        complex_ = make.complex_()
        participation = make.participation(complex_, cohort)
        residents = [make.resident(complex_) for _ in range(4)]
        problem = make.problem(
            participation, state=ProblemState.SELECTED, proposed_by_id=residents[0].id
        )
        a_programme(participation, problem, *residents)


def _statements(client, path):
    """The statements (with their parameters) of one request, after a warm-up."""
    client.get(path)
    client.get(path)
    seen = []

    def record(_connection, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def _scans_of_bookings_or_ratings(statements):
    """SQLite's plan lines that read a whole bookings or feedback table."""
    scans = []
    for statement, parameters in statements:
        if not any(f"FROM {table}" in statement for table in BOOKINGS_AND_RATINGS):
            continue
        plan = db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters
        )
        scans += [
            row[-1]
            for row in plan
            if any(row[-1].startswith(f"SCAN {table}") for table in BOOKINGS_AND_RATINGS)
        ]
    return scans


@pytest.mark.parametrize("page", PAGES)
def test_results_read_only_their_own_sessions(client, make, page):
    scene = known_cohort(make)
    sign_in(client, scene.staff)
    program = db.session.query(Program).filter_by(participation_id=scene.mapo.id).one()
    path = page.format(mapo=scene.mapo.id, program=program.id)
    alone = _statements(client, path)
    assert any(
        f"FROM {table}" in statement for statement, _ in alone for table in BOOKINGS_AND_RATINGS
    )

    _other_complexes_book_and_rate(make, scene.cohort, 30)
    among_thirty = _statements(client, path)

    assert len(among_thirty) == len(alone)
    if db.engine.dialect.name == "sqlite":  # PostgreSQL scans tables this small anyway
        assert _scans_of_bookings_or_ratings(among_thirty) == []
