"""People without accounts are people (issue 15): a grandmother who books by phone is
written down as a person of her household, found again by her number next time, counted
once on the board, and becomes her account's when she joins with the household's code."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from gachi.auth.consent import current_notice_version
from gachi.auth.models import User
from gachi.core.audit import AuditEntry
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import SEOUL
from gachi.extensions import db
from gachi.kpi.queries import cohort_board
from gachi.kpi.refresh import refresh
from gachi.people.models import CONSENT_VERSION, ERASED_NAME, Person
from gachi.people.phones import BadPhone, format_phone, mask_phone, normalise_phone
from gachi.people.queries import contact_for_booking
from gachi.privacy.operations import erase_person
from gachi.programs.bookings.models import Attendance, Booking, BookingChannel
from gachi.programs.bookings.operations import add_walk_in, book_seat, check_in
from gachi.programs.feedback.models import ChangeTopic, Feedback
from gachi.programs.feedback.operations import enter_paper_feedback
from tests.conftest import csrf_token, post_form, sign_in
from tests.programs.helpers import add_session, program_scene

STARTS = datetime(2026, 12, 7, 14, 0, tzinfo=SEOUL)
BOOKED_ON = datetime(2026, 12, 3, 10, 0, tzinfo=SEOUL)
PHONE = "010-2345-6789"


@pytest.fixture
def scene(make):
    return program_scene(make, starts_at=STARTS, booking_opens_days=14)


@pytest.fixture
def home(make, scene):
    return make.household(scene.participation.complex, building="103", unit="502")


def by_phone(scene, home, *, name="김순자", phone=PHONE, consent=True, program_session=None):
    return book_seat(
        program_session or scene.program_session,
        actor=scene.coordinator,
        name=name,
        household=home,
        phone=phone,
        consent=consent,
        channel=BookingChannel.PHONE,
        now=BOOKED_ON,
    )


def figures(scene):
    db.session.commit()
    refresh(scene.participation.cohort_id)
    return {
        figure.kpi.code: figure.actual
        for figure in cohort_board(scene.participation.cohort_id).figures
    }


def came(scene, *bookings):
    for booking in bookings:
        check_in(
            booking,
            actor=scene.coordinator,
            now=booking.program_session.starts_at - timedelta(minutes=5),
        )


# Phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("010-2345-6789", "01023456789"),
        (" 010 2345 6789 ", "01023456789"),
        ("+82 10-2345-6789", "01023456789"),
        ("02-123-4567", "021234567"),
        ("", None),
    ],
)
def test_a_number_is_kept_as_its_digits(typed, kept):
    assert normalise_phone(typed) == kept


@pytest.mark.parametrize(
    "typed", ["12345", "010-2345-678x", "+1 555 123 4567", "0101234567890", "010 5555 12"]
)
def test_what_is_not_a_korean_number_is_refused(typed):
    with pytest.raises(BadPhone):
        normalise_phone(typed)


def test_a_number_is_masked_in_lists_and_grouped_to_call():
    assert mask_phone("01023456789") == "010-****-6789"
    assert mask_phone("021234567") == "02-***-4567"
    assert format_phone("01023456789") == "010-2345-6789"


# Written down once, found again ----------------------------------------------------------


def test_a_phone_booking_writes_down_the_person_with_her_consent(scene, home):
    booking = by_phone(scene, home)
    person = booking.person
    assert (person.name, person.household_id, person.phone) == ("김순자", home.id, "01023456789")
    assert person.consent_version == CONSENT_VERSION and person.consent_at is not None
    assert person.user_id is None and person.created_by_id == scene.coordinator.id
    assert booking.household_id == home.id and booking.name == "김순자"


def test_the_next_phone_booking_finds_her_again_by_household_and_number(scene, home):
    later = add_session(scene.program, STARTS + timedelta(days=7))
    first = by_phone(scene, home)
    # The coordinator writes the name a little differently the second time.
    second = by_phone(scene, home, name="김순자 할머니", phone="01023456789", program_session=later)
    assert second.person_id == first.person_id
    assert db.session.scalar(select(func.count(Person.id))) == 1


def test_without_a_number_she_is_found_again_by_name_and_a_number_given_later_is_added(scene, home):
    later = add_session(scene.program, STARTS + timedelta(days=7))
    first = by_phone(scene, home, phone=None, consent=False)
    second = by_phone(scene, home, phone=PHONE, consent=False, program_session=later)
    assert second.person_id == first.person_id
    assert second.person.phone == "01023456789" and second.person.consent_at is None


def test_consent_without_a_number_is_refused(scene, home):
    with pytest.raises(DomainError):
        by_phone(scene, home, phone=None, consent=True)


def test_the_same_person_cannot_hold_two_bookings_for_one_session(scene, home):
    by_phone(scene, home)
    with pytest.raises(Conflict):
        by_phone(scene, home, name="순자")


def test_a_walk_in_with_a_household_is_the_same_person_as_her_phone_booking(scene, home):
    later = add_session(scene.program, STARTS + timedelta(days=7))
    booked = by_phone(scene, home)
    walked_in = add_walk_in(
        later,
        actor=scene.coordinator,
        name="김순자",
        household=home,
        phone=PHONE,
        now=later.starts_at,
    )
    assert walked_in.person_id == booked.person_id
    assert walked_in.attendance is Attendance.ATTENDED


def test_choosing_her_again_with_a_new_number_gives_her_that_number(scene, home):
    later = add_session(scene.program, STARTS + timedelta(days=7))
    first = by_phone(scene, home)
    again = book_seat(
        later,
        actor=scene.coordinator,
        person=first.person,
        phone="010-7777-8888",
        channel=BookingChannel.PHONE,
        now=BOOKED_ON,
    )
    assert again.person_id == first.person_id and again.name == "김순자"
    assert first.person.phone == "01077778888"
    assert first.person.consent_at is None  # she agreed to texts at the old number
    assert db.session.scalar(select(func.count(Person.id))) == 1


def test_a_household_of_another_complex_is_refused(make, scene):
    elsewhere = make.household(make.complex_(), building="1", unit="1")
    with pytest.raises(DomainError):
        by_phone(scene, elsewhere)


# Counted once ----------------------------------------------------------------------------


def test_people_without_accounts_are_counted_as_participants_once_each(scene, home, make):
    later = add_session(scene.program, STARTS + timedelta(days=7))
    neighbour_home = make.household(scene.participation.complex, building="103", unit="503")
    came(
        scene,
        by_phone(scene, home),
        by_phone(scene, home, program_session=later),
        by_phone(scene, neighbour_home, name="이영수", phone="010-3333-4444"),
    )
    actuals = figures(scene)
    assert actuals["participants"] == 2  # 김순자 twice, 이영수 once
    assert actuals["returning"] == 1
    assert actuals["households"] == 2
    assert actuals["residents"] == 2


def test_a_person_who_booked_by_phone_and_later_joined_is_one_participant(
    client, scene, home, make
):
    """Acceptance: a person who booked by phone and later joined with the household's code
    is one participant, not two."""
    later = add_session(scene.program, STARTS + timedelta(days=7))
    came(scene, by_phone(scene, home))
    make.invitation(home, code="SUNJAJOIN")
    db.session.commit()
    response = client.post(
        "/join",
        data={
            "csrf_token": csrf_token(client, "/join"),
            "code": "SUNJ-AJOIN",
            "display_name": "김순자",
            "phone": "010 2345 6789",
            "username": "sunja",
            "password": "a long walk by the han river",
            "confirm": "a long walk by the han river",
            "privacy_notice": current_notice_version(),
            "consent": "y",
        },
    )
    assert response.status_code == 302
    account = db.session.scalar(select(User).where(User.username == "sunja"))
    person = db.session.scalar(select(Person))
    assert person.user_id == account.id
    # Now she books the next session online herself and comes.
    online = book_seat(later, actor=account, resident=account, now=BOOKED_ON)
    came(scene, online)
    actuals = figures(scene)
    assert actuals["participants"] == 1
    assert actuals["returning"] == 1  # two sessions, one person
    assert actuals["residents"] == 1
    linked = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.link"))
    assert linked.object_id == person.id


def test_joining_without_a_number_links_the_person_of_that_name(scene, home, make):
    from gachi.auth.operations import join_household

    by_phone(scene, home, phone=None, consent=False)
    make.invitation(home, code="NAMEJOIN")
    account = join_household("NAMEJOIN", "sunja2", "김순자", "a long walk by the han river")
    assert db.session.scalar(select(Person.user_id)) == account.id


def test_joining_under_another_name_links_nobody(scene, home, make):
    from gachi.auth.operations import join_household

    by_phone(scene, home)
    make.invitation(home, code="OTHERJOIN")
    join_household("OTHERJOIN", "grandson", "손자", "a long walk by the han river")
    assert db.session.scalar(select(Person.user_id)) is None


# Feedback on paper -----------------------------------------------------------------------


def test_the_coordinator_enters_paper_feedback_on_the_session_page(korean_client, make):
    held = program_scene(
        make, starts_at=datetime.now(SEOUL) - timedelta(days=2), booking_opens_days=14
    )
    home = make.household(held.participation.complex, building="103", unit="502")
    booking = book_seat(
        held.program_session,
        actor=held.coordinator,
        name="김순자",
        household=home,
        channel=BookingChannel.PHONE,
        now=held.program_session.starts_at - timedelta(days=3),
    )
    came(held, booking)
    db.session.commit()
    sign_in(korean_client, held.coordinator)
    page = korean_client.get(f"/sessions/{held.program_session.id}").get_data(as_text=True)
    assert "종이로 받은 의견" in page and "김순자 · 103동 502호" in page
    response = post_form(
        korean_client,
        f"/sessions/{held.program_session.id}/paper-feedback",
        {"person_id": booking.person_id, "rating": 5, "change_topic": "longer_hours"},
    )
    assert response.status_code == 302
    feedback = db.session.scalars(select(Feedback)).one()
    assert (feedback.person_id, feedback.rating, feedback.source) == (booking.person_id, 5, "paper")
    again = post_form(
        korean_client,
        f"/sessions/{held.program_session.id}/paper-feedback",
        {"person_id": booking.person_id, "rating": 4, "change_topic": "nothing"},
    )
    assert again.status_code == 400  # no longer offered: she answered already


def test_the_coordinator_enters_feedback_given_on_paper(scene, home):
    booking = by_phone(scene, home)
    came(scene, booking)
    with_time = scene.program_session.ends_at + timedelta(hours=1)
    feedback = enter_paper_feedback(
        scene.program_session,
        person=booking.person,
        rating=4,
        change_topic=ChangeTopic.LONGER_HOURS,
        comment="좋았어요",
        actor=scene.coordinator,
        now=with_time,
    )
    assert (feedback.person_id, feedback.user_id, feedback.source) == (
        booking.person_id,
        None,
        "paper",
    )
    with pytest.raises(Conflict):
        enter_paper_feedback(
            scene.program_session,
            person=booking.person,
            rating=5,
            change_topic=ChangeTopic.NOTHING,
            actor=scene.coordinator,
            now=with_time,
        )


def test_paper_feedback_is_refused_for_someone_who_did_not_come(scene, home):
    booking = by_phone(scene, home)
    with pytest.raises(DomainError):
        enter_paper_feedback(
            scene.program_session,
            person=booking.person,
            rating=4,
            change_topic=ChangeTopic.NOTHING,
            actor=scene.coordinator,
            now=scene.program_session.ends_at,
        )
    assert db.session.scalar(select(func.count(Feedback.id))) == 0


def test_paper_feedback_is_the_coordinators_to_enter(scene, home):
    booking = by_phone(scene, home)
    came(scene, booking)
    with pytest.raises(NotAllowed):
        enter_paper_feedback(
            scene.program_session,
            person=booking.person,
            rating=4,
            change_topic=ChangeTopic.NOTHING,
            actor=scene.resident,
            now=scene.program_session.ends_at,
        )


# Shown masked, in full where someone must call --------------------------------------------


def test_the_session_list_masks_her_number_and_the_booking_page_gives_it_in_full(
    korean_client, scene, home
):
    booking = by_phone(scene, home)
    db.session.commit()
    sign_in(korean_client, scene.coordinator)
    session_page = korean_client.get(f"/sessions/{scene.program_session.id}").get_data(as_text=True)
    assert "010-****-6789" in session_page and "010-2345-6789" not in session_page
    page = korean_client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert 'href="tel:01023456789"' in page and "010-2345-6789" in page
    shown = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "booking.view", AuditEntry.object_id == booking.id
        )
    ).one()
    assert shown.actor_id == scene.coordinator.id


def test_a_phone_booking_through_the_form_finds_the_person_again(korean_client, scene, home):
    later = add_session(scene.program, datetime.now(SEOUL) + timedelta(days=5))
    first = add_session(scene.program, datetime.now(SEOUL) + timedelta(days=4))
    sign_in(korean_client, scene.coordinator)
    for program_session in (first, later):
        response = post_form(
            korean_client,
            f"/sessions/{program_session.id}/phone-bookings",
            {
                "name": "김순자",
                "household_id": home.id,
                "phone": PHONE,
                "consent": "y",
                "party_size": 1,
                "request_key": f"key-{program_session.id}",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    people = db.session.scalars(select(Booking.person_id).where(Booking.person_id.is_not(None)))
    assert len(set(people)) == 1


def test_a_bad_number_on_the_form_is_a_clear_400(korean_client, scene, home):
    upcoming = add_session(scene.program, datetime.now(SEOUL) + timedelta(days=4))
    sign_in(korean_client, scene.coordinator)
    response = post_form(
        korean_client,
        f"/sessions/{upcoming.id}/phone-bookings",
        {
            "name": "김순자",
            "household_id": home.id,
            "phone": "전화 없음",
            "party_size": 1,
            "request_key": "bad-phone",
        },
    )
    assert response.status_code == 400
    assert "010-1234-5678" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Booking.id))) == 0


# Whom to tell ------------------------------------------------------------------------------


def test_the_contact_for_a_booking_is_the_person_or_the_account(scene, home):
    by_person = by_phone(scene, home)
    contact = contact_for_booking(by_person)
    assert (contact.name, contact.phone, contact.language, contact.texts_agreed) == (
        "김순자",
        "01023456789",
        "ko",
        True,
    )
    scene.resident.phone = "010-9999-0000"
    online = book_seat(
        scene.program_session, actor=scene.resident, resident=scene.resident, now=BOOKED_ON
    )
    contact = contact_for_booking(online)
    assert (contact.name, contact.phone, contact.user_id) == (
        "박서진",
        "010-9999-0000",
        scene.resident.id,
    )


# Erasure -----------------------------------------------------------------------------------


def test_staff_erase_a_person_at_her_request_and_the_figures_stay(scene, home, make):
    booking = by_phone(scene, home)
    came(scene, booking)
    before = figures(scene)["participants"]
    staff = make.staff()
    erase_person(booking.person, actor=staff)
    db.session.refresh(booking)
    person = booking.person
    assert (person.name, person.phone, person.consent_at) == (ERASED_NAME, None, None)
    assert booking.name == ERASED_NAME
    assert figures(scene)["participants"] == before == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.erase"))
    assert (entry.actor_id, entry.object_id) == (staff.id, person.id)


def test_a_coordinator_cannot_erase_a_person(scene, home):
    booking = by_phone(scene, home)
    with pytest.raises(NotAllowed):
        erase_person(booking.person, actor=scene.coordinator)


def test_staff_erase_through_the_page_after_being_asked(client, scene, home, make):
    booking = by_phone(scene, home)
    staff = make.staff()
    db.session.commit()
    sign_in(client, staff)
    listing = client.get(f"/complexes/{scene.participation.complex_id}/people")
    assert listing.status_code == 200
    assert "010-****-6789" in listing.get_data(as_text=True)
    asked = client.get(f"/people/{booking.person_id}/erase")
    assert asked.status_code == 200
    response = post_form(client, f"/people/{booking.person_id}/erase")
    assert response.status_code == 302
    assert db.session.get(Person, booking.person_id).name == ERASED_NAME


def test_a_coordinator_sees_the_list_but_no_erase(client, scene, home):
    booking = by_phone(scene, home)
    db.session.commit()
    sign_in(client, scene.coordinator)
    assert client.get(f"/complexes/{scene.participation.complex_id}/people").status_code == 200
    assert client.get(f"/people/{booking.person_id}/erase").status_code == 403
    assert post_form(client, f"/people/{booking.person_id}/erase").status_code == 403
