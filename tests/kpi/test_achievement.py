"""The achievement rate and the arrow, by the report's rule."""

from decimal import Decimal

import pytest

from gachi.kpi.achievement import achievement_rate, arrow
from gachi.kpi.models import Direction

LOWER = Direction.LOWER


@pytest.mark.parametrize(
    "actual, target, rate, sign",
    [
        (208, 200, 104, "↗"),  # 일상상담 목표 200건 실적 208건 104%
        (2, 5, 40, "↘"),  # 자치구공공구매영업지원단 5개 구 중 2개 구 40%
        (14, 20, 70, "↘"),  # 마을기업 발굴 20건 중 14건 70%
        (1, 1, 100, "→"),  # 사업모델 개발 목표 1건 실적 1건 100%
        (2, 3, 67, "↘"),  # rounded half up
        (1, 8, 13, "↘"),  # 12.5 → 13
        (Decimal("200.4"), 200, 100, "↗"),  # the arrow reads the figures, not the rounded rate
        (0, 0, None, "→"),  # a zero target: no rate
        (3, 0, None, "↗"),
        (None, 5, None, None),  # no data
        (5, None, None, None),  # no target
    ],
)
def test_rate_and_arrow_when_higher_is_better(actual, target, rate, sign):
    assert achievement_rate(actual, target) == rate
    assert arrow(actual, target) == sign


@pytest.mark.parametrize(
    "actual, target, rate, sign",
    [
        (5, 10, 200, "↗"),  # half the no-shows aimed for
        (20, 10, 50, "↘"),
        (10, 10, 100, "→"),
        (0, 10, None, "↗"),  # none at all: better than any rate says
        (3, 0, 0, "↘"),
        (0, 0, None, "→"),
    ],
)
def test_rate_and_arrow_when_lower_is_better(actual, target, rate, sign):
    assert achievement_rate(actual, target, LOWER) == rate
    assert arrow(actual, target, LOWER) == sign
