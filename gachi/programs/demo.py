"""The 2018 pilot's programmes, added to the demo by load_pilot_demo after the other areas.

What each programme was (dates, hours, places, the 240 trees, 5 instructors and 15
volunteers, the residents' wish for longer hours) comes from the report and carries
source="report"; every booking, attendance, roster name and feedback is invented and
carries source="demo" (and "(demo)" where a name is shown). One invented programme at
청량리 H has sessions in the weeks after today, so the demo's residents can book now.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from gachi.core.codes import new_code
from gachi.core.time import SEOUL, seoul_today
from gachi.extensions import db
from gachi.matching.models import AGREED_STATES, Match
from gachi.programs.bookings.models import Attendance, Booking, BookingChannel, BookingStatus
from gachi.programs.feedback.models import ChangeTopic, Feedback
from gachi.programs.models import CapacityKind, Program, ProgramEnterprise
from gachi.programs.recurrence import planned_sessions, seoul_moment
from gachi.programs.rosters.models import RosterEntry, RosterRole
from gachi.programs.sessions.models import ProgramSession
from gachi.proposals.models import Problem

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


@dataclass
class DemoProgram:
    complex_name: str
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


def pilot_programs(today):
    """The report's programmes, and the invented one that runs after `today`."""
    upcoming_from = today + timedelta(days=1)
    return (
        DemoProgram(
            "응암동 H아파트",
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
            "아현동 P아파트",
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
            "아현동 P아파트",
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
            "전농동 R아파트",
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
            "청량리 H아파트",
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
            "청량리 H아파트",
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


def load_programs_demo(loaded, today=None):
    """The pilot's programmes with their sessions, and invented bookings, attendance,
    rosters and feedback. Programmes are made only for problems the demo has seeded and
    matched, so this runs whatever the other areas loaded. Flushes, never commits."""
    today = today or seoul_today()
    participations = {complex_.name: complex_.participations[0] for complex_ in loaded.complexes}
    residents = {user.household.complex.name: user for user in loaded.accounts if user.is_resident}
    rng = random.Random(2018)
    programs = []
    for spec in pilot_programs(today):
        program = _add_program(spec, participations[spec.complex_name])
        if program is None:
            continue
        programs.append(program)
        sessions = _add_sessions(program, spec)
        _add_demo_activity(
            program,
            sessions,
            spec,
            residents.get(spec.complex_name),
            rng,
            now=datetime.combine(today, time(0), tzinfo=SEOUL),
        )
    db.session.flush()
    return programs


def _add_program(spec, participation):
    problem = db.session.scalar(
        select(Problem).where(
            Problem.participation_id == participation.id, Problem.title == spec.problem_title
        )
    )
    if problem is None:
        return None
    enterprise_ids = db.session.scalars(
        select(Match.enterprise_id).where(
            Match.problem_id == problem.id, Match.state.in_(AGREED_STATES)
        )
    ).all()
    schedule = spec.schedule or (None, None, (), None, None)
    program = Program(
        participation_id=participation.id,
        problem_id=problem.id,
        title=spec.title,
        description=spec.description,
        venue=spec.venue,
        audience=spec.audience,
        capacity_kind=spec.kind,
        default_capacity=spec.capacity,
        source=spec.source,
        starts_on=schedule[0],
        ends_on=schedule[1],
        weekdays="".join(str(day) for day in schedule[2]),
        start_time=schedule[3],
        end_time=schedule[4],
        **spec.rules,
    )
    program.enterprise_links = [ProgramEnterprise(enterprise_id=eid) for eid in enterprise_ids]
    db.session.add(program)
    db.session.flush()
    return program


def _add_sessions(program, spec):
    sessions = []
    if spec.schedule:
        sessions += [
            ProgramSession(
                program_id=program.id,
                schedule_day=planned.schedule_day,
                starts_at=planned.starts_at,
                ends_at=planned.ends_at,
                capacity=spec.capacity,
            )
            for planned in planned_sessions(*spec.schedule)
        ]
    sessions += [
        ProgramSession(
            program_id=program.id,
            title=title,
            starts_at=seoul_moment(day, start),
            ends_at=seoul_moment(day, end),
            capacity=capacity,
        )
        for title, day, start, end, capacity in spec.one_offs
    ]
    db.session.add_all(sessions)
    db.session.flush()
    return sorted(sessions, key=lambda session: session.starts_at)


def _booking(
    session,
    *,
    party_size,
    name="",
    user=None,
    household=None,
    attended=None,
    channel=BookingChannel.PHONE,
):
    session.seats_taken += party_size
    return Booking(
        session_id=session.id,
        user_id=user.id if user else None,
        name=name,
        household_id=household.id if household else (user.household_id if user else None),
        party_size=party_size,
        status=BookingStatus.CONFIRMED,
        channel=channel,
        code=new_code(),
        confirmed_at=session.starts_at - timedelta(days=1),
        attendance=attended,
        source="demo",
        checked_in_at=session.starts_at if attended is Attendance.ATTENDED else None,
    )


def _add_demo_activity(program, sessions, spec, resident, rng, *, now):
    """Invented: bookings for held sessions, the childcare room's roster and feedback."""
    households = program.participation.complex.households
    past = [session for session in sessions if session.starts_at < now]
    if spec.kind is CapacityKind.STOCK:
        for session in past:  # 80 households took three trees each: all 240 gone
            db.session.add_all(
                _booking(
                    session,
                    party_size=3,
                    name=f"입양 가구 {n:02d} (demo)",
                    attended=Attendance.ATTENDED,
                    channel=BookingChannel.WALK_IN,
                )
                for n in range(1, session.capacity // 3 + 1)
            )
        return
    for session in past[:25]:
        count = min(session.capacity, rng.randint(6, 11))
        bookings = [
            _booking(
                session,
                party_size=1,
                name=f"{CHILDREN[n % len(CHILDREN)]} (demo)",
                household=households[n % len(households)],
                attended=rng.choice([Attendance.ATTENDED] * 6 + [Attendance.NO_SHOW]),
            )
            for n in range(1, count)
        ]
        if resident is not None:
            bookings.append(
                _booking(
                    session,
                    party_size=1,
                    user=resident,
                    attended=Attendance.ATTENDED,
                    channel=BookingChannel.ONLINE,
                )
            )
        db.session.add_all(bookings)
    if spec.complex_name == "응암동 H아파트":
        _add_childcare_roster(past)
        _add_childcare_feedback(past, resident, rng)


def _add_childcare_roster(sessions):
    """Weeks 1–3: two of the 15 resident volunteers in rotation; week 4: an instructor."""
    for number, session in enumerate(sessions):
        session.volunteers_needed = 2
        if number < 15:
            names = (VOLUNTEER_NAMES[number], VOLUNTEER_NAMES[(number + 7) % 15])
            db.session.add_all(
                RosterEntry(
                    session_id=session.id,
                    name=name,
                    role=RosterRole.VOLUNTEER,
                    minutes=session.minutes,
                    source="demo",
                )
                for name in names
            )
        else:
            db.session.add(
                RosterEntry(
                    session_id=session.id,
                    role=RosterRole.INSTRUCTOR,
                    name=INSTRUCTOR_NAMES[number - 15],
                    minutes=session.minutes,
                    source="demo",
                )
            )


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


def _add_childcare_feedback(sessions, resident, rng):
    """Invented answers; most asked for longer hours, as the report says residents did."""
    for number, (rating, topic, note) in enumerate(FEEDBACK):
        session = sessions[(number * 2) % len(sessions)]
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
        db.session.add(
            Feedback(
                session_id=last.id,
                user_id=resident.id,
                rating=5,
                change_topic=ChangeTopic.LONGER_HOURS,
                change_note="19시까지 연장되면 내년에는 유료라도 이용하겠습니다.",
                comment="(demo)",
                created_at=last.ends_at + timedelta(hours=2),
                source="demo",
            )
        )
