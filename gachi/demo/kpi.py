"""The 2018 KPI targets, 응암동 H's evaluation and the one business model it became
(the report's "사업모델 개발 목표 1건 실적 1건 달성율 100%").

The report gives two targets (9 complexes, 1 business model); the others below are
invented for the demo and marked so.
"""

from datetime import time
from decimal import Decimal

from sqlalchemy import select

from gachi.bizmodels.models import Basis
from gachi.bizmodels.operations import RecipeLine, publish_model
from gachi.evaluations.models import Decision
from gachi.evaluations.operations import draft_evaluation, sign_evaluation
from gachi.extensions import db
from gachi.kpi.models import Kpi
from gachi.kpi.operations import set_target
from gachi.plans.models import BudgetCategory

# code: target for the 2018 cohort. business_models is the report's; the rest are demo.
TARGETS_2018 = {
    "complexes": 9,  # the report: 9 complexes confirmed
    "business_models": 1,  # the report: 사업모델 개발 목표 1건
    "problems": 30,  # demo
    "turnout": 30,  # demo, percent
    "matches": 8,  # demo
    "execution_rate": 90,  # demo, percent
}

EVALUATIONS = {
    "eungam": dict(
        what_happened=(
            "11월 12일부터 12월 7일까지 4주 동안 평일 14~18시에 단지 세미나실(100m²)에서 공동 "
            "아이돌봄방을 운영했다. 예약은 전화와 단지 홈페이지로 받았고, 미취학 아동이 무료로 "
            "이용했다. 주민 중에서 강사 5명과 자원봉사자 15명을 뽑아 1~3주는 자원봉사자가 돌아가며 "
            "돌보고, 4주차에는 마술, 요리놀이, 동화 수업을 했다. 방문일에는 아이 10명 안팎이 왔다."
        ),
        residents_said="운영 시간을 19~20시까지 늘려 달라는 의견이 가장 많았다.",
        what_to_change="운영 시간 연장, 내년에는 유료 서비스로 전환.",
    ),
}
SIGN_OFF = dict(
    decision=Decision.GO_PAID, note="주민 의견에 따라 운영 시간을 늘려 유료로 운영한다."
)

MODEL = dict(
    title="공동 아이돌봄방",
    summary=(
        "단지 안의 빈 공간(세미나실)을 아이돌봄 공간으로 바꾸고, 주민 자원봉사자와 강사가 "
        "평일 오후에 미취학 아동을 함께 돌본다. 아이돌봄 사회적기업이 공간 구성을 컨설팅한다."
    ),
    audience="미취학 아동과 그 부모, 손주를 돌보는 어르신",
    schedule_shape="평일 14:00~18:00, 4주 (1~3주 자원봉사자 순번 돌봄, 4주차 강사 수업)",
    # The recipe: the report's schedule (4 weeks, weekdays 14:00–18:00) and "about 10
    # children on a visit day"; the budget lines are the plan's (demo amounts, gachi/demo/
    # plans.py), the volunteers' one per child: 750,000 won ÷ 10 children.
    weeks=4,
    weekdays=(0, 1, 2, 3, 4),
    start_time=time(14, 0),
    end_time=time(18, 0),
    participants=10,
    lines=[
        RecipeLine(BudgetCategory.EQUIPMENT, "돌봄 공간 소독, 매트, 놀이도구 (demo)", 1_800_000),
        RecipeLine(
            BudgetCategory.INSTRUCTORS, "4주차 강사 수업(마술, 요리놀이, 동화) (demo)", 900_000
        ),
        RecipeLine(
            BudgetCategory.VOLUNTEERS,
            "자원봉사자 활동비, 아이 1명당 (demo)",
            75_000,
            Basis.PER_PARTICIPANT,
        ),
    ],
)
# code: the recipe's target for a complex that adopts it (demo: 20 sessions is 4 weeks of
# weekdays, 10 participants is the report's visit day; the others are invented).
MODEL_TARGETS = {
    "participants": 10,
    "sessions_held": 20,
    "attendance_rate": 80,
    "satisfaction": 4,
}


def set_targets(cohort, *, actor):
    """The center sets the cohort's targets (those of the KPIs this installation has)."""
    kpis = {kpi.code: kpi for kpi in db.session.scalars(select(Kpi))}
    for code, value in TARGETS_2018.items():
        if code in kpis:
            set_target(kpis[code], cohort, Decimal(value), actor=actor)


def evaluate(pilot, place):
    """The coordinator drafts the evaluation; the center signs it off (go paid) and
    publishes the shared childcare room as the pilot's business model."""
    texts = EVALUATIONS.get(place.spec.key)
    if texts is None:
        return
    evaluation = draft_evaluation(place.participation, **texts, actor=pilot.coordinator_of(place))
    sign_evaluation(evaluation, **SIGN_OFF, actor=pilot.center)
    kpis = {kpi.code: kpi.id for kpi in db.session.scalars(select(Kpi))}
    publish_model(
        evaluation,
        **MODEL,
        targets={
            kpis[code]: Decimal(value) for code, value in MODEL_TARGETS.items() if code in kpis
        },
        category_id=pilot.categories["care"].id,
        actor=pilot.center,
        source="report",
    )
