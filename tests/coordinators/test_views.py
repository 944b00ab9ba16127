"""The center's coordinator pages and a coordinator's own list of complexes."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi.complexes.stages import Stage
from gachi.coordinators.models import Placement
from gachi.extensions import db
from tests.complexes.helpers import post, signed_in, text_of
from tests.conftest import counted_queries, sign_in


def placements():
    return db.session.scalar(select(func.count(Placement.id)))


@pytest.fixture
def staff_client(client, make):
    signed_in(client, make.staff())
    return client


def test_coordinator_list_shows_todays_placements_and_load(staff_client, make):
    ahyeon, jeonnong, old = (
        make.complex_(name=name) for name in ("아현동 P아파트", "전농동 R아파트", "지난 단지")
    )
    busy = make.coordinator(ahyeon, display_name="박경화")
    make.placement(busy, jeonnong)
    make.placement(busy, old, starts_on=make.days_ago(90), ends_on=make.days_ago(1))
    make.coordinator(display_name="정홍권")

    page = text_of(staff_client.get("/staff/coordinators"))

    row = page[page.index("박경화") : page.index("정홍권")]
    assert "아현동 P아파트" in row and "전농동 R아파트" in row and "지난 단지" not in row
    assert '<td class="num">2</td>' in row
    assert "Not placed" in page[page.index("정홍권") :]


def test_coordinator_list_costs_the_same_queries_for_few_and_many(staff_client, make):
    def queries_for_list():
        with counted_queries() as statements:
            assert staff_client.get("/staff/coordinators").status_code == 200
        return len(statements)

    make.coordinator(make.complex_())
    few = queries_for_list()
    for _ in range(15):
        make.coordinator(make.complex_())
    assert queries_for_list() == few


def test_coordinator_page_lists_past_present_and_future_placements(staff_client, make):
    coordinator = make.coordinator(make.complex_(name="지금 단지"))
    make.placement(
        coordinator,
        make.complex_(name="지난 단지"),
        starts_on=make.days_ago(90),
        ends_on=make.days_ago(10),
    )
    make.placement(
        coordinator, make.complex_(name="다음 단지"), starts_on=make.today() + timedelta(days=10)
    )

    page = text_of(staff_client.get(f"/staff/coordinators/{coordinator.id}"))

    for name, state in (
        ("지금 단지", "Placed"),
        ("지난 단지", "Ended"),
        ("다음 단지", "Starts later"),
    ):
        row = page[page.index(name) :]
        assert state in row[: row.index("</tr>")]


def test_staff_places_a_coordinator_through_the_form(staff_client, make):
    coordinator, complex_ = make.coordinator(), make.complex_(name="응암동 H아파트")

    response = post(
        staff_client,
        f"/staff/coordinators/{coordinator.id}/placements",
        {
            "complex_id": str(complex_.id),
            "starts_on": make.today().isoformat(),
            "note": "육아 전문",
        },
    )

    assert response.status_code == 302
    placement = db.session.scalar(select(Placement))
    assert (placement.complex_id, placement.ends_on, placement.note) == (
        complex_.id,
        None,
        "육아 전문",
    )


def test_a_placement_ending_before_it_starts_is_a_form_error(staff_client, make):
    coordinator, complex_ = make.coordinator(), make.complex_()

    response = post(
        staff_client,
        f"/staff/coordinators/{coordinator.id}/placements",
        {
            "complex_id": str(complex_.id),
            "starts_on": "2018-12-01",
            "ends_on": "2018-11-01",
        },
    )

    assert response.status_code == 400
    assert "The last day cannot be before the first day." in text_of(response)
    assert placements() == 0


def test_a_second_coordinator_at_the_same_complex_needs_the_tick(staff_client, make):
    complex_ = make.complex_()
    make.coordinator(complex_, display_name="이창래")
    second = make.coordinator()
    data = {"complex_id": str(complex_.id), "starts_on": make.today().isoformat()}

    refused = post(staff_client, f"/staff/coordinators/{second.id}/placements", data)
    allowed = post(
        staff_client, f"/staff/coordinators/{second.id}/placements", {**data, "allow_overlap": "y"}
    )

    assert refused.status_code == 409
    assert "이창래 is already placed at this complex" in text_of(refused)
    assert allowed.status_code == 302
    assert placements() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"complex_id": "abc", "starts_on": "2030-01-01"},
        {"complex_id": "999999", "starts_on": "2030-01-01"},
        {"starts_on": "2030-01-01"},
        {"complex_id": "{complex}", "starts_on": "어제"},
        {"complex_id": "{complex}", "starts_on": ""},
    ],
)
def test_placement_form_with_bad_values_is_refused_not_a_500(staff_client, make, data):
    coordinator, complex_ = make.coordinator(), make.complex_()
    data = {key: value.format(complex=complex_.id) for key, value in data.items()}

    response = post(staff_client, f"/staff/coordinators/{coordinator.id}/placements", data)

    assert response.status_code == 400
    assert placements() == 0


def test_staff_ends_a_placement_and_it_stays_on_record(staff_client, make):
    complex_ = make.complex_()
    coordinator = make.coordinator(complex_)
    placement = db.session.scalar(select(Placement))

    response = post(
        staff_client,
        f"/staff/placements/{placement.id}/end",
        {"ends_on": make.days_ago(1).isoformat()},
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/coordinators/{coordinator.id}")
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).ends_on == make.days_ago(1)


@pytest.mark.parametrize("ends_on", ["", "not a date", "2000-01-01"])
def test_ending_a_placement_with_a_bad_date_is_refused(staff_client, make, ends_on):
    make.coordinator(make.complex_())
    placement = db.session.scalar(select(Placement))

    response = post(staff_client, f"/staff/placements/{placement.id}/end", {"ends_on": ends_on})

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).ends_on is None


def test_my_complexes_lists_todays_complexes_with_their_stages(client, make):
    today_complex = make.complex_(name="청량리 H아파트")
    coordinator = make.coordinator(today_complex)
    make.participation(today_complex, make.cohort(name="2018 시범사업"), stage=Stage.RUNNING)
    make.placement(
        coordinator,
        make.complex_(name="끝난 단지"),
        starts_on=make.days_ago(90),
        ends_on=make.days_ago(1),
    )
    make.placement(
        coordinator, make.complex_(name="다음 단지"), starts_on=make.today() + timedelta(days=1)
    )
    signed_in(client, coordinator)

    page = text_of(client.get("/my/complexes"))

    assert "청량리 H아파트" in page and "2018 시범사업" in page and "Running" in page
    assert "끝난 단지" not in page and "다음 단지" not in page
    assert f"/complexes/{today_complex.id}" in page


def test_my_complexes_says_so_when_there_are_none(client, make):
    signed_in(client, make.coordinator())

    assert "You are not placed at any complex today." in text_of(client.get("/my/complexes"))


def test_staff_signed_in_through_the_login_form_places_a_coordinator(client, make):
    staff, coordinator, complex_ = make.staff(), make.coordinator(), make.complex_()
    sign_in(client, staff)

    response = post(
        client,
        f"/staff/coordinators/{coordinator.id}/placements",
        {"complex_id": str(complex_.id), "starts_on": make.today().isoformat()},
    )

    assert response.status_code == 302
    assert placements() == 1
