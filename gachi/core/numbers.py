"""Figures shown as percentages and with one decimal: the one rounding rule.

A percentage is numerator ÷ denominator × 100 with one decimal, rounded half up
(1 of 16 is 6.3%, 2 of 3 is 66.7%), computed in Decimal so that 6.25 does not become
6.2 the way a binary float rounds; with nothing to divide by there is no percentage
(None), never 0%. Turnout on every page and export, and every KPI ratio, use it.
"""

from decimal import ROUND_HALF_UP, Decimal


def one_decimal(value: Decimal) -> Decimal:
    """`value` with one decimal, rounded half up."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(numerator, denominator) -> Decimal | None:
    """numerator / denominator in percent, one decimal, rounded half up; None over 0."""
    if numerator is None or not denominator:
        return None
    return one_decimal(Decimal(numerator) * 100 / Decimal(denominator))
