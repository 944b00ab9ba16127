"""The 2018 pilot as demo data: `flask gachi seed-demo` loads it into an empty database.

Facts come from the center's 2018 report (shared/seed/pilot-2018.md and the Korean
source beside it) and carry source="report"; whatever the report does not give is
invented, marked source="demo" or said so in the description with "(demo)".
"""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from gachi.auth.models import Role, User
from gachi.auth.passwords import hash_password
from gachi.complexes.districts import District
from gachi.complexes.models import (
    Cohort,
    Complex,
    Household,
    InvitationCode,
    Participation,
    StageMove,
    Tenure,
)
from gachi.complexes.stages import STAGE_ORDER, Stage
from gachi.coordinators.models import Placement
from gachi.core.audit import log_change
from gachi.core.codes import new_code
from gachi.core.errors import Conflict
from gachi.core.time import SEOUL, utcnow
from gachi.enterprises.models import Enterprise, LegalForm
from gachi.extensions import db
from gachi.kpi.demo import load_kpi_demo
from gachi.matching.demo import load_matching_demo
from gachi.programs.demo import load_programs_demo
from gachi.proposals.demo import load_participation_demo

DEMO_PASSWORD = "gachi-demo-2018"
# Staff must sign in with a second factor: the demo staff share this published key
# (add it to an authenticator app, or `flask gachi totp-code center` in development).
DEMO_TOTP_SECRET = "GACHIDEMOGACHIDEMOGACHIDEMOSEOUL"
SEED_NOTE = "2018 시범사업 기록 (demo seed)"
PLACED_FROM = date(2018, 9, 1)

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

# When each stage was reached in the pilot (Seoul dates); a complex may override "running".
STAGE_REACHED_ON = {
    Stage.PROBLEM_WORKSHOP: date(2018, 9, 1),
    Stage.SOLUTION_WORKSHOP: date(2018, 10, 1),
    Stage.PLANNING: date(2018, 10, 22),
    Stage.RUNNING: date(2018, 11, 1),
    Stage.EVALUATION: date(2018, 12, 10),
}


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

# (name, legal form, description); the report's words, with any chosen value said so.
ENTERPRISES = (
    (
        "트리플래닛",
        LegalForm.SOCIAL_VENTURE,
        (
            "숲을 조성하는 소셜벤처. 직접 농장에서 키운 어린 주목 240그루를 아현동 P아파트 주민들에게 "
            "나눠 주고, 미세먼지 문제 해결을 위한 나무와 숲의 역할을 알렸다."
        ),
    ),
    (
        "십년후연구소",
        LegalForm.SOCIAL_ENTERPRISE,
        (
            "기후변화대응 프로젝트를 실행하는 기업. 아현동 P아파트 주민들과 적정기술을 활용한 DIY 은하수 "
            "공기청정기를 만들었다. 법인 형태는 보고서에 없어 정한 값이다(demo)."
        ),
    ),
    (
        "김이백",
        LegalForm.SOCIAL_VENTURE,
        (
            "경력단절 여성이 참여하는 푸드 플랫폼으로, 동대문구 기반 소셜벤처 '후츄컴퍼니'에 속해 있다. "
            "전농동 R아파트에서 청소년 안심 먹거리 프로그램을 진행했다."
        ),
    ),
    (
        "소녀방앗간",
        LegalForm.SOCIAL_ENTERPRISE,
        (
            "청정 재료로 한식을 만드는 기업. 전농동 R아파트에서 청소년 안심 먹거리 프로그램을 진행했다. "
            "법인 형태는 보고서에 없어 정한 값이다(demo)."
        ),
    ),
    (
        "YMCA서울아가야",
        LegalForm.SOCIAL_ENTERPRISE,
        (
            "아이돌봄 전문 사회적기업. 응암동 H아파트의 세미나실을 공동 아이돌봄 공간으로 바꾸는 일을 "
            "컨설팅했다(소독, 매트, 놀이도구)."
        ),
    ),
    (
        "헬스브릿지",
        LegalForm.SOCIAL_VENTURE,
        (
            "건강 전문 소셜벤처. 55세 이상 중장년층을 위한 맞춤형 기구 운동, 식단·생활관리를 스마트 "
            "기기로 종합 관리하며, 운동으로 쌓은 앱 포인트를 지역 상점에서 쓸 수 있게 한다. 청량리 "
            "H아파트에서 13주 프로그램을 준비했다."
        ),
    ),
)

# (username, display name, source, the complexes they are placed at)
COORDINATORS = (
    ("coord.park", "박경화", "report", ("ahyeon",)),
    ("coord.jung", "정홍권", "report", ("eungam",)),
    ("coord.lee", "이창래", "report", ("cheongnyangni",)),
    ("coord.han", "한서윤", "demo", ("jeonnong",)),
    ("coord.oh", "오민재", "demo", tuple(spec.key for spec in INVENTED_COMPLEXES)),
)

# (username, display name, complex key): invented residents in the report's complexes.
RESIDENTS = (
    ("resident.ahyeon", "김나래", "ahyeon"),
    ("resident.jeonnong", "이도윤", "jeonnong"),
    ("resident.eungam", "박서진", "eungam"),
    ("resident.cheongnyangni", "최영순", "cheongnyangni"),
)

# (username, display name, enterprise name)
PARTNERS = (
    ("partner.treeplanet", "트리플래닛 담당자", "트리플래닛"),
    ("partner.healthbridge", "헬스브릿지 담당자", "헬스브릿지"),
)

STAFF = (
    ("center", "센터 관리자", True),
    ("staff", "센터 담당자", False),
)

HOUSEHOLD_ADDRESSES = [
    (building, unit) for building in ("101", "102") for unit in ("101", "102", "201", "202", "301")
]


@dataclass
class DemoLoaded:
    cohort: Cohort
    complexes: list[Complex]
    enterprises: list[Enterprise]
    accounts: list[User]
    household_count: int


def demo_usernames() -> list[str]:
    """Every demo account, in the order `flask gachi demo-logins` prints them."""
    return [row[0] for group in (STAFF, COORDINATORS, RESIDENTS, PARTNERS) for row in group]


def load_pilot_demo() -> DemoLoaded:
    """Add the 2018 pilot: its cohort, nine complexes, households with invitation codes,
    enterprises, coordinators and their placements, and an account for every role.

    Stages are set directly with their history written alongside; the gates guard live
    moves, not a record of what already happened. Flushes, never commits.
    """
    if db.session.scalar(select(exists().where(Cohort.name == COHORT["name"]))):
        raise Conflict(_l("The demo data is already loaded."))
    password_hash = hash_password(DEMO_PASSWORD)
    staff = _add_staff(password_hash)
    center = staff[0]
    cohort = Cohort(**COHORT)
    db.session.add(cohort)
    complexes = {
        spec.key: _add_complex(spec, cohort, actor=center)
        for spec in (*REPORT_COMPLEXES, *INVENTED_COMPLEXES)
    }
    enterprises = {
        name: Enterprise(
            name=name,
            legal_form=legal_form,
            description=description,
            verified=True,
            source="report",
        )
        for name, legal_form, description in ENTERPRISES
    }
    db.session.add_all(enterprises.values())
    db.session.flush()
    accounts = [
        *staff,
        *_add_coordinators(password_hash, complexes, actor=center),
        *_add_residents(password_hash, complexes),
        *_add_partners(password_hash, enterprises),
    ]
    db.session.flush()
    loaded = DemoLoaded(
        cohort=cohort,
        complexes=list(complexes.values()),
        enterprises=list(enterprises.values()),
        accounts=accounts,
        household_count=len(complexes) * len(HOUSEHOLD_ADDRESSES),
    )
    load_participation_demo(loaded)
    load_matching_demo(loaded)
    load_programs_demo(loaded)
    load_kpi_demo(loaded)
    log_change(
        "demo.load",
        cohort,
        actor=None,
        after={"complexes": len(loaded.complexes), "accounts": len(accounts)},
    )
    return loaded


def _account(username, display_name, role, password_hash, source="demo", **fields):
    # A set password, not a temporary one: the demo should not ask everyone to change it.
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=password_hash,
        password_changed_at=utcnow(),
        source=source,
        **fields,
    )
    db.session.add(user)
    return user


def _add_staff(password_hash):
    accounts = [
        _account(
            username,
            name,
            Role.STAFF,
            password_hash,
            is_admin=is_admin,
            totp_secret=DEMO_TOTP_SECRET,
            two_factor_since=utcnow(),
        )
        for username, name, is_admin in STAFF
    ]
    db.session.flush()
    return accounts


def _add_complex(spec: DemoComplex, cohort, *, actor):
    complex_ = Complex(
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
    for building, unit in HOUSEHOLD_ADDRESSES:
        household = Household(building=building, unit=unit)
        household.invitation_codes.append(InvitationCode(code=new_code(), created_by_id=actor.id))
        complex_.households.append(household)
    participation = Participation(
        cohort=cohort,
        complex=complex_,
        stage=Stage.RECRUITING,
        stage_changed_at=_seoul_moment(date(2018, 8, 31)),
    )
    db.session.add_all([complex_, participation])
    _record_stage_history(participation, spec, actor=actor)
    return complex_


def _record_stage_history(participation, spec: DemoComplex, *, actor):
    """Walk the participation up to the complex's stage, one recorded move per step."""
    reached = STAGE_ORDER[: STAGE_ORDER.index(spec.stage) + 1]
    for source, target in itertools.pairwise(reached):
        reached_on = spec.running_from if target is Stage.RUNNING and spec.running_from else None
        moved_at = _seoul_moment(reached_on or STAGE_REACHED_ON[target])
        participation.stage_moves.append(
            StageMove(
                from_stage=source,
                to_stage=target,
                moved_by_id=actor.id,
                moved_at=moved_at,
                note=SEED_NOTE,
            )
        )
        participation.stage = target
        participation.stage_changed_at = moved_at


def _add_coordinators(password_hash, complexes, *, actor):
    coordinators = []
    for username, name, source, complex_keys in COORDINATORS:
        coordinator = _account(username, name, Role.COORDINATOR, password_hash, source=source)
        db.session.flush()
        db.session.add_all(
            Placement(
                coordinator_id=coordinator.id,
                complex_id=complexes[key].id,
                starts_on=PLACED_FROM,
                ends_on=None,
                created_by_id=actor.id,
                note=SEED_NOTE,
            )
            for key in complex_keys
        )
        coordinators.append(coordinator)
    return coordinators


def _add_residents(password_hash, complexes):
    residents = []
    for username, name, complex_key in RESIDENTS:
        household = complexes[complex_key].households[0]
        household.invitation_codes[0].use_count = 1
        residents.append(
            _account(username, name, Role.RESIDENT, password_hash, household_id=household.id)
        )
    return residents


def _add_partners(password_hash, enterprises):
    return [
        _account(
            username,
            name,
            Role.PARTNER,
            password_hash,
            enterprise_id=enterprises[enterprise_name].id,
        )
        for username, name, enterprise_name in PARTNERS
    ]


def _seoul_moment(day: date) -> datetime:
    """10:00 in Seoul on `day`: a plausible working hour for the pilot's records."""
    return datetime.combine(day, time(10, 0), tzinfo=SEOUL)
