"""The enterprises, and the work the pilot's complexes offered them at the second
workshop: offered by the coordinator, accepted by the enterprise, then begun.

What each report enterprise is and works on comes from the report (source="report");
where it names no district the choice is ours and said so below. The invented
enterprises, and the match at the invented 문정동 E, are marked demo.
"""

from gachi.complexes.districts import District
from gachi.enterprises.models import LegalForm
from gachi.enterprises.operations import create_enterprise
from gachi.matching.operations import accept_match, offer_match, start_match

# (name, legal form, categories, districts (empty: all of Seoul), description)
REPORT_ENTERPRISES = (
    (
        "트리플래닛",
        LegalForm.SOCIAL_VENTURE,
        # A tree-growing social venture: no district in the report, so all of Seoul.
        ("environment", "care"),
        (),
        (
            "숲을 조성하는 소셜벤처. 직접 농장에서 키운 어린 주목 240그루를 아현동 P아파트 주민들에게 "
            "나눠 주고, 미세먼지 문제 해결을 위한 나무와 숲의 역할을 알렸다."
        ),
    ),
    (
        "십년후연구소",
        LegalForm.SOCIAL_ENTERPRISE,
        # Climate projects: no district in the report, so all of Seoul.
        ("environment", "energy"),
        (),
        (
            "기후변화대응 프로젝트를 실행하는 기업. 아현동 P아파트 주민들과 적정기술을 활용한 DIY 은하수 "
            "공기청정기를 만들었다. 법인 형태는 보고서에 없어 정한 값이다(demo)."
        ),
    ),
    (
        "김이백",
        LegalForm.SOCIAL_VENTURE,
        # "동대문구 지역을 기반으로": part of 후츄컴퍼니, based in Dongdaemun.
        ("food",),
        (District.DONGDAEMUN,),
        (
            "경력단절 여성이 참여하는 푸드 플랫폼으로, 동대문구 기반 소셜벤처 '후츄컴퍼니'에 속해 있다. "
            "전농동 R아파트에서 청소년 안심 먹거리 프로그램을 진행했다."
        ),
    ),
    (
        "소녀방앗간",
        LegalForm.SOCIAL_ENTERPRISE,
        # No district in the report, so all of Seoul.
        ("food",),
        (),
        (
            "청정 재료로 한식을 만드는 기업. 전농동 R아파트에서 청소년 안심 먹거리 프로그램을 진행했다. "
            "법인 형태는 보고서에 없어 정한 값이다(demo)."
        ),
    ),
    (
        "YMCA서울아가야",
        LegalForm.SOCIAL_ENTERPRISE,
        ("care",),
        (District.EUNPYEONG,),
        (
            "아이돌봄 전문 사회적기업. 응암동 H아파트의 세미나실을 공동 아이돌봄 공간으로 바꾸는 일을 "
            "컨설팅했다(소독, 매트, 놀이도구)."
        ),
    ),
    (
        "헬스브릿지",
        LegalForm.SOCIAL_VENTURE,
        # The pilot at 청량리 (Dongdaemun), and its centres in Gwangjin and Seodaemun.
        ("health",),
        (District.DONGDAEMUN, District.GWANGJIN, District.SEODAEMUN),
        (
            "건강 전문 소셜벤처. 55세 이상 중장년층을 위한 맞춤형 기구 운동, 식단·생활관리를 스마트 "
            "기기로 종합 관리하며, 운동으로 쌓은 앱 포인트를 지역 상점에서 쓸 수 있게 한다. 청량리 "
            "H아파트에서 13주 프로그램을 준비했다."
        ),
    ),
)

# Invented, so that suggestions rank: not verified.
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

# (complex, problem title, enterprise names): who answered which problem in 2018.
PILOT_MATCHES = (
    ("아현동 P아파트", "반려식물로 어르신 돌봄", ("트리플래닛",)),
    ("아현동 P아파트", "재개발 공사 비산먼지", ("트리플래닛", "십년후연구소")),
    ("전농동 R아파트", "청소년 안심 먹거리", ("김이백", "소녀방앗간")),
    ("응암동 H아파트", "아이 돌봄(육아)", ("YMCA서울아가야",)),
    ("청량리 H아파트", "어르신 운동 시설 부족", ("헬스브릿지",)),
)
# The invented 문정동 E reached planning, which takes an accepted match.
INVENTED_MATCHES = (("가상 문정동 E아파트", "중장년 건강증진", ("가상 튼튼걷기",)),)
OFFER_MESSAGE = "2018 시범사업 2차 워크숍에서 연결 (demo seed)"


def add_enterprises(categories, *, actor):
    """The center lists the report's enterprises (verified) and the invented ones."""
    enterprises = {}
    for group, verified, source in (
        (REPORT_ENTERPRISES, True, "report"),
        (INVENTED_ENTERPRISES, False, "demo"),
    ):
        for name, legal_form, codes, districts, description in group:
            enterprises[name] = create_enterprise(
                name=name,
                legal_form=legal_form,
                category_ids=[categories[code].id for code in codes],
                districts=list(districts),
                seoul_wide=not districts,
                description=description,
                verified=verified,
                source=source,
                actor=actor,
            )
    return enterprises


def match_enterprises(pilot, place):
    """At the second workshop the coordinator offers the work; each enterprise's partner
    accepts it (a stand-in where the demo has no partner account), and the work begins."""
    coordinator = pilot.coordinator_of(place)
    for complex_name, title, names in (*PILOT_MATCHES, *INVENTED_MATCHES):
        if complex_name != place.spec.name:
            continue
        problem = pilot.problem(place, title)
        for name in names:
            enterprise = pilot.enterprises[name]
            # The partner (or its stand-in) exists before the offer: one is needed to answer.
            partner = pilot.partner_of(enterprise)
            match = offer_match(problem, enterprise, message=OFFER_MESSAGE, actor=coordinator)
            match.source = "demo"
            accept_match(match, actor=partner)
            start_match(match, actor=coordinator)
