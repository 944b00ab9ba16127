"""Calendar feeds: private revocable links, no login needed, parsed back with icalendar,
times in Asia/Seoul."""

from datetime import datetime

from icalendar import Calendar
from sqlalchemy import select

from gachi.core.time import SEOUL
from gachi.extensions import db
from gachi.programs.bookings.models import BookingChannel
from gachi.programs.bookings.operations import book_seat
from gachi.programs.calendar.models import CalendarKind, CalendarToken
from gachi.programs.calendar.operations import create_calendar_link, revoke_calendar_link
from gachi.programs.rosters.operations import volunteer_for
from tests.conftest import post_form, sign_in
from tests.programs.helpers import add_session, program_scene


def events(body):
    calendar = Calendar.from_ical(body)
    return calendar, list(calendar.walk("VEVENT"))


def test_a_residents_feed_has_their_bookings_and_shifts_in_seoul_time(app, make):
    scene = program_scene(make, starts_at=datetime(2030, 11, 12, 14, tzinfo=SEOUL))
    shift = add_session(scene.program, datetime(2030, 11, 13, 14, tzinfo=SEOUL))
    book_seat(
        scene.program_session,
        actor=scene.coordinator,
        resident=scene.resident,
        dependants="민준",
        channel=BookingChannel.PHONE,
    )
    volunteer_for(shift, resident=scene.resident, actor=scene.resident)
    token = create_calendar_link(scene.resident, kind=CalendarKind.PERSONAL, actor=scene.resident)
    db.session.commit()
    response = app.test_client().get(f"/calendar/{token.token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar, found = events(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    starts = sorted(event.decoded("dtstart") for event in found)
    assert starts[0] == datetime(2030, 11, 12, 14, tzinfo=SEOUL)
    assert all(event["dtstart"].params["TZID"] == "Asia/Seoul" for event in found)
    assert starts[0].hour == 14 and len(found) == 2


def test_a_complex_feed_shows_its_public_sessions(app, make):
    scene = program_scene(make)
    token = create_calendar_link(
        scene.resident,
        kind=CalendarKind.COMPLEX,
        complex_=scene.participation.complex,
        actor=scene.resident,
    )
    db.session.commit()
    _calendar, found = events(app.test_client().get(f"/calendar/{token.token}.ics").data)
    assert [str(event["summary"]) for event in found] == ["공동 아이돌봄"]


def test_a_revoked_or_unknown_link_is_a_404(app, make):
    scene = program_scene(make)
    token = create_calendar_link(scene.resident, kind=CalendarKind.PERSONAL, actor=scene.resident)
    revoke_calendar_link(token, actor=scene.resident)
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/calendar/{token.token}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_a_resident_makes_and_revokes_a_link_on_the_page(client, make):
    scene = program_scene(make)
    sign_in(client, scene.resident)
    assert post_form(client, "/my/calendar", {"kind": "complex"}).status_code == 302
    token = db.session.scalars(select(CalendarToken)).one()
    assert token.token in client.get("/my/calendar").get_data(as_text=True)
    assert post_form(client, f"/my/calendar/{token.id}/revoke").status_code == 302
    assert client.get(f"/calendar/{token.token}.ics").status_code == 404
    post_form(client, "/logout")
    sign_in(client, make.resident(scene.participation.complex))
    assert post_form(client, f"/my/calendar/{token.id}/revoke").status_code == 404
