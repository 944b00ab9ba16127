"""Staff read a cohort's complexes a page at a time, filtered, with the whole cohort's
totals above: the page costs the same whatever the number of complexes."""

import re

import pytest

from gachi.complexes.districts import District
from gachi.complexes.stages import Stage
from tests.complexes.helpers import signed_in, text_of
from tests.conftest import counted_queries

LISTED = re.compile(r'<td><a href="/complexes/\d+">([^<]*)</a></td>')


@pytest.fixture
def staff_client(client, make):
    signed_in(client, make.staff())
    return client


def listed(response):
    """The complexes in the page's table (the recruit form's select names them all)."""
    return LISTED.findall(text_of(response))


def links(response, label):
    return re.findall(rf'href="([^"]*)">{label}</a>', text_of(response).replace("&amp;", "&"))


@pytest.fixture
def big_cohort(make):
    """52 complexes in Mapo-gu, recruiting, of 100 households; 3 in Guro-gu, running."""
    cohort = make.cohort()
    for number in range(1, 53):
        complex_ = make.complex_(name=f"마포 단지 {number:02}", household_count=100)
        make.participation(complex_, cohort)
    for number in range(1, 4):
        complex_ = make.complex_(name=f"구로 단지 {number}", district=District.GURO)
        make.participation(complex_, cohort, stage=Stage.RUNNING)
    make.participation(make.complex_(name="다른 기수 단지"))  # another cohort's
    return cohort


def test_a_big_cohort_shows_fifty_complexes_a_page_and_the_whole_cohorts_totals(
    staff_client, big_cohort
):
    first = staff_client.get(f"/staff/cohorts/{big_cohort.id}")

    assert first.status_code == 200
    assert listed(first) == [f"구로 단지 {n}" for n in (1, 2, 3)] + [
        f"마포 단지 {n:02}" for n in range(1, 48)
    ]
    page = text_of(first)
    assert "55 complexes take part, with 7,000 households." in page
    assert "Recruiting: 52" in page and "Running: 3" in page
    assert "Page 1 of 2" in page and "55 complexes found." in page
    [next_page] = links(first, "Next page")

    second = staff_client.get(next_page)

    assert listed(second) == [f"마포 단지 {n:02}" for n in range(48, 53)]
    assert "55 complexes take part, with 7,000 households." in text_of(second)
    assert links(second, "Next page") == []
    assert len(links(second, "Previous page")) == 1


def test_filters_by_district_stage_and_name_are_kept_from_page_to_page(staff_client, big_cohort):
    base = f"/staff/cohorts/{big_cohort.id}"

    running = staff_client.get(f"{base}?stage=running")
    assert listed(running) == ["구로 단지 1", "구로 단지 2", "구로 단지 3"]
    assert "55 complexes take part" in text_of(running)  # the totals are the cohort's
    assert listed(staff_client.get(f"{base}?district=guro&name=단지 2")) == ["구로 단지 2"]
    assert listed(staff_client.get(f"{base}?district=mapo&stage=running")) == []

    mapo = staff_client.get(f"{base}?district=mapo&stage=recruiting&name=마포")
    assert len(listed(mapo)) == 50 and "52 complexes found." in text_of(mapo)
    [next_page] = links(mapo, "Next page")
    assert "district=mapo" in next_page and "stage=recruiting" in next_page
    second = staff_client.get(next_page)
    assert listed(second) == ["마포 단지 51", "마포 단지 52"]
    [previous] = links(second, "Previous page")
    assert "district=mapo" in previous and "page=1" in previous


@pytest.mark.parametrize("page", ["0", "-5", "x", "99999999999999999999"])
def test_a_page_number_that_is_no_page_is_a_400_with_the_list_not_a_500(
    staff_client, big_cohort, page
):
    response = staff_client.get(f"/staff/cohorts/{big_cohort.id}?page={page}&district=guro")
    assert response.status_code == 400
    assert "Some filters could not be read" in text_of(response)
    assert len(listed(response)) == 50  # unfiltered, the first page


def test_a_page_past_the_last_shows_the_last(staff_client, big_cohort):
    response = staff_client.get(f"/staff/cohorts/{big_cohort.id}?page=7")
    assert response.status_code == 200
    assert "Page 2 of 2" in text_of(response)
    assert listed(response) == [f"마포 단지 {n:02}" for n in range(48, 53)]


def test_an_unknown_district_or_stage_is_a_400_with_a_message(staff_client, big_cohort):
    for query in ("district=atlantis", "stage=flying"):
        response = staff_client.get(f"/staff/cohorts/{big_cohort.id}?{query}")
        assert response.status_code == 400
        assert "Some filters could not be read" in text_of(response)


def test_only_the_filters_travel_in_the_page_links(staff_client, big_cohort):
    response = staff_client.get(f"/staff/cohorts/{big_cohort.id}?_external=1&cohort_id=9&x=y")
    assert response.status_code == 200
    [next_page] = links(response, "Next page")
    assert next_page == f"/staff/cohorts/{big_cohort.id}?page=2"


def test_the_cohort_page_costs_the_same_queries_for_three_or_sixty_complexes(staff_client, make):
    cohort = make.cohort()

    def queries_for_page():
        with counted_queries() as statements:
            assert staff_client.get(f"/staff/cohorts/{cohort.id}?page=1").status_code == 200
        return len(statements)

    for _ in range(3):
        make.participation(make.complex_(), cohort)
    few = queries_for_page()
    for _ in range(57):
        make.participation(make.complex_(), cohort, stage=Stage.PLANNING)
    assert queries_for_page() == few
