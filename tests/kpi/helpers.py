"""A small cohort with known numbers: two complexes, and a third in another cohort."""

from dataclasses import dataclass
from datetime import date, timedelta

from gachi.ballots.models import (
    Ballot,
    BallotState,
    BallotVoter,
    Channel,
    Eligibility,
    Method,
    PaperTally,
    TieRule,
)
from gachi.complexes.districts import District
from gachi.complexes.stages import Stage
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.matching.models import Match, MatchState
from gachi.plans.models import BudgetCategory, BudgetLine, ExecutionPlan, SpendingEntry
from gachi.programs.bookings.models import Attendance, Booking, BookingStatus
from gachi.programs.feedback.models import ChangeTopic, Feedback
from gachi.programs.models import Program
from gachi.programs.rosters.models import RosterEntry, RosterRole
from gachi.programs.sessions.models import ProgramSession, SessionState
from gachi.proposals.models import ProblemComment, ProblemState, ProblemSupport
from gachi.workshops.models import Workshop, WorkshopAttendance, WorkshopRound


@dataclass
class Scene:
    cohort: object
    mapo: object  # participation of the Mapo complex
    eunpyeong: object  # participation of the Eunpyeong complex
    other: object  # a participation in another cohort: never counted
    staff: object
    coordinator: object
    resident: object


def a_ballot(participation, eligible, online_voters=(), paper_voters=(), paper_count=None):
    now = utcnow()
    ballot = Ballot(
        participation=participation,
        title="투표",
        method=Method.SINGLE,
        eligibility=Eligibility.RESIDENT,
        tie_rule=TieRule.EARLIEST,
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(days=1),
        eligible_count=eligible,
        state=BallotState.CLOSED,
    )
    db.session.add(ballot)
    db.session.flush()
    db.session.add_all(
        BallotVoter(ballot_id=ballot.id, user_id=voter.id, channel=Channel.ONLINE)
        for voter in online_voters
    )
    db.session.add_all(
        BallotVoter(ballot_id=ballot.id, user_id=voter.id, channel=Channel.PAPER)
        for voter in paper_voters
    )
    if paper_count is not None:
        db.session.add(PaperTally(ballot_id=ballot.id, ballot_count=paper_count))
    db.session.commit()
    return ballot


def a_plan(participation, lines):
    plan = ExecutionPlan(participation_id=participation.id)
    for budget, spent in lines:
        plan.budget_lines.append(
            BudgetLine(
                category=BudgetCategory.MATERIALS,
                description="재료",
                amount=budget,
                spending=[
                    SpendingEntry(spent_on=date(2018, 11, 1), amount=amount, payee="가게")
                    for amount in spent
                ],
            )
        )
    db.session.add(plan)
    db.session.commit()
    return plan


def _session(program, days_from_now, **fields):
    starts_at = utcnow() + timedelta(days=days_from_now)
    session = ProgramSession(
        program_id=program.id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4),
        capacity=10,
        **fields,
    )
    db.session.add(session)
    db.session.flush()
    return session


def _booking(session, user=None, status=BookingStatus.CONFIRMED, attendance=None, name=""):
    db.session.add(
        Booking(
            session_id=session.id,
            user_id=user.id if user else None,
            name=name,
            status=status,
            attendance=attendance,
            code=f"K{session.id}{user.id if user else name}"[:16],
        )
    )


CAME = Attendance.ATTENDED


def a_programme(participation, problem, r1, r2, r3, r4):
    """Sessions: s1 ended (r1, r3 and a phone booking attended, r2 no-show, r4 waiting),
    s2 ended (r1 attended, r3 not recorded), s3 ahead (r2), s4 cancelled (r1).
    Volunteers who came: r3 120 + 60 minutes, "봉사자" 90 on s1; on s2 r1 (not recorded)
    and r2 (did not come) count nothing; r4 240 on s3 (not begun yet);
    an instructor on s1. Feedback 5, 4 on s1 and 3 on s2."""
    program = Program(participation_id=participation.id, problem_id=problem.id, title="아이돌봄")
    db.session.add(program)
    db.session.flush()
    s1, s2, s3 = _session(program, -10), _session(program, -3), _session(program, 5)
    s4 = _session(program, -5, state=SessionState.CANCELLED)
    for user, attendance in (
        (r1, Attendance.ATTENDED),
        (r2, Attendance.NO_SHOW),
        (r3, Attendance.ATTENDED),
    ):
        _booking(s1, user, attendance=attendance)
    _booking(s1, name="전화", attendance=Attendance.ATTENDED)
    _booking(s1, r4, status=BookingStatus.WAITING)
    _booking(s2, r1, attendance=Attendance.ATTENDED)
    _booking(s2, r3)
    _booking(s3, r2)
    _booking(s4, r1)
    db.session.add_all(
        [
            RosterEntry(
                session_id=s1.id,
                user_id=r3.id,
                role=RosterRole.VOLUNTEER,
                minutes=120,
                attendance=CAME,
            ),
            RosterEntry(
                session_id=s1.id,
                name="봉사자",
                role=RosterRole.VOLUNTEER,
                minutes=90,
                attendance=CAME,
            ),
            RosterEntry(session_id=s1.id, name="강사", role=RosterRole.INSTRUCTOR, minutes=240),
            RosterEntry(
                session_id=s2.id,
                user_id=r3.id,
                role=RosterRole.VOLUNTEER,
                minutes=60,
                attendance=CAME,
            ),
            RosterEntry(session_id=s2.id, user_id=r1.id, role=RosterRole.VOLUNTEER, minutes=60),
            RosterEntry(
                session_id=s2.id,
                user_id=r2.id,
                role=RosterRole.VOLUNTEER,
                minutes=60,
                attendance=Attendance.NO_SHOW,
            ),
            RosterEntry(session_id=s3.id, user_id=r4.id, role=RosterRole.VOLUNTEER, minutes=240),
            Feedback(
                session_id=s1.id, user_id=r1.id, rating=5, change_topic=ChangeTopic.LONGER_HOURS
            ),
            Feedback(session_id=s1.id, user_id=r3.id, rating=4, change_topic=ChangeTopic.NOTHING),
            Feedback(session_id=s2.id, user_id=r1.id, rating=3, change_topic=ChangeTopic.NOTHING),
        ]
    )
    db.session.commit()
    return program


def known_cohort(make) -> Scene:
    """Mapo: 100 households; residents r1, r4 (one household), r2, r3; problems p1 (care,
    selected, by r1), p2 (waste, by r2), p3 (merged); r3 supports p1, r1 and the
    coordinator comment; a ballot of 10 eligible with r1 and r2 online and 3 paper (r4
    marked on the roll); a workshop with r3, a walk-in naming household h5 and one naming
    none; E1 accepted, E2 declined; budget 2,000 won, 500 spent.

    Eunpyeong (households unknown): s1 proposes q1 (food, selected); a ballot of 4 with
    s1 online; E1 active.
    """
    cohort = make.cohort(name="2018 시범사업")
    staff = make.staff()
    mapo_complex = make.complex_(name="마포 단지", district=District.MAPO, household_count=100)
    mapo = make.participation(mapo_complex, cohort, stage=Stage.RUNNING)
    coordinator = make.coordinator(mapo_complex)
    h1 = make.household(mapo_complex)
    r1, r4 = make.resident(household_obj=h1), make.resident(household_obj=h1)
    r2, r3 = make.resident(mapo_complex), make.resident(mapo_complex)
    h5 = make.household(mapo_complex)
    p1 = make.problem(mapo, category_code="care", state=ProblemState.SELECTED, proposed_by_id=r1.id)
    make.problem(mapo, category_code="waste", state=ProblemState.NOT_SELECTED, proposed_by_id=r2.id)
    make.problem(mapo, state=ProblemState.MERGED)
    db.session.add_all(
        [
            ProblemSupport(problem_id=p1.id, user_id=r3.id),
            ProblemComment(problem_id=p1.id, author_id=r1.id, body="좋아요"),
            ProblemComment(problem_id=p1.id, author_id=coordinator.id, body="확인"),
        ]
    )
    workshop = Workshop(participation=mapo, round=WorkshopRound.PROBLEMS, held_at=utcnow())
    workshop.attendances = [
        WorkshopAttendance(user_id=r3.id),
        WorkshopAttendance(name="이웃", household_id=h5.id),
        WorkshopAttendance(name="손님"),
    ]
    db.session.add(workshop)
    db.session.commit()
    a_ballot(mapo, 10, online_voters=(r1, r2), paper_voters=(r4,), paper_count=3)
    e1, e2 = make.enterprise(), make.enterprise()
    db.session.add_all(
        [
            Match(problem_id=p1.id, enterprise_id=e1.id, state=MatchState.ACCEPTED),
            Match(problem_id=p1.id, enterprise_id=e2.id, state=MatchState.DECLINED),
        ]
    )
    a_plan(mapo, [(1000, [400, 100]), (1000, [])])
    a_programme(mapo, p1, r1, r2, r3, r4)

    eunpyeong_complex = make.complex_(
        name="은평 단지", district=District.EUNPYEONG, household_count=None
    )
    eunpyeong = make.participation(eunpyeong_complex, cohort, stage=Stage.PROBLEM_WORKSHOP)
    s1 = make.resident(eunpyeong_complex)
    q1 = make.problem(
        eunpyeong, category_code="food", state=ProblemState.SELECTED, proposed_by_id=s1.id
    )
    a_ballot(eunpyeong, 4, online_voters=(s1,))
    db.session.add(Match(problem_id=q1.id, enterprise_id=e1.id, state=MatchState.ACTIVE))
    db.session.commit()

    other_complex = make.complex_(name="다른 해 단지", district=District.MAPO)
    other = make.participation(other_complex, make.cohort(name="2019 사업", year=2019))
    t1 = make.resident(other_complex)
    make.problem(other, proposed_by_id=t1.id)
    a_ballot(other, 5, online_voters=(t1,))
    return Scene(cohort, mapo, eunpyeong, other, staff, coordinator, r1)
