"""Reminders before a ballot closes, a workshop and a volunteer shift: each person once,
at the lead time their complex set (a day unless set), never before. Every moment is
fixed from the thing's own time, so no test depends on where the wall clock stands."""

from datetime import timedelta

from sqlalchemy import func, select

from gachi.ballots.jobs import remind_closing_ballots
from gachi.ballots.models import Eligibility
from gachi.ballots.operations import cast_vote
from gachi.complexes.models import ReminderLeadTimes
from gachi.complexes.operations import set_reminder_lead_times
from gachi.core.audit import AuditEntry
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.notifications.models import Notification, NotificationKind
from gachi.programs.rosters.jobs import remind_shifts
from gachi.programs.rosters.operations import volunteer_for
from gachi.programs.sessions.models import SessionState
from gachi.scheduler import JOBS_BY_ID
from gachi.workshops.jobs import remind_workshops
from gachi.workshops.models import WorkshopRound
from gachi.workshops.operations import create_workshop
from tests.ballots.helpers import a_ballot, ballot_scene, option_ids
from tests.conftest import post_form, sign_in_directly
from tests.programs.helpers import program_scene


def reminded(user, kind):
    """The in-app reminders of `kind` that `user` has."""
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    )


# Ballots ------------------------------------------------------------------------------


def test_residents_who_have_not_voted_hear_a_day_before_a_ballot_closes_once(make):
    scene = ballot_scene(make, resident_count=3)
    ballot = a_ballot(scene)
    voter, *others = scene.residents
    cast_vote(ballot, voter=voter, choices={option_ids(ballot)[0]: 1})
    db.session.commit()

    # Two days before it closes: too early.
    assert remind_closing_ballots(ballot.closes_at - timedelta(hours=25)) == 0
    # A day before: the two who have not voted hear, the voter does not.
    assert remind_closing_ballots(ballot.closes_at - timedelta(hours=24)) == 2
    db.session.commit()
    assert [reminded(r, NotificationKind.BALLOTS) for r in others] == [1, 1]
    assert reminded(voter, NotificationKind.BALLOTS) == 0
    # A second scheduler a minute later, or a re-run: nobody hears twice.
    assert remind_closing_ballots(ballot.closes_at - timedelta(hours=23)) == 0
    assert [reminded(r, NotificationKind.BALLOTS) for r in others] == [1, 1]
    # Once it has closed, nothing more.
    assert remind_closing_ballots(ballot.closes_at + timedelta(minutes=1)) == 0


def test_a_household_that_voted_is_not_reminded_on_a_ballot_per_household(make):
    scene = ballot_scene(make, resident_count=1)
    first = scene.residents[0]
    housemate = make.resident(household_obj=first.household)
    neighbour = make.resident(scene.complex)
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD)
    cast_vote(ballot, voter=first, choices={option_ids(ballot)[0]: 1})
    db.session.commit()

    assert remind_closing_ballots(ballot.closes_at - timedelta(hours=1)) == 1
    assert reminded(neighbour, NotificationKind.BALLOTS) == 1
    assert reminded(housemate, NotificationKind.BALLOTS) == 0


def test_the_complex_lead_time_decides_when_a_ballot_reminder_goes(make):
    scene = ballot_scene(make, resident_count=1)
    ballot = a_ballot(scene)
    set_reminder_lead_times(scene.complex, actor=scene.coordinator, ballot_hours=48)
    db.session.commit()

    assert remind_closing_ballots(ballot.closes_at - timedelta(hours=49)) == 0
    assert remind_closing_ballots(ballot.closes_at - timedelta(hours=48)) == 1


# Workshops ----------------------------------------------------------------------------


def a_workshop(make, held_at):
    complex_ = make.complex_()
    participation = make.participation(complex_)
    coordinator = make.coordinator(complex_)
    residents = [make.resident(complex_) for _ in range(2)]
    make.resident(make.complex_())  # of another complex: never reminded
    workshop = create_workshop(
        participation,
        round=WorkshopRound.PROBLEMS,
        place="관리사무소 2층",
        held_at=held_at,
        actor=coordinator,
    )
    db.session.commit()
    return complex_, coordinator, residents, workshop


def test_the_complex_residents_hear_of_a_workshop_at_its_lead_time_once(make):
    held_at = utcnow() + timedelta(days=10)
    _complex, _coordinator, residents, _workshop = a_workshop(make, held_at)

    assert remind_workshops(held_at - timedelta(hours=25)) == 0
    assert remind_workshops(held_at - timedelta(hours=24)) == 2
    assert remind_workshops(held_at - timedelta(hours=2)) == 0
    assert [reminded(r, NotificationKind.WORKSHOPS) for r in residents] == [1, 1]
    assert remind_workshops(held_at + timedelta(minutes=1)) == 0


def test_a_shorter_lead_time_holds_a_workshop_reminder_back(make):
    held_at = utcnow() + timedelta(days=10)
    complex_, coordinator, _residents, _workshop = a_workshop(make, held_at)
    set_reminder_lead_times(complex_, actor=coordinator, workshop_hours=3)
    db.session.commit()

    assert remind_workshops(held_at - timedelta(hours=24)) == 0
    assert remind_workshops(held_at - timedelta(hours=3)) == 2


# Volunteer shifts ---------------------------------------------------------------------


def test_volunteers_hear_of_their_shift_at_the_lead_time_once(make):
    scene = program_scene(make)
    program_session = scene.program_session
    volunteer_for(program_session, resident=scene.resident, actor=scene.resident)
    bystander = make.resident(scene.participation.complex)
    db.session.commit()
    starts_at = program_session.starts_at

    assert remind_shifts(starts_at - timedelta(hours=25)) == 0
    assert remind_shifts(starts_at - timedelta(hours=24)) == 1
    assert remind_shifts(starts_at - timedelta(hours=1)) == 0
    assert reminded(scene.resident, NotificationKind.SHIFTS) == 1
    assert reminded(bystander, NotificationKind.SHIFTS) == 0


def test_the_complex_lead_time_moves_a_shift_reminder(make):
    scene = program_scene(make)
    program_session = scene.program_session
    volunteer_for(program_session, resident=scene.resident, actor=scene.resident)
    set_reminder_lead_times(scene.participation.complex, actor=scene.coordinator, shift_hours=6)
    db.session.commit()
    starts_at = program_session.starts_at

    assert remind_shifts(starts_at - timedelta(hours=7)) == 0
    assert remind_shifts(starts_at - timedelta(hours=6)) == 1


def test_a_cancelled_session_sends_no_shift_reminder(make):
    scene = program_scene(make)
    program_session = scene.program_session
    volunteer_for(program_session, resident=scene.resident, actor=scene.resident)
    program_session.state = SessionState.CANCELLED
    db.session.commit()

    assert remind_shifts(program_session.starts_at - timedelta(hours=1)) == 0
    assert reminded(scene.resident, NotificationKind.SHIFTS) == 0


def test_the_three_reminder_jobs_are_scheduled():
    assert {"ballots.closing-soon", "workshops.reminders", "rosters.shift-reminders"} <= set(
        JOBS_BY_ID
    )


# The coordinator's form ---------------------------------------------------------------


def test_a_coordinator_sets_the_lead_times_on_the_complex_page(make, client):
    complex_ = make.complex_()
    coordinator = make.coordinator(complex_)
    sign_in_directly(client, coordinator)

    page = client.get(f"/complexes/{complex_.id}")
    assert page.status_code == 200
    assert 'name="ballot_hours"' in page.get_data(as_text=True)

    response = post_form(
        client,
        f"/complexes/{complex_.id}/reminders",
        {"ballot_hours": "48", "workshop_hours": "24", "shift_hours": "3"},
    )
    assert response.status_code == 302
    settings = db.session.get(ReminderLeadTimes, complex_.id)
    assert (settings.ballot_hours, settings.workshop_hours, settings.shift_hours) == (48, 24, 3)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "complex.reminder_lead_times")
    ).one()
    assert entry.after == {"ballot_hours": 48, "shift_hours": 3}


def test_lead_times_out_of_range_are_refused_with_a_message(make, korean_client):
    complex_ = make.complex_()
    coordinator = make.coordinator(complex_)
    sign_in_directly(korean_client, coordinator)

    for hours in ("0", "169", "하루", ""):
        response = post_form(
            korean_client,
            f"/complexes/{complex_.id}/reminders",
            {"ballot_hours": hours, "workshop_hours": "24", "shift_hours": "24"},
        )
        assert response.status_code == 400, hours
        text = response.get_data(as_text=True)
        assert "사이로 입력해 주세요" in text or "정수로 입력해 주세요" in text, hours
    assert db.session.get(ReminderLeadTimes, complex_.id) is None


def test_a_resident_cannot_set_the_lead_times(make, client):
    complex_ = make.complex_()
    resident = make.resident(complex_)
    sign_in_directly(client, resident)

    response = post_form(
        client,
        f"/complexes/{complex_.id}/reminders",
        {"ballot_hours": "48", "workshop_hours": "24", "shift_hours": "24"},
    )
    assert response.status_code in (403, 404)
    assert db.session.get(ReminderLeadTimes, complex_.id) is None
