"""The execution plans: goals, budget lines (예산액) and what was spent (집행액).

The amounts are invented (source="demo", "(demo)"): the report gives none per complex.
"""

from datetime import date

from gachi.plans.models import BudgetCategory
from gachi.plans.operations import add_budget_line, record_spending, save_goals

# complex key: (goals, [(category, description, budget, [(date, amount, payee[, why
# over the budget])])])
PILOT_BUDGETS = {
    "ahyeon": (
        "반려나무 입양으로 어르신의 정서 돌봄을 돕고, 비산먼지에 대한 주민의 대응 역량을 높인다. (demo)",
        [
            (
                BudgetCategory.MATERIALS,
                "반려나무(주목) 240그루 (demo)",
                2_400_000,
                [(date(2018, 12, 1), 2_400_000, "트리플래닛")],
            ),
            (
                BudgetCategory.MATERIALS,
                "DIY 공기청정기 재료 (demo)",
                1_500_000,
                [(date(2018, 12, 7), 1_350_000, "십년후연구소")],
            ),
            (
                BudgetCategory.PUBLICITY,
                "행사 안내문과 신청서 인쇄 (demo)",
                300_000,
                [(date(2018, 11, 26), 180_000, "동네 인쇄소")],
            ),
        ],
    ),
    "jeonnong": (
        "청소년에게 안심하고 먹을 수 있는 간식을 주고, 경력단절 여성의 일자리를 만든다. (demo)",
        [
            (
                BudgetCategory.FOOD,
                "시식회 식재료 (demo)",
                1_200_000,
                [
                    (date(2018, 11, 8), 640_000, "김이백"),
                    (
                        date(2018, 11, 9),
                        610_000,
                        "소녀방앗간",
                        # The report gives no reason for going over: a demo note.
                        "시식회 둘째 날 식재료 추가 구입 (demo: 보고서에는 사유가 없음)",
                    ),
                ],
            ),
            (
                BudgetCategory.ENTERPRISE_SERVICES,
                "먹거리 프로그램 4주 (demo)",
                2_000_000,
                [(date(2018, 12, 5), 2_000_000, "김이백")],
            ),
        ],
    ),
    "eungam": (
        "맞벌이 부모와 손주를 돌보는 어르신이 평일 오후에 아이를 안심하고 맡길 수 있게 한다. (demo)",
        [
            (
                BudgetCategory.EQUIPMENT,
                "돌봄 공간 소독, 매트, 놀이도구 (demo)",
                1_800_000,
                [(date(2018, 11, 9), 1_720_000, "YMCA서울아가야")],
            ),
            (
                BudgetCategory.INSTRUCTORS,
                "4주차 강사 수업(마술, 요리놀이, 동화) (demo)",
                900_000,
                [(date(2018, 12, 7), 900_000, "강사 5인")],
            ),
            (
                BudgetCategory.VOLUNTEERS,
                "자원봉사자 15명 활동비 (demo)",
                750_000,
                [(date(2018, 12, 7), 600_000, "자원봉사자")],
            ),
        ],
    ),
    "cheongnyangni": (
        "어르신이 단지 안에서 안전하게 운동하고, 건강을 매개로 이웃과 만나게 한다. (demo)",
        [
            (
                BudgetCategory.ENTERPRISE_SERVICES,
                "운동기구 체험과 주민설명회 (demo)",
                2_500_000,
                [(date(2018, 12, 10), 1_200_000, "헬스브릿지")],
            ),
            (BudgetCategory.PUBLICITY, "쓰레기 배출 장소 포스터 (demo)", 150_000, []),
        ],
    ),
}


def write_plan(pilot, place):
    """The coordinator writes the goals and the budget (the lines' spending comes later)."""
    budget = PILOT_BUDGETS.get(place.spec.key)
    if budget is None:
        return
    coordinator = pilot.coordinator_of(place)
    goals, lines = budget
    save_goals(place.participation, goals=goals, actor=coordinator)
    pilot.budget_lines[place.spec.key] = [
        add_budget_line(
            place.participation,
            category=category,
            description=description,
            amount=amount,
            actor=coordinator,
            source="demo",
        )
        for category, description, amount, _spending in lines
    ]


def record_what_was_spent(pilot, place):
    """While the programmes run, the coordinator records each payment against its line."""
    budget = PILOT_BUDGETS.get(place.spec.key)
    if budget is None:
        return
    coordinator = pilot.coordinator_of(place)
    for line, (*_line, spending) in zip(pilot.budget_lines[place.spec.key], budget[1], strict=True):
        for day, amount, payee, *over_budget in spending:
            record_spending(
                line,
                spent_on=day,
                amount=amount,
                payee=payee,
                over_budget_reason="".join(over_budget),
                receipt_note="(demo)",
                actor=coordinator,
                source="demo",
            )
