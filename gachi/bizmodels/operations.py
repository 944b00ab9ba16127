"""Publishing a programme that worked as a business model, withdrawing it, adopting it."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gachi.bizmodels.models import Adoption, BusinessModel, ModelBudgetLine, ModelEnterpriseKind
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from gachi.matching.models import AGREED_STATES, Match
from gachi.matching.queries import MATCHABLE_PROBLEM_STATES
from gachi.plans.models import BudgetLine, ExecutionPlan
from gachi.programs.operations import PROGRAM_STAGES, create_program
from gachi.proposals.models import Problem


def _budget_lines(participation_id):
    return db.session.scalars(
        select(BudgetLine)
        .join(ExecutionPlan, ExecutionPlan.id == BudgetLine.plan_id)
        .where(ExecutionPlan.participation_id == participation_id)
        .order_by(BudgetLine.id)
    ).all()


def _enterprise_kinds(participation_id):
    return sorted(
        set(
            db.session.scalars(
                select(Enterprise.legal_form)
                .join(Match, Match.enterprise_id == Enterprise.id)
                .join(Problem, Problem.id == Match.problem_id)
                .where(Problem.participation_id == participation_id, Match.state.in_(AGREED_STATES))
            )
        )
    )


def publish_model(
    evaluation,
    *,
    title,
    category_id,
    summary="",
    audience="",
    schedule_shape="",
    actor,
    source="app",
):
    """Publish the programme of a signed evaluation as a model: its frozen figures (through
    the evaluation), its budget lines and the kinds of enterprise that delivered it."""
    if not (actor.is_authenticated and actor.is_staff):
        raise NotAllowed(_l("Only center staff can publish a business model."))
    if not evaluation.is_signed:
        raise DomainError(_l("A programme becomes a model once its evaluation is signed off."))
    participation_id = evaluation.participation_id
    model = BusinessModel(
        title=title,
        summary=summary,
        audience=audience,
        schedule_shape=schedule_shape,
        category_id=category_id,
        origin_participation_id=participation_id,
        evaluation_id=evaluation.id,
        published_by_id=actor.id,
        source=source,
        budget_lines=[
            ModelBudgetLine(
                category=line.category, description=line.description, amount=line.amount
            )
            for line in _budget_lines(participation_id)
        ],
        enterprise_kinds=[
            ModelEnterpriseKind(legal_form=kind) for kind in _enterprise_kinds(participation_id)
        ],
    )
    db.session.add(model)
    db.session.flush()
    log_change(
        "model.publish",
        model,
        actor=actor,
        complex_id=evaluation.participation.complex_id,
        after={"title": title},
    )
    return model


def withdraw_model(model, *, actor):
    if not model.can_manage(actor):
        raise NotAllowed(_l("Only center staff can withdraw a business model."))
    if not model.is_published:
        raise Conflict(_l("This model has already been withdrawn."))
    model.withdrawn_at = utcnow()
    log_change("model.withdraw", model, actor=actor)
    return model


def _problem_for(model, participation):
    """The selected problem a programme drafted from `model` answers: one of the model's
    category if there is one, else the earliest selected; None if none is selected."""
    return db.session.scalar(
        select(Problem)
        .where(
            Problem.participation_id == participation.id,
            Problem.state.in_(MATCHABLE_PROBLEM_STATES),
        )
        .order_by((Problem.category_id != model.category_id), Problem.id)
        .limit(1)
    )


def _draft_programme(model, participation, actor):
    """A programme draft (no dates, no sessions yet) from the model, when the complex is
    planning or running and has a selected problem; None otherwise."""
    problem = _problem_for(model, participation)
    if participation.stage not in PROGRAM_STAGES or problem is None:
        return None
    description = "\n\n".join(part for part in (model.summary, model.schedule_shape) if part)
    return create_program(
        participation,
        problem=problem,
        actor=actor,
        title=model.title,
        description=description,
        audience=model.audience,
    )


def adopt_model(model, participation, *, actor):
    """The complex takes the model up (once), with a programme draft when it can plan one.
    The enterprises to suggest are read by the adoption page."""
    if not BusinessModel.can_adopt(participation, actor):
        raise NotAllowed()
    if not model.is_published:
        raise DomainError(_l("This model has been withdrawn."))
    if participation.id == model.origin_participation_id:
        raise DomainError(_l("This is where the model comes from."))
    adoption = Adoption(
        model_id=model.id, participation_id=participation.id, adopted_by_id=actor.id
    )
    try:
        with db.session.begin_nested():
            db.session.add(adoption)
    except IntegrityError:
        raise Conflict(
            _l("%(complex)s has already adopted this model."), complex=participation.complex.name
        ) from None
    program = _draft_programme(model, participation, actor)
    adoption.program_id = program.id if program is not None else None
    log_change(
        "model.adopt",
        adoption,
        actor=actor,
        complex_id=participation.complex_id,
        after={"model_id": model.id, "program_id": adoption.program_id},
    )
    return adoption
