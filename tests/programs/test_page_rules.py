"""The session and booking pages offer a control exactly when the operation behind it
accepts: each page is rendered a minute either side of every boundary (bookings open and
close, the cancel deadline, the start, the end, the stage, a cancelled session), and the
operation is called at the same moment. The clock is fixed: nothing here depends on when
the tests run."""

from datetime import datetime, timedelta

import pytest

from gachi.complexes.stages import Stage
from gachi.core.errors import DomainError
from gachi.core.time import SEOUL
from gachi.extensions import db
from gachi.programs.bookings import views as booking_views
from gachi.programs.bookings.models import Attendance, BookingChannel
from gachi.programs.bookings.operations import (
    add_walk_in,
    book_seat,
    cancel_booking,
    check_in,
    correct_attendance,
    mark_no_show,
)
from gachi.programs.feedback.models import ChangeTopic
from gachi.programs.feedback.operations import give_feedback
from gachi.programs.rosters.operations import (
    check_in_volunteer,
    mark_volunteer_no_show,
    remove_from_roster,
    volunteer_for,
)
from gachi.programs.sessions import pages
from gachi.programs.sessions.operations import cancel_session
from tests.conftest import sign_in, sign_in_directly
from tests.programs.helpers import program_scene

# A Saturday afternoon session; bookings open 7 days before it, close at its start, and
# residents cancel until 48 hours before it (the rules the page once drifted from).
STARTS = datetime(2030, 5, 11, 14, 0, tzinfo=SEOUL)
ENDS = STARTS + timedelta(hours=4)
MINUTE = timedelta(minutes=1)
RULES = dict(booking_opens_days=7, booking_closes_hours=0, cancel_hours=48)
OPENS = STARTS - timedelta(days=7)
CANCEL_DEADLINE = STARTS - timedelta(hours=48)


@pytest.fixture
def clock(monkeypatch):
    """Set the moment the pages are rendered at."""

    def set_to(moment):
        monkeypatch.setattr(pages, "utcnow", lambda: moment)
        monkeypatch.setattr(booking_views, "utcnow", lambda: moment)

    return set_to


@pytest.fixture
def scene(make):
    return program_scene(make, starts_at=STARTS, **RULES)


def page_at(client, clock, moment, path):
    clock(moment)
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def offers(page, action):
    return f'action="{action}"' in page


def offers_to_cancel(page, cancel):
    """Cancelling asks first: a page offers a link to the page that asks, and that page
    offers the button (the form)."""
    return f'href="{cancel}"' in page or offers(page, cancel)


def accepts(operation, *args, **kwargs):
    """The operation's answer at that moment: True if it did it, False if it refused.
    Either way nothing is kept, so the next moment starts from the same state."""
    savepoint = db.session.begin_nested()
    try:
        operation(*args, **kwargs)
    except DomainError:
        return False
    finally:
        savepoint.rollback()
        db.session.expire_all()  # what the operation read back inside is gone too
    return True


def session_path(scene):
    return f"/sessions/{scene.program_session.id}"


# Booking online -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment, open_",
    [
        (OPENS - MINUTE, False),  # the page once offered Book 20 days ahead
        (OPENS, True),
        (STARTS - MINUTE, True),
        (STARTS, False),
    ],
)
def test_the_book_form_is_offered_exactly_while_bookings_are_open(
    client, clock, scene, moment, open_
):
    sign_in(client, scene.resident)
    page = page_at(client, clock, moment, session_path(scene))
    assert offers(page, f"{session_path(scene)}/book") is open_
    resident = scene.resident
    assert (
        accepts(book_seat, scene.program_session, actor=resident, resident=resident, now=moment)
        is open_
    )


def test_before_bookings_open_the_page_says_when_they_do(client, clock, scene):
    sign_in(client, scene.resident)
    page = page_at(client, clock, OPENS - MINUTE, session_path(scene))
    assert "Bookings for this session open on" in page


def test_bookings_closing_hours_before_the_start_close_the_form_then(client, clock, make):
    scene = program_scene(make, starts_at=STARTS, **{**RULES, "booking_closes_hours": 3})
    closes = STARTS - timedelta(hours=3)
    sign_in(client, scene.resident)
    for moment, open_ in ((closes - MINUTE, True), (closes, False)):
        page = page_at(client, clock, moment, session_path(scene))
        assert offers(page, f"{session_path(scene)}/book") is open_
        assert (
            accepts(
                book_seat,
                scene.program_session,
                actor=scene.resident,
                resident=scene.resident,
                now=moment,
            )
            is open_
        )


def test_a_cancelled_session_offers_no_booking_online_or_by_phone(client, clock, scene):
    cancel_session(scene.program_session, actor=scene.coordinator, now=OPENS)
    db.session.commit()
    moment = OPENS + timedelta(days=1)
    sign_in(client, scene.resident)
    assert not offers(page_at(client, clock, moment, session_path(scene)), "/book")
    assert not accepts(
        book_seat,
        scene.program_session,
        actor=scene.resident,
        resident=scene.resident,
        now=moment,
    )
    sign_in_directly(client, scene.coordinator)
    page = page_at(client, clock, moment, session_path(scene))
    assert not offers(page, f"{session_path(scene)}/phone-bookings")
    assert not accepts(phone_booking, scene, moment)


def test_outside_the_running_stage_no_booking_is_offered(client, clock, make):
    scene = program_scene(make, stage=Stage.PLANNING, starts_at=STARTS, **RULES)
    moment = OPENS + timedelta(days=1)
    sign_in(client, scene.resident)
    assert not offers(page_at(client, clock, moment, session_path(scene)), "/book")
    assert not accepts(
        book_seat,
        scene.program_session,
        actor=scene.resident,
        resident=scene.resident,
        now=moment,
    )


def phone_booking(scene, moment):
    return book_seat(
        scene.program_session,
        actor=scene.coordinator,
        name="전화 예약",
        channel=BookingChannel.PHONE,
        now=moment,
    )


@pytest.mark.parametrize(
    "moment, open_",
    [(OPENS - timedelta(days=20), True), (STARTS - MINUTE, True), (STARTS, False)],
)
def test_the_phone_booking_form_is_offered_until_the_start(client, clock, scene, moment, open_):
    sign_in(client, scene.coordinator)
    page = page_at(client, clock, moment, session_path(scene))
    assert offers(page, f"{session_path(scene)}/phone-bookings") is open_
    assert accepts(phone_booking, scene, moment) is open_


# Cancelling -----------------------------------------------------------------------------


def resident_booking(scene):
    booking = book_seat(
        scene.program_session, actor=scene.resident, resident=scene.resident, now=OPENS
    )
    db.session.commit()
    return booking


@pytest.mark.parametrize(
    "moment, open_",
    [
        (CANCEL_DEADLINE - MINUTE, True),
        (CANCEL_DEADLINE, False),  # the page once offered Cancel until the start
        (STARTS - MINUTE, False),
    ],
)
def test_a_resident_is_offered_cancel_exactly_until_the_deadline(
    client, clock, scene, moment, open_
):
    booking = resident_booking(scene)
    cancel = f"/bookings/{booking.id}/cancel"
    sign_in(client, scene.resident)
    assert offers_to_cancel(page_at(client, clock, moment, session_path(scene)), cancel) is open_
    booking_page = page_at(client, clock, moment, f"/bookings/{booking.id}")
    assert offers_to_cancel(booking_page, cancel) is open_
    assert offers(page_at(client, clock, moment, cancel), cancel) is open_  # the page asking
    assert accepts(cancel_booking, booking, actor=scene.resident, now=moment) is open_


@pytest.mark.parametrize(
    "moment, open_", [(CANCEL_DEADLINE, True), (ENDS - MINUTE, True), (ENDS, False)]
)
def test_the_coordinator_is_offered_cancel_until_the_session_ends(
    client, clock, scene, moment, open_
):
    booking = resident_booking(scene)
    cancel = f"/bookings/{booking.id}/cancel"
    sign_in(client, scene.coordinator)
    assert offers_to_cancel(page_at(client, clock, moment, session_path(scene)), cancel) is open_
    assert offers(page_at(client, clock, moment, cancel), cancel) is open_  # the page asking
    assert accepts(cancel_booking, booking, actor=scene.coordinator, now=moment) is open_


def test_a_cancelled_booking_offers_no_cancel(client, clock, scene):
    booking = resident_booking(scene)
    cancel_booking(booking, actor=scene.resident, now=OPENS)
    db.session.commit()
    sign_in(client, scene.resident)
    page = page_at(client, clock, OPENS + MINUTE, f"/bookings/{booking.id}")
    assert not offers_to_cancel(page, f"/bookings/{booking.id}/cancel")
    assert not accepts(cancel_booking, booking, actor=scene.resident, now=OPENS + MINUTE)


# At the door ----------------------------------------------------------------------------


def at_the_door(client, clock, scene, booking):
    """(the session page offers check-in, it offers a walk-in, the QR page offers check-in)"""
    sign_in(client, scene.coordinator)
    page = page_at(client, clock, STARTS, session_path(scene))
    qr_page = page_at(client, clock, STARTS, f"/check-in/{booking.code}")
    check_in_action = f"/bookings/{booking.id}/check-in"
    return (
        offers(page, check_in_action),
        offers(page, f"{session_path(scene)}/walk-ins"),
        offers(qr_page, check_in_action),
    )


def test_check_in_is_offered_while_the_programme_runs(client, clock, scene):
    booking = resident_booking(scene)
    assert at_the_door(client, clock, scene, booking) == (True, True, True)
    assert accepts(check_in, booking, actor=scene.coordinator, now=STARTS)
    assert accepts(mark_no_show, booking, actor=scene.coordinator, now=STARTS)
    assert accepts(
        add_walk_in, scene.program_session, actor=scene.coordinator, name="이웃", now=STARTS
    )


def test_a_cancelled_session_offers_no_check_in(client, clock, scene):
    booking = resident_booking(scene)
    cancel_session(scene.program_session, actor=scene.coordinator, now=OPENS)
    db.session.commit()
    assert at_the_door(client, clock, scene, booking) == (False, False, False)
    assert not accepts(check_in, booking, actor=scene.coordinator, now=STARTS)
    assert not accepts(
        add_walk_in, scene.program_session, actor=scene.coordinator, name="이웃", now=STARTS
    )


def test_after_the_evaluation_no_check_in_is_offered(client, clock, scene):
    booking = resident_booking(scene)
    scene.participation.stage = Stage.CLOSED
    db.session.commit()
    assert at_the_door(client, clock, scene, booking) == (False, False, False)
    assert not accepts(check_in, booking, actor=scene.coordinator, now=STARTS)


def test_someone_checked_in_is_not_offered_check_in_again(client, clock, scene):
    booking = resident_booking(scene)
    check_in(booking, actor=scene.coordinator, now=STARTS)
    db.session.commit()
    assert at_the_door(client, clock, scene, booking) == (False, True, False)
    assert booking.awaits_attendance(STARTS) is False


# The attendance window: an hour before the start until a week after the end (config.py).
ATTENDANCE_OPENS = STARTS - timedelta(hours=1)
ATTENDANCE_CLOSES = ENDS + timedelta(days=7)


@pytest.mark.parametrize(
    "moment, open_",
    [
        (STARTS - timedelta(days=4), False),  # once accepted, counted and frozen at sign-off
        (ATTENDANCE_OPENS - MINUTE, False),
        (ATTENDANCE_OPENS, True),
        (ATTENDANCE_CLOSES - MINUTE, True),
        (ATTENDANCE_CLOSES, False),
    ],
)
def test_check_in_is_offered_exactly_while_attendance_is_taken(client, clock, scene, moment, open_):
    booking = resident_booking(scene)
    sign_in(client, scene.coordinator)
    page = page_at(client, clock, moment, session_path(scene))
    qr_page = page_at(client, clock, moment, f"/check-in/{booking.code}")
    assert offers(page, f"/bookings/{booking.id}/check-in") is open_
    assert offers(page, f"/bookings/{booking.id}/no-show") is open_
    assert offers(page, f"{session_path(scene)}/walk-ins") is open_
    assert offers(page, f"{session_path(scene)}/check-in-code") is open_
    assert offers(qr_page, f"/bookings/{booking.id}/check-in") is open_
    assert accepts(check_in, booking, actor=scene.coordinator, now=moment) is open_
    assert accepts(mark_no_show, booking, actor=scene.coordinator, now=moment) is open_
    assert (
        accepts(
            add_walk_in, scene.program_session, actor=scene.coordinator, name="이웃", now=moment
        )
        is open_
    )


@pytest.mark.parametrize(
    "moment, open_",
    [
        (ATTENDANCE_OPENS - MINUTE, False),
        (ATTENDANCE_OPENS, True),
        (ATTENDANCE_CLOSES - MINUTE, True),
        (ATTENDANCE_CLOSES, False),
    ],
)
def test_volunteers_are_checked_in_in_the_same_window(client, clock, scene, moment, open_):
    entry = volunteer_for(
        scene.program_session, resident=scene.resident, actor=scene.resident, now=OPENS
    )
    db.session.commit()
    sign_in(client, scene.coordinator)
    page = page_at(client, clock, moment, session_path(scene))
    assert offers(page, f"/roster/{entry.id}/check-in") is open_
    assert offers(page, f"/roster/{entry.id}/no-show") is open_
    assert accepts(check_in_volunteer, entry, actor=scene.coordinator, now=moment) is open_
    assert accepts(mark_volunteer_no_show, entry, actor=scene.coordinator, now=moment) is open_


def test_before_check_in_opens_the_pages_say_when_it_does(client, clock, scene):
    booking = resident_booking(scene)
    sign_in(client, scene.coordinator)
    for path in (session_path(scene), f"/check-in/{booking.code}"):
        page = page_at(client, clock, ATTENDANCE_OPENS - MINUTE, path)
        assert "Check-in opens on" in page


def test_a_correction_is_offered_once_attendance_is_recorded_even_after_the_window(
    client, clock, scene
):
    booking = resident_booking(scene)
    correction = f"/bookings/{booking.id}/attendance"
    sign_in(client, scene.coordinator)
    assert 'href="' + correction not in page_at(client, clock, STARTS, session_path(scene))
    check_in(booking, actor=scene.coordinator, now=STARTS)
    db.session.commit()
    for moment in (STARTS, ATTENDANCE_CLOSES + timedelta(days=30)):
        assert 'href="' + correction in page_at(client, clock, moment, session_path(scene))
        assert offers(page_at(client, clock, moment, correction), correction)
        assert accepts(
            correct_attendance,
            booking,
            Attendance.NO_SHOW,
            actor=scene.coordinator,
            reason="다른 아이와 혼동",
            now=moment,
        )


# Volunteering and feedback --------------------------------------------------------------


@pytest.mark.parametrize("moment, open_", [(STARTS - MINUTE, True), (STARTS, False)])
def test_volunteering_is_offered_until_the_shift_begins(client, clock, scene, moment, open_):
    sign_in(client, scene.resident)
    page = page_at(client, clock, moment, session_path(scene))
    assert offers(page, f"{session_path(scene)}/volunteer") is open_
    assert (
        accepts(
            volunteer_for,
            scene.program_session,
            resident=scene.resident,
            actor=scene.resident,
            now=moment,
        )
        is open_
    )


@pytest.mark.parametrize("moment, open_", [(STARTS - MINUTE, True), (STARTS, False)])
def test_leaving_a_shift_is_offered_until_it_begins(client, clock, scene, moment, open_):
    entry = volunteer_for(
        scene.program_session, resident=scene.resident, actor=scene.resident, now=OPENS
    )
    db.session.commit()
    sign_in(client, scene.resident)
    page = page_at(client, clock, moment, session_path(scene))
    assert offers(page, f"/roster/{entry.id}/remove") is open_
    assert accepts(remove_from_roster, entry, actor=scene.resident, now=moment) is open_


def feedback(scene, moment):
    return give_feedback(
        scene.program_session,
        resident=scene.resident,
        rating=5,
        change_topic=ChangeTopic.NOTHING,
        actor=scene.resident,
        now=moment,
    )


def attended(scene):
    booking = resident_booking(scene)
    check_in(booking, actor=scene.coordinator, now=STARTS)
    db.session.commit()


@pytest.mark.parametrize("moment, open_", [(STARTS - MINUTE, False), (STARTS, True)])
def test_feedback_is_asked_for_once_the_session_has_begun(client, clock, scene, moment, open_):
    attended(scene)
    sign_in(client, scene.resident)
    page = page_at(client, clock, moment, session_path(scene))
    assert offers(page, f"{session_path(scene)}/feedback") is open_
    assert accepts(feedback, scene, moment) is open_


def test_feedback_once_given_is_not_asked_for_again(client, clock, scene):
    attended(scene)
    feedback(scene, ENDS)
    db.session.commit()
    sign_in(client, scene.resident)
    page = page_at(client, clock, ENDS, session_path(scene))
    assert not offers(page, f"{session_path(scene)}/feedback")
    assert "You have already given feedback on this session" in page
    assert not accepts(feedback, scene, ENDS)
