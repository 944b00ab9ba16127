"""Figures computed ahead: the refresh gives exactly what the live measures give, once
at a time; the scheduler and the pages that change figures refresh them, and the board
shows them with their time, never refreshing them itself."""

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update

from gachi.complexes.models import Participation
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.kpi import refresh as refreshing
from gachi.kpi.models import Kpi, KpiChange, KpiEntry, KpiRefresh, Method
from gachi.kpi.operations import set_figures
from gachi.kpi.queries import Filters, active_kpis, cohort_board, complex_count, rollup
from gachi.kpi.refresh import refresh
from gachi.proposals.models import ProblemState
from gachi.scheduler import run_job
from tests.conftest import post_form, sign_in
from tests.kpi.helpers import known_cohort
from tests.kpi.reference import complex_count_live, live_cohort_board, live_rollup


@pytest.fixture
def scene(make):
    scene = known_cohort(make)
    kpi = Kpi(
        code="newsletters",
        name_ko="소식지 발행",
        name_en="Newsletters",
        unit_ko="건",
        unit_en="issues",
        method=Method.MANUAL,
    )
    db.session.add(kpi)
    db.session.flush()
    db.session.add(
        KpiEntry(
            kpi_id=kpi.id,
            cohort_id=scene.cohort.id,
            complex_id=scene.mapo.complex_id,
            value=Decimal("3.5"),
        )
    )
    db.session.commit()
    return scene


def _figures(rows):
    return [
        (
            row.key,
            row.complex_count,
            {
                code: (figure.numerator, figure.denominator, figure.actual)
                for code, figure in row.figures.items()
            },
        )
        for row in rows
    ]


def _actuals(board):
    return {figure.kpi.code: figure.actual for figure in board.figures}


def _board_page(client, scene):
    return client.get(f"/staff/cohorts/{scene.cohort.id}/board").get_data(as_text=True)


def _problems_on(page):
    row = re.search(r"Problems proposed</th>(.*?)</tr>", page, re.S).group(1)
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][2]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(district=None, stage=None, category_id=None),
    ],
)
@pytest.mark.parametrize("by", [None, "district", "category", "complex"])
def test_the_refresh_gives_exactly_the_live_figures(scene, by, filters):
    refresh(scene.cohort.id)
    kpis = active_kpis()
    assert {kpi.code for kpi in kpis} >= {
        "residents",
        "households",
        "household_share",
        "newsletters",
        "volunteers",
        "satisfaction",
    }
    assert _figures(rollup(scene.cohort.id, kpis, by, filters)) == _figures(
        live_rollup(scene.cohort.id, kpis, by, filters)
    )


@pytest.mark.parametrize("filters", ["district", "category", "stage"])
@pytest.mark.parametrize("by", [None, "district", "category", "complex"])
def test_filtered_roll_ups_of_the_computed_figures_are_the_live_ones(scene, make, by, filters):
    value = {
        "district": scene.mapo.complex.district,
        "category": make.category("food").id,
        "stage": scene.mapo.stage,
    }[filters]
    chosen = Filters(**{"category_id" if filters == "category" else filters: value})
    refresh(scene.cohort.id)
    kpis = active_kpis()
    assert _figures(rollup(scene.cohort.id, kpis, by, chosen)) == _figures(
        live_rollup(scene.cohort.id, kpis, by, chosen)
    )
    assert (
        complex_count(scene.cohort.id, chosen) == complex_count_live(scene.cohort.id, chosen) == 1
    )


def test_the_board_is_the_live_board(scene):
    refresh(scene.cohort.id)
    assert _actuals(cohort_board(scene.cohort.id)) == _actuals(live_cohort_board(scene.cohort.id))
    assert _actuals(cohort_board(scene.cohort.id))["residents"] == 5


def test_a_second_refresh_with_nothing_changed_writes_nothing(scene):
    first = refresh(scene.cohort.id)
    again = refresh(scene.cohort.id)
    assert first.done and first.written > 0
    assert again.done and again.written == 0


def test_a_change_shows_after_the_next_refresh(client, scene, make):
    refresh(scene.cohort.id)
    sign_in(client, scene.staff)
    assert _problems_on(_board_page(client, scene)) == "3"
    make.problem(scene.eunpyeong, state=ProblemState.PROPOSED)
    assert _problems_on(_board_page(client, scene)) == "3"  # as of the last refresh
    refresh(scene.cohort.id)
    assert _problems_on(_board_page(client, scene)) == "4"


def test_the_board_says_when_its_figures_were_computed(client, scene):
    refresh(scene.cohort.id)
    computed_at = db.session.get(KpiRefresh, scene.cohort.id).computed_at
    sign_in(client, scene.staff)
    page = _board_page(client, scene)
    assert re.search(r"Figures as of [^<]*\d{1,2}:\d\d", page)
    api = client.get(f"/api/v1/cohorts/{scene.cohort.id}/results").get_json()
    assert api["computed_at"] == computed_at.isoformat()
    complexes = client.get(f"/api/v1/cohorts/{scene.cohort.id}/complexes").get_json()
    assert complexes["computed_at"] == computed_at.isoformat()


def test_the_board_is_in_seoul_time_in_korean(korean_client, scene):
    refresh(scene.cohort.id)
    sign_in(korean_client, scene.staff)
    page = _board_page(korean_client, scene)
    assert re.search(r"Figures as of|기준", page)
    assert re.search(r"(오전|오후) \d{1,2}:\d\d", page)


def test_before_the_first_refresh_the_board_says_the_figures_are_coming(client, scene):
    sign_in(client, scene.staff)
    page = _board_page(client, scene)
    assert "The figures are being computed" in page
    assert db.session.get(KpiRefresh, scene.cohort.id) is None  # the page computed nothing


def test_the_board_shows_old_figures_as_they_are_and_leaves_refreshing_to_the_job(
    client, scene, make
):
    refresh(scene.cohort.id)
    make.problem(scene.eunpyeong, state=ProblemState.PROPOSED)
    _age(scene, timedelta(hours=2))
    sign_in(client, scene.staff)
    assert _problems_on(_board_page(client, scene)) == "3"
    assert run_job("kpi.refresh") == "done"
    assert _problems_on(_board_page(client, scene)) == "4"


def test_while_another_refresh_works_a_second_one_leaves_it_be(scene, make):
    refresh(scene.cohort.id)
    make.problem(scene.eunpyeong, state=ProblemState.PROPOSED)
    db.session.execute(update(KpiRefresh).values(claimed_at=utcnow()))
    db.session.commit()
    assert not refresh(scene.cohort.id).done
    # A claim left by a refresh that died is taken over once it is old.
    db.session.execute(update(KpiRefresh).values(claimed_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    assert refresh(scene.cohort.id).done
    assert _actuals(cohort_board(scene.cohort.id))["problems"] == 4


def _newsletters():
    return db.session.scalars(select(Kpi).filter_by(code="newsletters")).one()


def test_figures_entered_by_hand_show_on_the_board_at_once(client, scene):
    refresh(scene.cohort.id)
    sign_in(client, scene.staff)
    response = post_form(
        client,
        f"/staff/cohorts/{scene.cohort.id}/actuals?complex_id={scene.eunpyeong.complex_id}",
        {f"kpi_{_newsletters().id}": "5"},
    )
    assert response.status_code == 302
    assert _actuals(cohort_board(scene.cohort.id))["newsletters"] == Decimal("8.5")


def test_figures_entered_by_hand_are_saved_even_when_the_refresh_after_them_fails(
    client, scene, monkeypatch
):
    refresh(scene.cohort.id)

    def broken(*_args):
        raise RuntimeError("no")

    monkeypatch.setattr(refreshing, "compute", broken)
    sign_in(client, scene.staff)
    response = post_form(
        client,
        f"/staff/cohorts/{scene.cohort.id}/actuals?complex_id={scene.eunpyeong.complex_id}",
        {f"kpi_{_newsletters().id}": "5"},
    )
    assert response.status_code == 302
    entry = db.session.scalars(
        select(KpiEntry).filter_by(complex_id=scene.eunpyeong.complex_id)
    ).one()
    assert entry.value == 5
    state = db.session.get(KpiRefresh, scene.cohort.id)
    assert state.changed_at is not None and state.claimed_at is None  # the job takes it up
    monkeypatch.undo()
    assert run_job("kpi.refresh") == "done"
    assert _actuals(cohort_board(scene.cohort.id))["newsletters"] == Decimal("8.5")


def test_an_operation_entering_figures_leaves_the_refresh_to_whoever_commits(scene):
    refresh(scene.cohort.id)
    set_figures(
        scene.cohort,
        {_newsletters(): Decimal(5)},
        kind="actuals",
        complex_id=scene.eunpyeong.complex_id,
        actor=scene.staff,
    )
    db.session.commit()
    assert _actuals(cohort_board(scene.cohort.id))["newsletters"] == Decimal("3.5")
    refresh(scene.cohort.id)
    assert _actuals(cohort_board(scene.cohort.id))["newsletters"] == Decimal("8.5")


def test_two_refreshes_at_once_do_the_work_once(app, scene, monkeypatch):
    cohort_id = scene.cohort.id
    refresh(cohort_id)
    _age(scene, timedelta(minutes=5))  # commits: this session holds no transaction
    computing, release, done = threading.Event(), threading.Event(), []
    compute = refreshing.compute

    def slow_compute(*args):
        computing.set()
        release.wait(30)
        return compute(*args)

    monkeypatch.setattr(refreshing, "compute", slow_compute)

    def one_refresh():
        with app.app_context():
            try:
                done.append(refresh(cohort_id).done)
            finally:
                db.session.remove()

    first = threading.Thread(target=one_refresh)
    first.start()
    assert computing.wait(30)
    second = threading.Thread(target=one_refresh)
    second.start()
    second.join(30)
    release.set()
    first.join(30)
    assert sorted(done) == [False, True]
    db.session.expire_all()
    state = db.session.get(KpiRefresh, cohort_id)
    assert state.claimed_at is None and state.computed_at > utcnow() - timedelta(minutes=1)


def test_a_failed_refresh_frees_its_claim(scene, monkeypatch):
    def broken(*_args):
        raise RuntimeError("no")

    monkeypatch.setattr(refreshing, "compute", broken)
    with pytest.raises(RuntimeError):
        refresh(scene.cohort.id)
    monkeypatch.undo()
    assert refresh(scene.cohort.id).done


def test_the_scheduler_refreshes_every_cohort_each_minute(scene, make):
    assert run_job("kpi.refresh") == "done"
    states = db.session.scalars(select(KpiRefresh)).all()
    assert {state.cohort_id for state in states} == {scene.cohort.id, scene.other.cohort_id}
    assert all(state.computed_at is not None for state in states)
    assert complex_count(scene.cohort.id) == 2


def test_a_complex_leaving_the_cohort_leaves_its_figures(scene):
    refresh(scene.cohort.id)
    db.session.delete(db.session.get(Participation, scene.eunpyeong.id))
    db.session.commit()
    refresh(scene.cohort.id)
    kpis = active_kpis()
    assert _figures(rollup(scene.cohort.id, kpis, "district")) == _figures(
        live_rollup(scene.cohort.id, kpis, "district")
    )
    assert complex_count(scene.cohort.id) == 1


def _age(scene, by):
    cohort_id = scene.cohort.id
    db.session.execute(
        update(KpiRefresh)
        .where(KpiRefresh.cohort_id == cohort_id)
        .values(computed_at=utcnow() - by)
    )
    db.session.commit()


def test_a_refresh_recomputes_only_the_complexes_whose_data_changed(scene, make):
    first = refresh(scene.cohort.id)
    assert first.full and first.recomputed == 2
    make.problem(scene.eunpyeong, state=ProblemState.PROPOSED)
    again = refresh(scene.cohort.id)
    assert not again.full and again.recomputed == 1
    kpis = active_kpis()
    for by in (None, "district", "category", "complex"):
        assert _figures(rollup(scene.cohort.id, kpis, by)) == _figures(
            live_rollup(scene.cohort.id, kpis, by)
        )
    assert refresh(scene.cohort.id).recomputed == 0


def test_a_session_ending_between_two_refreshes_counts_as_held(scene):
    from gachi.programs.models import Program
    from gachi.programs.sessions.models import ProgramSession
    from tests.kpi.helpers import _session

    program = db.session.scalars(select(Program).filter_by(participation_id=scene.mapo.id)).one()
    session = _session(program, 0)
    session.starts_at, session.ends_at = (
        utcnow() - timedelta(hours=1),
        utcnow() + timedelta(hours=1),
    )
    db.session.commit()
    session_id = session.id
    refresh(scene.cohort.id)
    held = _actuals(cohort_board(scene.cohort.id))["sessions_held"]
    # The session ends now; no row noting a change is left, as when only the clock moves.
    db.session.execute(
        update(ProgramSession).where(ProgramSession.id == session_id).values(ends_at=utcnow())
    )
    db.session.execute(delete(KpiChange))
    db.session.commit()
    assert refresh(scene.cohort.id).recomputed == 1
    assert _actuals(cohort_board(scene.cohort.id))["sessions_held"] == held + 1


def test_a_new_indicator_recomputes_every_complex(scene):
    refresh(scene.cohort.id)
    db.session.add(
        Kpi(
            code="press",
            name_ko="언론 보도",
            name_en="Press",
            unit_ko="건",
            unit_en="articles",
            method=Method.MANUAL,
        )
    )
    db.session.commit()
    outcome = refresh(scene.cohort.id)
    assert outcome.full and outcome.recomputed == 2
