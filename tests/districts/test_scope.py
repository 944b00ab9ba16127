"""A district support organisation sees and supports every complex of its districts and
nothing else: outside them, the same 404 as everyone's scope rules give."""

from gachi.complexes.districts import District
from gachi.complexes.stages import Stage
from gachi.extensions import db
from gachi.programs.models import Program
from tests.conftest import sign_in
from tests.kpi.helpers import known_cohort


def _programme_of(participation):
    return db.session.query(Program).filter_by(participation_id=participation.id).first()


def test_a_district_account_works_in_its_district_and_nowhere_else(client, make):
    scene = known_cohort(make)  # 마포 단지 (Mapo, with a programme) and 은평 단지 (Eunpyeong)
    mapo_office = make.district_account(District.MAPO)
    sign_in(client, mapo_office)

    mapo, eunpyeong = scene.mapo, scene.eunpyeong
    for path in (
        f"/complexes/{mapo.complex_id}",
        f"/participations/{mapo.id}",
        f"/participations/{mapo.id}/results",
        f"/programs/{_programme_of(mapo).id}",
        f"/complexes/{mapo.complex_id}/households",
    ):
        assert client.get(path).status_code == 200, path
    for path in (
        f"/complexes/{eunpyeong.complex_id}",
        f"/participations/{eunpyeong.id}",
        f"/participations/{eunpyeong.id}/results",
        f"/complexes/{eunpyeong.complex_id}/households",
    ):
        assert client.get(path).status_code == 404, path


def test_an_account_covering_two_districts_sees_both(client, make):
    scene = known_cohort(make)
    office = make.district_account(District.MAPO, District.EUNPYEONG)
    sign_in(client, office)
    home = client.get("/district").get_data(as_text=True)
    assert "마포 단지" in home and "은평 단지" in home
    assert client.get(f"/complexes/{scene.eunpyeong.complex_id}").status_code == 200


def test_the_center_decisions_stay_the_centers(client, make):
    scene = known_cohort(make)
    sign_in(client, make.district_account(District.MAPO))
    # The complex's own record, cohorts, the center's board and its accounts: staff only.
    assert client.get(f"/staff/complexes/{scene.mapo.complex_id}/edit").status_code == 403
    assert client.get(f"/staff/cohorts/{scene.cohort.id}").status_code == 403
    assert client.get(f"/staff/cohorts/{scene.cohort.id}/board").status_code == 403
    assert client.get("/staff/districts").status_code == 403
    assert scene.mapo.stage is Stage.RUNNING
