"""Attendance is recorded from an hour before a session until a week after it, and a
correction later is its own audited entry with a reason; the board follows the record.
(Issue 14: a resident checked in on 12/03 for a session on 12/07 was counted at once,
출석률 100 and 프로그램 참여자 2, and frozen at sign-off.)"""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from gachi.core.attendance import AttendanceClosed
from gachi.core.audit import AuditEntry
from gachi.core.time import SEOUL, utcnow
from gachi.extensions import db
from gachi.kpi.queries import cohort_board
from gachi.kpi.refresh import refresh
from gachi.programs.bookings.models import Attendance, BookingChannel
from gachi.programs.bookings.operations import (
    add_walk_in,
    book_seat,
    check_in,
    correct_attendance,
    mark_no_show,
)
from gachi.programs.rosters.operations import (
    check_in_volunteer,
    correct_volunteer_attendance,
    mark_volunteer_no_show,
    volunteer_for,
)
from gachi.programs.rosters.queries import volunteer_hours
from gachi.programs.sessions.attendance import AttendanceCorrectionNeeded, ReasonMissing
from tests.conftest import post_form, sign_in
from tests.programs.helpers import add_session, days_ahead, program_scene

STARTS = datetime(2026, 12, 7, 10, 0, tzinfo=SEOUL)
THREE_DAYS_BEFORE = datetime(2026, 12, 3, 15, 0, tzinfo=SEOUL)
AT_THE_DOOR = STARTS - timedelta(minutes=10)


@pytest.fixture
def scene(make):
    return program_scene(make, starts_at=STARTS, booking_opens_days=14)


def booked(scene, resident, program_session=None):
    program_session = program_session or scene.program_session
    return book_seat(
        program_session,
        actor=scene.coordinator,
        resident=resident,
        channel=BookingChannel.PHONE,
        now=program_session.starts_at - timedelta(days=5),
    )


def board(scene):
    """(attendance rate, participants) on the board, after the refresh that follows changes."""
    db.session.commit()
    refresh(scene.participation.cohort_id)
    actuals = {
        figure.kpi.code: figure.actual
        for figure in cohort_board(scene.participation.cohort_id).figures
    }
    return actuals["attendance_rate"], actuals["participants"]


def audit_actions(booking):
    return db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "Booking", AuditEntry.object_id == booking.id)
        .order_by(AuditEntry.id)
    ).all()


def test_a_check_in_days_before_the_session_is_refused_and_the_board_does_not_move(make, scene):
    """The resident and a neighbour attended an earlier session; the board shows them."""
    earlier = add_session(scene.program, STARTS - timedelta(days=7))
    neighbour = make.resident(scene.participation.complex, display_name="이웃")
    for resident in (scene.resident, neighbour):
        check_in(booked(scene, resident, earlier), actor=scene.coordinator, now=earlier.starts_at)
    absent = booked(scene, make.resident(scene.participation.complex), earlier)
    mark_no_show(absent, actor=scene.coordinator, now=earlier.starts_at)
    before = board(scene)
    booking = booked(scene, scene.resident)
    newcomer = booked(scene, make.resident(scene.participation.complex, display_name="새 이웃"))
    db.session.commit()

    with pytest.raises(AttendanceClosed, match="Check-in opens on 2026-12-07 09:00"):
        check_in(booking, actor=scene.coordinator, now=THREE_DAYS_BEFORE)
    with pytest.raises(AttendanceClosed):
        check_in(newcomer, actor=scene.coordinator, now=STARTS - timedelta(hours=1, minutes=1))
    with pytest.raises(AttendanceClosed):
        mark_no_show(booking, actor=scene.coordinator, now=THREE_DAYS_BEFORE)
    with pytest.raises(AttendanceClosed):
        add_walk_in(
            scene.program_session, actor=scene.coordinator, name="옆집", now=THREE_DAYS_BEFORE
        )
    db.session.rollback()

    assert (booking.attendance, newcomer.attendance) == (None, None)
    assert audit_actions(booking) == ["booking.create"]
    assert board(scene) == before


def test_check_in_an_hour_before_the_start_counts_on_the_board(make, scene):
    _, participants = board(scene)
    booking = booked(scene, scene.resident)
    assert check_in(booking, actor=scene.coordinator, now=STARTS - timedelta(hours=1)) is True
    assert board(scene) == (100, participants + 1)


def test_a_week_after_the_session_attendance_is_no_longer_recorded(make, scene):
    booking = booked(scene, scene.resident)
    ends = scene.program_session.ends_at
    assert mark_no_show(booking, actor=scene.coordinator, now=ends + timedelta(days=6)) is True
    late = booked(scene, make.resident(scene.participation.complex, display_name="늦게 온 주민"))
    with pytest.raises(AttendanceClosed, match="Attendance could be recorded until"):
        check_in(late, actor=scene.coordinator, now=ends + timedelta(days=7))


def test_changing_what_was_recorded_needs_a_correction_with_a_reason(scene):
    booking = booked(scene, scene.resident)
    check_in(booking, actor=scene.coordinator, now=AT_THE_DOOR)
    rate, participants = board(scene)
    assert rate == 100

    with pytest.raises(AttendanceCorrectionNeeded, match="correct it with a reason"):
        mark_no_show(booking, actor=scene.coordinator, now=AT_THE_DOOR)
    db.session.rollback()
    with pytest.raises(ReasonMissing):
        correct_attendance(
            booking, Attendance.NO_SHOW, actor=scene.coordinator, reason="  ", now=AT_THE_DOOR
        )
    db.session.rollback()
    assert booking.attendance is Attendance.ATTENDED and board(scene) == (rate, participants)

    a_month_later = STARTS + timedelta(days=30)
    correct_attendance(
        booking,
        Attendance.NO_SHOW,
        actor=scene.coordinator,
        reason="동명이인을 잘못 체크함",
        now=a_month_later,
    )
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "booking.attendance_corrected")
    ).one()
    assert (entry.actor_id, entry.object_id) == (scene.coordinator.id, booking.id)
    assert entry.before == {"attendance": "attended"}
    assert entry.after == {"attendance": "no_show", "reason": "동명이인을 잘못 체크함"}
    assert board(scene) == (0, participants - 1)


def test_a_correction_is_refused_without_a_reason_in_korean_and_writes_nothing(
    korean_client, scene
):
    program_session = add_session(scene.program, utcnow() + timedelta(minutes=30))
    booking = booked(scene, scene.resident, program_session)
    check_in(booking, actor=scene.coordinator, now=program_session.starts_at)
    db.session.commit()
    sign_in(korean_client, scene.coordinator)
    path = f"/bookings/{booking.id}/attendance"
    response = post_form(korean_client, path, {"attendance": "no_show", "reason": ""})
    assert response.status_code == 400
    assert "참석 기록을 정정하는 사유를 적어 주세요." in response.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.attendance is Attendance.ATTENDED
    count = select(func.count(AuditEntry.id)).where(AuditEntry.action.like("%corrected"))
    assert db.session.scalar(count) == 0

    response = post_form(korean_client, path, {"attendance": "no_show", "reason": "착오"})
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.attendance is Attendance.NO_SHOW and db.session.scalar(count) == 1


def test_checking_in_through_the_page_before_the_window_is_a_409_in_korean(korean_client, scene):
    """The real clock: the session is days ahead (the issue's 12/03 for 12/07)."""
    program_session = add_session(scene.program, days_ahead(4))
    booking = booked(scene, scene.resident, program_session)
    db.session.commit()
    sign_in(korean_client, scene.coordinator)
    response = post_form(korean_client, f"/bookings/{booking.id}/check-in")
    assert response.status_code == 409
    assert "부터 참석을 확인할 수 있습니다" in response.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.attendance is None


# Volunteers on the roster: the same window, the same correction -------------------------


def volunteer(scene, program_session=None):
    program_session = program_session or scene.program_session
    return volunteer_for(
        program_session,
        resident=scene.resident,
        actor=scene.resident,
        now=program_session.starts_at - timedelta(days=5),
    )


def hours_of(scene):
    later = scene.program_session.ends_at + timedelta(days=60)
    return {row.user_id: row.minutes for row in volunteer_hours(scene.program.complex_id, later)}


def test_a_volunteer_is_not_checked_in_days_before_the_shift(scene):
    entry = volunteer(scene)
    db.session.commit()
    with pytest.raises(AttendanceClosed, match="Check-in opens on 2026-12-07 09:00"):
        check_in_volunteer(entry, actor=scene.coordinator, now=THREE_DAYS_BEFORE)
    with pytest.raises(AttendanceClosed):
        mark_volunteer_no_show(entry, actor=scene.coordinator, now=THREE_DAYS_BEFORE)
    db.session.rollback()
    assert entry.attendance is None
    assert check_in_volunteer(entry, actor=scene.coordinator, now=AT_THE_DOOR) is True
    assert check_in_volunteer(entry, actor=scene.coordinator, now=AT_THE_DOOR) is False
    assert hours_of(scene) == {scene.resident.id: 240}


def test_a_volunteer_who_did_not_come_gets_no_hours_until_a_correction_says_they_did(scene):
    entry = volunteer(scene)
    mark_volunteer_no_show(entry, actor=scene.coordinator, now=AT_THE_DOOR)
    db.session.commit()
    assert hours_of(scene) == {}
    with pytest.raises(AttendanceCorrectionNeeded):
        check_in_volunteer(entry, actor=scene.coordinator, now=AT_THE_DOOR)
    db.session.rollback()
    with pytest.raises(ReasonMissing):
        correct_volunteer_attendance(
            entry, Attendance.ATTENDED, actor=scene.coordinator, reason="", now=AT_THE_DOOR
        )
    db.session.rollback()
    correct_volunteer_attendance(
        entry,
        Attendance.ATTENDED,
        actor=scene.coordinator,
        reason="늦게 와서 끝까지 도왔음",
        now=STARTS + timedelta(days=20),
    )
    entry_log = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "roster.attendance_corrected")
    ).one()
    assert entry_log.after == {"attendance": "attended", "reason": "늦게 와서 끝까지 도왔음"}
    assert hours_of(scene) == {scene.resident.id: 240}


def test_checking_a_volunteer_in_through_the_page_before_the_window_is_a_409(korean_client, scene):
    program_session = add_session(scene.program, days_ahead(4))
    entry = volunteer(scene, program_session)
    db.session.commit()
    sign_in(korean_client, scene.coordinator)
    for action in ("check-in", "no-show"):
        response = post_form(korean_client, f"/roster/{entry.id}/{action}")
        assert response.status_code == 409
        assert "부터 참석을 확인할 수 있습니다" in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.attendance is None
    response = post_form(
        korean_client, f"/roster/{entry.id}/attendance", {"attendance": "attended", "reason": ""}
    )
    assert response.status_code == 409  # nothing recorded yet, and not before the window
