"""Every page that shows other people's contact details, household, bookings, attendance,
feedback or volunteer hours writes one audit entry per view (who, what, when, which
complex, whom it showed) and is kept out of caches; a resident's own pages write none."""

from datetime import UTC, datetime, timedelta

from gachi.complexes.stages import Stage
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import BookingChannel
from gachi.programs.bookings.operations import book_seat, check_in
from gachi.programs.feedback.models import ChangeTopic
from gachi.programs.feedback.operations import give_feedback
from gachi.programs.rosters.models import RosterRole
from gachi.programs.rosters.operations import add_to_roster, check_in_volunteer, volunteer_for
from gachi.workshops.models import WorkshopRound
from gachi.workshops.operations import check_in_guest, check_in_resident, create_workshop
from tests.audit.helpers import get_logged
from tests.complexes.helpers import management_scene, signed_in
from tests.programs.helpers import add_session, program_scene


def assert_logged_once(logged, *, action, actor, complex_id, subject_ids=()):
    entry = logged.entry
    assert (entry.action, entry.actor_id, entry.complex_id) == (action, actor.id, complex_id)
    assert logged.subject_ids == set(subject_ids)
    assert logged.response.headers["Cache-Control"] == "no-store"


def assert_not_logged(logged):
    assert logged.entries == []
    assert logged.response.headers["Cache-Control"] == "no-store"


# Accounts, households and invitation codes --------------------------------------------------


def test_an_admin_opening_the_account_list_logs_the_accounts_it_shows(client, make):
    admin = make.staff(admin=True)
    people = [make.resident(phone="010-1111-2222"), make.coordinator(phone="010-3333-4444")]
    signed_in(client, admin)

    logged = get_logged(client, "/staff/accounts")

    assert_logged_once(
        logged,
        action="accounts.view",
        actor=admin,
        complex_id=None,
        subject_ids=[person.id for person in people],
    )
    assert logged.entry.object_type == "User" and logged.entry.object_id is None


def test_an_admin_opening_an_account_page_logs_the_person_shown(client, make):
    admin = make.staff(admin=True)
    person = make.coordinator(phone="010-1234-5678")
    signed_in(client, admin)

    logged = get_logged(client, f"/staff/accounts/{person.id}")

    assert_logged_once(
        logged, action="personal_data.view", actor=admin, complex_id=None, subject_ids=[person.id]
    )
    assert (logged.entry.object_type, logged.entry.object_id) == ("User", person.id)


def test_a_coordinator_opening_the_household_list_logs_the_complex(client, make):
    ids = management_scene(make)
    coordinator = make.coordinator(ids["complex_obj"])
    make.resident(ids["complex_obj"])
    signed_in(client, coordinator)

    logged = get_logged(client, f"/complexes/{ids['complex']}/households")

    assert_logged_once(
        logged, action="households.view", actor=coordinator, complex_id=ids["complex"]
    )


def test_staff_printing_the_invitation_slips_logs_how_many(client, make):
    ids = management_scene(make)
    staff = make.staff()
    signed_in(client, staff)

    logged = get_logged(client, f"/complexes/{ids['complex']}/codes/print")

    assert_logged_once(logged, action="codes.print", actor=staff, complex_id=ids["complex"])
    assert logged.entry.after == {"count": 1}


# Sessions, bookings and rosters ---------------------------------------------------------------


def _booked(scene, resident, program_session=None):
    return book_seat(
        program_session or scene.program_session,
        actor=scene.coordinator,
        resident=resident,
        channel=BookingChannel.PHONE,
    )


def test_the_coordinator_opening_a_session_logs_everyone_booked_and_on_the_roster(client, make):
    scene = program_scene(make)
    neighbour = make.resident(scene.participation.complex)
    _booked(scene, scene.resident)
    book_seat(
        scene.program_session,
        actor=scene.coordinator,
        name="전화 예약",
        channel=BookingChannel.PHONE,
    )
    add_to_roster(
        scene.program_session, role=RosterRole.VOLUNTEER, user=neighbour, actor=scene.coordinator
    )
    db.session.commit()
    signed_in(client, scene.coordinator)

    logged = get_logged(client, f"/sessions/{scene.program_session.id}")

    assert_logged_once(
        logged,
        action="session_people.view",
        actor=scene.coordinator,
        complex_id=scene.participation.complex_id,
        subject_ids=[scene.resident.id, neighbour.id],
    )
    assert (logged.entry.object_type, logged.entry.object_id) == (
        "ProgramSession",
        scene.program_session.id,
    )


def test_the_partner_at_the_door_opening_a_session_is_logged_too(client, make):
    scene = program_scene(make)
    _booked(scene, scene.resident)
    db.session.commit()
    signed_in(client, scene.partner)

    logged = get_logged(client, f"/sessions/{scene.program_session.id}")

    assert_logged_once(
        logged,
        action="session_people.view",
        actor=scene.partner,
        complex_id=scene.participation.complex_id,
        subject_ids=[scene.resident.id],
    )


def test_a_resident_opening_a_session_with_only_their_own_booking_and_shift_writes_nothing(
    client, make
):
    scene = program_scene(make)
    _booked(scene, scene.resident)
    volunteer_for(scene.program_session, resident=scene.resident, actor=scene.resident)
    db.session.commit()
    signed_in(client, scene.resident)

    assert_not_logged(get_logged(client, f"/sessions/{scene.program_session.id}"))


def test_a_resident_seeing_a_neighbour_on_the_roster_is_logged_naming_the_neighbour(client, make):
    scene = program_scene(make)
    neighbour = make.resident(scene.participation.complex)
    volunteer_for(scene.program_session, resident=scene.resident, actor=scene.resident)
    volunteer_for(scene.program_session, resident=neighbour, actor=neighbour)
    db.session.commit()
    signed_in(client, scene.resident)

    logged = get_logged(client, f"/sessions/{scene.program_session.id}")

    assert_logged_once(
        logged,
        action="session_people.view",
        actor=scene.resident,
        complex_id=scene.participation.complex_id,
        subject_ids=[neighbour.id],
    )


def test_staff_opening_a_residents_booking_is_logged_and_the_resident_own_is_not(client, make):
    scene = program_scene(make)
    booking = _booked(scene, scene.resident)
    db.session.commit()
    staff = make.staff()

    logged = get_logged(signed_in(client, staff), f"/bookings/{booking.id}")
    assert_logged_once(
        logged,
        action="booking.view",
        actor=staff,
        complex_id=scene.participation.complex_id,
        subject_ids=[scene.resident.id],
    )
    assert (logged.entry.object_type, logged.entry.object_id) == ("Booking", booking.id)

    assert_not_logged(get_logged(signed_in(client, scene.resident), f"/bookings/{booking.id}"))


def test_the_check_in_page_a_qr_code_opens_is_logged(client, make):
    scene = program_scene(make)
    booking = _booked(scene, scene.resident)
    db.session.commit()
    signed_in(client, scene.partner)

    logged = get_logged(client, f"/check-in/{booking.code}")

    assert_logged_once(
        logged,
        action="booking.view",
        actor=scene.partner,
        complex_id=scene.participation.complex_id,
        subject_ids=[scene.resident.id],
    )


def test_a_residents_own_bookings_page_writes_nothing_and_is_not_cached(client, make):
    scene = program_scene(make)
    _booked(scene, scene.resident)
    db.session.commit()

    assert_not_logged(get_logged(signed_in(client, scene.resident), "/my/bookings"))


# Feedback and volunteer hours -------------------------------------------------------------------


def test_the_feedback_summary_is_logged_without_naming_who_wrote_what(client, make):
    scene = program_scene(make)
    program_session = add_session(scene.program, utcnow() + timedelta(minutes=30))
    booking = _booked(scene, scene.resident, program_session)
    check_in(booking, actor=scene.coordinator)
    give_feedback(
        program_session,
        resident=scene.resident,
        rating=5,
        change_topic=ChangeTopic.NOTHING,
        comment="좋았어요",
        actor=scene.resident,
        now=program_session.starts_at + timedelta(hours=1),
    )
    db.session.commit()
    signed_in(client, scene.coordinator)

    logged = get_logged(client, f"/programs/{scene.program.id}/feedback")

    assert_logged_once(
        logged,
        action="feedback.view",
        actor=scene.coordinator,
        complex_id=scene.participation.complex_id,
        subject_ids=[],
    )


def test_the_volunteer_hours_page_logs_the_volunteers_with_an_account(client, make):
    scene = program_scene(make)
    past = add_session(scene.program, utcnow() - timedelta(hours=1))
    for entry in (
        add_to_roster(
            past, role=RosterRole.VOLUNTEER, user=scene.resident, actor=scene.coordinator
        ),
        add_to_roster(past, role=RosterRole.VOLUNTEER, name="김자원", actor=scene.coordinator),
    ):
        check_in_volunteer(entry, actor=scene.coordinator)  # hours count for shifts attended
    db.session.commit()
    signed_in(client, scene.coordinator)

    logged = get_logged(client, f"/participations/{scene.participation.id}/volunteer-hours")

    assert_logged_once(
        logged,
        action="volunteer_hours.view",
        actor=scene.coordinator,
        complex_id=scene.participation.complex_id,
        subject_ids=[scene.resident.id],
    )
    assert "김자원" in logged.response.get_data(as_text=True)


# Workshops ------------------------------------------------------------------------------------


def test_the_coordinator_opening_a_workshop_logs_who_was_checked_in(client, make):
    complex_ = make.complex_()
    participation = make.participation(complex_, stage=Stage.PROBLEM_WORKSHOP)
    coordinator, resident = make.coordinator(complex_), make.resident(complex_)
    workshop = create_workshop(
        participation,
        round=WorkshopRound.PROBLEMS,
        place="관리사무소",
        held_at=datetime(2018, 9, 15, 1, 0, tzinfo=UTC),
        actor=coordinator,
    )
    check_in_resident(workshop, resident=resident, actor=coordinator, now=workshop.held_at)
    check_in_guest(
        workshop, name="이웃 손님", household=None, actor=coordinator, now=workshop.held_at
    )
    db.session.commit()

    logged = get_logged(signed_in(client, coordinator), f"/workshops/{workshop.id}")
    assert_logged_once(
        logged,
        action="workshop_attendance.view",
        actor=coordinator,
        complex_id=complex_.id,
        subject_ids=[resident.id],
    )

    assert get_logged(signed_in(client, resident), f"/workshops/{workshop.id}").entries == []
