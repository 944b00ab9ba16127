"""Reading figures never writes: every KPI page, its exports and the API answer a GET
with SELECTs only, even when the figures are old and a change waits for the refresh."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.kpi.models import KpiRefresh
from gachi.kpi.refresh import refresh
from gachi.programs.models import Program
from gachi.proposals.models import ProblemState
from tests.conftest import counted_queries, sign_in
from tests.kpi.helpers import known_cohort

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


@pytest.fixture
def stale_scene(make):
    """Figures computed an hour ago, a problem proposed since and a figure entered by
    hand since: everything a refresh would pick up."""
    scene = known_cohort(make)
    refresh(scene.cohort.id)
    make.problem(scene.eunpyeong, state=ProblemState.PROPOSED)
    db.session.execute(
        update(KpiRefresh).values(computed_at=utcnow() - timedelta(hours=1), changed_at=utcnow())
    )
    db.session.commit()
    return scene


def _pages(scene):
    cohort = scene.cohort.id
    program = db.session.scalars(select(Program.id).filter_by(participation_id=scene.mapo.id)).one()
    return [
        f"/staff/cohorts/{cohort}/board",
        f"/staff/cohorts/{cohort}/board?district=mapo&page=1",
        f"/staff/cohorts/{cohort}/board/complexes.csv",
        f"/staff/cohorts/{cohort}/board/kpis.xlsx",
        f"/staff/cohorts/{cohort}/targets",
        f"/staff/cohorts/{cohort}/actuals",
        f"/staff/cohorts/{cohort}/report",
        f"/participations/{scene.mapo.id}/results",
        f"/programs/{program}/results",
        "/staff/kpis",
        "/staff/kpis/new",
        f"/api/v1/cohorts/{cohort}/results?by=district",
        f"/api/v1/cohorts/{cohort}/complexes",
        f"/api/v1/participations/{scene.mapo.id}/results",
    ]


@contextmanager
def counted_commits():
    commits = []

    def count(connection):
        commits.append(connection)

    event.listen(db.engine, "commit", count)
    try:
        yield commits
    finally:
        event.remove(db.engine, "commit", count)


def test_the_kpi_pages_only_read_even_when_their_figures_are_old(client, stale_scene):
    sign_in(client, stale_scene.staff)
    for path in _pages(stale_scene):
        with counted_queries() as statements, counted_commits() as commits:
            assert client.get(path).status_code == 200, path
        writes = [s for s in statements if s.lstrip().upper().startswith(WRITES)]
        assert (writes, len(commits)) == ([], 0), path
    state = db.session.get(KpiRefresh, stale_scene.cohort.id)
    assert state.computed_at < utcnow() - timedelta(minutes=59)  # nobody refreshed


def test_the_write_check_sees_a_write(client, stale_scene):
    """The check above would see a refresh: the refresh writes through the same engine."""
    with counted_queries() as statements:
        refresh(stale_scene.cohort.id)
    assert any(s.lstrip().upper().startswith(WRITES) for s in statements)
