"""A district support organisation places coordinators in its districts only when the
center allows it."""

from datetime import date

from sqlalchemy import select

from gachi.complexes.districts import District
from gachi.coordinators.models import Placement
from gachi.core.audit import AuditEntry
from gachi.extensions import db
from tests.conftest import post_form, sign_in


def _placement_form(coordinator):
    return {"coordinator_id": coordinator.id, "starts_on": "2026-12-07", "note": "구 배치"}


def test_an_allowed_organisation_places_a_coordinator_in_its_district(client, make):
    mapo = make.complex_(district=District.MAPO)
    office = make.district_account(District.MAPO, may_place_coordinators=True)
    coordinator = make.coordinator()
    sign_in(client, office)
    assert "Place a coordinator" in client.get(f"/complexes/{mapo.id}").get_data(as_text=True)

    response = post_form(
        client, f"/complexes/{mapo.id}/placements/new", _placement_form(coordinator)
    )

    assert response.status_code == 302
    placement = db.session.scalars(
        select(Placement).where(Placement.coordinator_id == coordinator.id)
    ).one()
    assert (placement.complex_id, placement.starts_on) == (mapo.id, date(2026, 12, 7))
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "placement.create")
    ).one()
    assert (entry.actor_id, entry.complex_id) == (office.id, mapo.id)


def test_without_the_centers_leave_it_is_a_403_and_outside_its_districts_a_404(client, make):
    mapo = make.complex_(district=District.MAPO)
    eunpyeong = make.complex_(district=District.EUNPYEONG)
    coordinator = make.coordinator()
    sign_in(client, make.district_account(District.MAPO))

    assert "Place a coordinator" not in client.get(f"/complexes/{mapo.id}").get_data(as_text=True)
    assert client.get(f"/complexes/{mapo.id}/placements/new").status_code == 403
    form = _placement_form(coordinator)
    assert post_form(client, f"/complexes/{mapo.id}/placements/new", form).status_code == 403
    assert post_form(client, f"/complexes/{eunpyeong.id}/placements/new", form).status_code == 404
    assert db.session.scalars(select(Placement)).all() == []


def test_an_allowed_organisation_still_gets_a_404_outside_its_districts(client, make):
    eunpyeong = make.complex_(district=District.EUNPYEONG)
    coordinator = make.coordinator()
    sign_in(client, make.district_account(District.MAPO, may_place_coordinators=True))
    response = post_form(
        client, f"/complexes/{eunpyeong.id}/placements/new", _placement_form(coordinator)
    )
    assert response.status_code == 404
    assert db.session.scalars(select(Placement)).all() == []


def test_a_bad_placement_is_a_400_with_a_message(client, make):
    mapo = make.complex_(district=District.MAPO)
    coordinator = make.coordinator()
    sign_in(client, make.district_account(District.MAPO, may_place_coordinators=True))
    form = {**_placement_form(coordinator), "ends_on": "2026-12-01"}
    response = post_form(client, f"/complexes/{mapo.id}/placements/new", form)
    assert response.status_code == 400
    assert "The last day cannot be before the first day." in response.get_data(as_text=True)
    response = post_form(
        client, f"/complexes/{mapo.id}/placements/new", {**form, "coordinator_id": "x"}
    )
    assert response.status_code == 400
