"""The pilot's first workshops, problems and ballots, for `flask gachi seed-demo`.

The problems and what was selected come from the 2018 report (source="report"); the
workshop details, the vote counts and the voters are invented (source="demo", "(demo)"
in the text), as the report gives no figures for them. Written straight into the
tables, like the demo's stage history: the operations guard live use, not a replay.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import uuid4

from sqlalchemy import select

from gachi.auth.models import Role, User
from gachi.ballots.models import (
    Ballot,
    BallotChoice,
    BallotOption,
    BallotRecord,
    BallotState,
    BallotVoter,
    Channel,
    Eligibility,
    Method,
    PaperTally,
    PaperTallyLine,
    TieRule,
)
from gachi.ballots.receipts import new_receipt, receipt_hash
from gachi.core.time import SEOUL
from gachi.extensions import db
from gachi.proposals.models import Category, Problem, ProblemState
from gachi.workshops.models import Workshop, WorkshopRound

SELECTED, NOT_SELECTED = ProblemState.SELECTED, ProblemState.NOT_SELECTED


@dataclass(frozen=True)
class PilotBallot:
    complex_name: str
    coordinator: str
    workshop_day: date
    place: str
    walk_ins: int
    # (title, category code, outcome, online votes, paper votes)
    problems: tuple
    paper_ballots: int
    eligible: int
    eligibility: Eligibility = Eligibility.HOUSEHOLD


PILOT_BALLOTS = (
    PilotBallot(
        "아현동 P아파트",
        "coord.park",
        date(2018, 9, 15),
        "관리사무소 회의실 (demo)",
        9,
        (
            ("반려식물로 어르신 돌봄", "care", SELECTED, 4, 30),
            ("재개발 공사 비산먼지", "environment", SELECTED, 3, 27),
        ),
        paper_ballots=38,
        eligible=661,
    ),
    PilotBallot(
        "전농동 R아파트",
        "coord.han",
        date(2018, 9, 18),
        "단지 내 대연회장 (demo)",
        6,
        (("청소년 안심 먹거리", "food", SELECTED, 5, 30),),
        paper_ballots=34,
        eligible=700,
    ),
    PilotBallot(
        "응암동 H아파트",
        "coord.jung",
        date(2018, 9, 20),
        "세미나실 (demo)",
        7,
        (
            ("아이 돌봄(육아)", "care", SELECTED, 3, 21),
            ("쓰레기 분리배출", "waste", NOT_SELECTED, 1, 8),
            ("주차 문제", "housing", NOT_SELECTED, 1, 6),
            ("쉴 곳 부족", "other", NOT_SELECTED, 0, 4),
        ),
        paper_ballots=39,
        eligible=800,
    ),  # households not in the report: 800 is invented
    PilotBallot(
        "청량리 H아파트",
        "coord.lee",
        date(2018, 9, 19),
        "여성복지회관 2층 (demo)",
        12,
        (
            ("어르신 운동 시설 부족", "health", SELECTED, 5, 33),
            ("불법 쓰레기 투기", "waste", SELECTED, 4, 29),
            ("어르신 건강 먹거리", "food", SELECTED, 4, 25),
        ),
        paper_ballots=41,
        eligible=610,
    ),
)

# Problems still being weighed in the invented complexes: (complex, title, category, state).
INVENTED_PROBLEMS = (
    ("가상 가양동 B아파트", "홀몸 어르신 돌봄", "care", ProblemState.SHORTLISTED),
    ("가상 가양동 B아파트", "쓰레기 분리배출이 어렵다", "waste", ProblemState.SHORTLISTED),
    ("가상 가양동 B아파트", "엘리베이터 안전 점검", "housing", ProblemState.PROPOSED),
    ("가상 정릉동 C아파트", "단지 숲 가꾸기", "environment", ProblemState.PROPOSED),
    ("가상 정릉동 C아파트", "공동 텃밭과 건강한 먹거리", "food", ProblemState.PROPOSED),
    ("가상 상계동 A아파트", "겨울 난방비 절감", "energy", ProblemState.PROPOSED),
)


def load_participation_demo(loaded):
    """Add workshops, problems and a closed, confirmed ballot to the four report complexes,
    and problems under discussion to some invented ones. Flushes, never commits."""
    complexes = {complex_.name: complex_ for complex_ in loaded.complexes}
    participations = {
        participation.complex.name: participation
        for complex_ in loaded.complexes
        for participation in complex_.participations
    }
    accounts = {account.username: account for account in loaded.accounts}
    categories = {category.code: category for category in db.session.scalars(select(Category))}
    for spec in PILOT_BALLOTS:
        _pilot_round(
            spec,
            complexes[spec.complex_name],
            participations[spec.complex_name],
            accounts[spec.coordinator],
            categories,
        )
    for complex_name, title, code, state in INVENTED_PROBLEMS:
        db.session.add(
            Problem(
                participation=participations[complex_name],
                title=title,
                description="주민 워크숍에서 나온 이야기 (demo)",
                category=categories[code],
                state=state,
                source="demo",
                created_at=_seoul(date(2018, 9, 20), 15),
            )
        )
    db.session.flush()


def _seoul(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=SEOUL)


def _pilot_round(spec, complex_, participation, coordinator, categories):
    day = spec.workshop_day
    db.session.add(
        Workshop(
            participation=participation,
            round=WorkshopRound.PROBLEMS,
            held_at=_seoul(day, 14),
            place=spec.place,
            facilitator=coordinator.display_name,
            walk_in_count=spec.walk_ins,
            agenda="우리 단지의 생활문제 나누기, 문제 고르기 투표 (demo)",
            minutes="주민들이 함께 겪는 생활문제를 이야기하고 가장 많은 지지를 받은 문제를 골랐다. "
            "자세한 기록은 보고서에 없어 지어낸 내용이다 (demo).",
            created_by_id=coordinator.id,
            source="demo",
            created_at=_seoul(day, 10),
        )
    )
    problems = [
        Problem(
            participation=participation,
            title=title,
            category=categories[code],
            state=outcome,
            description="1차 주민 워크숍에서 제기 (2018 보고서)",
            entered_by_id=coordinator.id,
            source="report",
            created_at=_seoul(day, 14, 30 + number),
        )
        for number, (title, code, outcome, _online, _paper) in enumerate(spec.problems)
    ]
    seats = sum(1 for problem in problems if problem.state is SELECTED)
    method = Method.SINGLE if seats == 1 else Method.APPROVAL
    ballot = Ballot(
        participation=participation,
        title="1차 워크숍 생활문제 투표",
        method=method,
        max_choices=seats,
        max_per_option=1,
        eligibility=spec.eligibility,
        opens_at=_seoul(day, 15),
        closes_at=_seoul(day + timedelta(days=5), 18),
        quorum_percent=5,
        tie_rule=TieRule.EARLIEST,
        seats=seats,
        eligible_count=spec.eligible,
        state=BallotState.CLOSED,
        confirmed_at=_seoul(day + timedelta(days=5), 19),
        confirmed_by_id=coordinator.id,
        created_by_id=coordinator.id,
        source="demo",
        created_at=_seoul(day, 14, 50),
        options=[
            BallotOption(problem=problem, position=number)
            for number, problem in enumerate(problems, start=1)
        ],
    )
    db.session.add_all([*problems, ballot])
    db.session.flush()
    _online_votes(ballot, complex_, [online for *_rest, online, _paper in spec.problems])
    db.session.add(
        PaperTally(
            ballot_id=ballot.id,
            ballot_count=spec.paper_ballots,
            entered_by_id=coordinator.id,
            entered_at=_seoul(day, 17),
            note="워크숍 현장 종이 투표 집계 (demo)",
            lines=[
                PaperTallyLine(option_id=option.id, votes=paper)
                for option, (*_rest, paper) in zip(ballot.options, spec.problems, strict=False)
            ],
        )
    )


def _ballot_papers(ballot, online_counts):
    """The online counts as one list of chosen options per voter."""
    pairs = list(zip(ballot.options, online_counts, strict=False))
    if ballot.method is Method.SINGLE:
        return [[option] for option, count in pairs for _ in range(count)]
    return [
        [option for option, count in pairs if count >= number]
        for number in range(1, max(online_counts) + 1)
    ]


def _online_votes(ballot, complex_, online_counts):
    """Invented voters (inactive accounts, no password) on the roll, and records whose
    receipts nobody keeps."""
    papers = _ballot_papers(ballot, online_counts)
    for number, (household, chosen) in enumerate(
        zip(complex_.households[1:], papers, strict=False), start=1
    ):
        voter = User(
            username=f"demo.voter.{complex_.id}.{number}",
            display_name=f"주민 {number} (demo)",
            password_hash="!",
            role=Role.RESIDENT,
            active=False,
            household_id=household.id,
            source="demo",
        )
        db.session.add(voter)
        db.session.flush()
        db.session.add(
            BallotVoter(
                ballot_id=ballot.id,
                user_id=voter.id,
                channel=Channel.ONLINE,
                household_id=household.id if ballot.per_household else None,
            )
        )
        db.session.add(
            BallotRecord(
                id=uuid4().hex,
                ballot_id=ballot.id,
                receipt_hash=receipt_hash(new_receipt()),
                choices=[BallotChoice(option_id=option.id, points=1) for option in chosen],
            )
        )
