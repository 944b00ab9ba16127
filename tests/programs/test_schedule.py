"""Sessions generated from a programme's schedule; skipped and moved days; an edit never
silently drops a booked session; the gate into running."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from gachi.complexes.operations import move_stage
from gachi.complexes.stages import Stage
from gachi.core.errors import DomainError, GateNotMet
from gachi.core.time import SEOUL, DateOutsideWindow
from gachi.extensions import db
from gachi.programs import recurrence
from gachi.programs.bookings.models import Booking
from gachi.programs.bookings.operations import book_seat, cancel_booking
from gachi.programs.models import Program
from gachi.programs.operations import RemovalsToConfirm, add_exception, create_program, set_schedule
from gachi.programs.sessions.models import ProgramSession, SessionState
from tests.complexes.gates import a_budget_line
from tests.programs.helpers import a_day_without_holidays_ahead, program_scene

BEFORE_THE_PILOT = datetime(2018, 11, 1, tzinfo=SEOUL)
WEEKDAYS = range(5)


def sessions_of(program):
    return db.session.scalars(
        select(ProgramSession)
        .where(ProgramSession.program_id == program.id)
        .order_by(ProgramSession.starts_at)
    ).all()


def test_the_childcare_room_schedule_makes_twenty_weekday_sessions():
    planned = recurrence.planned_sessions(
        date(2018, 11, 12), date(2018, 12, 7), WEEKDAYS, time(14), time(18)
    )
    assert len(planned) == 20
    assert planned[0].starts_at == datetime(2018, 11, 12, 14, tzinfo=SEOUL)
    assert {p.starts_at.weekday() for p in planned} == set(WEEKDAYS)


def test_a_skipped_day_is_left_out_and_a_moved_day_keeps_its_schedule_day():
    planned = recurrence.planned_sessions(
        date(2018, 12, 3),
        date(2018, 12, 7),
        WEEKDAYS,
        time(14),
        time(18),
        {date(2018, 12, 4): None, date(2018, 12, 5): date(2018, 12, 8)},
    )
    assert [(p.schedule_day.day, p.starts_at.day) for p in planned] == [
        (3, 3),
        (6, 6),
        (7, 7),
        (5, 8),
    ]


def test_set_schedule_generates_sessions_at_seoul_times(make):
    scene = program_scene(make)
    change = set_schedule(
        scene.program,
        starts_on=date(2018, 11, 12),
        ends_on=date(2018, 12, 7),
        weekdays=WEEKDAYS,
        start_time=time(14),
        end_time=time(18),
        actor=scene.coordinator,
        now=BEFORE_THE_PILOT,
    )
    db.session.commit()
    assert change.created == 20
    first = next(s for s in sessions_of(scene.program) if s.schedule_day)
    assert first.starts_at.astimezone(SEOUL) == datetime(2018, 11, 12, 14, tzinfo=SEOUL)
    assert first.capacity == scene.program.default_capacity


def a_week_of_sessions(scene):
    start = a_day_without_holidays_ahead()
    set_schedule(
        scene.program,
        starts_on=start,
        ends_on=start + timedelta(days=6),
        weekdays=range(7),
        start_time=time(14),
        end_time=time(18),
        actor=scene.coordinator,
    )
    db.session.commit()
    return start


def shorten(scene, start, days=3, **confirmation):
    return set_schedule(
        scene.program,
        starts_on=start,
        ends_on=start + timedelta(days=days),
        weekdays=range(7),
        start_time=time(14),
        end_time=time(18),
        actor=scene.coordinator,
        **confirmation,
    )


def test_a_schedule_change_that_removes_sessions_lists_them_and_removes_nothing_unconfirmed(make):
    scene = program_scene(make)
    start = a_week_of_sessions(scene)
    before = sessions_of(scene.program)
    with pytest.raises(RemovalsToConfirm) as asked:
        shorten(scene, start)
    db.session.rollback()
    plan = asked.value.plan
    assert [line.starts_at.astimezone(SEOUL).date() for line in plan.to_remove] == [
        start + timedelta(days=offset) for offset in (4, 5, 6)
    ]
    assert [line.bookings for line in plan.to_remove] == [0, 0, 0]
    assert sessions_of(scene.program) == before
    assert db.session.get(Program, scene.program.id).ends_on == start + timedelta(days=6)
    with pytest.raises(RemovalsToConfirm):
        shorten(scene, start, confirmed="not-what-was-shown")
    db.session.rollback()

    change = shorten(scene, start, confirmed=plan.removal_token)
    db.session.commit()
    assert change.removed == 3 and len(sessions_of(scene.program)) == len(before) - 3


def test_shortening_a_schedule_keeps_a_booked_session_and_says_so(make):
    scene = program_scene(make)
    start = a_week_of_sessions(scene)
    last = sessions_of(scene.program)[-1]
    book_seat(last, actor=scene.resident, resident=scene.resident)
    db.session.commit()
    with pytest.raises(RemovalsToConfirm) as asked:
        shorten(scene, start)
    db.session.rollback()
    assert [(line.session_id, line.bookings) for line in asked.value.plan.kept] == [(last.id, 1)]
    assert len(asked.value.plan.to_remove) == 2
    change = shorten(scene, start, confirmed=asked.value.plan.removal_token)
    db.session.commit()
    assert change.kept == [last] and change.removed == 2
    assert last in sessions_of(scene.program)
    assert db.session.get(ProgramSession, last.id).state is SessionState.SCHEDULED


def test_a_removed_session_whose_bookings_were_all_cancelled_is_cancelled_not_deleted(make):
    scene = program_scene(make)
    start = a_week_of_sessions(scene)
    last = sessions_of(scene.program)[-1]
    booking = book_seat(last, actor=scene.resident, resident=scene.resident)
    cancel_booking(booking, actor=scene.resident)
    db.session.commit()
    with pytest.raises(RemovalsToConfirm) as asked:
        shorten(scene, start, days=5)
    db.session.rollback()
    assert [(line.session_id, line.bookings) for line in asked.value.plan.to_remove] == [
        (last.id, 0)
    ]
    shorten(scene, start, days=5, confirmed=asked.value.plan.removal_token)
    db.session.commit()
    assert db.session.get(ProgramSession, last.id).state is SessionState.CANCELLED
    assert db.session.get(Booking, booking.id) is not None


def test_a_schedule_outside_2000_to_2100_is_refused_and_removes_nothing(make):
    scene = program_scene(make)
    start = a_week_of_sessions(scene)
    before = sessions_of(scene.program)
    with pytest.raises(DateOutsideWindow):
        set_schedule(
            scene.program,
            starts_on=date(1900, 1, 1),
            ends_on=date(1900, 3, 1),
            weekdays=range(7),
            start_time=time(14),
            end_time=time(18),
            actor=scene.coordinator,
        )
    db.session.rollback()
    with pytest.raises(DateOutsideWindow):
        add_exception(scene.program, day=start, moved_to=date(2101, 1, 1), actor=scene.coordinator)
    db.session.rollback()
    assert sessions_of(scene.program) == before


def test_a_holiday_is_skipped_unless_someone_booked_it(make):
    scene = program_scene(make)
    start = a_day_without_holidays_ahead()
    set_schedule(
        scene.program,
        starts_on=start,
        ends_on=start + timedelta(days=2),
        weekdays=range(7),
        start_time=time(9),
        end_time=time(18),
        actor=scene.coordinator,
    )
    change = add_exception(
        scene.program, day=start + timedelta(days=1), note="공휴일", actor=scene.coordinator
    )
    assert change.removed == 1
    moved = add_exception(
        scene.program,
        day=start + timedelta(days=2),
        moved_to=start + timedelta(days=5),
        actor=scene.coordinator,
    )
    assert moved.moved == 1
    with pytest.raises(DomainError, match="not a day of this schedule"):
        add_exception(scene.program, day=start + timedelta(days=30), actor=scene.coordinator)


def test_a_schedule_that_makes_no_sense_is_refused(make):
    scene = program_scene(make)
    with pytest.raises(DomainError, match="end time"):
        set_schedule(
            scene.program,
            starts_on=date(2019, 1, 7),
            ends_on=date(2019, 4, 5),
            weekdays=WEEKDAYS,
            start_time=time(18),
            end_time=time(9),
            actor=scene.coordinator,
        )
    with pytest.raises(DomainError, match="weekday"):
        set_schedule(
            scene.program,
            starts_on=date(2019, 1, 7),
            ends_on=date(2019, 4, 5),
            weekdays=[],
            start_time=time(9),
            end_time=time(18),
            actor=scene.coordinator,
        )


def test_a_programme_answers_a_selected_problem_with_enterprises_that_accepted(make):
    scene = program_scene(make)
    other_enterprise = make.enterprise()
    with pytest.raises(DomainError, match="accepted the work"):
        create_program(
            scene.participation,
            problem=scene.problem,
            enterprises=[other_enterprise],
            title="다른 프로그램",
            actor=scene.coordinator,
        )
    unselected = make.problem(scene.participation)
    with pytest.raises(DomainError, match="selected"):
        create_program(scene.participation, problem=unselected, title="x", actor=scene.coordinator)


def test_running_needs_a_programme_with_a_session(make):
    scene = program_scene(make, stage=Stage.PLANNING)
    a_budget_line(scene.participation, scene.coordinator)
    db.session.delete(scene.program_session)
    db.session.commit()
    with pytest.raises(GateNotMet, match="No programme has a session yet"):
        move_stage(scene.participation, Stage.RUNNING, actor=scene.coordinator)
    db.session.rollback()
    set_schedule(
        scene.program,
        starts_on=date.today() + timedelta(days=3),
        ends_on=date.today() + timedelta(days=10),
        weekdays=WEEKDAYS,
        start_time=time(9),
        end_time=time(12),
        actor=scene.coordinator,
    )
    move_stage(scene.participation, Stage.RUNNING, actor=scene.coordinator)
    assert scene.participation.stage is Stage.RUNNING
