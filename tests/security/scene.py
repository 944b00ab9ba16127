"""Two complexes in one cohort: A with one of every object, B with its own people.

The ids of A's objects fill every route of the URL map; B's people, a partner of an
enterprise that serves nowhere in A, and anonymous visitors must never see them.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from gachi.bizmodels.models import Adoption
from gachi.bizmodels.operations import publish_model
from gachi.complexes.districts import District
from gachi.complexes.stages import Stage
from gachi.coordinators.models import Placement
from gachi.core.time import seoul_today, utcnow
from gachi.enterprises.jobs import run_import_jobs
from gachi.enterprises.operations import queue_import
from gachi.evaluations.models import Decision
from gachi.evaluations.operations import draft_evaluation, sign_evaluation
from gachi.extensions import db
from gachi.matching.models import Match, MatchState
from gachi.notices.operations import post_notice
from gachi.notifications.models import Notification
from gachi.notifications.operations import notify
from gachi.people.models import Person
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.calendar.models import CalendarKind
from gachi.programs.calendar.operations import create_calendar_link
from gachi.programs.rosters.models import RosterEntry, VolunteerShift
from gachi.proposals.models import ProblemComment, ProblemState
from gachi.workshops.models import Workshop, WorkshopRound
from gachi.workshops.operations import add_attachment
from tests.ballots.helpers import a_ballot as open_a_ballot
from tests.kpi.helpers import a_plan, a_programme

COMPLEX_A = "알파단지"
RESIDENT_A = "김알파주민"
# Words only A's own people (and staff) may read: none of them is public.
PRIVATE_TO_A = (
    RESIDENT_A,
    "알파코디네이터",
    "알파댓글",
    "알파회의록",
    "알파평가",
    "알파문제",
    "알파공지",
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass
class Scene:
    people: dict  # role name → user (None for anonymous)
    ids: dict = field(default_factory=dict)  # URL argument name → a value of A's


def _an_import(staff):
    """An enterprise import, done, with a skipped line a spreadsheet would read as a
    formula (its list of skipped lines is one of the exports)."""
    data = (
        "name,legal_form,categories,districts\n"
        '=HYPERLINK("http://x"),주식회사,care,마포구\n'
        "알파수입기업,협동조합,care,마포구\n"
    ).encode()
    job = queue_import(data, filename="enterprises.csv", locale="en", actor=staff, now=utcnow())
    db.session.commit()
    run_import_jobs(utcnow())
    return job


def _complex_b(make, cohort):
    """B is in another district than A (Eunpyeong; A is in Mapo), with its own district
    support organisation."""
    complex_b = make.complex_(name="베타단지", district=District.EUNPYEONG)
    make.participation(complex_b, cohort, stage=Stage.RUNNING)
    return {
        "resident of B": make.resident(complex_b, display_name="박베타주민"),
        "coordinator of B": make.coordinator(complex_b, display_name="베타코디네이터"),
        "district of B": make.district_account(
            District.EUNPYEONG, may_place_coordinators=True, display_name="베타구지원조직"
        ),
    }


def _problems(make, participation, resident, coordinator):
    problem = make.problem(
        participation,
        title="알파문제 아이 돌봄",
        state=ProblemState.SELECTED,
        proposed_by_id=resident.id,
    )
    shortlisted = [
        make.problem(participation, title=f"알파문제 {n}", state=ProblemState.SHORTLISTED)
        for n in (1, 2)
    ]
    comment = ProblemComment(problem_id=problem.id, author_id=resident.id, body="알파댓글입니다")
    db.session.add(comment)
    db.session.commit()
    return problem, shortlisted


def _ballot(participation, coordinator, shortlisted):
    participation.stage = Stage.PROBLEM_WORKSHOP
    db.session.commit()
    ballot = open_a_ballot(
        SimpleNamespace(participation=participation, problems=shortlisted, coordinator=coordinator)
    )
    participation.stage = Stage.RUNNING
    db.session.commit()
    return ballot


def _workshop(participation, coordinator):
    workshop = Workshop(
        participation=participation,
        round=WorkshopRound.PROBLEMS,
        held_at=utcnow() - timedelta(days=20),
        minutes="알파회의록 내용",
    )
    db.session.add(workshop)
    db.session.commit()
    attachment = add_attachment(workshop, filename="photo.png", data=PNG, actor=coordinator)
    db.session.commit()
    return workshop, attachment


def _evaluation_and_model(make, participation, coordinator, staff, text):
    participation.stage = Stage.EVALUATION
    evaluation = draft_evaluation(
        participation,
        what_happened=text,
        residents_said=text,
        what_to_change=text,
        actor=coordinator,
    )
    sign_evaluation(evaluation, decision=Decision.SPREAD, note=text, actor=staff)
    participation.stage = Stage.RUNNING
    model = publish_model(
        evaluation, title="공동 돌봄 모델", category_id=make.category("care").id, actor=staff
    )
    adoption = Adoption(model_id=model.id, participation_id=participation.id)
    db.session.add(adoption)
    db.session.commit()
    return model, adoption


def _count_seats(program):
    """a_programme writes bookings as rows; give each session the seats they hold."""
    for session in program.sessions:
        session.seats_taken = sum(
            booking.party_size
            for booking in db.session.scalars(
                select(Booking).where(
                    Booking.session_id == session.id, Booking.status == BookingStatus.CONFIRMED
                )
            )
        )
    db.session.commit()


def _a_shift(session):
    """A volunteer shift needing two, on the programme's last session."""
    shift = VolunteerShift(
        session_id=session.id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        needed=2,
        taken=0,
    )
    db.session.add(shift)
    db.session.commit()
    return shift


def _a_notice(complex_, coordinator):
    """A pinned notice on A's board, sent to nobody (its words are A's own)."""
    return post_notice(
        complex_,
        title="알파공지 토요일 워크숍",
        body="알파공지 본문",
        pinned=True,
        expires_on=None,
        channels=[],
        actor=coordinator,
        now=utcnow(),
        today=seoul_today(),
    )


def a_scene(make, evaluation_text="알파평가 내용", program_title="알파돌봄교실") -> Scene:
    """A signed evaluation can't be changed afterwards, nor a notification's words, so
    their text is chosen here."""
    cohort = make.cohort()
    complex_a = make.complex_(name=COMPLEX_A)
    participation = make.participation(complex_a, cohort, stage=Stage.RUNNING)
    household = make.household(complex_a)
    code = make.invitation(household)
    resident = make.resident(household_obj=household, display_name=RESIDENT_A)
    neighbours = [make.resident(complex_a) for _ in range(3)]
    coordinator = make.coordinator(complex_a, display_name="알파코디네이터")
    staff = make.staff(admin=True)
    serving = make.enterprise(name="알파돌봄협동조합")
    partner_a = make.partner(serving)
    other_partner = make.partner(make.enterprise(name="다른기업"))

    problem, shortlisted = _problems(make, participation, resident, coordinator)
    ballot = _ballot(participation, coordinator, shortlisted)
    workshop, attachment = _workshop(participation, coordinator)
    match = Match(problem_id=problem.id, enterprise_id=serving.id, state=MatchState.ACTIVE)
    db.session.add(match)
    db.session.commit()
    a_plan(participation, [(1000, [400])])
    program = a_programme(participation, problem, resident, *neighbours)
    program.title = program_title
    _count_seats(program)
    model, adoption = _evaluation_and_model(
        make, participation, coordinator, staff, evaluation_text
    )
    notify(
        [resident.id],
        "The session of %(program)s on %(when)s is cancelled.",
        program=program.title,
        when="5월 1일",
    )
    token = create_calendar_link(resident, kind=CalendarKind.PERSONAL, actor=resident)
    notice = _a_notice(complex_a, coordinator)
    db.session.commit()
    import_job = _an_import(staff)
    # Someone of the household written down by phone, without an account (gachi/people).
    person = Person(
        complex_id=complex_a.id,
        household_id=household.id,
        name="알파전화주민",
        phone="01055550000",
        created_by_id=coordinator.id,
    )
    db.session.add(person)
    db.session.commit()

    first = lambda model_, *where: db.session.scalars(select(model_).where(*where)).first()  # noqa: E731
    session = program.sessions[0]
    booking = first(Booking, Booking.session_id == session.id, Booking.user_id == resident.id)
    people = {
        "anonymous": None,
        "resident of A": resident,
        "coordinator of A": coordinator,
        **_complex_b(make, cohort),
        "partner elsewhere": other_partner,
        "staff": staff,
        "partner of A": partner_a,
        "district of A": make.district_account(
            District.MAPO, may_place_coordinators=True, display_name="알파구지원조직"
        ),
    }
    ids = {
        "cohort_id": cohort.id,
        "complex_id": complex_a.id,
        "participation_id": participation.id,
        "household_id": household.id,
        "code_id": code.id,
        "problem_id": problem.id,
        "ballot_id": ballot.id,
        "workshop_id": workshop.id,
        "attachment_id": attachment.id,
        "match_id": match.id,
        "program_id": program.id,
        "session_id": session.id,
        "booking_id": booking.id,
        "entry_id": first(RosterEntry, RosterEntry.session_id == session.id).id,
        "shift_id": _a_shift(program.sessions[-1]).id,
        "model_id": model.id,
        "adoption_id": adoption.id,
        "user_id": resident.id,
        "notification_id": first(Notification, Notification.user_id == resident.id).id,
        "token_id": token.id,
        "notice_id": notice.id,
        "token": token.token,
        "code": booking.code,
        "enterprise_id": serving.id,
        "placement_id": first(Placement, Placement.coordinator_id == coordinator.id).id,
        "job_id": import_job.id,
        "person_id": person.id,
        "name": "complexes",
        "kind": "csv",
        "filename": "css/gachi.css",
    }
    return Scene(people, ids)
