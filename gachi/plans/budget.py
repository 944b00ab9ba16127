"""Budget arithmetic: whole won in, whole won out, and one rule for the execution rate."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


def execution_rate(spent: int, budget: int) -> Decimal | None:
    """집행률: spent / budget as a percentage with one decimal, rounded half up.

    Computed with Decimal from the integer amounts, so 1 won of 3 is 33.3 and 2 of 3
    is 66.7 on every machine. None when there is no budget to measure against (a
    budget of 0 won with spending is not a rate, it is over budget).
    """
    if budget <= 0:
        return None
    rate = Decimal(spent) * 100 / Decimal(budget)
    return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class LineFigures:
    """One budget line with what was spent against it (예산액 / 집행액)."""

    id: int
    category: object
    description: str
    budget: int
    spent: int
    entries: list = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return self.budget - self.spent

    @property
    def over(self) -> int:
        return max(0, self.spent - self.budget)

    @property
    def rate(self):
        return execution_rate(self.spent, self.budget)


@dataclass
class PlanFigures:
    lines: list

    @property
    def budget(self) -> int:
        return sum(line.budget for line in self.lines)

    @property
    def spent(self) -> int:
        return sum(line.spent for line in self.lines)

    @property
    def remaining(self) -> int:
        return self.budget - self.spent

    @property
    def rate(self):
        return execution_rate(self.spent, self.budget)
