"""On a phone (390 × 844), each resident page shows its main action in the first screen,
and the rating circles are big enough for a fingertip (44 px): in Korean as residents
read it, and in English. Screenshots in tests/screenshots/phone-*.png."""

from datetime import timedelta

import pytest

from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance
from gachi.programs.bookings.operations import book_seat
from tests.ballots.helpers import a_ballot, ballot_scene
from tests.browser.conftest import sign_in_in_browser
from tests.factories import PASSWORD
from tests.programs.helpers import add_session, days_ahead, program_scene

PHONE = {"width": 390, "height": 844}
FINGERTIP = 44


def on_a_phone(browser, live_server, username, language):
    page = browser.new_context(viewport=PHONE, device_scale_factor=1).new_page()
    page.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    sign_in_in_browser(page, live_server, username, PASSWORD)
    return page


def top_of(page, selector, screenshots, name):
    page.screenshot(
        path=str(screenshots / f"phone-{name}-{page.evaluate('document.documentElement.lang')}.png")
    )
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{name}: no {selector}"
    return box["top"] if "top" in box else box["y"]


def a_session_attended_yesterday(scene):
    held = add_session(scene.program, days_ahead(3))
    booking = book_seat(held, actor=scene.resident, resident=scene.resident)
    held.starts_at, held.ends_at = utcnow() - timedelta(days=1), utcnow() - timedelta(hours=20)
    booking.attendance = Attendance.ATTENDED
    db.session.commit()
    return held


@pytest.mark.browser
@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_residents_main_action_is_in_the_first_screen_of_a_phone(
    browser, live_server, screenshots, make, language
):
    scene = program_scene(make)
    held = a_session_attended_yesterday(scene)
    voting = ballot_scene(make)
    ballot = a_ballot(voting)
    session_id, held_id, ballot_id = scene.program_session.id, held.id, ballot.id
    resident, voter = scene.resident.username, voting.residents[0].username
    db.session.commit()  # end the test's (SQLite write) transaction before the browser comes

    page = on_a_phone(browser, live_server, resident, language)
    page.goto(f"{live_server}/my/complex")
    assert top_of(page, "#next-steps .actions a", screenshots, "home") < PHONE["height"]
    page.goto(f"{live_server}/sessions/{session_id}")
    book = "main form[action$='/book'] button[type=submit]"
    assert top_of(page, book, screenshots, "session") < PHONE["height"]
    page.goto(f"{live_server}/sessions/{held_id}")
    page.screenshot(path=str(screenshots / f"phone-feedback-{language}.png"), full_page=True)
    circles = page.locator("ul.rating input[type=radio]")
    assert circles.count() == 5
    for index in range(5):
        box = circles.nth(index).bounding_box()
        assert box["width"] >= FINGERTIP and box["height"] >= FINGERTIP, box
    page.context.close()

    page = on_a_phone(browser, live_server, voter, language)
    page.goto(f"{live_server}/ballots/{ballot_id}")
    assert top_of(page, "#my-vote", screenshots, "ballot") < PHONE["height"]
    assert page.locator("details.rules").count() == 1
    page.context.close()
