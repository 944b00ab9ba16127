"""The second workshops (October 2018): residents and enterprises design the solutions.

The report says each complex held its 2nd resident workshop in October, where the
social-economy enterprises joined; it gives no day, room or head count, so those are
invented (source="demo", "(demo)" in the text).
"""

from datetime import date

from gachi.demo.clock import seoul
from gachi.workshops.models import WorkshopRound
from gachi.workshops.operations import create_workshop, set_walk_ins

# key: (day, place, people who came)
SECOND_WORKSHOPS = {
    "ahyeon": (date(2018, 10, 13), "관리사무소 회의실 (demo)", 8),
    "jeonnong": (date(2018, 10, 16), "단지 내 대연회장 (demo)", 7),
    "eungam": (date(2018, 10, 11), "세미나실 (demo)", 9),
    "cheongnyangni": (date(2018, 10, 17), "여성복지회관 2층 (demo)", 10),
    "munjeong": (date(2018, 10, 18), "주민공동시설 (demo)", 6),
}


def hold_second_workshop(pilot, place):
    """The coordinator writes down the second workshop and counts who came."""
    if place.spec.key not in SECOND_WORKSHOPS:
        return
    day, room, walk_ins = SECOND_WORKSHOPS[place.spec.key]
    coordinator = pilot.coordinator_of(place)
    workshop = create_workshop(
        place.participation,
        actor=coordinator,
        round=WorkshopRound.SOLUTIONS,
        held_at=seoul(day, 14),
        place=room,
        facilitator=coordinator.display_name,
        agenda="고른 생활문제를 사회적경제 방식으로 푸는 방안 찾기, 함께할 기업 소개 (demo)",
        minutes="선정된 문제를 두고 주민과 사회적경제 기업이 해결 방안을 함께 설계했다. "
        "자세한 기록은 보고서에 없어 지어낸 내용이다 (demo).",
    )
    workshop.source = "demo"
    set_walk_ins(workshop, count=walk_ins, actor=coordinator, now=workshop.held_at)
