"""Drafting freezes the figures; signing fixes them for good; the gate to closing."""

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gachi.complexes.operations import move_stage
from gachi.complexes.stages import Stage
from gachi.core.errors import Conflict, DomainError, GateNotMet, NotAllowed
from gachi.evaluations.models import Decision, Evaluation
from gachi.evaluations.operations import draft_evaluation, retake_figures, sign_evaluation
from gachi.evaluations.queries import is_organiser
from gachi.extensions import db
from gachi.proposals.models import ProblemState
from tests.kpi.helpers import known_cohort


@pytest.fixture
def scene(make):
    scene = known_cohort(make)
    scene.mapo.stage = Stage.EVALUATION
    db.session.commit()
    return scene


def _draft(scene):
    evaluation = draft_evaluation(
        scene.mapo,
        what_happened="4주 동안 운영",
        residents_said="연장 희망",
        what_to_change="19시까지",
        actor=scene.coordinator,
    )
    db.session.commit()
    return evaluation


def _figure(evaluation, code):
    return next(figure for figure in evaluation.figures if figure.code == code)


def test_drafting_freezes_the_complexs_figures(scene):
    evaluation = _draft(scene)
    assert _figure(evaluation, "problems").actual == 2
    assert _figure(evaluation, "turnout").actual == Decimal("50.0")
    assert _figure(evaluation, "problems").name_ko == "제안된 생활문제"


def test_the_snapshot_stays_the_same_after_the_data_changes(scene, make):
    evaluation = _draft(scene)
    make.problem(scene.mapo, state=ProblemState.PROPOSED)
    draft_evaluation(scene.mapo, what_happened="고쳐 씀", actor=scene.coordinator)
    db.session.commit()
    db.session.expire_all()
    assert _figure(db.session.get(Evaluation, evaluation.id), "problems").actual == 2
    retake_figures(evaluation, actor=scene.coordinator)
    db.session.commit()
    assert _figure(evaluation, "problems").actual == 3


def test_a_signed_evaluation_and_its_snapshot_never_change(scene, make):
    evaluation = _draft(scene)
    sign_evaluation(evaluation, decision=Decision.GO_PAID, note="유료화", actor=scene.staff)
    db.session.commit()
    make.problem(scene.mapo)
    with pytest.raises(Conflict):
        retake_figures(evaluation, actor=scene.staff)
    with pytest.raises(Conflict):
        draft_evaluation(scene.mapo, what_happened="바꿔치기", actor=scene.coordinator)
    with pytest.raises(Conflict):
        sign_evaluation(evaluation, decision=Decision.STOP, actor=scene.staff)
    db.session.rollback()
    assert _figure(db.session.get(Evaluation, evaluation.id), "problems").actual == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE evaluations SET what_happened = 'x' WHERE id = :id",
        "UPDATE evaluation_figures SET actual = 99 WHERE evaluation_id = :id",
        (
            "INSERT INTO evaluation_figures (evaluation_id, code, position, name_ko, name_en, unit_ko, "
            "unit_en, direction) VALUES (:id, 'extra', 0, 'x', 'x', 'x', 'x', 'higher')"
        ),
    ],
)
def test_the_database_refuses_to_change_a_signed_evaluation(scene, statement):
    evaluation = _draft(scene)
    sign_evaluation(evaluation, decision=Decision.CONTINUE, actor=scene.staff)
    db.session.commit()
    with pytest.raises(DBAPIError, match="signed evaluation"):
        db.session.execute(text(statement), {"id": evaluation.id})
    db.session.rollback()


def test_only_staff_sign_and_only_with_what_happened(scene):
    evaluation = _draft(scene)
    with pytest.raises(NotAllowed):
        sign_evaluation(evaluation, decision=Decision.CONTINUE, actor=scene.coordinator)
    evaluation.what_happened = " "
    with pytest.raises(DomainError):
        sign_evaluation(evaluation, decision=Decision.CONTINUE, actor=scene.staff)


def test_handing_over_names_resident_organisers_of_the_complex(scene, make):
    evaluation = _draft(scene)
    stranger = make.resident(scene.eunpyeong.complex)
    with pytest.raises(DomainError):
        sign_evaluation(evaluation, decision=Decision.HAND_OVER, actor=scene.staff)
    with pytest.raises(DomainError):
        sign_evaluation(
            evaluation, decision=Decision.HAND_OVER, organisers=[stranger], actor=scene.staff
        )
    db.session.rollback()
    sign_evaluation(
        evaluation, decision=Decision.HAND_OVER, organisers=[scene.resident], actor=scene.staff
    )
    db.session.commit()
    assert evaluation.organisers == [scene.resident]
    assert is_organiser(scene.resident, scene.mapo.id)
    assert not is_organiser(stranger, scene.mapo.id)


def test_an_evaluation_is_written_in_the_evaluation_stage(scene):
    with pytest.raises(DomainError):
        draft_evaluation(scene.eunpyeong, what_happened="아직", actor=scene.staff)


def test_closing_after_evaluation_needs_a_signed_evaluation(scene):
    with pytest.raises(GateNotMet, match="not been signed"):
        move_stage(scene.mapo, Stage.CLOSED, actor=scene.staff)
    evaluation = _draft(scene)
    with pytest.raises(GateNotMet):
        move_stage(scene.mapo, Stage.CLOSED, actor=scene.staff)
    sign_evaluation(evaluation, decision=Decision.CONTINUE, actor=scene.staff)
    move_stage(scene.mapo, Stage.CLOSED, actor=scene.staff)
    assert scene.mapo.stage is Stage.CLOSED


def test_a_resident_organiser_named_in_a_hand_over_may_then_run_the_programme(scene):
    from sqlalchemy import select

    from gachi.programs.models import Program

    program = db.session.scalars(
        select(Program).where(Program.participation_id == scene.mapo.id)
    ).one()
    assert not program.can_run(scene.resident)
    evaluation = _draft(scene)
    sign_evaluation(
        evaluation, decision=Decision.HAND_OVER, organisers=[scene.resident], actor=scene.staff
    )
    db.session.commit()
    assert program.can_run(scene.resident)
    assert not program.can_manage(scene.resident)  # running sessions, not rewriting the plan
