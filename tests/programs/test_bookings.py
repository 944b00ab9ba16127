"""Booking seats and stock: capacity never exceeded, waiting lists in order, cancellations
that move the first waiting person up, deadlines, parties and double submits."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.i18n import LANGUAGE_COOKIE
from gachi.extensions import db
from gachi.notifications.models import Notification
from gachi.programs.bookings.models import Attendance, Booking, BookingChannel, BookingStatus
from gachi.programs.bookings.operations import (
    BookingClosed,
    SessionFull,
    add_walk_in,
    book_seat,
    cancel_booking,
    check_in,
    mark_no_show,
    waiting_position,
)
from gachi.programs.models import CapacityKind
from gachi.programs.sessions.models import ProgramSession, SessionState
from tests.conftest import csrf_token, sign_in_directly
from tests.core.test_database import run_together
from tests.programs.helpers import program_scene


def count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_a_resident_books_a_seat_for_a_child_and_gets_a_code(make):
    scene = program_scene(make)
    booking = book_seat(
        scene.program_session,
        actor=scene.resident,
        resident=scene.resident,
        party_size=1,
        dependants="민준, 4세",
    )
    db.session.commit()
    assert booking.status is BookingStatus.CONFIRMED
    assert len(booking.code) == 8 and booking.dependants == "민준, 4세"
    assert db.session.get(ProgramSession, scene.program_session.id).seats_taken == 1


def test_200_simultaneous_bookings_for_the_last_3_seats_confirm_exactly_3(app, make):
    scene = program_scene(make, capacity=10, max_party_size=1)
    session_id = scene.program_session.id
    db.session.execute(ProgramSession.__table__.update().values(seats_taken=7))
    residents = [make.resident(scene.participation.complex).id for _ in range(200)]
    db.session.commit()

    def book(index):
        from gachi.auth.models import User

        resident = db.session.get(User, residents[index])
        booking = book_seat(
            db.session.get(ProgramSession, session_id), actor=resident, resident=resident
        )
        db.session.commit()
        return booking.status

    results = run_together(app, 200, book)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results.count(BookingStatus.CONFIRMED) == 3
    assert results.count(BookingStatus.WAITING) == 197
    db.session.expire_all()
    assert db.session.get(ProgramSession, session_id).seats_taken == 10
    waiting = db.session.scalars(
        select(Booking).where(Booking.status == BookingStatus.WAITING).order_by(Booking.id)
    ).all()
    assert [waiting_position(booking) for booking in waiting] == list(range(1, 198))


def test_a_cancellation_moves_the_first_waiting_person_up_and_tells_them(make):
    scene = program_scene(make, capacity=1)
    first, second, third = (make.resident(scene.participation.complex) for _ in range(3))
    confirmed = book_seat(scene.program_session, actor=first, resident=first)
    waiting_1 = book_seat(scene.program_session, actor=second, resident=second)
    waiting_2 = book_seat(scene.program_session, actor=third, resident=third)
    db.session.commit()
    assert (waiting_position(waiting_1), waiting_position(waiting_2)) == (1, 2)

    moved = cancel_booking(confirmed, actor=first)
    db.session.commit()
    assert moved == [waiting_1]
    assert waiting_1.status is BookingStatus.CONFIRMED and waiting_position(waiting_2) == 1
    notice = db.session.scalars(select(Notification).where(Notification.user_id == second.id)).one()
    assert "is confirmed" in notice.text and notice.link == f"/sessions/{scene.program_session.id}"
    assert db.session.get(ProgramSession, scene.program_session.id).seats_taken == 1


def test_nobody_jumps_the_waiting_line(make):
    scene = program_scene(make, capacity=2)
    holder, family, single = (make.resident(scene.participation.complex) for _ in range(3))
    held = book_seat(scene.program_session, actor=holder, resident=holder, party_size=1)
    book_seat(scene.program_session, actor=family, resident=family, party_size=2)
    late = book_seat(scene.program_session, actor=single, resident=single, party_size=1)
    assert late.status is BookingStatus.WAITING  # a seat is free, but a family waits first
    assert cancel_booking(held, actor=holder)[0].user_id == family.id


def test_a_party_larger_than_the_seats_left_waits_when_the_programme_keeps_a_list(make):
    scene = program_scene(make, capacity=3)
    other = make.resident(scene.participation.complex)
    book_seat(scene.program_session, actor=other, resident=other, party_size=2)
    assert (
        book_seat(
            scene.program_session, actor=scene.resident, resident=scene.resident, party_size=2
        ).status
        is BookingStatus.WAITING
    )


def test_a_party_larger_than_the_seats_left_is_refused_without_a_waiting_list(make):
    scene = program_scene(make, capacity=3, waiting_list=False)
    neighbour = make.resident(scene.participation.complex)
    book_seat(scene.program_session, actor=neighbour, resident=neighbour, party_size=2)
    db.session.commit()
    with pytest.raises(SessionFull, match="Only 1 places are left"):
        book_seat(
            scene.program_session, actor=scene.resident, resident=scene.resident, party_size=2
        )
    db.session.rollback()
    assert count(Booking, Booking.session_id == scene.program_session.id) == 1


def test_a_party_above_the_programme_limit_is_refused(make):
    scene = program_scene(make, max_party_size=2)
    with pytest.raises(DomainError, match="At most 2 places"):
        book_seat(
            scene.program_session, actor=scene.resident, resident=scene.resident, party_size=3
        )


def test_a_booking_after_the_deadline_is_refused(make):
    scene = program_scene(make, booking_closes_hours=2)
    too_late = scene.program_session.starts_at - timedelta(hours=1)
    with pytest.raises(BookingClosed, match="closed on"):
        book_seat(
            scene.program_session, actor=scene.resident, resident=scene.resident, now=too_late
        )
    too_early = scene.program_session.starts_at - timedelta(days=40)
    with pytest.raises(BookingClosed, match="open on"):
        book_seat(
            scene.program_session, actor=scene.resident, resident=scene.resident, now=too_early
        )


def test_a_resident_of_another_complex_cannot_book(make):
    scene = program_scene(make)
    stranger = make.resident(make.complex_())
    with pytest.raises(NotAllowed):
        book_seat(scene.program_session, actor=stranger, resident=stranger)


def test_a_double_submitted_form_counts_once(make):
    scene = program_scene(make)
    first = book_seat(
        scene.program_session, actor=scene.resident, resident=scene.resident, request_key="form-1"
    )
    again = book_seat(
        scene.program_session, actor=scene.resident, resident=scene.resident, request_key="form-1"
    )
    db.session.commit()
    assert again.id == first.id and count(Booking) == 1
    with pytest.raises(Conflict, match="already has a booking"):
        book_seat(
            scene.program_session,
            actor=scene.resident,
            resident=scene.resident,
            request_key="form-2",
        )


def test_fifty_simultaneous_double_submits_count_once(app, make):
    scene = program_scene(make)
    session_id, resident_id = scene.program_session.id, scene.resident.id

    def submit(index):
        from gachi.auth.models import User

        resident = db.session.get(User, resident_id)
        booking = book_seat(
            db.session.get(ProgramSession, session_id),
            actor=resident,
            resident=resident,
            request_key="same-form",
        )
        db.session.commit()
        return booking.id

    results = run_together(app, 50, submit)
    assert len(set(results)) == 1 and not isinstance(results[0], Exception), results
    db.session.expire_all()
    assert count(Booking) == 1 and db.session.get(ProgramSession, session_id).seats_taken == 1


def test_a_stock_event_never_hands_out_more_than_its_stock(app, make):
    scene = program_scene(
        make, capacity=240, kind=CapacityKind.STOCK, waiting_list=False, max_party_size=3
    )
    session_id = scene.program_session.id
    residents = [make.resident(scene.participation.complex).id for _ in range(100)]

    def claim(index):
        from gachi.auth.models import User

        resident = db.session.get(User, residents[index])
        book_seat(
            db.session.get(ProgramSession, session_id),
            actor=resident,
            resident=resident,
            party_size=3,
        )
        db.session.commit()
        return "got"

    results = run_together(app, 100, claim)
    assert results.count("got") == 80
    assert all(isinstance(r, SessionFull) for r in results if r != "got")
    db.session.expire_all()
    assert db.session.get(ProgramSession, session_id).seats_taken == 240
    given = db.session.scalar(select(func.sum(Booking.party_size)))
    assert given == 240
    program_session = db.session.get(ProgramSession, session_id)
    with pytest.raises(SessionFull):
        add_walk_in(
            program_session,
            actor=scene.coordinator,
            name="주민",
            now=program_session.starts_at,
        )


def test_the_coordinator_takes_a_phone_booking_for_a_name(make):
    scene = program_scene(make)
    booking = book_seat(
        scene.program_session,
        actor=scene.coordinator,
        name="김할머니 손녀",
        channel=BookingChannel.PHONE,
        party_size=2,
    )
    assert (booking.status, booking.booked_by_id, booking.who) == (
        BookingStatus.CONFIRMED,
        scene.coordinator.id,
        "김할머니 손녀",
    )
    with pytest.raises(NotAllowed):
        book_seat(
            scene.program_session, actor=scene.resident, name="누구", channel=BookingChannel.PHONE
        )


def test_check_in_no_show_and_walk_ins(make):
    scene = program_scene(make)
    at_the_door = scene.program_session.starts_at
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    other = book_seat(
        scene.program_session, actor=scene.coordinator, name="이웃", channel=BookingChannel.PHONE
    )
    assert check_in(booking, actor=scene.partner, now=at_the_door) is True
    assert check_in(booking, actor=scene.partner, now=at_the_door) is False
    assert booking.attendance is Attendance.ATTENDED
    assert mark_no_show(other, actor=scene.coordinator, now=at_the_door) is True
    walk_in = add_walk_in(
        scene.program_session,
        actor=scene.coordinator,
        name="옆 단지 아이",
        party_size=2,
        now=at_the_door,
    )
    assert (walk_in.channel, walk_in.attendance) == (BookingChannel.WALK_IN, Attendance.ATTENDED)
    assert db.session.get(ProgramSession, scene.program_session.id).seats_taken == 4


def test_a_partner_of_another_enterprise_cannot_check_in(make):
    scene = program_scene(make)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    with pytest.raises(NotAllowed):
        check_in(booking, actor=make.partner())


def test_a_resident_cannot_cancel_after_the_deadline_but_the_coordinator_can(make):
    scene = program_scene(make, cancel_hours=24)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    late = scene.program_session.starts_at - timedelta(hours=3)
    with pytest.raises(BookingClosed, match="cancelled until"):
        cancel_booking(booking, actor=scene.resident, now=late)
    cancel_booking(booking, actor=scene.coordinator, now=late)
    assert booking.status is BookingStatus.CANCELLED
    with pytest.raises(Conflict):
        cancel_booking(booking, actor=scene.coordinator, now=late)


def test_once_a_session_is_over_nobody_cancels_its_bookings_so_its_figures_stay(make):
    scene = program_scene(make)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    after = scene.program_session.ends_at + timedelta(minutes=1)
    with pytest.raises(BookingClosed, match="over"):
        cancel_booking(booking, actor=scene.coordinator, now=after)
    assert booking.status is BookingStatus.CONFIRMED
    assert (
        db.session.get(ProgramSession, scene.program_session.id).seats_taken == booking.party_size
    )


def test_a_waiting_place_checked_a_moment_before_the_session_was_cancelled_is_refused(make):
    scene = program_scene(make, capacity=1, max_party_size=1)
    first = make.resident(scene.participation.complex)
    book_seat(scene.program_session, actor=first, resident=first)
    db.session.commit()
    program_session = db.session.get(ProgramSession, scene.program_session.id)
    # The coordinator cancels after this booking loaded and checked the session.
    db.session.execute(
        ProgramSession.__table__.update()
        .where(ProgramSession.id == program_session.id)
        .values(state=SessionState.CANCELLED)
    )
    assert not program_session.is_cancelled
    with pytest.raises(BookingClosed):
        book_seat(program_session, actor=scene.resident, resident=scene.resident)
    assert count(Booking) == 1


PLACE_IN_LINE = re.compile(r"number (\d+) on the waiting list")


def test_200_residents_racing_for_the_last_3_seats_are_each_told_their_real_place(app, make):
    """Through the app, as 200 browsers at once: the place in line each resident reads
    right after booking (the flash and the status line of their booking's page) is
    their place in the database, the order in which they will be moved up."""
    scene = program_scene(make, capacity=10, max_party_size=1)
    session_id = scene.program_session.id
    db.session.execute(ProgramSession.__table__.update().values(seats_taken=7))
    browsers = []
    for _ in range(200):
        browser = app.test_client()
        browser.set_cookie(LANGUAGE_COOKIE, "en")
        sign_in_directly(browser, make.resident(scene.participation.complex))
        browsers.append(browser)
    db.session.commit()
    tokens = [csrf_token(browser, "/no-such-page") for browser in browsers]

    def book(index):
        page = browsers[index].post(
            f"/sessions/{session_id}/book",
            follow_redirects=True,
            data={"csrf_token": tokens[index], "party_size": "1", "request_key": f"race-{index}"},
        )
        told = {int(number) for number in PLACE_IN_LINE.findall(page.get_data(as_text=True))}
        return page.request.path, told

    results = run_together(app, 200, book)
    assert not [r for r in results if isinstance(r, Exception)], results
    db.session.expire_all()
    waiting = db.session.scalars(
        select(Booking).where(Booking.status == BookingStatus.WAITING).order_by(Booking.id)
    ).all()
    real_place = {
        f"/bookings/{booking.id}": place for place, booking in enumerate(waiting, start=1)
    }
    told = {path: numbers for path, numbers in results if path in real_place}
    assert len(told) == len(real_place) == 197
    wrong = {
        path: (numbers, real_place[path])
        for path, numbers in told.items()
        if numbers != {real_place[path]}
    }
    assert not wrong, f"{len(wrong)} of 197 told another place (told, real): {wrong}"
    assert db.session.get(ProgramSession, session_id).seats_taken == 10
