"""The verbs of an evaluation: draft it (freezing the figures), retake the figures while
it is a draft, and sign it off with the decision for next year. A signed evaluation
never changes: these refuse, and so does the database (migration 0006's triggers)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError

from gachi.complexes.stages import Stage, gate
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.evaluations.models import Decision, Evaluation, EvaluationFigure, EvaluationOrganiser
from gachi.extensions import db
from gachi.kpi.queries import participation_board

TEXT_FIELDS = ("what_happened", "residents_said", "what_to_change")


@gate(Stage.CLOSED, needs=_l("An evaluation signed off by the center"))
def evaluation_is_signed(participation, now):
    signed = db.session.scalar(
        select(
            exists().where(
                Evaluation.participation_id == participation.id, Evaluation.signed_at.is_not(None)
            )
        )
    )
    return None if signed else _l("The evaluation has not been signed off yet.")


def _freeze_figures(evaluation, participation):
    """Copy every KPI's target and actual for the complex, names and all, as they stand."""
    db.session.execute(
        delete(EvaluationFigure).where(EvaluationFigure.evaluation_id == evaluation.id)
    )
    board = participation_board(participation)
    db.session.add_all(
        EvaluationFigure(
            evaluation_id=evaluation.id,
            code=figure.kpi.code,
            position=index,
            name_ko=figure.kpi.name_ko,
            name_en=figure.kpi.name_en,
            unit_ko=figure.kpi.unit_ko,
            unit_en=figure.kpi.unit_en,
            direction=figure.kpi.direction,
            target=figure.target,
            actual=figure.actual,
        )
        for index, figure in enumerate(board.figures)
    )
    evaluation.snapshot_at = utcnow()
    db.session.flush()
    db.session.expire(evaluation, ["figures"])


def _refuse_if_signed(evaluation):
    if evaluation.is_signed:
        raise Conflict(_l("This evaluation has been signed off and can no longer change."))


def draft_evaluation(participation, *, actor, **texts):
    """Write (or rewrite) the coordinator's evaluation. The first draft freezes the
    figures; later drafts keep them (see `retake_figures`)."""
    if not Evaluation.is_drafted_in(participation):
        raise DomainError(_l("A complex is evaluated in its evaluation stage."))
    evaluation = db.session.scalar(
        select(Evaluation).where(Evaluation.participation_id == participation.id)
    )
    if evaluation is None:
        evaluation = Evaluation(
            participation_id=participation.id, drafted_by_id=actor.id, snapshot_at=utcnow(), **texts
        )
        try:
            with db.session.begin_nested():
                db.session.add(evaluation)
        except IntegrityError:
            raise Conflict(
                _l("Someone started this evaluation at the same time. Please reload.")
            ) from None
        _freeze_figures(evaluation, participation)
        log_change("evaluation.draft", evaluation, actor=actor, complex_id=participation.complex_id)
        return evaluation
    _refuse_if_signed(evaluation)
    for name in TEXT_FIELDS:
        setattr(evaluation, name, texts.get(name, getattr(evaluation, name)))
    evaluation.drafted_by_id, evaluation.updated_at = actor.id, utcnow()
    log_change("evaluation.update", evaluation, actor=actor, complex_id=participation.complex_id)
    return evaluation


def retake_figures(evaluation, *, actor):
    """Freeze the figures again as they stand now (only while it is a draft)."""
    _refuse_if_signed(evaluation)
    _freeze_figures(evaluation, evaluation.participation)
    log_change(
        "evaluation.snapshot",
        evaluation,
        actor=actor,
        complex_id=evaluation.participation.complex_id,
    )
    return evaluation


def _check_organisers(evaluation, decision, organisers):
    complex_id = evaluation.participation.complex_id
    if decision is Decision.HAND_OVER and not organisers:
        raise DomainError(_l("Name at least one resident organiser to hand the programme over to."))
    if decision is not Decision.HAND_OVER and organisers:
        raise DomainError(
            _l("Resident organisers are named only when the programme is handed over.")
        )
    if any(not person.is_resident or person.complex_id != complex_id for person in organisers):
        raise DomainError(_l("Organisers must be residents of this complex."))


def sign_evaluation(evaluation, *, decision, note="", organisers=(), actor):
    """Staff sign the evaluation off with the decision for next year. The UPDATE is
    conditional on it being unsigned, so two people signing at once sign it once."""
    if not evaluation.can_sign(actor):
        if evaluation.is_signed:
            _refuse_if_signed(evaluation)
        raise NotAllowed(_l("Only center staff can sign an evaluation off."))
    if not evaluation.what_happened.strip():
        raise DomainError(_l("Write what happened before the evaluation is signed off."))
    _check_organisers(evaluation, decision, organisers)
    db.session.add_all(
        EvaluationOrganiser(evaluation_id=evaluation.id, user_id=person.id) for person in organisers
    )
    db.session.flush()
    result = db.session.execute(
        update(Evaluation)
        .where(Evaluation.id == evaluation.id, Evaluation.signed_at.is_(None))
        .values(decision=decision, decision_note=note, signed_by_id=actor.id, signed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_l("This evaluation has been signed off and can no longer change."))
    db.session.refresh(evaluation)
    log_change(
        "evaluation.sign",
        evaluation,
        actor=actor,
        complex_id=evaluation.participation.complex_id,
        after={"decision": decision.value, "organisers": len(organisers)},
    )
    return evaluation
