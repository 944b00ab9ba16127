"""The verbs of the execution plan: goals, budget lines and spending entries."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gachi.complexes.stages import Stage
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.plans.models import BudgetLine, ExecutionPlan, SpendingEntry

# The plan is written from planning on and kept while the programmes run.
PLAN_STAGES = (Stage.PLANNING, Stage.RUNNING)
# Spending may still be recorded while the results are evaluated.
SPENDING_STAGES = (Stage.PLANNING, Stage.RUNNING, Stage.EVALUATION)
MAX_AMOUNT = 10_000_000_000  # 100억 won: far above any complex's budget, a typo guard


class OverBudget(DomainError):
    """Spending that takes a line beyond its budget, with no note saying why: the
    message goes next to the note's field on the form."""

    code = "over_budget"
    field = "over_budget_reason"
    default_message = _l("This takes the line over its budget by %(over)s won. Say why.")


def _check_stage(participation, stages, message):
    if participation.stage not in stages:
        raise DomainError(message, stage=participation.stage.label)


def _check_amount(amount):
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise DomainError(_l("Enter the amount in whole won."))
    if amount > MAX_AMOUNT:
        raise DomainError(_l("This amount is too large; check the number of zeros."))


def plan_of(participation, *, actor):
    """The participation's plan, made now if it has none (one per participation)."""
    plan = db.session.scalar(
        select(ExecutionPlan).where(ExecutionPlan.participation_id == participation.id)
    )
    if plan is not None:
        return plan
    plan = ExecutionPlan(participation_id=participation.id, updated_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(plan)
    except IntegrityError:
        return db.session.scalar(
            select(ExecutionPlan).where(ExecutionPlan.participation_id == participation.id)
        )
    return plan


def save_goals(participation, *, goals, actor):
    _check_stage(
        participation,
        PLAN_STAGES,
        _l("The plan is written from the planning stage on, not at %(stage)s."),
    )
    plan = plan_of(participation, actor=actor)
    before = plan.goals
    plan.goals, plan.updated_at, plan.updated_by_id = goals, utcnow(), actor.id
    log_change(
        "plan.goals",
        plan,
        actor=actor,
        complex_id=participation.complex_id,
        before={"goals": before},
        after={"goals": goals},
    )
    return plan


def add_budget_line(participation, *, category, description, amount, actor, source="app"):
    """A budget line (예산액) of the plan, in whole won."""
    _check_stage(
        participation,
        PLAN_STAGES,
        _l("Budget lines are added from the planning stage on, not at %(stage)s."),
    )
    _check_amount(amount)
    if amount < 0:
        raise DomainError(_l("A budget cannot be negative."))
    plan = plan_of(participation, actor=actor)
    line = BudgetLine(
        plan_id=plan.id, category=category, description=description, amount=amount, source=source
    )
    db.session.add(line)
    log_change(
        "budget.add",
        line,
        actor=actor,
        complex_id=participation.complex_id,
        after={"category": category.value, "description": description, "amount": amount},
    )
    return line


def _spent_on_line(line_id):
    return db.session.scalar(
        select(func.coalesce(func.sum(SpendingEntry.amount), 0)).where(
            SpendingEntry.budget_line_id == line_id
        )
    )


def record_spending(
    line, *, spent_on, amount, payee, receipt_note="", over_budget_reason="", actor, source="app"
):
    """Money spent against `line` (집행액). Beyond the line's budget it needs a reason.

    The line's row is locked first (FOR UPDATE on PostgreSQL; SQLite's writers queue
    anyway), so two entries at once cannot both slip under the budget unexplained.
    """
    participation = line.plan.participation
    _check_stage(
        participation,
        SPENDING_STAGES,
        _l("Spending is recorded from the planning stage until evaluation, not at %(stage)s."),
    )
    _check_amount(amount)
    if amount <= 0:
        raise DomainError(_l("Enter an amount above zero."))
    budget = db.session.scalar(
        select(BudgetLine.amount).where(BudgetLine.id == line.id).with_for_update()
    )
    if budget is None:
        raise Conflict(_l("This budget line no longer exists."))
    already = _spent_on_line(line.id)
    over = already + amount > budget
    over_budget_reason = over_budget_reason.strip()
    if over and not over_budget_reason:
        raise OverBudget(over=f"{already + amount - budget:,}")
    entry = SpendingEntry(
        budget_line_id=line.id,
        spent_on=spent_on,
        amount=amount,
        payee=payee,
        receipt_note=receipt_note,
        over_budget_reason=over_budget_reason if over else "",
        entered_by_id=actor.id,
        source=source,
    )
    db.session.add(entry)
    log_change(
        "spending.add",
        entry,
        actor=actor,
        complex_id=participation.complex_id,
        after={
            "budget_line_id": line.id,
            "amount": amount,
            "payee": payee,
            "over_budget": over,
            "over_budget_reason": entry.over_budget_reason,
        },
    )
    return entry
