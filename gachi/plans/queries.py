"""The reads behind the execution plan page: its lines and their spending, two queries."""

from sqlalchemy import func, select

from gachi.extensions import db
from gachi.plans.budget import LineFigures, PlanFigures
from gachi.plans.models import BudgetLine, ExecutionPlan, SpendingEntry


def plan_for(participation_id):
    return db.session.scalar(
        select(ExecutionPlan).where(ExecutionPlan.participation_id == participation_id)
    )


def plan_figures(plan_id) -> PlanFigures:
    """Each budget line with the sum spent (one GROUP BY), and the spending entries."""
    spent = (
        select(SpendingEntry.budget_line_id, func.sum(SpendingEntry.amount).label("spent"))
        .group_by(SpendingEntry.budget_line_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            BudgetLine.id,
            BudgetLine.category,
            BudgetLine.description,
            BudgetLine.amount,
            func.coalesce(spent.c.spent, 0).label("spent"),
        )
        .outerjoin(spent, spent.c.budget_line_id == BudgetLine.id)
        .where(BudgetLine.plan_id == plan_id)
        .order_by(BudgetLine.id)
    ).all()
    lines = {
        row.id: LineFigures(row.id, row.category, row.description, int(row.amount), int(row.spent))
        for row in rows
    }
    entries = db.session.scalars(
        select(SpendingEntry)
        .join(BudgetLine, BudgetLine.id == SpendingEntry.budget_line_id)
        .where(BudgetLine.plan_id == plan_id)
        .order_by(SpendingEntry.spent_on, SpendingEntry.id)
    ).all()
    for entry in entries:
        lines[entry.budget_line_id].entries.append(entry)
    return PlanFigures(list(lines.values()))
