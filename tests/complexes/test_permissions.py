"""Who may manage a complex: staff anywhere, a coordinator only where and while placed."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi.complexes.models import InvitationCode, Participation, StageMove
from gachi.extensions import db
from tests.complexes.helpers import (
    MANAGEMENT_ROUTES,
    management_scene,
    post,
    request_route,
    signed_in,
)
from tests.conftest import sign_in

ROUTE_IDS = [f"{method} {path}" for method, path in MANAGEMENT_ROUTES]


def _coordinator_for(make, scene, kind):
    """A coordinator who may not manage the scene's complex today, in one of three ways."""
    today = make.today()
    if kind == "placed elsewhere":
        return make.coordinator(make.complex_())
    if kind == "placement ended":
        return make.coordinator(
            scene["complex_obj"],
            starts_on=today - timedelta(days=60),
            ends_on=today - timedelta(days=1),
        )
    return make.coordinator(scene["complex_obj"], starts_on=today + timedelta(days=1))


@pytest.mark.parametrize("kind", ["placed elsewhere", "placement ended", "placement not started"])
@pytest.mark.parametrize(("method", "path"), MANAGEMENT_ROUTES, ids=ROUTE_IDS)
def test_coordinator_gets_404_on_a_complex_they_are_not_placed_at_today(
    client, make, kind, method, path
):
    scene = management_scene(make)
    signed_in(client, _coordinator_for(make, scene, kind))

    response = request_route(client, method, path, scene)

    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Participation, scene["participation"]).stage.value == "recruiting"
    assert db.session.get(InvitationCode, scene["code"]).revoked_at is None


@pytest.mark.parametrize(("method", "path"), MANAGEMENT_ROUTES, ids=ROUTE_IDS)
def test_resident_gets_404_on_management_routes_even_of_their_own_complex(
    client, make, method, path
):
    scene = management_scene(make)
    signed_in(client, make.resident(scene["complex_obj"]))

    assert request_route(client, method, path, scene).status_code == 404


@pytest.mark.parametrize(("method", "path"), MANAGEMENT_ROUTES, ids=ROUTE_IDS)
def test_staff_may_use_every_management_route(client, make, method, path):
    scene = management_scene(make)
    make.coordinator(scene["complex_obj"])  # so the stage move's gate is met
    signed_in(client, make.staff())

    response = request_route(client, method, path, scene)

    assert response.status_code == (200 if method == "GET" else 302)


@pytest.mark.parametrize(("method", "path"), MANAGEMENT_ROUTES, ids=ROUTE_IDS)
def test_coordinator_placed_today_may_use_every_management_route(client, make, method, path):
    scene = management_scene(make)
    signed_in(client, make.coordinator(scene["complex_obj"]))

    response = request_route(client, method, path, scene)

    assert response.status_code == (200 if method == "GET" else 302)


@pytest.mark.parametrize(("method", "path"), MANAGEMENT_ROUTES, ids=ROUTE_IDS)
def test_signed_out_visitor_is_sent_to_sign_in(client, make, method, path):
    scene = management_scene(make)

    response = request_route(client, method, path, scene)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_household_and_code_of_another_complex_are_404_through_a_managed_complex(client, make):
    mine = make.complex_()
    coordinator = make.coordinator(mine)
    other = management_scene(make)
    signed_in(client, coordinator)
    ids = {"complex": mine.id, "household": other["household"], "code": other["code"]}

    for method, path in (
        ("POST", "/complexes/{complex}/households/{household}/code/regenerate"),
        ("GET", "/complexes/{complex}/codes/{code}/revoke"),
        ("POST", "/complexes/{complex}/codes/{code}/revoke"),
    ):
        assert request_route(client, method, path, ids).status_code == 404
    assert db.session.get(InvitationCode, other["code"]).revoked_at is None


@pytest.mark.parametrize(
    "path", ["/staff/cohorts", "/staff/cohorts/new", "/staff/complexes", "/staff/complexes/new"]
)
def test_coordinator_and_resident_are_refused_the_center_pages(client, make, path):
    complex_ = make.complex_()
    for person in (make.coordinator(complex_), make.resident(complex_)):
        signed_in(client, person)
        assert client.get(path).status_code == 403


def test_coordinator_cannot_edit_the_complex_record_they_manage(client, make):
    complex_ = make.complex_()
    signed_in(client, make.coordinator(complex_))

    assert client.get(f"/staff/complexes/{complex_.id}/edit").status_code == 403


def test_coordinator_cannot_close_a_participation_early(client, make):
    scene = management_scene(make)
    signed_in(client, make.coordinator(scene["complex_obj"]))

    response = post(
        client,
        f"/participations/{scene['participation']}/stage",
        {"target": "closed", "note": "단지 사정으로 중단"},
    )

    assert response.status_code == 403
    assert db.session.get(Participation, scene["participation"]).stage.value == "recruiting"
    assert db.session.scalar(select(func.count(StageMove.id))) == 0


class TestCanManageMatrix:
    def test_staff_manages_every_complex(self, make):
        assert make.complex_().can_manage(make.staff())

    def test_coordinator_manages_while_placed(self, make):
        complex_ = make.complex_()
        assert complex_.can_manage(make.coordinator(complex_))

    def test_coordinator_does_not_manage_before_or_after_the_placement(self, make):
        complex_ = make.complex_()
        ended = make.coordinator(complex_, starts_on=make.days_ago(30), ends_on=make.days_ago(1))
        later = make.coordinator(complex_, starts_on=make.today() + timedelta(days=1))
        assert not complex_.can_manage(ended)
        assert not complex_.can_manage(later)

    def test_last_day_of_a_placement_still_counts(self, make):
        complex_ = make.complex_()
        assert complex_.can_manage(make.coordinator(complex_, ends_on=make.today()))

    def test_residents_view_their_complex_but_do_not_manage_it(self, make):
        complex_ = make.complex_()
        resident = make.resident(complex_)
        assert complex_.can_view(resident)
        assert not complex_.can_manage(resident)
        assert not make.complex_().can_view(resident)


def test_a_coordinator_signed_in_through_the_login_form_cannot_see_another_complex(client, make):
    mine, other = make.complex_(), make.complex_()
    coordinator = make.coordinator(mine)
    sign_in(client, coordinator)

    assert client.get(f"/complexes/{mine.id}").status_code == 200
    assert client.get(f"/complexes/{other.id}").status_code == 404
    assert client.get(f"/complexes/{other.id}/households").status_code == 404
