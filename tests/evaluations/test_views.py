"""The evaluation pages: the coordinator drafts, staff sign, the reports print."""

import pytest

from gachi.complexes.stages import Stage
from gachi.evaluations.models import Decision, Evaluation
from gachi.extensions import db
from tests.conftest import post_form, sign_in
from tests.kpi.helpers import known_cohort


@pytest.fixture
def scene(make):
    scene = known_cohort(make)
    scene.mapo.stage = Stage.EVALUATION
    db.session.commit()
    return scene


def test_the_coordinator_drafts_and_staff_sign_off(client, scene, make):
    sign_in(client, scene.coordinator)
    path = f"/participations/{scene.mapo.id}/evaluation"
    assert post_form(client, path, {"what_happened": ""}).status_code == 400
    assert (
        post_form(
            client, path, {"what_happened": "4주 운영", "residents_said": "좋았다"}
        ).status_code
        == 302
    )
    assert post_form(client, path + "/sign", {"decision": "continue"}).status_code == 403
    staff_client = client.application.test_client()
    staff_client.set_cookie("lang", "en")
    sign_in(staff_client, scene.staff)
    response = post_form(
        staff_client,
        path + "/sign",
        {"decision": "hand_over", "organisers": [str(scene.resident.id)]},
    )
    assert response.status_code == 302
    evaluation = db.session.query(Evaluation).one()
    assert evaluation.decision is Decision.HAND_OVER and evaluation.is_signed
    again = post_form(client, path, {"what_happened": "바꾸기"})
    assert again.status_code == 403


def test_a_resident_cannot_open_the_evaluation(client, scene):
    sign_in(client, scene.resident)
    assert client.get(f"/participations/{scene.mapo.id}/evaluation").status_code == 403
    assert client.get(f"/participations/{scene.eunpyeong.id}/evaluation").status_code == 404


def test_the_printable_reports_open(client, scene):
    sign_in(client, scene.staff)
    complex_report = client.get(f"/participations/{scene.mapo.id}/report")
    cohort_report = client.get(f"/staff/cohorts/{scene.cohort.id}/report")
    assert complex_report.status_code == 200 and cohort_report.status_code == 200
    assert "Budget and spending" in complex_report.get_data(as_text=True)


@pytest.mark.parametrize("stage", [Stage.RUNNING, Stage.EVALUATION, Stage.CLOSED])
@pytest.mark.parametrize("drafted", [False, True], ids=["no draft", "a draft"])
def test_the_draft_form_shows_exactly_when_a_draft_is_accepted(client, scene, stage, drafted):
    """A complex that left its evaluation stage with a draft unsigned once showed the
    form, and every save was refused."""
    path = f"/participations/{scene.mapo.id}/evaluation"
    sign_in(client, scene.coordinator)
    if drafted:
        assert post_form(client, path, {"what_happened": "4주 운영"}).status_code == 302
    scene.mapo.stage = stage
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    offered = 'name="what_happened"' in page
    accepted = post_form(client, path, {"what_happened": "다시"}).status_code == 302
    assert offered == accepted == (stage is Stage.EVALUATION)
    if drafted and stage is Stage.CLOSED:
        assert "4주 운영" in page  # the draft is still there to read
