"""Publishing a programme that worked, adopting it elsewhere, and the KPI that counts models."""

import pytest

from gachi.bizmodels.models import Adoption
from gachi.bizmodels.operations import adopt_model, publish_model, withdraw_model
from gachi.bizmodels.queries import model_rows, suggested_enterprises
from gachi.complexes.stages import Stage
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.enterprises.models import LegalForm
from gachi.evaluations.models import Decision
from gachi.evaluations.operations import draft_evaluation, sign_evaluation
from gachi.extensions import db
from gachi.kpi.queries import cohort_board
from gachi.kpi.refresh import refresh
from tests.conftest import post_form, sign_in
from tests.kpi.helpers import known_cohort
from tests.matching.helpers import serving


@pytest.fixture
def scene(make):
    scene = known_cohort(make)
    scene.mapo.stage = Stage.EVALUATION
    db.session.commit()
    evaluation = draft_evaluation(scene.mapo, what_happened="운영함", actor=scene.coordinator)
    sign_evaluation(evaluation, decision=Decision.SPREAD, actor=scene.staff)
    db.session.commit()
    scene.evaluation = evaluation
    return scene


def _publish(scene, make):
    model = publish_model(
        scene.evaluation,
        title="공동 아이돌봄방",
        category_id=make.category("care").id,
        schedule_shape="평일 14~18시, 4주",
        actor=scene.staff,
    )
    db.session.commit()
    return model


def _models_actual(scene):
    refresh(scene.cohort.id)  # the board reads the figures as of the last refresh
    return next(
        figure.actual
        for figure in cohort_board(scene.cohort.id).figures
        if figure.kpi.code == "business_models"
    )


def test_a_published_model_carries_budget_lines_and_kinds_of_enterprise(scene, make):
    model = _publish(scene, make)
    assert [line.amount for line in model.budget_lines] == [1000, 1000]
    assert [kind.legal_form for kind in model.enterprise_kinds] == [LegalForm.SOCIAL_ENTERPRISE]
    assert model.evaluation.figures  # the frozen figures of the evaluation


def test_business_models_developed_counts_published_models(scene, make):
    assert _models_actual(scene) == 0
    model = _publish(scene, make)
    assert _models_actual(scene) == 1
    withdraw_model(model, actor=scene.staff)
    db.session.commit()
    assert _models_actual(scene) == 0


def test_only_staff_publish_and_only_after_sign_off(scene, make):
    with pytest.raises(NotAllowed):
        publish_model(
            scene.evaluation, title="x", category_id=make.category().id, actor=scene.coordinator
        )


def test_another_complex_adopts_a_model_once_and_the_board_counts_it(scene, make):
    model = _publish(scene, make)
    coordinator = make.coordinator(scene.eunpyeong.complex)
    adopt_model(model, scene.eunpyeong, actor=coordinator)
    db.session.commit()
    with pytest.raises(Conflict):
        adopt_model(model, scene.eunpyeong, actor=coordinator)
    with pytest.raises(DomainError):
        adopt_model(model, scene.mapo, actor=scene.staff)
    with pytest.raises(NotAllowed):
        adopt_model(model, scene.eunpyeong, actor=scene.coordinator)
    db.session.rollback()
    assert [row.adoptions for row in model_rows(scene.cohort.id)] == [1]


def test_adopting_suggests_enterprises_of_its_kinds_serving_the_district(scene, make):
    model = _publish(scene, make)
    district = scene.eunpyeong.complex.district
    near = serving(
        make, make.enterprise(name="은평돌봄"), categories=("care",), districts=(district,)
    )
    serving(make, make.enterprise(name="먼돌봄"), categories=("care",), districts=())
    serving(
        make,
        make.enterprise(name="은평협동", legal_form=LegalForm.COOPERATIVE),
        categories=("care",),
        districts=(district,),
    )
    assert suggested_enterprises(model, district) == [near]


def test_a_coordinator_adopts_through_the_catalogue(client, scene, make):
    model = _publish(scene, make)
    coordinator = make.coordinator(scene.eunpyeong.complex)
    sign_in(client, coordinator)
    assert "공동 아이돌봄방" in client.get("/models").get_data(as_text=True)
    response = post_form(client, f"/models/{model.id}/adopt", {"participation": scene.eunpyeong.id})
    assert response.status_code == 302
    adoption = db.session.query(Adoption).one()
    assert client.get(f"/adoptions/{adoption.id}").status_code == 200
    refused = post_form(client, f"/models/{model.id}/adopt", {"participation": scene.mapo.id})
    assert refused.status_code == 303  # not one of theirs: no choice, nothing adopted
    assert db.session.query(Adoption).count() == 1


def test_residents_do_not_see_the_catalogue(client, scene, make):
    _publish(scene, make)
    sign_in(client, scene.resident)
    assert client.get("/models").status_code == 403


def test_staff_publish_from_a_signed_evaluation(client, scene, make):
    sign_in(client, scene.staff)
    response = post_form(
        client,
        f"/participations/{scene.mapo.id}/publish-model",
        {"title": "공동 아이돌봄방", "category": make.category("care").id},
    )
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200


def test_adopting_records_a_draft_and_no_programme_until_it_is_confirmed(scene, make):
    model = _publish(scene, make)
    adoption = adopt_model(model, scene.eunpyeong, actor=scene.staff)
    assert adoption.is_draft and adoption.program_id is None
    assert adoption.title == "공동 아이돌봄방"
