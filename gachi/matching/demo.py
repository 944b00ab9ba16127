"""The 2018 pilot's enterprises, matches and budgets, added to the demo by load_pilot_demo.

What each report enterprise works on comes from the report (gachi/demo.py's sources);
where it names no district the choice is ours and said so below. Matches are made only
for the pilot problems the participation area's demo has seeded, so this runs whether
or not they are there. Budget amounts are invented: source="demo" and "(demo)".
"""

from datetime import date

from sqlalchemy import select

from gachi.complexes.districts import District
from gachi.enterprises.models import Enterprise, EnterpriseCategory, EnterpriseDistrict, LegalForm
from gachi.extensions import db
from gachi.matching.models import Match, MatchState
from gachi.plans.models import BudgetCategory, BudgetLine, ExecutionPlan, SpendingEntry
from gachi.proposals.models import Category, Problem

# name: (categories, districts; an empty tuple means all of Seoul)
REPORT_REACH = {
    # A tree-growing social venture: no district in the report, so all of Seoul.
    "트리플래닛": (("environment", "care"), ()),
    # Climate projects: no district in the report, so all of Seoul.
    "십년후연구소": (("environment", "energy"), ()),
    # "동대문구 지역을 기반으로": part of 후츄컴퍼니, based in Dongdaemun.
    "김이백": (("food",), (District.DONGDAEMUN,)),
    # No district in the report, so all of Seoul.
    "소녀방앗간": (("food",), ()),
    "YMCA서울아가야": (("care",), (District.EUNPYEONG,)),
    # The pilot at 청량리 (Dongdaemun), and its centres in Gwangjin and Seodaemun.
    "헬스브릿지": (("health",), (District.DONGDAEMUN, District.GWANGJIN, District.SEODAEMUN)),
}

# (name, legal form, categories, districts, description): invented, so suggestions rank.
INVENTED_ENTERPRISES = (
    (
        "가상 늘봄돌봄협동조합",
        LegalForm.COOPERATIVE,
        ("care",),
        (District.GANGSEO, District.NOWON),
        "가상의 기업(demo). 홀몸 어르신 안부 확인과 방과 후 아이 돌봄을 한다.",
    ),
    (
        "가상 정릉숲가꾸기",
        LegalForm.VILLAGE_ENTERPRISE,
        ("environment",),
        (District.SEONGBUK,),
        "가상의 기업(demo). 단지 숲과 텃밭을 주민과 함께 가꾸는 마을기업.",
    ),
    (
        "가상 함께밥상",
        LegalForm.SOCIAL_COOPERATIVE,
        ("food",),
        (District.GWANAK,),
        "가상의 기업(demo). 1~2인 가구의 공동 부엌과 반찬 나눔을 운영한다.",
    ),
    (
        "가상 햇살에너지협동조합",
        LegalForm.COOPERATIVE,
        ("energy",),
        (District.NOWON,),
        "가상의 기업(demo). 베란다 태양광과 에너지 진단을 한다.",
    ),
    (
        "가상 다시쓰는자활",
        LegalForm.SELF_SUFFICIENCY,
        ("waste",),
        (),
        "가상의 기업(demo). 대형 폐기물 수거와 분리배출 교육을 하는 자활기업.",
    ),
    (
        "가상 튼튼걷기",
        LegalForm.PRE_SOCIAL_ENTERPRISE,
        ("health",),
        (District.SONGPA,),
        "가상의 기업(demo). 중장년 걷기 모임과 건강 측정을 운영한다.",
    ),
)

# (complex name, problem title, enterprise names): who answered which problem in 2018.
PILOT_MATCHES = (
    ("아현동 P아파트", "반려식물로 어르신 돌봄", ("트리플래닛",)),
    ("아현동 P아파트", "재개발 공사 비산먼지", ("트리플래닛", "십년후연구소")),
    ("전농동 R아파트", "청소년 안심 먹거리", ("김이백", "소녀방앗간")),
    ("응암동 H아파트", "아이 돌봄(육아)", ("YMCA서울아가야",)),
    ("청량리 H아파트", "어르신 운동 시설 부족", ("헬스브릿지",)),
)

# complex name: (goals, [(category, description, budget, [(date, amount, payee)])]); invented.
PILOT_BUDGETS = {
    "아현동 P아파트": (
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
    "전농동 R아파트": (
        "청소년에게 안심하고 먹을 수 있는 간식을 주고, 경력단절 여성의 일자리를 만든다. (demo)",
        [
            (
                BudgetCategory.FOOD,
                "시식회 식재료 (demo)",
                1_200_000,
                [
                    (date(2018, 11, 8), 640_000, "김이백"),
                    (date(2018, 11, 9), 610_000, "소녀방앗간"),
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
    "응암동 H아파트": (
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
    "청량리 H아파트": (
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


def load_matching_demo(loaded):
    """Reach for the report's enterprises, invented enterprises, the pilot's matches
    (for the problems that exist) and budgets. Flushes, never commits."""
    categories = {category.code: category.id for category in db.session.scalars(select(Category))}
    by_name = {enterprise.name: enterprise for enterprise in loaded.enterprises}
    for name, (codes, districts) in REPORT_REACH.items():
        _set_reach(by_name[name], codes, districts, categories)
    for name, legal_form, codes, districts, description in INVENTED_ENTERPRISES:
        enterprise = Enterprise(
            name=name, legal_form=legal_form, description=description, source="demo"
        )
        _set_reach(enterprise, codes, districts, categories)
        db.session.add(enterprise)
        loaded.enterprises.append(enterprise)
    db.session.flush()
    participations = {complex_.name: complex_.participations[0] for complex_ in loaded.complexes}
    matches = _add_matches(participations, by_name)
    _add_budgets(participations, loaded)
    db.session.flush()
    return matches


def _set_reach(enterprise, codes, districts, categories):
    enterprise.seoul_wide = not districts
    enterprise.category_links = [EnterpriseCategory(category_id=categories[code]) for code in codes]
    enterprise.district_links = [EnterpriseDistrict(district=district) for district in districts]


def _add_matches(participations, enterprises):
    wanted = {
        (participations[complex_name].id, title) for complex_name, title, _names in PILOT_MATCHES
    }
    problems = {
        (problem.participation_id, problem.title): problem
        for problem in db.session.scalars(
            select(Problem).where(
                Problem.participation_id.in_({pid for pid, _title in wanted}),
                Problem.title.in_({title for _pid, title in wanted}),
            )
        )
    }
    matches = []
    for complex_name, title, names in PILOT_MATCHES:
        problem = problems.get((participations[complex_name].id, title))
        if problem is None:
            continue  # the participation area's demo has not seeded it
        matches += [
            Match(
                problem_id=problem.id,
                enterprise_id=enterprises[name].id,
                state=MatchState.ACTIVE,
                source="demo",
                offer_message="2018 시범사업 2차 워크숍에서 연결 (demo seed)",
            )
            for name in names
        ]
    db.session.add_all(matches)
    return matches


def _add_budgets(participations, loaded):
    center = loaded.accounts[0]
    for complex_name, (goals, lines) in PILOT_BUDGETS.items():
        plan = ExecutionPlan(
            participation_id=participations[complex_name].id, goals=goals, updated_by_id=center.id
        )
        for category, description, amount, spending in lines:
            plan.budget_lines.append(
                BudgetLine(
                    category=category,
                    description=description,
                    amount=amount,
                    source="demo",
                    spending=[
                        SpendingEntry(
                            spent_on=day,
                            amount=spent,
                            payee=payee,
                            source="demo",
                            receipt_note="(demo)",
                            entered_by_id=center.id,
                        )
                        for day, spent, payee in spending
                    ],
                )
            )
        db.session.add(plan)
