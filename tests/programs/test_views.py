"""What only HTTP shows: who sees which session (404 outside scope), bookings through the
form with their 4xx refusals (nothing stored), check-in pages, the QR code, pages open."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from gachi.extensions import db
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.bookings.operations import book_seat
from gachi.programs.sessions.models import ProgramSession
from tests.conftest import post_form, sign_in
from tests.programs.helpers import a_day_without_holidays_ahead, program_scene

KEY = re.compile(r'name="request_key" type="hidden" value="([^"]+)"')


def bookings_count():
    return db.session.scalar(select(func.count(Booking.id)))


def book_through_the_form(client, session_id, **data):
    page = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    key = KEY.search(page).group(1)
    return post_form(
        client,
        f"/sessions/{session_id}/book",
        {"party_size": "1", "dependants": "민준, 4세", "request_key": key, **data},
    )


def test_a_resident_books_through_the_form_and_sees_the_code_and_qr(client, make):
    scene = program_scene(make)
    sign_in(client, scene.resident)
    response = book_through_the_form(client, scene.program_session.id)
    assert response.status_code == 302
    booking = db.session.scalars(select(Booking)).one()
    page = client.get(response.location).get_data(as_text=True)
    assert booking.code[:4] in page and "Confirmed" in page
    qr = client.get(f"/bookings/{booking.id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"


def test_the_same_form_sent_twice_books_once(client, make):
    scene = program_scene(make)
    sign_in(client, scene.resident)
    page = client.get(f"/sessions/{scene.program_session.id}").get_data(as_text=True)
    data = {"party_size": "1", "request_key": KEY.search(page).group(1)}
    first = post_form(client, f"/sessions/{scene.program_session.id}/book", data)
    second = post_form(client, f"/sessions/{scene.program_session.id}/book", data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert bookings_count() == 1


def test_a_booking_after_the_deadline_is_a_409_and_stores_nothing(client, make):
    from gachi.core.time import utcnow

    scene = program_scene(make, starts_at=utcnow() + timedelta(hours=1), booking_closes_hours=2)
    sign_in(client, scene.resident)
    # The page offers no Book form any more (tests/programs/test_page_rules.py); a form
    # kept open in another tab is still refused.
    response = post_form(
        client,
        f"/sessions/{scene.program_session.id}/book",
        {"party_size": "1", "request_key": "an-old-tab"},
    )
    assert response.status_code == 409
    assert "Bookings for this session closed" in response.get_data(as_text=True)
    assert bookings_count() == 0


def test_another_complexs_session_is_a_404(client, make):
    scene = program_scene(make)
    stranger = make.resident(make.complex_())
    sign_in(client, stranger)
    assert client.get(f"/sessions/{scene.program_session.id}").status_code == 404
    assert (
        post_form(
            client,
            f"/sessions/{scene.program_session.id}/book",
            {"party_size": "1", "request_key": "x"},
        ).status_code
        == 404
    )
    assert client.get(f"/programs/{scene.program.id}").status_code == 404
    assert bookings_count() == 0


def test_a_forged_session_id_is_a_404(client, make):
    scene = program_scene(make)
    sign_in(client, scene.resident)
    assert (
        post_form(
            client, "/sessions/999999/book", {"party_size": "1", "request_key": "x"}
        ).status_code
        == 404
    )
    assert client.get("/sessions/abc").status_code == 404
    assert bookings_count() == 0


def test_a_bad_party_size_is_a_400(client, make):
    scene = program_scene(make)
    sign_in(client, scene.resident)
    assert (
        book_through_the_form(client, scene.program_session.id, party_size="lots").status_code
        == 400
    )
    assert (
        book_through_the_form(client, scene.program_session.id, party_size="9").status_code == 400
    )
    assert bookings_count() == 0


def soon():
    """A session starting in half an hour: its check-in is open (an hour before)."""
    from gachi.core.time import utcnow

    return utcnow() + timedelta(minutes=30)


def test_a_partner_of_the_delivering_enterprise_checks_people_in(client, make):
    scene = program_scene(make, starts_at=soon())
    booking = book_seat(
        scene.program_session,
        actor=scene.resident,
        resident=scene.resident,
        now=scene.program_session.starts_at - timedelta(days=1),
    )
    db.session.commit()
    sign_in(client, scene.partner)
    assert scene.program.title in client.get("/partner/sessions").get_data(as_text=True)
    page = client.get(f"/check-in/{booking.code}")
    assert page.status_code == 200 and "박서진" in page.get_data(as_text=True)
    assert post_form(client, f"/bookings/{booking.id}/check-in").status_code == 302
    db.session.refresh(booking)
    assert booking.attendance.value == "attended"


def test_a_partner_of_another_enterprise_gets_404(client, make):
    scene = program_scene(make)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    db.session.commit()
    sign_in(client, make.partner())
    assert client.get(f"/sessions/{scene.program_session.id}").status_code == 404
    assert client.get(f"/check-in/{booking.code}").status_code == 404
    assert post_form(client, f"/bookings/{booking.id}/check-in").status_code == 404


def test_a_resident_cannot_check_in_or_open_the_runners_page(client, make):
    scene = program_scene(make)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    db.session.commit()
    other = make.resident(scene.participation.complex)
    sign_in(client, other)
    assert post_form(client, f"/bookings/{booking.id}/check-in").status_code == 404
    assert client.get(f"/bookings/{booking.id}").status_code == 404


def test_the_coordinator_takes_a_phone_booking_and_checks_in_by_code(client, make):
    scene = program_scene(make, starts_at=soon())
    sign_in(client, scene.coordinator)
    page = client.get(f"/sessions/{scene.program_session.id}").get_data(as_text=True)
    keys = KEY.findall(page)
    response = post_form(
        client,
        f"/sessions/{scene.program_session.id}/phone-bookings",
        {"resident_id": str(scene.resident.id), "party_size": "2", "request_key": keys[-1]},
    )
    assert response.status_code == 302
    booking = db.session.scalars(select(Booking)).one()
    assert (booking.status, booking.party_size) == (BookingStatus.CONFIRMED, 2)
    code = f"{booking.code[:4].lower()}-{booking.code[4:]}"
    assert (
        post_form(
            client, f"/sessions/{scene.program_session.id}/check-in-code", {"code": code}
        ).status_code
        == 302
    )
    db.session.refresh(booking)
    assert booking.attendance.value == "attended"
    assert (
        post_form(
            client, f"/sessions/{scene.program_session.id}/check-in-code", {"code": "NOPE"}
        ).status_code
        == 400
    )


def test_pages_open_for_the_coordinator(client, make):
    scene = program_scene(make)
    sign_in(client, scene.coordinator)
    pid = scene.participation.id
    for path in (
        f"/participations/{pid}/programs",
        f"/participations/{pid}/programs/new",
        f"/programs/{scene.program.id}",
        f"/programs/{scene.program.id}/edit",
        f"/programs/{scene.program.id}/feedback",
        f"/participations/{pid}/volunteer-hours",
    ):
        assert client.get(path).status_code == 200, path


def test_the_coordinator_creates_a_programme_and_sets_its_schedule(client, make):
    scene = program_scene(make)
    sign_in(client, scene.coordinator)
    response = post_form(
        client,
        f"/participations/{scene.participation.id}/programs/new",
        {
            "title": "주말 돌봄",
            "problem_id": str(scene.problem.id),
            "enterprise_ids": str(scene.enterprise.id),
            "fee": "0",
            "capacity_kind": "seats",
            "default_capacity": "12",
            "residents_may_book": "y",
            "booking_opens_days": "30",
            "booking_closes_hours": "0",
            "cancel_hours": "2",
            "max_party_size": "3",
            "waiting_list": "y",
            "reminder_hours": "24",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    program_path = response.location
    start = a_day_without_holidays_ahead(weeks=2)
    response = post_form(
        client,
        f"{program_path}/schedule",
        {
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=13)).isoformat(),
            "weekdays": ["5", "6"],
            "start_time": "10:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 302
    assert "4 added" in client.get(program_path).get_data(as_text=True)
    bad = post_form(
        client,
        f"{program_path}/schedule",
        {
            "starts_on": start.isoformat(),
            "ends_on": start.isoformat(),
            "weekdays": ["5"],
            "start_time": "12:00",
            "end_time": "10:00",
        },
    )
    assert bad.status_code == 400 and "end time" in bad.get_data(as_text=True)


def test_a_resident_cannot_open_the_coordinators_pages(client, make):
    scene = program_scene(make)
    sign_in(client, scene.resident)
    assert client.get(f"/programs/{scene.program.id}/feedback").status_code == 403
    assert client.get(f"/participations/{scene.participation.id}/programs/new").status_code == 404
    assert client.get(f"/programs/{scene.program.id}").status_code == 200
    assert client.get("/my/bookings").status_code == 200


def sessions_count(program):
    return db.session.scalar(
        select(func.count(ProgramSession.id)).where(ProgramSession.program_id == program.id)
    )


def test_a_one_off_event_outside_2000_to_2100_is_a_400_not_a_500(client, make):
    scene = program_scene(make)
    sign_in(client, scene.coordinator)
    for starts_at in ("0001-01-01T00:00", "1999-12-31T23:59", "2101-01-01T00:00"):
        response = post_form(
            client,
            f"/programs/{scene.program.id}/sessions",
            {"starts_at": starts_at, "ends_at": "2026-06-01T12:00", "capacity": "10"},
        )
        assert response.status_code == 400, starts_at
        assert "Enter a date from 2000-01-01 to 2100-12-31." in response.get_data(as_text=True)
    assert sessions_count(scene.program) == 1
    response = post_form(
        client,
        f"/programs/{scene.program.id}/sessions",
        {"starts_at": "2100-12-31T10:00", "ends_at": "2100-12-31T12:00", "capacity": "10"},
    )
    assert response.status_code == 302 and sessions_count(scene.program) == 2


def test_a_schedule_change_shows_the_sessions_it_removes_and_waits_for_confirmation(client, make):
    scene = program_scene(make)
    sign_in(client, scene.coordinator)
    start = a_day_without_holidays_ahead()
    week = {
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=6)).isoformat(),
        "weekdays": [str(day) for day in range(7)],
        "start_time": "10:00",
        "end_time": "12:00",
    }
    assert post_form(client, f"/programs/{scene.program.id}/schedule", week).status_code == 302
    last = db.session.scalars(
        select(ProgramSession)
        .where(ProgramSession.program_id == scene.program.id)
        .order_by(ProgramSession.starts_at.desc())
    ).first()
    book_seat(last, actor=scene.resident, resident=scene.resident)
    db.session.commit()
    shorter = {**week, "ends_on": (start + timedelta(days=2)).isoformat()}

    asked = post_form(client, f"/programs/{scene.program.id}/schedule", shorter)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "This change removes 3 sessions" in page
    assert "These stay as they are" in page and f"/sessions/{last.id}" in page
    assert sessions_count(scene.program) == 1 + 7  # nothing removed, nothing saved
    token = re.search(r'name="confirmed" type="hidden" value="([0-9a-f]+)"', page).group(1)

    confirmed = post_form(
        client, f"/programs/{scene.program.id}/schedule", {**shorter, "confirmed": token}
    )
    assert confirmed.status_code == 302
    assert sessions_count(scene.program) == 1 + 7 - 3
    assert db.session.get(ProgramSession, last.id).state.value == "scheduled"


def test_a_schedule_in_1900_is_refused_and_no_future_session_is_deleted(client, make):
    scene = program_scene(make)
    sign_in(client, scene.coordinator)
    response = post_form(
        client,
        f"/programs/{scene.program.id}/schedule",
        {
            "starts_on": "1900-01-01",
            "ends_on": "1900-03-01",
            "weekdays": ["0", "2"],
            "start_time": "10:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 400
    assert "Enter a date from 2000-01-01 to 2100-12-31." in response.get_data(as_text=True)
    assert sessions_count(scene.program) == 1


def test_a_one_off_event_in_year_1_is_refused_in_korean(korean_client, make):
    scene = program_scene(make)
    sign_in(korean_client, scene.coordinator)
    response = post_form(
        korean_client,
        f"/programs/{scene.program.id}/sessions",
        {"starts_at": "0001-01-01T00:00", "ends_at": "0001-01-01T02:00", "capacity": "10"},
    )
    assert response.status_code == 400
    assert "2000-01-01부터 2100-12-31까지의 날짜를 입력하세요." in response.get_data(as_text=True)
    assert sessions_count(scene.program) == 1


CONFIRM_TOKEN = re.compile(r'name="confirmed" type="hidden" value="([^"]*)"')


def test_a_coordinator_confirms_the_sessions_a_shorter_schedule_removes(client, make):
    scene = program_scene(make)
    sign_in(client, scene.coordinator)
    schedule = f"/programs/{scene.program.id}/schedule"
    week = {"starts_on": "2030-03-04", "start_time": "14:00", "end_time": "18:00"}
    week_days = {**week, "weekdays": ["0", "1", "2", "3", "4"]}
    made = post_form(client, schedule, {**week_days, "ends_on": "2030-03-08"})
    assert made.status_code == 302
    sessions = db.session.scalar(select(func.count(ProgramSession.id)))

    asked = post_form(client, schedule, {**week_days, "ends_on": "2030-03-06"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "This change removes 2 sessions" in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ProgramSession.id))) == sessions
    assert scene.program.ends_on.isoformat() == "2030-03-08"  # nothing saved yet

    token = CONFIRM_TOKEN.search(page).group(1)
    done = post_form(client, schedule, {**week_days, "ends_on": "2030-03-06", "confirmed": token})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ProgramSession.id))) == sessions - 2
    assert scene.program.ends_on.isoformat() == "2030-03-06"
