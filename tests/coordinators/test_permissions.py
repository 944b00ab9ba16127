"""The coordinator pages are the center's; "my complexes" is each coordinator's own."""

import pytest

from tests.complexes.helpers import post, signed_in


@pytest.fixture
def coordinator_page_paths(make):
    coordinator = make.coordinator(make.complex_())
    return [("GET", "/staff/coordinators"), ("GET", f"/staff/coordinators/{coordinator.id}")]


@pytest.mark.parametrize("role", ["coordinator", "resident"])
def test_only_staff_see_the_coordinator_pages(client, make, coordinator_page_paths, role):
    complex_ = make.complex_()
    person = make.coordinator(complex_) if role == "coordinator" else make.resident(complex_)
    signed_in(client, person)

    for _method, path in coordinator_page_paths:
        assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["coordinator", "resident"])
def test_only_staff_place_coordinators_or_end_placements(client, make, role):
    complex_ = make.complex_()
    coordinator = make.coordinator(complex_)
    person = make.coordinator(complex_) if role == "coordinator" else make.resident(complex_)
    signed_in(client, person)

    placed = post(
        client,
        f"/staff/coordinators/{coordinator.id}/placements",
        {"complex_id": str(complex_.id), "starts_on": "2030-01-01"},
    )
    ended = post(client, "/staff/placements/1/end", {"ends_on": "2030-01-01"})

    assert placed.status_code == ended.status_code == 403


def test_a_staff_page_for_someone_who_is_not_a_coordinator_is_404(client, make):
    staff = make.staff()
    signed_in(client, staff)

    assert client.get(f"/staff/coordinators/{staff.id}").status_code == 404
    assert client.get("/staff/coordinators/999999").status_code == 404
    assert (
        post(client, "/staff/placements/999999/end", {"ends_on": "2030-01-01"}).status_code == 404
    )


@pytest.mark.parametrize("role", ["staff", "resident"])
def test_my_complexes_is_for_coordinators(client, make, role):
    person = make.staff() if role == "staff" else make.resident()
    signed_in(client, person)

    assert client.get("/my/complexes").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for path in ("/my/complexes", "/staff/coordinators"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
