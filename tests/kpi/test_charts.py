"""The numbers behind the board's charts."""

import re
from datetime import date

from gachi.kpi.charts import activity_per_week
from tests.kpi.helpers import known_cohort


def test_participation_per_week_counts_every_act_once_by_its_seoul_monday(make):
    scene = known_cohort(make)
    weeks = activity_per_week(scene.cohort.id)
    # 4 problems, 1 support, 3 workshop check-ins, 4 session attendances.
    assert sum(count for _week, count in weeks) == 12
    for week, _count in weeks:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", week)
        assert date.fromisoformat(week).weekday() == 0
