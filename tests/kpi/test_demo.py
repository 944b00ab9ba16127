"""The demo's 2018 cohort shows a board in the report's shape."""

import re

from sqlalchemy import select

from gachi.bizmodels.models import BusinessModel
from gachi.complexes.models import Cohort
from gachi.evaluations.models import Decision, Evaluation
from gachi.extensions import db
from gachi.kpi.queries import cohort_board
from gachi.kpi.refresh import refresh
from tests.conftest import sign_in


def test_the_2018_board_shows_one_business_model_developed_against_a_target_of_one(
    korean_client, demo
):
    cohort = db.session.scalars(select(Cohort)).one()
    refresh(cohort.id)  # as `flask gachi seed-demo` does
    figures = {figure.kpi.code: figure for figure in cohort_board(cohort.id).figures}
    models = figures["business_models"]
    assert (models.target, models.actual, models.rate, models.arrow) == (1, 1, 100, "→")
    assert (figures["complexes"].actual, figures["complexes"].rate) == (9, 100)
    assert db.session.scalars(select(BusinessModel.title)).one() == "공동 아이돌봄방"
    assert db.session.scalars(select(Evaluation.decision)).one() is Decision.GO_PAID

    sign_in(korean_client, demo.accounts[0], password="gachi-demo-2018")
    page = korean_client.get(f"/staff/cohorts/{cohort.id}/board").get_data(as_text=True)
    row = re.search(r"사업모델 개발</th>(.*?)</tr>", page, re.S).group(1)
    assert [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] == [
        "건",
        "1",
        "1",
        "100",
        "→",
    ]
