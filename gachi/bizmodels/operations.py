"""Publishing a programme that worked as a business model, withdrawing it, adopting it."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gachi.bizmodels import recipes
from gachi.bizmodels.models import (
    Adoption,
    AdoptionLine,
    AdoptionTarget,
    Basis,
    BusinessModel,
    ModelBudgetLine,
    ModelEnterpriseCategory,
    ModelEnterpriseKind,
    ModelEvent,
    ModelTarget,
)
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import DateOutsideWindow, utcnow, within_window
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from gachi.kpi.operations import set_target
from gachi.kpi.queries import participation_board
from gachi.kpi.queries import targets as kpi_targets
from gachi.matching.models import AGREED_STATES, Match
from gachi.matching.queries import MATCHABLE_PROBLEM_STATES
from gachi.plans.models import BudgetCategory, BudgetLine, ExecutionPlan
from gachi.plans.operations import add_budget_line
from gachi.programs import recurrence
from gachi.programs.operations import PROGRAM_STAGES, add_session, create_program, set_schedule
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


# The KPI figures of the source complex the recipe keeps as its evidence.
EVIDENCE_CODES = {
    "participants": "evidence_participants",
    "sessions_held": "evidence_sessions",
    "attendance_rate": "evidence_attendance_rate",
    "satisfaction": "evidence_satisfaction",
}
MAX_LINE_AMOUNT = 10_000_000_000


@dataclass(frozen=True)
class RecipeLine:
    category: BudgetCategory
    description: str
    amount: int
    basis: Basis = Basis.FIXED


def _check_recipe(weeks, weekdays, start_time, end_time, participants, lines, events, targets):
    if weeks is not None and not 1 <= weeks <= 52:
        raise DomainError(_l("A recipe runs for 1 to 52 weeks."))
    if any(day not in range(7) for day in weekdays):
        raise DomainError(_l("Choose weekdays from Monday to Sunday."))
    if (start_time is None) != (end_time is None):
        raise DomainError(_l("Give both the start and the end time, or neither."))
    if start_time is not None and end_time <= start_time:
        raise DomainError(_l("The end time must come after the start time."))
    if participants is not None and participants < 0:
        raise DomainError(_l("The number of participants cannot be negative."))
    for line in lines:
        if not line.description.strip():
            raise DomainError(_l("Every budget line needs a description."))
        if not 0 <= line.amount <= MAX_LINE_AMOUNT:
            raise DomainError(_l("A budget amount is whole won from 0 to 10,000,000,000."))
    for event in events:
        if not 0 <= event.day_offset < 7 * (weeks or 52):
            raise DomainError(_l("A one-off event falls inside the run's weeks."))
        if event.end_time <= event.start_time:
            raise DomainError(_l("The end time must come after the start time."))
    if any(value < 0 for value in targets.values()):
        raise DomainError(_l("A target cannot be negative."))


def _evidence(participation):
    """The source complex's figures as they stand now (participation_board computes them
    from the data, not from the last refresh)."""
    figures = {
        figure.kpi.code: figure.actual for figure in participation_board(participation).figures
    }
    return {column: figures.get(code) for code, column in EVIDENCE_CODES.items()}


def _source_targets(participation):
    """The KPI targets set for the source complex, by KPI id."""
    return {
        kpi_id: value
        for kpi_id, value in kpi_targets(participation.cohort_id, participation.complex_id).items()
        if value is not None
    }


def publish_model(
    evaluation,
    *,
    title,
    category_id,
    summary="",
    audience="",
    schedule_shape="",
    weeks=None,
    weekdays=(),
    start_time=None,
    end_time=None,
    participants=None,
    lines=None,
    events=(),
    targets=None,
    enterprise_category_ids=(),
    actor,
    source="app",
):
    """Publish the programme of a signed evaluation as a model and a recipe: its schedule
    shape, budget lines (`lines`, else the execution plan's, fixed), events, targets
    (else the source complex's), the kinds and categories of enterprise that delivered it,
    and the source's figures frozen now as its evidence."""
    if not (actor.is_authenticated and actor.is_staff):
        raise NotAllowed(_l("Only center staff can publish a business model."))
    if not evaluation.is_signed:
        raise DomainError(_l("A programme becomes a model once its evaluation is signed off."))
    participation = evaluation.participation
    if lines is None:
        lines = [
            RecipeLine(line.category, line.description, line.amount)
            for line in _budget_lines(participation.id)
        ]
    if targets is None:
        targets = _source_targets(participation)
    _check_recipe(weeks, weekdays, start_time, end_time, participants, lines, events, targets)
    evidence = _evidence(participation)
    if participants is None and evidence["evidence_participants"] is not None:
        participants = int(evidence["evidence_participants"])
    model = BusinessModel(
        title=title,
        summary=summary,
        audience=audience,
        schedule_shape=schedule_shape,
        category_id=category_id,
        origin_participation_id=participation.id,
        evaluation_id=evaluation.id,
        published_by_id=actor.id,
        source=source,
        weeks=weeks,
        weekdays=recurrence.weekday_digits(weekdays),
        start_time=start_time,
        end_time=end_time,
        participants=participants,
        evidence_at=utcnow(),
        evidence_households=participation.complex.household_count,
        **evidence,
        budget_lines=[
            ModelBudgetLine(
                category=line.category,
                description=line.description,
                amount=line.amount,
                basis=line.basis,
            )
            for line in lines
        ],
        events=[
            ModelEvent(
                title=event.title,
                day_offset=event.day_offset,
                start_time=event.start_time,
                end_time=event.end_time,
            )
            for event in events
        ],
        targets=[ModelTarget(kpi_id=kpi_id, value=value) for kpi_id, value in targets.items()],
        enterprise_kinds=[
            ModelEnterpriseKind(legal_form=kind) for kind in _enterprise_kinds(participation.id)
        ],
        enterprise_categories=[
            ModelEnterpriseCategory(category_id=category)
            for category in sorted(set(enterprise_category_ids))
        ],
    )
    db.session.add(model)
    db.session.flush()
    log_change(
        "model.publish",
        model,
        actor=actor,
        complex_id=participation.complex_id,
        after={
            "title": title,
            "weeks": weeks,
            "weekdays": model.weekdays,
            "lines": len(lines),
            "events": len(events),
            "targets": len(targets),
        },
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


def _draft_lines(model, participants, households):
    return [
        AdoptionLine(
            category=line.category,
            description=line.description,
            amount=recipes.scaled_amount(line.amount, line.basis, participants, households),
        )
        for line in model.budget_lines
    ]


def adopt_model(model, participation, *, actor, starts_on=None):
    """The complex takes the model up (once): a draft of the programme, copied from the
    recipe and scaled to the complex (gachi/bizmodels/recipes.py), to edit and confirm."""
    if not BusinessModel.can_adopt(participation, actor):
        raise NotAllowed()
    if not model.is_published:
        raise DomainError(_l("This model has been withdrawn."))
    if participation.id == model.origin_participation_id:
        raise DomainError(_l("This is where the model comes from."))
    if starts_on is not None and not within_window(starts_on):
        raise DateOutsideWindow()
    households = participation.complex.household_count
    participants = recipes.expected_participants(
        model.participants, model.evidence_households, households
    )
    adoption = Adoption(
        model_id=model.id,
        participation_id=participation.id,
        adopted_by_id=actor.id,
        title=model.title,
        starts_on=starts_on,
        weeks=model.weeks,
        weekdays=model.weekdays,
        start_time=model.start_time,
        end_time=model.end_time,
        expected_participants=participants,
        lines=_draft_lines(model, participants, households),
        targets=[
            AdoptionTarget(kpi_id=target.kpi_id, value=target.value) for target in model.targets
        ],
    )
    try:
        with db.session.begin_nested():
            db.session.add(adoption)
    except IntegrityError:
        raise Conflict(
            _l("%(complex)s has already adopted this model."), complex=participation.complex.name
        ) from None
    log_change(
        "model.adopt",
        adoption,
        actor=actor,
        complex_id=participation.complex_id,
        after={
            "model_id": model.id,
            "starts_on": starts_on,
            "participants": participants,
            "budget": adoption.budget_total,
        },
    )
    return adoption


def _refuse_unless_draft(adoption, actor):
    if not adoption.can_manage(actor):
        raise NotAllowed()
    if not adoption.is_draft:
        raise Conflict(_l("This adoption has been confirmed; edit its programme instead."))


def update_draft(
    adoption,
    *,
    title,
    starts_on,
    start_time,
    end_time,
    expected_participants,
    lines,
    targets,
    actor,
):
    """Edit the draft before confirming: its title, first day, time window, expected
    participants, each budget line (`lines`: id → (description, amount)) and each target
    (`targets`: KPI id → value)."""
    _refuse_unless_draft(adoption, actor)
    if not title.strip():
        raise DomainError(_l("Give the programme a title."))
    if starts_on is not None and not within_window(starts_on):
        raise DateOutsideWindow()
    if (start_time is None) != (end_time is None) or (
        start_time is not None and end_time <= start_time
    ):
        raise DomainError(_l("The end time must come after the start time."))
    if expected_participants is not None and expected_participants < 0:
        raise DomainError(_l("The number of participants cannot be negative."))
    before = _draft_state(adoption)
    adoption.title, adoption.starts_on = title.strip(), starts_on
    adoption.start_time, adoption.end_time = start_time, end_time
    adoption.expected_participants = expected_participants
    for line in adoption.lines:
        if line.id in lines:
            description, amount = lines[line.id]
            if not description.strip():
                raise DomainError(_l("Every budget line needs a description."))
            if not 0 <= amount <= MAX_LINE_AMOUNT:
                raise DomainError(_l("A budget amount is whole won from 0 to 10,000,000,000."))
            line.description, line.amount = description.strip(), amount
    for target in adoption.targets:
        if target.kpi_id in targets:
            if targets[target.kpi_id] < 0:
                raise DomainError(_l("A target cannot be negative."))
            target.value = targets[target.kpi_id]
    after = _draft_state(adoption)
    if before != after:
        log_change(
            "model.draft",
            adoption,
            actor=actor,
            complex_id=adoption.participation.complex_id,
            before=before,
            after=after,
        )
    return adoption


def _draft_state(adoption):
    return {
        "title": adoption.title,
        "starts_on": adoption.starts_on,
        "start_time": adoption.start_time,
        "end_time": adoption.end_time,
        "participants": adoption.expected_participants,
        "lines": ";".join(f"{line.id}:{line.description}:{line.amount}" for line in adoption.lines),
        "targets": ";".join(f"{t.kpi_id}:{t.value}" for t in adoption.targets),
    }


def confirm_adoption(adoption, *, actor, now=None):
    """The draft becomes a normal programme of the plan: the programme with its schedule
    (sessions generated, holidays skipped) and one-off events, the budget lines in the
    execution plan, and the targets set for the complex."""
    _refuse_unless_draft(adoption, actor)
    model, participation = adoption.model, adoption.participation
    if participation.stage not in PROGRAM_STAGES:
        raise DomainError(
            _l("A complex plans programmes in its planning or running stage, not at %(stage)s."),
            stage=participation.stage.label,
        )
    problem = _problem_for(model, participation)
    if problem is None:
        raise DomainError(_l("A programme answers a problem the residents selected: none is yet."))
    if not (adoption.starts_on and adoption.weeks and adoption.weekdays):
        raise DomainError(_l("Choose the first day of the programme."))
    program = create_program(
        participation,
        problem=problem,
        actor=actor,
        title=adoption.title,
        description="\n\n".join(part for part in (model.summary, model.schedule_shape) if part),
        audience=model.audience,
    )
    schedule = recipes.draft_schedule(
        adoption.starts_on,
        adoption.weeks,
        adoption.weekday_numbers,
        adoption.start_time,
        adoption.end_time,
        _events(model),
    )
    change = set_schedule(
        program,
        starts_on=adoption.starts_on,
        ends_on=schedule.ends_on,
        weekdays=adoption.weekday_numbers,
        start_time=adoption.start_time,
        end_time=adoption.end_time,
        held_holidays=(),
        actor=actor,
        now=now,
    )
    for session in schedule.sessions:
        if session.title:
            add_session(
                program,
                starts_at=session.planned.starts_at,
                ends_at=session.planned.ends_at,
                capacity=program.default_capacity,
                title=session.title,
                actor=actor,
            )
    for line in adoption.lines:
        add_budget_line(
            participation,
            category=line.category,
            description=line.description,
            amount=line.amount,
            actor=actor,
        )
    kpis = {target.kpi_id: target.kpi for target in adoption.targets}
    for target in adoption.targets:
        set_target(
            kpis[target.kpi_id],
            participation.cohort,
            target.value,
            complex_id=participation.complex_id,
            actor=actor,
        )
    adoption.program_id = program.id
    adoption.confirmed_at, adoption.confirmed_by_id = utcnow(), actor.id
    log_change(
        "model.confirm",
        adoption,
        actor=actor,
        complex_id=participation.complex_id,
        after={
            "program_id": program.id,
            "sessions": change.created + sum(1 for s in schedule.sessions if s.title),
            "budget": adoption.budget_total,
            "targets": len(adoption.targets),
        },
    )
    return program


def _events(model):
    return [
        recipes.Event(event.title, event.day_offset, event.start_time, event.end_time)
        for event in model.events
    ]


def draft_schedule(adoption, language="ko"):
    """The sessions the draft will make, or None until its first day is chosen."""
    if not (adoption.starts_on and adoption.weeks and adoption.weekdays and adoption.start_time):
        return None
    return recipes.draft_schedule(
        adoption.starts_on,
        adoption.weeks,
        adoption.weekday_numbers,
        adoption.start_time,
        adoption.end_time,
        _events(adoption.model),
        language=language,
    )
