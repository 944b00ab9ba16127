"""The first workshops: the problems residents raised, and what was shortlisted.

The report's problems carry source="report"; the workshop details, and the problems it
does not name (the ones that lost a ballot, those of the invented complexes), are
invented (source="demo", "(demo)" in the text). What was selected comes from the ballot
(gachi/demo/ballots.py), as it did in 2018.
"""

from dataclasses import dataclass
from datetime import date

from gachi.demo.clock import seoul
from gachi.proposals.models import ProblemState
from gachi.proposals.operations import move_problem, propose_problem
from gachi.workshops.models import WorkshopRound
from gachi.workshops.operations import create_workshop, set_walk_ins

SHORTLISTED, PROPOSED = ProblemState.SHORTLISTED, ProblemState.PROPOSED


@dataclass(frozen=True)
class RaisedProblem:
    title: str
    category: str
    source: str = "report"


@dataclass(frozen=True)
class FirstWorkshop:
    """The first workshop of a complex: `place` None when none was written down."""

    day: date
    place: str | None
    walk_ins: int
    problems: tuple[RaisedProblem, ...]


FIRST_WORKSHOPS = {
    "ahyeon": FirstWorkshop(
        date(2018, 9, 15),
        "관리사무소 회의실 (demo)",
        9,
        (
            RaisedProblem("반려식물로 어르신 돌봄", "care"),
            RaisedProblem("재개발 공사 비산먼지", "environment"),
            RaisedProblem("단지 내 주차 공간 부족", "housing", source="demo"),
        ),
    ),
    "jeonnong": FirstWorkshop(
        date(2018, 9, 18),
        "단지 내 대연회장 (demo)",
        6,
        (
            RaisedProblem("청소년 안심 먹거리", "food"),
            RaisedProblem("층간 소음", "housing", source="demo"),
        ),
    ),
    "eungam": FirstWorkshop(
        date(2018, 9, 20),
        "세미나실 (demo)",
        7,
        (
            RaisedProblem("아이 돌봄(육아)", "care"),
            RaisedProblem("쓰레기 분리배출", "waste"),
            RaisedProblem("주차 문제", "housing"),
            RaisedProblem("쉴 곳 부족", "other"),
        ),
    ),
    "cheongnyangni": FirstWorkshop(
        date(2018, 9, 19),
        "여성복지회관 2층 (demo)",
        12,
        (
            RaisedProblem("어르신 운동 시설 부족", "health"),
            RaisedProblem("불법 쓰레기 투기", "waste"),
            RaisedProblem("어르신 건강 먹거리", "food"),
            RaisedProblem("주차 공간 부족", "housing", source="demo"),
        ),
    ),
    "sillim": FirstWorkshop(
        date(2018, 9, 21),
        None,
        0,
        (
            RaisedProblem("함께 먹는 건강한 밥상", "food", source="demo"),
            RaisedProblem("1인 가구 안부 확인", "care", source="demo"),
        ),
    ),
    "munjeong": FirstWorkshop(
        date(2018, 9, 21),
        None,
        0,
        (
            RaisedProblem("방과 후 아이 돌봄", "care", source="demo"),
            RaisedProblem("중장년 건강증진", "health", source="demo"),
            RaisedProblem("주차 문제", "housing", source="demo"),
        ),
    ),
}

# Problems still being weighed: complex key -> [(title, category, state)], all invented.
UNDER_DISCUSSION = {
    "gayang": (
        ("홀몸 어르신 돌봄", "care", SHORTLISTED),
        ("쓰레기 분리배출이 어렵다", "waste", SHORTLISTED),
        ("엘리베이터 안전 점검", "housing", PROPOSED),
    ),
    "jeongneung": (
        ("단지 숲 가꾸기", "environment", PROPOSED),
        ("공동 텃밭과 건강한 먹거리", "food", PROPOSED),
    ),
    "sanggye": (("겨울 난방비 절감", "energy", PROPOSED),),
}
DISCUSSED_ON = date(2018, 9, 20)


def hold_first_workshop(pilot, place):
    """The coordinator writes the workshop down, types in the problems said in the room
    and shortlists them for the ballot; returns the shortlisted problems."""
    workshop_spec = FIRST_WORKSHOPS.get(place.spec.key)
    if workshop_spec is None:
        return []
    coordinator = pilot.coordinator_of(place)
    day = workshop_spec.day
    if workshop_spec.place is not None:
        workshop = create_workshop(
            place.participation,
            actor=coordinator,
            round=WorkshopRound.PROBLEMS,
            held_at=seoul(day, 14),
            place=workshop_spec.place,
            facilitator=coordinator.display_name,
            agenda="우리 단지의 생활문제 나누기, 문제 고르기 투표 (demo)",
            minutes="주민들이 함께 겪는 생활문제를 이야기하고 가장 많은 지지를 받은 문제를 골랐다. "
            "자세한 기록은 보고서에 없어 지어낸 내용이다 (demo).",
        )
        workshop.source = "demo"
        set_walk_ins(
            workshop, count=workshop_spec.walk_ins, actor=coordinator, now=workshop.held_at
        )
    problems = []
    for number, raised in enumerate(workshop_spec.problems):
        description = (
            "1차 주민 워크숍에서 제기 (2018 보고서)"
            if raised.source == "report"
            else "1차 주민 워크숍에서 제기 (demo)"
        )
        problem = _raise(
            pilot,
            place,
            raised.title,
            raised.category,
            description,
            coordinator,
            at=seoul(day, 14, 30 + number),
            source=raised.source,
        )
        move_problem(problem, SHORTLISTED, actor=coordinator)
        problems.append(problem)
    return problems


def raise_under_discussion(pilot, place):
    """Problems residents raised and the coordinator typed in, some shortlisted already."""
    coordinator = pilot.coordinator_of(place)
    for title, code, state in UNDER_DISCUSSION.get(place.spec.key, ()):
        problem = _raise(
            pilot,
            place,
            title,
            code,
            "주민 워크숍에서 나온 이야기 (demo)",
            coordinator,
            at=seoul(DISCUSSED_ON, 15),
            source="demo",
        )
        if state is SHORTLISTED:
            move_problem(problem, SHORTLISTED, actor=coordinator)


def _raise(pilot, place, title, code, description, coordinator, *, at, source):
    problem = propose_problem(
        place.participation,
        title=title,
        category=pilot.categories[code],
        description=description,
        actor=coordinator,
        now=at,
    )
    problem.source = source
    return problem
