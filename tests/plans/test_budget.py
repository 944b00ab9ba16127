"""Budget arithmetic: whole won, exact sums, one stated rule for the execution rate."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from gachi.complexes.stages import Stage
from gachi.core.errors import DomainError
from gachi.extensions import db
from gachi.plans import operations, queries
from gachi.plans.budget import execution_rate
from gachi.plans.models import BudgetCategory, SpendingEntry


@pytest.fixture
def planning(make):
    participation = make.participation(make.complex_(name="청량리 H아파트"), stage=Stage.PLANNING)
    coordinator = make.coordinator(participation.complex)
    return participation, coordinator


@pytest.mark.parametrize(
    ("spent", "budget", "rate"),
    [
        (709_749_293, 710_000_000, Decimal("100.0")),  # the report's 전략사업육성: 99.96… → 100.0
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 8, Decimal("12.5")),
        (1, 16, Decimal("6.3")),  # 6.25 rounds half up
        (0, 500, Decimal("0.0")),
        (750, 500, Decimal("150.0")),
    ],
)
def test_the_execution_rate_has_one_decimal_rounded_half_up(spent, budget, rate):
    assert execution_rate(spent, budget) == rate


def test_no_budget_has_no_rate():
    assert execution_rate(100, 0) is None


def test_sums_are_exact_in_whole_won(planning, make):
    participation, coordinator = planning
    line = operations.add_budget_line(
        participation,
        category=BudgetCategory.ENTERPRISE_SERVICES,
        description="운동기구 체험",
        amount=710_000_000,
        actor=coordinator,
    )
    operations.add_budget_line(
        participation,
        category=BudgetCategory.PUBLICITY,
        description="포스터",
        amount=1,
        actor=coordinator,
    )
    for amount in (709_000_000, 749_293):
        operations.record_spending(
            line, spent_on=make.today(), amount=amount, payee="헬스브릿지", actor=coordinator
        )
    db.session.commit()
    figures = queries.plan_figures(line.plan_id)
    assert (figures.budget, figures.spent, figures.remaining) == (710_000_001, 709_749_293, 250_708)
    assert all(isinstance(value, int) for value in (figures.budget, figures.spent))
    assert figures.lines[0].rate == Decimal("100.0")


def test_spending_beyond_the_line_needs_a_reason_and_shows_as_over(planning, make):
    participation, coordinator = planning
    line = operations.add_budget_line(
        participation,
        category=BudgetCategory.FOOD,
        description="다과",
        amount=200_000,
        actor=coordinator,
    )
    operations.record_spending(
        line, spent_on=make.today(), amount=150_000, payee="떡집", actor=coordinator
    )
    for blank in ("", "   \n"):
        with pytest.raises(operations.OverBudget, match="over its budget by 30,000") as refused:
            operations.record_spending(
                line,
                spent_on=make.today(),
                amount=80_000,
                payee="떡집",
                over_budget_reason=blank,
                actor=coordinator,
            )
        assert refused.value.field == "over_budget_reason"
    operations.record_spending(
        line,
        spent_on=make.today(),
        amount=80_000,
        payee="떡집",
        over_budget_reason="참석자가 예상보다 많았다.",
        actor=coordinator,
    )
    db.session.commit()
    [figures] = queries.plan_figures(line.plan_id).lines
    assert (figures.spent, figures.over, figures.rate) == (230_000, 30_000, Decimal("115.0"))
    reasons = db.session.scalars(
        select(SpendingEntry.over_budget_reason).order_by(SpendingEntry.id)
    )
    assert list(reasons) == ["", "참석자가 예상보다 많았다."]


@pytest.mark.parametrize("amount", [0, -5, 1.5, Decimal("100"), True, 10**11])
def test_only_whole_positive_won_are_spent(planning, make, amount):
    participation, coordinator = planning
    line = operations.add_budget_line(
        participation,
        category=BudgetCategory.FOOD,
        description="다과",
        amount=200_000,
        actor=coordinator,
    )
    with pytest.raises(DomainError):
        operations.record_spending(
            line, spent_on=make.today(), amount=amount, payee="떡집", actor=coordinator
        )


def test_budget_lines_wait_for_the_planning_stage(make):
    participation = make.participation(stage=Stage.SOLUTION_WORKSHOP)
    with pytest.raises(DomainError, match="planning stage"):
        operations.add_budget_line(
            participation,
            category=BudgetCategory.FOOD,
            description="다과",
            amount=1000,
            actor=make.staff(),
        )
