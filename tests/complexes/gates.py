"""What a complex's stage gates ask for, made the way the people who make it do."""

from datetime import timedelta

from gachi.core.time import utcnow
from gachi.plans.models import BudgetCategory
from gachi.plans.operations import add_budget_line
from gachi.workshops.models import WorkshopRound
from gachi.workshops.operations import create_workshop, set_walk_ins


def a_held_workshop(
    participation, coordinator, round_=WorkshopRound.PROBLEMS, *, walk_ins=8, held_at=None
):
    """The coordinator writes down a workshop (held yesterday) and counts who came."""
    workshop = create_workshop(
        participation,
        actor=coordinator,
        round=round_,
        held_at=held_at or utcnow() - timedelta(days=1),
        place="관리사무소 회의실",
    )
    if walk_ins:
        set_walk_ins(workshop, count=walk_ins, actor=coordinator, now=workshop.held_at)
    return workshop


def a_budget_line(participation, coordinator, amount=300_000):
    """The coordinator puts a line in the plan's budget."""
    return add_budget_line(
        participation,
        category=BudgetCategory.MATERIALS,
        description="재료비",
        amount=amount,
        actor=coordinator,
    )
