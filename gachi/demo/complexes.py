"""The cohort, its nine complexes with their households and invitation codes, the
coordinators' placements, and each complex's way through the stages.

The report's facts carry source="report"; the five complexes it does not describe are
invented (source="demo", "(demo)" in the text).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from gachi.complexes.districts import District
from gachi.complexes.models import Household, InvitationCode, Participation, Tenure
from gachi.complexes.operations import (
    add_households,
    create_cohort,
    create_complex,
    generate_codes,
    move_stage,
    recruit_complex,
)
from gachi.complexes.stages import Stage
from gachi.coordinators.operations import place_coordinator
from gachi.demo.clock import seoul
from gachi.demo.people import COORDINATORS
from gachi.extensions import db

SEED_NOTE = "2018 시범사업 기록 (demo seed)"
PLACED_FROM = date(2018, 9, 1)
RECRUITED_ON = date(2018, 8, 31)

COHORT = dict(
    name="2018 시범사업",
    year=2018,
    starts_on=date(2018, 8, 1),
    ends_on=date(2018, 12, 31),
    description=(
        "공동주택 같이살림 프로젝트 시범사업(2018년 8~12월). 주민들이 돌봄, 에너지, 쓰레기, 환경, "
        "먹거리, 건강 등 생활문제를 스스로 제기하고 사회적경제 방식으로 해결한다. 9월 1차 주민 "
        "워크숍에서 문제를 발굴하고, 10월 2차 워크숍에서 해결 방안을 찾았으며, 단지마다 코디네이터를 "
        "배치해 실행 계획을 세우고 11월부터 실행했다. 총 9개 단지 참여."
    ),
)

# When each stage was reached in the pilot (Seoul dates); a complex may say when it ran.
STAGE_REACHED_ON = {
    Stage.PROBLEM_WORKSHOP: date(2018, 9, 1),
    Stage.SOLUTION_WORKSHOP: date(2018, 10, 1),
    Stage.PLANNING: date(2018, 10, 22),
    Stage.RUNNING: date(2018, 11, 1),
    Stage.EVALUATION: date(2018, 12, 10),
}

HOUSEHOLD_LINES = [
    f"{building} {unit}"
    for building in ("101", "102")
    for unit in ("101", "102", "201", "202", "301")
]


@dataclass(frozen=True)
class DemoComplex:
    key: str
    name: str
    district: District
    household_count: int | None
    tenure: Tenure
    stage: Stage
    description: str
    source: str = "report"
    resident_count: int | None = None
    elderly_share: Decimal | None = None
    built_year: int | None = None
    running_from: date | None = None

    def reached_on(self, stage):
        if stage is Stage.RUNNING and self.running_from:
            return self.running_from
        return STAGE_REACHED_ON[stage]


REPORT_COMPLEXES = (
    DemoComplex(
        "ahyeon",
        "아현동 P아파트",
        District.MAPO,
        661,
        Tenure.RENTAL,
        Stage.RUNNING,
        "마포구 아현동의 재개발 임대단지(661세대). 50세 이상 주민이 전체의 55%를 차지하고, 단지 "
        "주변 재건축 공사로 비산먼지가 많다. 주민 워크숍에서 '반려식물을 통한 노인돌봄'과 '비산먼지 "
        "해결'이 제기되어 트리플래닛, 십년후연구소와 함께 12월 1일 반려나무 입양 행사 후 12월 21일까지 "
        "매주 프로그램을 진행했다.",
        running_from=date(2018, 12, 1),
    ),
    DemoComplex(
        "jeonnong",
        "전농동 R아파트",
        District.DONGDAEMUN,
        700,
        Tenure.OWNER,
        Stage.RUNNING,
        "동대문구 전농동, 약 700세대. 맞벌이 부부가 많고 30~40대 엄마들을 중심으로 커뮤니티가 "
        "활발하다. 주제는 '청소년 안심 먹거리 제공': 김이백, 소녀방앗간과 함께 11월 8~9일 시식회, "
        "12월 5일까지 상가 '마이비어'에서 먹거리 프로그램과 간식 판매. 점유 형태(분양)는 보고서에 "
        "없어 정한 값이다(demo).",
        running_from=date(2018, 11, 8),
    ),
    DemoComplex(
        "eungam",
        "응암동 H아파트",
        District.EUNPYEONG,
        None,
        Tenure.OWNER,
        Stage.EVALUATION,
        "은평구 응암동. 손자·손녀를 돌보는 어르신과 30~40대 부모가 많다. 주민 워크숍에서 육아, "
        "쓰레기, 주차, 휴식 공간이 제기되었고 육아 문제가 가장 큰 지지를 받아 선정됐다. 11월 12일부터 "
        "12월 7일까지 세미나실(100m²)에서 공동 아이돌봄을 운영했다. 세대수는 보고서에 없고, 점유 "
        "형태(분양)는 정한 값이다(demo).",
        running_from=date(2018, 11, 12),
    ),
    DemoComplex(
        "cheongnyangni",
        "청량리 H아파트",
        District.DONGDAEMUN,
        610,
        Tenure.MIXED,
        Stage.RUNNING,
        "동대문구 청량리, 1997년 재개발로 지어진 단지. 610세대 중 291세대(47.7%)가 노인 거주 "
        "세대이고, 주민 1,266명 중 401명(31.6%)이 65세 이상이다. 주제는 '단지 내 환경개선 및 고령자 "
        "건강문화 프로그램': 헬스브릿지와 함께 12월 4일·8일 주민설명회, 10일 운동기구 체험. 점유 "
        "형태(혼합)는 보고서에 없어 정한 값이다(demo).",
        resident_count=1266,
        elderly_share=Decimal("31.6"),
        built_year=1997,
        running_from=date(2018, 12, 4),
    ),
)

INVENTED_COMPLEXES = (
    DemoComplex(
        "sanggye",
        "가상 상계동 A아파트",
        District.NOWON,
        1240,
        Tenure.OWNER,
        Stage.RECRUITING,
        "가상의 단지(demo). 대단지 분양 아파트로 에너지 절감에 관심이 많다.",
        source="demo",
        resident_count=3100,
        built_year=1988,
    ),
    DemoComplex(
        "gayang",
        "가상 가양동 B아파트",
        District.GANGSEO,
        1006,
        Tenure.RENTAL,
        Stage.PROBLEM_WORKSHOP,
        "가상의 단지(demo). 영구임대 단지로 홀몸 어르신 돌봄과 쓰레기 분리배출이 과제다.",
        source="demo",
        resident_count=1650,
        elderly_share=Decimal("38.2"),
        built_year=1992,
    ),
    DemoComplex(
        "jeongneung",
        "가상 정릉동 C아파트",
        District.SEONGBUK,
        420,
        Tenure.MIXED,
        Stage.PROBLEM_WORKSHOP,
        "가상의 단지(demo). 산자락의 혼합 단지로 단지 숲과 환경 가꾸기에 관심이 많다.",
        source="demo",
        resident_count=1010,
        built_year=2003,
    ),
    DemoComplex(
        "sillim",
        "가상 신림동 D아파트",
        District.GWANAK,
        560,
        Tenure.MIXED,
        Stage.SOLUTION_WORKSHOP,
        "가상의 단지(demo). 1~2인 가구가 많아 함께 먹는 건강한 먹거리를 고민한다.",
        source="demo",
        resident_count=1180,
        built_year=2001,
    ),
    DemoComplex(
        "munjeong",
        "가상 문정동 E아파트",
        District.SONGPA,
        830,
        Tenure.OWNER,
        Stage.PLANNING,
        "가상의 단지(demo). 맞벌이 가구가 많아 방과 후 아이 돌봄과 건강증진 프로그램을 준비한다.",
        source="demo",
        resident_count=2240,
        built_year=2008,
    ),
)

COMPLEXES = (*REPORT_COMPLEXES, *INVENTED_COMPLEXES)


@dataclass
class Place:
    """A complex of the pilot, as the demo walks it through its year."""

    spec: DemoComplex
    complex_: object
    participation: Participation
    households: list[Household] = field(default_factory=list)

    def code_of(self, number):
        """The live invitation code of the complex's `number`th household."""
        return db.session.scalar(
            select(InvitationCode.code).where(
                InvitationCode.household_id == self.households[number].id,
                InvitationCode.revoked_at.is_(None),
            )
        )


def add_cohort(*, actor):
    return create_cohort(**COHORT, actor=actor)


def add_complex(spec: DemoComplex, cohort, *, actor) -> Place:
    """Staff add the complex, list its households and print their codes, and recruit it."""
    complex_ = create_complex(
        actor=actor,
        name=spec.name,
        district=spec.district,
        household_count=spec.household_count,
        resident_count=spec.resident_count,
        elderly_share=spec.elderly_share,
        tenure=spec.tenure,
        built_year=spec.built_year,
        description=spec.description,
        source=spec.source,
    )
    households = add_households(complex_, HOUSEHOLD_LINES, actor=actor)
    generate_codes(complex_, actor=actor)
    participation = recruit_complex(cohort, complex_, actor=actor)
    # When it was recruited: recruit_complex takes no moment, and the stage says since when.
    participation.stage_changed_at = seoul(RECRUITED_ON)
    return Place(spec, complex_, participation, households)


def place_coordinators(places, coordinators, *, actor):
    for (_username, _name, _source, keys), coordinator in zip(
        COORDINATORS, coordinators, strict=True
    ):
        for key in keys:
            place_coordinator(
                coordinator,
                places[key].complex_,
                starts_on=PLACED_FROM,
                note=SEED_NOTE,
                actor=actor,
            )


# Where the center moved a complex on with something its next stage needs missing, and why.
MOVED_ON_ANYWAY = {
    ("sillim", Stage.SOLUTION_WORKSHOP): (
        "1차 워크숍은 열었으나 기록(참석자)이 남지 않았다. 투표 결과를 확인하고 넘긴다 (demo)."
    ),
    ("munjeong", Stage.SOLUTION_WORKSHOP): (
        "1차 워크숍은 열었으나 기록(참석자)이 남지 않았다. 투표 결과를 확인하고 넘긴다 (demo)."
    ),
}


def reach(place: Place, stage: Stage, *, actor):
    """The center moves the complex on to `stage`, on the day the pilot got there."""
    move_stage(
        place.participation,
        stage,
        actor=actor,
        note=SEED_NOTE,
        override_reason=MOVED_ON_ANYWAY.get((place.spec.key, stage), ""),
        now=seoul(place.spec.reached_on(stage)),
    )
