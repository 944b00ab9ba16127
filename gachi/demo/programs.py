"""The pilot's programmes: planned with their sessions, then run: bookings, attendance,
the childcare room's roster and what the residents said.

What each programme was (dates, hours, places, the 240 trees, 5 instructors and 15
volunteers, the residents' wish for longer hours) comes from the report and carries
source="report"; every booking, attendance, roster name and feedback is invented and
carries source="demo" (and "(demo)" where a name is shown). One invented programme at
청량리 H has sessions in the weeks after today, so the demo's residents can book now.
"""

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import select

from gachi.core.time import seoul_today, utcnow
from gachi.demo.clock import seoul
from gachi.extensions import db
from gachi.matching.models import AGREED_STATES, Match
from gachi.people.models import Person
from gachi.programs.bookings.models import Attendance, BookingChannel
from gachi.programs.bookings.operations import add_walk_in, book_seat, check_in, mark_no_show
from gachi.programs.feedback.models import ChangeTopic, Feedback
from gachi.programs.feedback.operations import enter_paper_feedback, give_feedback
from gachi.programs.feedback.queries import paper_feedback_choices
from gachi.programs.models import CapacityKind
from gachi.programs.operations import add_session, create_program, set_schedule
from gachi.programs.recurrence import seoul_moment
from gachi.programs.rosters.models import RosterRole
from gachi.programs.rosters.operations import (
    add_to_roster,
    check_in_volunteer,
    set_volunteers_needed,
)

WEEKDAYS = (0, 1, 2, 3, 4)
VOLUNTEER_NAMES = tuple(f"자원봉사자 {n:02d} (demo)" for n in range(1, 16))
INSTRUCTOR_NAMES = (
    "마술 강사 (demo)",
    "요리놀이 강사 (demo)",
    "동화구연 강사 (demo)",
    "놀이 강사 (demo)",
    "미술 강사 (demo)",
)
CHILDREN = (
    "서윤",
    "하준",
    "지우",
    "도윤",
    "서아",
    "은우",
    "하윤",
    "시우",
    "지아",
    "예준",
    "수아",
    "주원",
)
# Bookings are invented for the first sessions of each programme, at most this many.
BOOKED_SESSIONS = 25


@dataclass
class DemoProgram:
    complex_key: str
    problem_title: str
    title: str
    venue: str
    audience: str
    capacity: int
    description: str
    kind: CapacityKind = CapacityKind.SEATS
    schedule: tuple | None = None  # (first day, last day, weekdays, from, until)
    one_offs: tuple = ()  # (title, day, from, until, capacity)
    rules: dict = field(default_factory=dict)
    source: str = "report"


def pilot_programs(today: date):
    """The report's programmes, and the invented one that runs after `today`."""
    upcoming_from = today + timedelta(days=1)
    return (
        DemoProgram(
            "eungam",
            "아이 돌봄(육아)",
            "공동 아이돌봄",
            "세미나실(100m²)",
            "미취학 아동",
            12,
            "평일 오후 세미나실에서 아이를 함께 돌본다. 1~3주차는 주민 자원봉사자 15명이 "
            "돌아가며, 4주차는 강사 5명의 수업(마술, 요리놀이, 동화). 전화나 단지 홈페이지로 "
            "예약. 정원 12명은 정한 값이다(demo).",
            schedule=(date(2018, 11, 12), date(2018, 12, 7), WEEKDAYS, time(14), time(18)),
            rules=dict(max_party_size=2, cancel_hours=2),
        ),
        DemoProgram(
            "ahyeon",
            "반려식물로 어르신 돌봄",
            "반려나무 입양 행사",
            "단지 광장",
            "전 세대",
            240,
            "트리플래닛이 키운 어린 주목 240그루를 선착순으로 나눠 준다. 한 시간 만에 모두 "
            "입양되었다. 시각과 장소는 정한 값이다(demo).",
            kind=CapacityKind.STOCK,
            one_offs=(("반려나무 입양 행사", date(2018, 12, 1), time(10), time(11), 240),),
            rules=dict(waiting_list=False, max_party_size=3),
        ),
        DemoProgram(
            "ahyeon",
            "재개발 공사 비산먼지",
            "나무와 미세먼지 주간 프로그램",
            "관리사무소 회의실",
            "주민 누구나",
            20,
            "나무와 숲의 역할, DIY 공기청정기 만들기. 12월 21일까지 매주. "
            "요일, 시각, 정원은 정한 값이다(demo).",
            schedule=(date(2018, 12, 7), date(2018, 12, 21), (4,), time(10), time(12)),
        ),
        DemoProgram(
            "jeonnong",
            "청소년 안심 먹거리",
            "청소년 안심 먹거리",
            "상가 마이비어",
            "청소년과 부모",
            30,
            "11월 8~9일 대연회장 시식회, 이어 12월 5일까지 4주 동안 먹거리 "
            "프로그램과 간식 판매. 요일, 시각, 정원은 정한 값이다(demo).",
            schedule=(date(2018, 11, 14), date(2018, 12, 5), (2,), time(16), time(18)),
            one_offs=(
                ("시식회 (대연회장)", date(2018, 11, 8), time(16), time(19), 60),
                ("시식회 (대연회장)", date(2018, 11, 9), time(16), time(19), 60),
            ),
        ),
        DemoProgram(
            "cheongnyangni",
            "어르신 운동 시설 부족",
            "13주 어르신 건강 운동",
            "여성복지회관 2층",
            "55세 이상",
            20,
            "헬스브릿지의 55세 이상 맞춤 기구 운동. 1월부터 13주 동안 평일 "
            "09:00~18:00, 현장 코디네이터 상주. 12월 4일·8일 주민설명회, 10일 기구 체험. "
            "정원은 정한 값이다(demo).",
            schedule=(date(2019, 1, 7), date(2019, 4, 5), WEEKDAYS, time(9), time(18)),
            one_offs=(
                ("주민설명회", date(2018, 12, 4), time(14), time(15), 60),
                ("주민설명회", date(2018, 12, 8), time(11), time(12), 60),
                ("운동기구 체험", date(2018, 12, 10), time(10), time(16), 40),
            ),
        ),
        DemoProgram(
            "cheongnyangni",
            "어르신 운동 시설 부족",
            "가상 기구 운동 체험 교실 (demo)",
            "여성복지회관 2층",
            "55세 이상",
            8,
            "가상의 프로그램(demo): 데모에서 오늘 예약해 볼 수 "
            "있도록 앞으로 4주 동안 화·목 오전에 열린다.",
            schedule=(
                upcoming_from,
                upcoming_from + timedelta(days=27),
                (1, 3),
                time(10),
                time(12),
            ),
            source="demo",
        ),
    )


def plan_programmes(pilot, place):
    """In the planning stage the coordinator sets up the complex's programmes with the
    enterprises that accepted the work, their schedules and one-off events."""
    coordinator = pilot.coordinator_of(place)
    planned_at = seoul(place.spec.reached_on(place.participation.stage))
    for spec in pilot_programs(seoul_today()):
        if spec.complex_key != place.spec.key:
            continue
        problem = pilot.problem(place, spec.problem_title)
        program = create_program(
            place.participation,
            problem=problem,
            enterprises=_agreed_enterprises(problem),
            actor=coordinator,
            source=spec.source,
            title=spec.title,
            description=spec.description,
            venue=spec.venue,
            audience=spec.audience,
            capacity_kind=spec.kind,
            default_capacity=spec.capacity,
            **spec.rules,
        )
        if spec.schedule:
            starts_on, ends_on, weekdays, start_time, end_time = spec.schedule
            set_schedule(
                program,
                starts_on=starts_on,
                ends_on=ends_on,
                weekdays=list(weekdays),
                start_time=start_time,
                end_time=end_time,
                actor=coordinator,
                # The invented programme is planned today; the others in 2018.
                now=utcnow() if spec.source == "demo" else planned_at,
            )
        for title, day, start, end, capacity in spec.one_offs:
            add_session(
                program,
                title=title,
                starts_at=seoul_moment(day, start),
                ends_at=seoul_moment(day, end),
                capacity=capacity,
                actor=coordinator,
            )
        pilot.programs.append((spec, program))


def _agreed_enterprises(problem):
    return [
        match.enterprise
        for match in db.session.scalars(
            select(Match)
            .where(Match.problem_id == problem.id, Match.state.in_(AGREED_STATES))
            .order_by(Match.id)
        )
    ]


def run_programmes(pilot, place):
    """The sessions held: bookings by phone and online, attendance taken at the door,
    and at 응암동 H the childcare room's roster and feedback."""
    now = utcnow()
    for spec, program in pilot.programs:
        if spec.complex_key != place.spec.key:
            continue
        held = [session for session in program.sessions if session.starts_at < now]
        resident = pilot.resident_of(place)
        coordinator = pilot.coordinator_of(place)
        if spec.kind is CapacityKind.STOCK:
            _hand_out_stock(held, place, coordinator)
            continue
        rng = random.Random(f"2018 {spec.title}")
        for session in held[:BOOKED_SESSIONS]:
            _book_and_attend(session, place, coordinator, resident, rng)
        if spec.complex_key == "eungam":
            _childcare_roster(held, coordinator)
            _childcare_feedback(held, resident, coordinator)


def _hand_out_stock(sessions, place, coordinator):
    """80 households took three trees each, walking up on the day: all 240 gone. The
    sign-up sheet names each and their 동/호 (the demo's ten households stand for them),
    so each is a person of their household (gachi/people), counted once."""
    households = place.households
    for session in sessions:
        for number in range(1, session.capacity // 3 + 1):
            booking = add_walk_in(
                session,
                actor=coordinator,
                name=f"입양 가구 {number:02d} (demo)",
                household=households[(number - 1) % len(households)],
                party_size=3,
                now=session.starts_at,
            )
            booking.source = "demo"


def _book_and_attend(session, place, coordinator, resident, rng):
    """Bookings by phone the day before, the demo resident's online; at the door the
    coordinator checks in who came and marks who did not."""
    day_before = session.starts_at - timedelta(days=1)
    households = place.households
    count = min(session.capacity, rng.randint(6, 11))
    taken = []
    for number in range(1, count):
        # The same caller each time: a person of their household, found again by the
        # number (invented: 010-0000-xxxx is not given to anyone), who agreed to texts.
        booking = book_seat(
            session,
            actor=coordinator,
            name=f"{CHILDREN[number % len(CHILDREN)]} (demo)",
            household=households[number % len(households)],
            phone=f"0100000{number:04d}",
            consent=True,
            channel=BookingChannel.PHONE,
            now=day_before,
        )
        taken.append((booking, rng.choice([Attendance.ATTENDED] * 6 + [Attendance.NO_SHOW])))
    if resident is not None:
        booking = book_seat(session, actor=resident, resident=resident, now=day_before)
        taken.append((booking, Attendance.ATTENDED))
    for booking, attendance in taken:
        booking.source = "demo"
        door = check_in if attendance is Attendance.ATTENDED else mark_no_show
        door(booking, actor=coordinator, now=session.starts_at)


def _childcare_roster(sessions, coordinator):
    """Weeks 1–3: two of the 15 resident volunteers in rotation; week 4: an instructor."""
    for number, session in enumerate(sessions):
        set_volunteers_needed(session, count=2, actor=coordinator)
        if number < 15:
            rostered = [
                (RosterRole.VOLUNTEER, VOLUNTEER_NAMES[number]),
                (RosterRole.VOLUNTEER, VOLUNTEER_NAMES[(number + 7) % 15]),
            ]
        else:
            rostered = [(RosterRole.INSTRUCTOR, INSTRUCTOR_NAMES[number - 15])]
        for role, name in rostered:
            entry = add_to_roster(session, role=role, name=name, actor=coordinator)
            entry.source = "demo"
            if role is RosterRole.VOLUNTEER:
                # Hours count only for a shift the volunteer came to.
                check_in_volunteer(entry, actor=coordinator, now=session.starts_at)


FEEDBACK = (
    (5, ChangeTopic.LONGER_HOURS, "맞벌이라 18시는 너무 이릅니다. 19~20시까지 연장해 주세요."),
    (5, ChangeTopic.LONGER_HOURS, "저녁 7시까지만 열어도 큰 도움이 됩니다."),
    (4, ChangeTopic.LONGER_HOURS, "퇴근 시간에 맞춰 20시까지 운영하면 좋겠어요."),
    (5, ChangeTopic.MORE_DAYS, "토요일에도 열면 좋겠습니다."),
    (4, ChangeTopic.LONGER_HOURS, "운영 시간을 늘려 주세요."),
    (5, ChangeTopic.ACTIVITIES, "강사 수업(마술, 동화)을 더 자주 해 주세요."),
    (4, ChangeTopic.NOTHING, "이웃과 아이를 함께 돌보니 든든합니다."),
    (3, ChangeTopic.PLACE, "세미나실이 조금 춥습니다."),
)


def _childcare_feedback(sessions, resident, coordinator):
    """Invented answers; most asked for longer hours, as the report says residents did.

    The eight paper forms, from parents without an account, are entered by the
    coordinator for someone who came to that session by phone booking; one for a session
    nobody without an account came to is kept as it was written, without a name."""
    for number, (rating, topic, note) in enumerate(FEEDBACK):
        session = sessions[(number * 2) % len(sessions)]
        answered_at = session.ends_at + timedelta(hours=1)
        choices = paper_feedback_choices(session)
        if choices:
            feedback = enter_paper_feedback(
                session,
                person=db.session.get(Person, choices[0][0]),
                rating=rating,
                change_topic=topic,
                change_note=note,
                comment="(demo)",
                actor=coordinator,
                now=answered_at,
            )
            feedback.created_at, feedback.source = answered_at, "demo"
            continue
        db.session.add(
            Feedback(
                session_id=session.id,
                user_id=None,
                rating=rating,
                change_topic=topic,
                change_note=note,
                comment="(demo)",
                created_at=session.ends_at + timedelta(hours=1),
                source="demo",
            )
        )
    if resident is not None:
        last = sessions[-1]
        answered_at = last.ends_at + timedelta(hours=2)
        feedback = give_feedback(
            last,
            resident=resident,
            rating=5,
            change_topic=ChangeTopic.LONGER_HOURS,
            change_note="19시까지 연장되면 내년에는 유료라도 이용하겠습니다.",
            comment="(demo)",
            actor=resident,
            now=answered_at,
            source="demo",
        )
        # give_feedback stamps the present; the answer was given that evening.
        feedback.created_at = answered_at
