"""What only HTTP shows: forms and their errors, status codes, CSRF, and what pages list."""

import pytest
from sqlalchemy import event, func, select

from gachi.complexes.districts import District
from gachi.complexes.models import (
    Cohort,
    Complex,
    Household,
    InvitationCode,
    Participation,
    StageMove,
    Tenure,
)
from gachi.complexes.operations import move_stage
from gachi.complexes.stages import Stage
from gachi.coordinators.models import Placement
from gachi.core.audit import AuditEntry
from gachi.core.errors import DomainError
from gachi.extensions import db
from tests.complexes.helpers import confirm_on_page, management_scene, post, signed_in, text_of
from tests.conftest import counted_queries, sign_in


def count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def staff_client(client, make):
    signed_in(client, make.staff())
    return client


# Cohorts ------------------------------------------------------------------------------


def test_cohort_list_shows_how_many_complexes_take_part(staff_client, make):
    cohort = make.cohort(name="2018 시범사업")
    for _ in range(3):
        make.participation(cohort_obj=cohort)
    make.cohort(name="2019 사업")

    page = text_of(staff_client.get("/staff/cohorts"))

    assert "2018 시범사업" in page and "2019 사업" in page
    assert '<td class="num">3</td>' in page and '<td class="num">0</td>' in page


def test_cohort_list_costs_the_same_queries_for_two_cohorts_or_twenty(staff_client, make):
    def queries_for_list():
        with counted_queries() as statements:
            assert staff_client.get("/staff/cohorts").status_code == 200
        return len(statements)

    for _ in range(2):
        make.participation(cohort_obj=make.cohort())
    few = queries_for_list()
    for _ in range(18):
        make.participation(cohort_obj=make.cohort())
    assert queries_for_list() == few


def test_staff_creates_a_cohort_through_the_form(staff_client):
    response = post(
        staff_client,
        "/staff/cohorts/new",
        {
            "name": "2018 시범사업",
            "year": "2018",
            "starts_on": "2018-08-01",
            "ends_on": "2018-12-31",
            "description": "공동주택 같이살림 프로젝트",
        },
    )

    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort))
    assert cohort.name == "2018 시범사업" and cohort.ends_on.month == 12


def test_a_cohort_ending_before_it_starts_is_a_form_error(staff_client):
    response = post(
        staff_client,
        "/staff/cohorts/new",
        {
            "name": "거꾸로",
            "year": "2018",
            "starts_on": "2018-12-01",
            "ends_on": "2018-08-01",
        },
    )

    assert response.status_code == 400
    assert "The end date cannot be before the start date." in text_of(response)
    assert count(Cohort) == 0


def test_a_duplicate_cohort_name_is_a_clear_error_not_a_500(staff_client, make):
    make.cohort(name="2018 시범사업")

    response = post(staff_client, "/staff/cohorts/new", {"name": "2018 시범사업", "year": "2018"})

    assert response.status_code == 409
    assert "There is already a cohort called 2018 시범사업." in text_of(response)


def test_staff_edits_a_cohort(staff_client, make):
    cohort = make.cohort(name="2018 시범사업")

    response = post(
        staff_client,
        f"/staff/cohorts/{cohort.id}/edit",
        {"name": "2018 같이살림 시범사업", "year": "2018"},
    )

    assert response.status_code == 302
    db.session.refresh(cohort)
    assert cohort.name == "2018 같이살림 시범사업"


def test_recruiting_a_complex_puts_it_in_the_recruiting_stage(staff_client, make):
    cohort, complex_ = make.cohort(), make.complex_(name="응암동 H아파트")

    response = post(
        staff_client, f"/staff/cohorts/{cohort.id}/participations", {"complex_id": str(complex_.id)}
    )

    assert response.status_code == 302
    page = text_of(staff_client.get(f"/staff/cohorts/{cohort.id}"))
    assert "응암동 H아파트" in page and "Recruiting" in page


def test_recruiting_the_same_complex_twice_is_a_form_error(staff_client, make):
    cohort, complex_ = make.cohort(), make.complex_(name="응암동 H아파트")
    make.participation(complex_, cohort)

    response = post(
        staff_client, f"/staff/cohorts/{cohort.id}/participations", {"complex_id": str(complex_.id)}
    )

    assert response.status_code == 409
    assert "응암동 H아파트 is already taking part in this cohort." in text_of(response)
    assert count(Participation) == 1


@pytest.mark.parametrize("complex_id", ["", "abc", "999999"])
def test_recruiting_an_unknown_complex_is_a_form_error(staff_client, make, complex_id):
    cohort = make.cohort()

    response = post(
        staff_client, f"/staff/cohorts/{cohort.id}/participations", {"complex_id": complex_id}
    )

    assert response.status_code == 400
    assert count(Participation) == 0


def test_an_unknown_cohort_is_404(staff_client):
    assert staff_client.get("/staff/cohorts/999999").status_code == 404


# Complexes ----------------------------------------------------------------------------


def test_staff_adds_a_complex_and_it_is_audited(staff_client):
    response = post(
        staff_client,
        "/staff/complexes/new",
        {
            "name": "청량리 H아파트",
            "district": "dongdaemun",
            "address": "서울 동대문구",
            "household_count": "610",
            "resident_count": "1266",
            "elderly_share": "31.6",
            "tenure": "owner",
            "built_year": "1997",
            "description": "",
        },
    )

    assert response.status_code == 302
    complex_ = db.session.scalar(select(Complex))
    assert (complex_.district.value, complex_.household_count, str(complex_.elderly_share)) == (
        "dongdaemun",
        610,
        "31.6",
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complex.create"))
    assert entry.complex_id == complex_.id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("district", "atlantis"),
        ("tenure", "castle"),
        ("household_count", "-1"),
        ("elderly_share", "101"),
        ("elderly_share", "많음"),
        ("elderly_share", "NaN"),
        ("elderly_share", "sNaN"),
        ("elderly_share", "Infinity"),
        ("built_year", "1066"),
        ("name", ""),
        ("name", "단지\x00"),
    ],
)
def test_a_complex_with_bad_values_is_refused_with_a_message(staff_client, field, value):
    data = {"name": "단지", "district": "mapo", "tenure": "mixed", field: value}

    response = post(staff_client, "/staff/complexes/new", data)

    assert response.status_code == 400
    assert 'class="error"' in text_of(response)
    assert count(Complex) == 0


def test_staff_edits_a_complex(staff_client, make):
    complex_ = make.complex_(name="아현동 P아파트", household_count=600)

    response = post(
        staff_client,
        f"/staff/complexes/{complex_.id}/edit",
        {
            "name": "아현동 P아파트",
            "district": "mapo",
            "tenure": "rental",
            "household_count": "661",
        },
    )

    assert response.status_code == 302
    db.session.refresh(complex_)
    assert complex_.household_count == 661 and complex_.tenure.value == "rental"


def test_complex_list_filters_by_district_tenure_and_stage_in_the_latest_cohort(staff_client, make):
    old, latest = make.cohort(year=2017), make.cohort(year=2018)
    mapo = make.complex_(name="마포 단지", tenure=Tenure.RENTAL)
    make.complex_(name="은평 단지", district=District.EUNPYEONG, tenure=Tenure.OWNER)
    make.participation(mapo, latest, stage=Stage.PROBLEM_WORKSHOP)
    make.participation(mapo, old, stage=Stage.CLOSED)

    def names(query):
        response = staff_client.get("/staff/complexes" + query)
        assert response.status_code == 200
        page = text_of(response)
        return {name for name in ("마포 단지", "은평 단지") if name in page}

    assert names("") == {"마포 단지", "은평 단지"}
    assert names("?district=mapo") == {"마포 단지"}
    assert names("?tenure=owner") == {"은평 단지"}
    assert names("?stage=problem_workshop") == {"마포 단지"}
    assert names(f"?stage=closed&cohort={latest.id}") == set()
    assert names(f"?stage=closed&cohort={old.id}") == {"마포 단지"}
    assert names("?name=은평&district=&stage=&tenure=") == {"은평 단지"}


@pytest.mark.parametrize(
    "query",
    [
        "?district=atlantis",
        "?stage=flying",
        "?tenure=castle",
        "?cohort=abc",
        "?cohort=999999",
        "?page=abc",
        "?page=0",
        "?page=-3",
        "?name=" + "x" * 300,
        "?district=%00",
    ],
)
def test_complex_list_with_bad_filter_values_says_so_and_does_not_500(staff_client, make, query):
    make.cohort()
    make.complex_(name="아현동 P아파트")

    response = staff_client.get("/staff/complexes" + query)

    assert response.status_code == 400
    page = text_of(response)
    assert "Some filters could not be read" in page
    assert "아현동 P아파트" in page


def test_complex_list_shows_fifty_a_page(staff_client, make):
    for number in range(55):
        make.complex_(name=f"단지 {number:03d}")

    first = text_of(staff_client.get("/staff/complexes"))
    second = text_of(staff_client.get("/staff/complexes?page=2"))

    assert "단지 049" in first and "단지 050" not in first
    assert "단지 050" in second and "단지 054" in second and "단지 049" not in second
    assert "55 complexes found." in first


def test_complex_list_costs_the_same_queries_for_few_and_many_complexes(staff_client, make):
    cohort = make.cohort()

    def queries_for_list():
        with counted_queries() as statements:
            assert staff_client.get("/staff/complexes?district=mapo").status_code == 200
        return len(statements)

    make.participation(make.complex_(), cohort)
    few = queries_for_list()
    for _ in range(30):
        make.participation(make.complex_(), cohort)
    assert queries_for_list() == few


# The management pages -----------------------------------------------------------------


def test_complex_page_shows_facts_participations_coordinators_and_history(client, make):
    scene = management_scene(make)
    coordinator = make.coordinator(scene["complex_obj"], display_name="박경화")
    participation = db.session.get(Participation, scene["participation"])
    move_stage(participation, Stage.PROBLEM_WORKSHOP, actor=coordinator, note="1차 워크숍 준비")
    db.session.commit()
    signed_in(client, coordinator)

    page = text_of(client.get(f"/complexes/{scene['complex']}"))

    assert "아현동 P아파트" in page and "Mapo-gu" in page
    assert "박경화" in page
    assert "1차 워크숍 준비" in page
    assert "Move to Solution workshop" in page
    assert f"/complexes/{scene['complex']}/households" in page
    assert "Close early" not in page  # only staff may


def test_participation_page_shows_the_stage_line_with_the_current_stage(staff_client, make):
    participation = make.participation(stage=Stage.PLANNING)

    page = text_of(staff_client.get(f"/participations/{participation.id}"))

    assert '<li class="current" aria-current="step">Planning</li>' in page
    assert '<li class="done">Solution workshop</li>' in page
    assert "Close early" in page


def test_a_stage_move_without_its_gate_is_refused_with_the_reason_and_nothing_changes(
    staff_client, make
):
    participation = make.participation()

    response = post(
        staff_client, f"/participations/{participation.id}/stage", {"target": "problem_workshop"}
    )

    assert response.status_code == 409
    assert "No coordinator is placed at this complex." in text_of(response)
    db.session.expire_all()
    assert db.session.get(Participation, participation.id).stage is Stage.RECRUITING
    assert count(StageMove) == 0


def test_the_same_stage_move_succeeds_once_a_coordinator_is_placed(staff_client, make):
    participation = make.participation()
    post(staff_client, f"/participations/{participation.id}/stage", {"target": "problem_workshop"})
    make.coordinator(participation.complex)

    response = post(
        staff_client,
        f"/participations/{participation.id}/stage",
        {"target": "problem_workshop", "return_to": "complex"},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/complexes/{participation.complex_id}")
    db.session.expire_all()
    assert db.session.get(Participation, participation.id).stage is Stage.PROBLEM_WORKSHOP
    assert count(StageMove) == 1


@pytest.mark.parametrize("target", ["planning", "recruiting", "flying", ""])
def test_a_stage_move_that_skips_goes_back_or_is_unknown_is_refused(staff_client, make, target):
    participation = make.participation()
    make.coordinator(participation.complex)

    response = post(staff_client, f"/participations/{participation.id}/stage", {"target": target})

    assert 400 <= response.status_code < 500
    db.session.expire_all()
    assert db.session.get(Participation, participation.id).stage is Stage.RECRUITING


def test_staff_closing_early_needs_a_note(staff_client, make):
    participation = make.participation()

    refused = post(staff_client, f"/participations/{participation.id}/stage", {"target": "closed"})
    closed = post(
        staff_client,
        f"/participations/{participation.id}/stage",
        {"target": "closed", "note": "단지 사정으로 참여 철회"},
    )

    assert refused.status_code == 409
    assert "needs a note" in text_of(refused)
    assert closed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participation, participation.id).stage is Stage.CLOSED


# Households and codes -----------------------------------------------------------------


def test_bulk_adding_households_with_bad_lines_adds_none_and_says_which_lines_and_why(client, make):
    complex_ = make.complex_()
    make.household(complex_, building="101", unit="101")
    signed_in(client, make.coordinator(complex_))
    lines = "101 1203\n101동 1204호\n\n엉망인 줄\n101 1203\n101 101"

    response = post(client, f"/complexes/{complex_.id}/households", {"lines": lines})

    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was added" in page
    assert "Line 4: “엉망인 줄”" in page
    assert "Line 5: “101 1203”: The same household is on line 1." in page
    assert "Line 6: “101 101”: This household is already listed." in page
    # The whole list stays in the box, to fix and send again.
    assert lines + "</textarea>" in page
    assert count(Household, Household.complex_id == complex_.id) == 1


def test_bulk_adding_households_with_bad_lines_is_explained_in_korean(client, make):
    complex_ = make.complex_()
    signed_in(client, make.coordinator(complex_))
    client.set_cookie("lang", "ko")

    response = post(client, f"/complexes/{complex_.id}/households", {"lines": "101 1203\n엉망"})

    assert response.status_code == 422
    page = text_of(response)
    assert "아무 세대도 추가하지 않았습니다" in page
    assert "2번째 줄" in page and "“엉망”" in page
    assert count(Household, Household.complex_id == complex_.id) == 0


def test_bulk_adding_only_good_lines_redirects_to_the_list(client, make):
    complex_ = make.complex_()
    signed_in(client, make.staff())

    response = post(
        client, f"/complexes/{complex_.id}/households", {"lines": "101 1203\r\n102 1203"}
    )

    assert response.status_code == 302
    page = text_of(client.get(f"/complexes/{complex_.id}/households"))
    assert "2 households were added." in page
    assert page.index("Building 101, unit 1203") < page.index("Building 102, unit 1203")


def test_an_empty_household_box_is_a_form_error(staff_client, make):
    complex_ = make.complex_()

    response = post(staff_client, f"/complexes/{complex_.id}/households", {"lines": ""})

    assert response.status_code == 400
    assert count(Household) == 0


def test_household_list_shows_live_codes_dashed_and_member_counts(staff_client, make):
    complex_ = make.complex_()
    household = make.household(complex_, building="101", unit="1203")
    make.invitation(household, code="ABCDEFGH")
    make.resident(complex_, household_obj=household)
    make.resident(complex_, household_obj=household)
    revoked = make.invitation(make.household(complex_, building="102", unit="1"), code="ZZZZZZZZ")
    revoked.revoked_at = revoked.created_at
    db.session.commit()

    page = text_of(staff_client.get(f"/complexes/{complex_.id}/households"))

    assert "ABCD-EFGH" in page and "ZZZZ-ZZZZ" not in page
    assert '<td class="num">2</td>' in page
    assert "No code" in page


def test_generating_codes_makes_one_for_each_household_without_one(staff_client, make):
    complex_ = make.complex_()
    with_code = make.household(complex_)
    make.invitation(with_code)
    for _ in range(3):
        make.household(complex_)

    first = post(staff_client, f"/complexes/{complex_.id}/codes/generate")
    again = post(staff_client, f"/complexes/{complex_.id}/codes/generate")

    assert first.status_code == again.status_code == 302
    assert count(InvitationCode, InvitationCode.revoked_at.is_(None)) == 4
    page = text_of(staff_client.get(f"/complexes/{complex_.id}/households"))
    assert "Every household already has a code." in page


def test_regenerating_a_code_through_the_page_revokes_the_old_one(staff_client, make):
    complex_ = make.complex_()
    household = make.household(complex_)
    old = make.invitation(household)

    response = post(
        staff_client, f"/complexes/{complex_.id}/households/{household.id}/code/regenerate"
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(InvitationCode, old.id).revoked_at is not None
    assert (
        count(
            InvitationCode,
            InvitationCode.household_id == household.id,
            InvitationCode.revoked_at.is_(None),
        )
        == 1
    )


def test_revoking_a_code_twice_is_a_clear_conflict(staff_client, make):
    complex_ = make.complex_()
    code = make.invitation(make.household(complex_))
    path = f"/complexes/{complex_.id}/codes/{code.id}/revoke"

    first = confirm_on_page(staff_client, path)
    second = post(staff_client, path)  # a second tab, still showing the button

    assert first.status_code == 302
    assert second.status_code == 409
    assert "already been revoked" in text_of(second)
    asking_again = staff_client.get(path)
    assert asking_again.status_code == 409 and "already been revoked" in text_of(asking_again)


def test_stopping_a_code_asks_first_naming_the_household(staff_client, make):
    complex_ = make.complex_()
    household = make.household(complex_, building="101", unit="1203")
    code = make.invitation(household, code="ABCDEFGH")
    make.resident(complex_, household_obj=household)
    path = f"/complexes/{complex_.id}/codes/{code.id}/revoke"
    households_page = staff_client.get(f"/complexes/{complex_.id}/households")
    assert f'href="{path}"' in text_of(households_page)  # a link, not a one-click form
    assert f'action="{path}"' not in text_of(households_page)

    asking = staff_client.get(path)

    page = text_of(asking)
    assert asking.status_code == 200
    assert "The invitation code of building 101, unit 1203 stops working now." in page
    assert "The residents already in the household (1) stay in it." in page
    assert "ABCD" not in page  # the page lets nobody in
    assert f'href="/complexes/{complex_.id}/households">Cancel</a>' in page
    db.session.expire_all()
    assert db.session.get(InvitationCode, code.id).is_live

    assert confirm_on_page(staff_client, path).status_code == 302
    db.session.expire_all()
    assert not db.session.get(InvitationCode, code.id).is_live


def test_stopping_a_code_with_a_forged_csrf_token_leaves_it_working(staff_client, make):
    complex_ = make.complex_()
    code = make.invitation(make.household(complex_))

    response = post(
        staff_client, f"/complexes/{complex_.id}/codes/{code.id}/revoke", {"csrf_token": "forged"}
    )

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(InvitationCode, code.id).is_live


def test_stopping_a_code_that_does_not_exist_is_a_404(staff_client, make):
    complex_ = make.complex_()
    code = make.invitation(make.household(complex_))
    for method in (staff_client.get, lambda path: post(staff_client, path)):
        assert method(f"/complexes/{complex_.id}/codes/99999/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(InvitationCode, code.id).is_live


def test_print_sheet_has_a_slip_per_live_code_with_the_join_address(staff_client, make):
    complex_ = make.complex_(name="아현동 P아파트")
    make.invitation(make.household(complex_, building="101", unit="1203"), code="ABCDEFGH")
    make.household(complex_, building="102", unit="1")  # no code: no slip

    response = staff_client.get(f"/complexes/{complex_.id}/codes/print")

    page = text_of(response)
    assert response.status_code == 200
    assert page.count('class="slip"') == 1
    assert "ABCD-EFGH" in page and "Building 101, unit 1203" in page
    assert "http://localhost/join" in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "codes.print"))
    assert entry.complex_id == complex_.id


def test_a_real_sign_in_reaches_the_households_page(client, make):
    complex_ = make.complex_()
    coordinator = make.coordinator(complex_)
    client.set_cookie("lang", "en")
    sign_in(client, coordinator)

    assert client.get(f"/complexes/{complex_.id}/households").status_code == 200


# CSRF ---------------------------------------------------------------------------------


def _every_post_path(make):
    scene = management_scene(make)
    coordinator = make.coordinator(scene["complex_obj"])
    placement_id = db.session.scalar(
        select(Placement.id).where(Placement.coordinator_id == coordinator.id)
    )
    cohort_id = db.session.get(Participation, scene["participation"]).cohort_id
    return [
        "/staff/cohorts/new",
        f"/staff/cohorts/{cohort_id}/edit",
        f"/staff/cohorts/{cohort_id}/participations",
        "/staff/complexes/new",
        f"/staff/complexes/{scene['complex']}/edit",
        f"/participations/{scene['participation']}/stage",
        f"/complexes/{scene['complex']}/households",
        f"/complexes/{scene['complex']}/codes/generate",
        f"/complexes/{scene['complex']}/households/{scene['household']}/code/regenerate",
        f"/complexes/{scene['complex']}/codes/{scene['code']}/revoke",
        f"/staff/coordinators/{coordinator.id}/placements",
        f"/staff/placements/{placement_id}/end",
    ]


def test_every_post_form_refuses_a_missing_csrf_token(staff_client, make):
    paths = _every_post_path(make)
    before = count(AuditEntry), count(InvitationCode, InvitationCode.revoked_at.is_(None))

    statuses = {
        path: staff_client.post(
            path, data={"target": "closed", "note": "x", "lines": "103 1"}
        ).status_code
        for path in paths
    }

    assert statuses == dict.fromkeys(paths, 400)
    assert (count(AuditEntry), count(InvitationCode, InvitationCode.revoked_at.is_(None))) == before


def test_the_print_sheet_writes_in_a_transaction_that_began_as_a_writer(staff_client, make):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's BEGIN modes")
    complex_id = make.complex_().id
    db.session.commit()  # requests share the test's session: start them without a transaction
    begins = []

    def record(conn, cursor, statement, *args):
        if statement.startswith(("BEGIN", "INSERT INTO audit_entries")):
            begins.append(statement.split(" (")[0])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert staff_client.get(f"/complexes/{complex_id}/codes/print").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    insert = begins.index("INSERT INTO audit_entries")
    assert begins[insert - 1] == "BEGIN IMMEDIATE"


@pytest.mark.parametrize("stage", list(Stage))
def test_close_early_is_offered_to_staff_exactly_where_closing_early_is_accepted(
    staff_client, make, stage
):
    participation = make.participation(stage=stage)
    staff = make.staff()
    page = text_of(staff_client.get(f"/participations/{participation.id}"))
    offered = "Close early" in page

    try:
        move_stage(participation, Stage.CLOSED, actor=staff, note="단지 사정으로 중단")
        accepted_as_early = stage is not Stage.EVALUATION  # from evaluation it is the last step
    except DomainError:
        accepted_as_early = False
    db.session.rollback()
    assert offered is accepted_as_early
    assert offered is (stage not in (Stage.EVALUATION, Stage.CLOSED))
