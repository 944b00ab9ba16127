"""The booking journey in a real browser, in English: a resident books the childcare room
for a child, cancels, re-books from the waiting list and is moved up; the coordinator takes
a phone booking, checks people in and reads the feedback summary."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance, Booking, BookingStatus
from gachi.programs.bookings.operations import book_seat, cancel_booking
from gachi.programs.feedback.models import ChangeTopic, Feedback
from tests.browser.conftest import sign_in_in_browser
from tests.factories import PASSWORD
from tests.programs.helpers import add_session, days_ahead, program_scene


def sign_in(browser, live_server, username):
    page = browser.new_context(viewport={"width": 420, "height": 900}).new_page()
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    sign_in_in_browser(page, live_server, username, PASSWORD)
    return page


def click(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def past_feedback(scene):
    held = add_session(scene.program, days_ahead(-7))
    for rating, topic, note in (
        (5, ChangeTopic.LONGER_HOURS, "19~20시까지 연장해 주세요"),
        (4, ChangeTopic.LONGER_HOURS, "저녁까지 열어 주세요"),
        (4, ChangeTopic.ACTIVITIES, ""),
    ):
        db.session.add(
            Feedback(session_id=held.id, rating=rating, change_topic=topic, change_note=note)
        )
    db.session.commit()


@pytest.mark.browser
def test_book_cancel_wait_move_up_phone_booking_check_in_and_feedback(
    browser, live_server, screenshots, make
):
    # The session starts within the hour: bookings are still taken, and the door opens
    # for check-in (an hour before the start).
    scene = program_scene(
        make,
        capacity=2,
        starts_at=utcnow() + timedelta(minutes=40),
        booking_closes_hours=0,
        cancel_hours=0,
    )
    neighbour = make.resident(scene.participation.complex, display_name="이웃 주민")
    past_feedback(scene)
    session_id, program_id = scene.program_session.id, scene.program.id
    resident_name, coordinator_name = scene.resident.username, scene.coordinator.username
    db.session.commit()  # end the test's (SQLite write) transaction before the browser comes

    resident = sign_in(browser, live_server, resident_name)
    resident.goto(f"{live_server}/sessions/{session_id}")
    resident.fill("input[name=dependants]", "민준, 4세")
    click(resident, "Book")
    assert "Booked. Your booking code is" in resident.locator("main").inner_text()
    assert resident.locator("img.qr").count() == 1
    with resident.expect_navigation():  # a page that asks first
        resident.get_by_role("link", name="Cancel my booking", exact=True).click()
    click(resident, "Cancel the booking")
    assert "The booking is cancelled." in resident.locator("main").inner_text()

    taken = book_seat(scene.program_session, actor=neighbour, resident=neighbour, party_size=2)
    db.session.commit()

    resident.goto(f"{live_server}/sessions/{session_id}")
    resident.fill("input[name=dependants]", "민준, 4세")
    click(resident, "Join the waiting list")
    assert "number 1 on the waiting list" in resident.locator("main").inner_text()

    cancel_booking(db.session.get(Booking, taken.id), actor=neighbour)
    db.session.commit()
    resident.goto(f"{live_server}/notifications")
    assert "A place came free" in resident.locator("main").inner_text()
    resident.goto(f"{live_server}/my/bookings")
    assert "Confirmed" in resident.locator(".my-bookings").inner_text()
    resident.screenshot(path=str(screenshots / "resident_bookings.png"), full_page=True)

    coordinator = sign_in(browser, live_server, coordinator_name)
    coordinator.goto(f"{live_server}/sessions/{session_id}")
    coordinator.fill("form[action$='/phone-bookings'] input[name=name]", "김할머니 손녀")
    click(coordinator, "Book for them")
    assert "김할머니 손녀 is booked (Confirmed)" in coordinator.locator("main").inner_text()
    for row_text in ("박서진", "김할머니 손녀"):
        row = coordinator.locator("table.bookings tr", has_text=row_text)
        with coordinator.expect_navigation():
            row.get_by_role("button", name="Check in").click()
    coordinator.screenshot(path=str(screenshots / "coordinator_check_in.png"), full_page=True)
    coordinator.goto(f"{live_server}/programs/{program_id}/feedback")
    summary = coordinator.locator("main").inner_text()
    assert "Longer opening hours (2)" in summary and "19~20시까지 연장해 주세요" in summary

    db.session.expire_all()
    attended = db.session.scalars(
        select(Booking).where(Booking.attendance == Attendance.ATTENDED)
    ).all()
    assert sorted(b.who for b in attended) == ["김할머니 손녀", "박서진"]
    assert all(b.status is BookingStatus.CONFIRMED for b in attended)
    resident.context.close()
    coordinator.context.close()
