"""Achievement rate (달성률) and the report's arrow (↗ above target, → on, ↘ below).

Rounding: the rate is a whole percent, rounded half up (2 of 3 is 67%, 1 of 8 is 13%),
computed with Decimal so every machine agrees. The arrow compares the actual with the
target themselves, not the rounded rate: 200.4 against 200 is ↗ even though it rounds
to 100%.
"""

from decimal import ROUND_HALF_UP, Decimal

from gachi.kpi.models import Direction

ABOVE, ON, BELOW = "↗", "→", "↘"


def achievement_rate(actual, target, direction=Direction.HIGHER) -> int | None:
    """actual / target in percent when higher is better.

    When lower is better (a no-show rate), the rate is target / actual: an actual of
    half the target is 200%, of twice the target 50%. None ("—") when there is no
    target, no actual, a target of 0 (nothing to divide by), or, lower being better,
    an actual of 0 (better than any rate can say; the arrow still shows ↗).
    """
    if actual is None or target is None:
        return None
    actual, target = Decimal(actual), Decimal(target)
    if direction is Direction.LOWER:
        numerator, denominator = target, actual
    else:
        numerator, denominator = actual, target
    if denominator == 0:
        return None
    return int((numerator * 100 / denominator).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def arrow(actual, target, direction=Direction.HIGHER) -> str | None:
    """↗ better than the target, → on it, ↘ worse; None without a target or an actual.

    A target of 0 still has an arrow: any actual above 0 beats it (or, lower being
    better, misses it)."""
    if actual is None or target is None:
        return None
    difference = Decimal(actual) - Decimal(target)
    if direction is Direction.LOWER:
        difference = -difference
    if difference > 0:
        return ABOVE
    return ON if difference == 0 else BELOW
