"""The small things that decide whether older residents come back: a coordinator's
number they can call at a tap, asking before a booking is cancelled, and a calendar
link a phone can subscribe to by a tap or a scan."""

from datetime import timedelta

from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.bookings.operations import book_seat
from gachi.programs.calendar.models import CalendarKind
from gachi.programs.calendar.operations import create_calendar_link
from tests.complexes.helpers import confirm_on_page, signed_in, text_of
from tests.programs.helpers import program_scene


def test_a_resident_told_to_book_by_phone_can_call_the_coordinator_at_a_tap(client, make):
    scene = program_scene(make, residents_may_book=False)
    scene.coordinator.phone = "010-2345-6789"
    db.session.commit()
    signed_in(client, scene.resident)
    page = text_of(client.get(f"/sessions/{scene.program_session.id}"))
    assert "Book this session by phone with your coordinator." in page
    assert '<a class="tel" href="tel:01023456789">Call 010-2345-6789</a>' in page


def test_a_resident_is_asked_before_their_booking_is_cancelled(client, make):
    scene = program_scene(make)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    db.session.commit()
    signed_in(client, scene.resident)
    detail = text_of(client.get(f"/bookings/{booking.id}"))
    assert f'href="/bookings/{booking.id}/cancel"' in detail  # a link to ask, not a button
    asking = text_of(client.get(f"/bookings/{booking.id}/cancel"))
    assert "Cancel the booking?" in asking and "공동 아이돌봄" in asking
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    assert confirm_on_page(client, f"/bookings/{booking.id}/cancel").status_code == 302
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED


def test_past_the_deadline_the_page_gives_the_coordinators_number_instead(client, make):
    scene = program_scene(make)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    scene.coordinator.phone = "02-123-4567"
    # The session now starts within the programme's cancel_hours.
    scene.program_session.starts_at = utcnow() + timedelta(minutes=90)
    scene.program_session.ends_at = utcnow() + timedelta(hours=3)
    db.session.commit()
    signed_in(client, scene.resident)
    page = text_of(client.get(f"/bookings/{booking.id}/cancel"))
    assert "This booking can no longer be cancelled here. Please call the coordinator." in page
    assert 'href="tel:021234567"' in page and 'method="post"' not in page.split("<main")[1]


def test_the_resident_home_gives_each_coordinators_number_as_a_tel_link(client, make):
    complex_ = make.complex_()
    make.coordinator(complex_, display_name="정홍권", phone="010 1111 2222")
    make.coordinator(complex_, display_name="번호없는코디")
    signed_in(client, make.resident(complex_))
    page = text_of(client.get("/my/complex"))
    assert 'href="tel:01011112222"' in page
    assert "<li>번호없는코디</li>" in page  # named, with nothing to tap


def test_a_coordinator_without_a_phone_is_asked_to_have_one_added(client, make):
    complex_ = make.complex_()
    without = make.coordinator(complex_)
    signed_in(client, without)
    assert 'id="no-phone"' in text_of(client.get("/my/complexes"))
    signed_in(client, make.coordinator(complex_, phone="010-2345-6789"))
    assert 'id="no-phone"' not in text_of(client.get("/my/complexes"))


def test_a_calendar_link_comes_as_webcal_and_as_a_qr_code(client, make):
    resident = make.resident(make.complex_())
    token = create_calendar_link(resident, kind=CalendarKind.PERSONAL, actor=resident)
    db.session.commit()
    signed_in(client, resident)
    page = text_of(client.get("/my/calendar"))
    assert f'href="webcal://localhost/calendar/{token.token}.ics"' in page
    assert 'class="qr" src="data:image/svg+xml' in page
    assert "scan the square code with your phone's camera" in page


def test_a_booking_already_cancelled_has_nothing_left_to_confirm(client, make):
    scene = program_scene(make)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    db.session.commit()
    signed_in(client, scene.resident)
    assert confirm_on_page(client, f"/bookings/{booking.id}/cancel").status_code == 302
    page = text_of(client.get(f"/bookings/{booking.id}/cancel"))
    assert "This booking is already cancelled." in page and "Please call" not in page
