"""Every built-in KPI's actual, rate and arrow, computed by hand for a known cohort."""

from decimal import Decimal

import pytest

from gachi.extensions import db
from gachi.kpi.models import Kpi, KpiEntry, KpiTarget, Method
from gachi.kpi.queries import Filters, active_kpis, cohort_board, participation_board, rollup
from gachi.kpi.refresh import refresh
from tests.kpi.helpers import known_cohort

CENTER = {
    "complexes": Decimal(2),
    "residents": Decimal(5),
    "households": Decimal(5),
    "household_share": Decimal("4.0"),
    "problems": Decimal(3),
    "ballots_cast": Decimal(6),
    "turnout": Decimal("42.9"),
    "enterprises": Decimal(2),
    "matches": Decimal(2),
    "execution_rate": Decimal("25.0"),
    "business_models": Decimal(0),
    "sessions_planned": 3,
    "sessions_held": 2,
    "bookings": 7,
    "attendance_rate": Decimal("80.0"),
    "no_show_rate": Decimal("20.0"),
    "participants": 2,
    "returning": 1,
    "volunteers": 2,
    "volunteer_hours": Decimal("4.5"),
    "satisfaction": Decimal("4.0"),
}

MAPO = {
    "complexes": 1,
    "residents": 4,
    "households": 4,
    "household_share": Decimal("4.0"),
    "problems": 2,
    "ballots_cast": 5,
    "turnout": Decimal("50.0"),
    "enterprises": 1,
    "matches": 1,
    "execution_rate": Decimal("25.0"),
    "business_models": 0,
    "sessions_planned": 3,
    "sessions_held": 2,
    "bookings": 7,
    "attendance_rate": Decimal("80.0"),
    "no_show_rate": Decimal("20.0"),
    "participants": 2,
    "returning": 1,
    "volunteers": 2,
    "volunteer_hours": Decimal("4.5"),
    "satisfaction": Decimal("4.0"),
}


def _target(scene, code, value, complex_=None):
    kpi = db.session.query(Kpi).filter_by(code=code).one()
    db.session.add(
        KpiTarget(
            kpi_id=kpi.id,
            cohort_id=scene.cohort.id,
            value=Decimal(value),
            complex_id=complex_.id if complex_ else None,
        )
    )
    db.session.commit()


@pytest.fixture
def scene(make):
    scene = known_cohort(make)
    refresh(scene.cohort.id)  # the roll-ups read the figures computed ahead
    return scene


def test_every_built_in_kpi_has_its_hand_computed_actual_for_the_cohort(scene):
    board = cohort_board(scene.cohort.id)
    actuals = {figure.kpi.code: figure.actual for figure in board.figures}
    assert actuals == CENTER


def test_a_complex_page_has_its_own_hand_computed_actuals(scene):
    board = participation_board(scene.mapo)
    assert {figure.kpi.code: figure.actual for figure in board.figures} == MAPO


def test_a_complex_without_households_known_has_no_household_share(scene):
    board = participation_board(scene.eunpyeong)
    figures = {figure.kpi.code: figure for figure in board.figures}
    assert figures["household_share"].actual is None
    assert figures["turnout"].actual == Decimal("25.0")
    assert figures["execution_rate"].actual is None  # no plan: no data, not 0%
    assert figures["sessions_held"].actual == 0
    assert figures["attendance_rate"].actual is None and figures["satisfaction"].actual is None
    assert figures["volunteer_hours"].actual == 0


def test_rates_and_arrows_follow_the_report(scene):
    _target(scene, "complexes", 2)  # 2 of 2: 100% →
    _target(scene, "problems", 4)  # 3 of 4: 75% ↘
    _target(scene, "turnout", 40)  # 42.9 of 40: 107% ↗
    _target(scene, "business_models", 0)  # 0 of 0: no rate, →
    _target(scene, "no_show_rate", 10)  # 20% against at most 10%: 50% ↘
    figures = {figure.kpi.code: figure for figure in cohort_board(scene.cohort.id).figures}
    assert (figures["complexes"].rate, figures["complexes"].arrow) == (100, "→")
    assert (figures["problems"].rate, figures["problems"].arrow) == (75, "↘")
    assert (figures["turnout"].rate, figures["turnout"].arrow) == (107, "↗")
    assert (figures["business_models"].rate, figures["business_models"].arrow) == (None, "→")
    assert (figures["residents"].rate, figures["residents"].arrow) == (None, None)
    assert (figures["no_show_rate"].rate, figures["no_show_rate"].arrow) == (50, "↘")


def test_a_cohort_with_no_data_shows_zero_counts_and_no_rates(make):
    cohort = make.cohort()
    figures = {figure.kpi.code: figure for figure in cohort_board(cohort.id).figures}
    assert figures["complexes"].actual == 0
    assert figures["turnout"].actual is None
    assert figures["execution_rate"].actual is None


def test_complex_targets_apply_on_the_complex_page_only(scene):
    _target(scene, "problems", 1, complex_=scene.mapo.complex)
    mapo = {figure.kpi.code: figure for figure in participation_board(scene.mapo).figures}
    center = {figure.kpi.code: figure for figure in cohort_board(scene.cohort.id).figures}
    assert (mapo["problems"].target, mapo["problems"].rate, mapo["problems"].arrow) == (1, 200, "↗")
    assert center["problems"].target is None


@pytest.mark.parametrize("by", ["district", "category", "complex"])
def test_a_rollups_rows_add_up_to_the_cohort_total(scene, by):
    kpis = active_kpis()
    total = rollup(scene.cohort.id, kpis)[0]
    rows = rollup(scene.cohort.id, kpis, by=by)
    assert sum(row.complex_count for row in rows) == total.complex_count == 2
    for kpi in kpis:
        assert (
            sum(row.figures[kpi.code].numerator for row in rows)
            == total.figures[kpi.code].numerator
        )
        assert (
            sum(row.figures[kpi.code].denominator for row in rows)
            == total.figures[kpi.code].denominator
        )


def test_category_rollup_puts_each_complex_under_its_first_chosen_problem(scene):
    rows = rollup(scene.cohort.id, active_kpis(), by="category")
    assert {row.label: row.complex_count for row in rows} == {"Care": 1, "Food": 1}


def test_filters_narrow_the_board_to_a_district(scene):
    board = cohort_board(scene.cohort.id, Filters(district=scene.mapo.complex.district))
    assert {figure.kpi.code: figure.actual for figure in board.figures} == {
        code: Decimal(value) for code, value in MAPO.items()
    }


def test_a_hand_entered_kpi_sums_its_complexes_unless_the_cohort_has_its_own_figure(scene):
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
    db.session.add_all(
        [
            KpiEntry(
                kpi_id=kpi.id, cohort_id=scene.cohort.id, complex_id=scene.mapo.complex_id, value=3
            ),
            KpiEntry(
                kpi_id=kpi.id,
                cohort_id=scene.cohort.id,
                complex_id=scene.eunpyeong.complex_id,
                value=2,
            ),
        ]
    )
    db.session.commit()
    refresh(scene.cohort.id)  # written straight to the tables, not through kpi.operations
    assert _actual(cohort_board(scene.cohort.id), "newsletters") == 5
    db.session.add(KpiEntry(kpi_id=kpi.id, cohort_id=scene.cohort.id, value=7))
    db.session.commit()
    assert _actual(cohort_board(scene.cohort.id), "newsletters") == 7
    assert _actual(participation_board(scene.mapo), "newsletters") == 3


def test_a_hand_entered_kpi_without_entries_has_no_actual(scene):
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
    assert _actual(cohort_board(scene.cohort.id), "press") is None


def _actual(board, code):
    return next(figure.actual for figure in board.figures if figure.kpi.code == code)
