"""The scheduler: one list of jobs, each run claimed once per scheduled time, reminders sent
once even by two schedulers, nothing for cancelled sessions, ballots opened on time."""

import threading
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_EXECUTED
from sqlalchemy import func, select

from gachi import scheduler as gachi_scheduler
from gachi.core.time import SEOUL, utcnow
from gachi.extensions import db
from gachi.notifications.models import Notification
from gachi.programs.bookings.jobs import send_reminders
from gachi.programs.bookings.models import Booking
from gachi.programs.bookings.operations import book_seat
from gachi.programs.sessions.operations import cancel_session
from gachi.scheduler import JOBS_BY_ID, JobRun, build_scheduler, run_job
from tests.programs.helpers import program_scene


def reminders_for(user_id):
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.message.like("Reminder:%")
        )
    )


def test_job_ids_are_stable_and_the_web_app_starts_no_scheduler(app):
    assert {"ballots.open-close", "programs.reminders", "programs.waiting-lists"} <= set(JOBS_BY_ID)
    assert not any(thread.name.startswith("APScheduler") for thread in threading.enumerate())


def test_a_run_time_is_the_same_for_every_scheduler():
    job = JOBS_BY_ID["programs.reminders"]
    moment = datetime(2018, 11, 11, 14, 7, 30, tzinfo=SEOUL)
    assert job.scheduled_time(moment) == datetime(2018, 11, 11, 14, 0, tzinfo=SEOUL)
    assert job.scheduled_time(moment + timedelta(minutes=7)) == datetime(
        2018, 11, 11, 14, 0, tzinfo=SEOUL
    )


def test_two_schedulers_on_one_database_send_each_reminder_once(app, make):
    scene = program_scene(make)
    book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    db.session.commit()
    moment = scene.program_session.starts_at - timedelta(hours=20)
    ran = threading.Barrier(3, timeout=30)
    schedulers = [build_scheduler(app, clock=lambda: moment) for _ in range(2)]
    for scheduler in schedulers:
        for job in scheduler.get_jobs():
            if job.id != "programs.reminders":
                job.remove()
        scheduler.add_listener(lambda event: ran.wait(), EVENT_JOB_EXECUTED)
        scheduler.get_job("programs.reminders").modify(next_run_time=datetime.now(UTC))
    db.session.commit()
    for scheduler in schedulers:
        scheduler.start()
    try:
        ran.wait()
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=True)
    db.session.expire_all()
    assert reminders_for(scene.resident.id) == 1
    runs = db.session.scalars(select(JobRun)).all()
    assert [(run.job_id, run.outcome) for run in runs] == [("programs.reminders", "done")]


def test_a_manual_rerun_of_a_claimed_time_is_skipped(app, make):
    # A minute into the current ten-minute slot, so a second later is the same slot
    # whatever the clock says when the test runs.
    moment = JOBS_BY_ID["programs.waiting-lists"].scheduled_time(utcnow()) + timedelta(minutes=1)
    assert run_job("programs.waiting-lists", moment) == "done"
    assert run_job("programs.waiting-lists", moment + timedelta(seconds=1)) == "skipped"


def test_a_booking_is_reminded_once_even_without_the_claim(make):
    scene = program_scene(make)
    book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    moment = scene.program_session.starts_at - timedelta(hours=2)
    assert send_reminders(moment) == 1
    assert send_reminders(moment + timedelta(minutes=15)) == 0
    assert reminders_for(scene.resident.id) == 1


def test_no_reminder_before_the_programmes_reminder_time_or_when_it_has_none(make):
    scene = program_scene(make, reminder_hours=24)
    book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    assert send_reminders(scene.program_session.starts_at - timedelta(hours=30)) == 0
    scene.program.reminder_hours = None
    assert send_reminders(scene.program_session.starts_at - timedelta(hours=2)) == 0


def test_a_reminder_for_a_cancelled_session_is_not_sent(make):
    scene = program_scene(make)
    book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    cancel_session(scene.program_session, actor=scene.coordinator, reason="시설 점검")
    assert send_reminders(scene.program_session.starts_at - timedelta(hours=2)) == 0
    assert db.session.scalar(select(Booking.reminded_at)) is None
    assert reminders_for(scene.resident.id) == 0


def test_a_cancelled_booking_is_not_reminded(make):
    from gachi.programs.bookings.operations import cancel_booking

    scene = program_scene(make)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    cancel_booking(booking, actor=scene.resident)
    assert send_reminders(scene.program_session.starts_at - timedelta(hours=2)) == 0


def test_the_waiting_list_job_moves_people_up_when_capacity_was_raised(make):
    from gachi.programs.bookings.jobs import move_waiting_lists
    from gachi.programs.bookings.models import BookingStatus
    from gachi.programs.sessions.models import ProgramSession

    scene = program_scene(make, capacity=1)
    other = make.resident(scene.participation.complex)
    book_seat(scene.program_session, actor=other, resident=other)
    waiting = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    db.session.execute(ProgramSession.__table__.update().values(capacity=2))
    assert move_waiting_lists(utcnow()) == 1
    db.session.refresh(waiting)
    assert waiting.status is BookingStatus.CONFIRMED


def test_the_ballot_job_opens_and_closes_ballots_on_time(make):
    from gachi.ballots.jobs import open_and_close_ballots
    from gachi.ballots.models import BallotState
    from tests.ballots.helpers import a_ballot, ballot_scene

    ballot = a_ballot(ballot_scene(make), opens_in=timedelta(minutes=10), lasts=timedelta(hours=1))
    assert ballot.state is BallotState.SCHEDULED
    assert open_and_close_ballots(utcnow()) == 0
    assert open_and_close_ballots(utcnow() + timedelta(minutes=11)) == 1
    assert ballot.state is BallotState.OPEN
    assert open_and_close_ballots(utcnow() + timedelta(hours=2)) == 1
    assert ballot.state is BallotState.CLOSED
    assert open_and_close_ballots(utcnow() + timedelta(hours=3)) == 0


def test_a_failed_job_is_recorded_and_the_next_one_runs(app, monkeypatch):
    def broken(now):
        raise RuntimeError("boom")

    monkeypatch.setattr(gachi_scheduler, "_function", lambda job: broken)
    assert run_job("programs.reminders", utcnow()) == "failed"
    assert db.session.scalars(select(JobRun.detail)).one().startswith("RuntimeError")


def test_the_cli_lists_the_jobs_and_runs_one_once(app):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["gachi", "scheduler", "--list"])
    assert listed.exit_code == 0 and "programs.reminders" in listed.output
    first = runner.invoke(args=["gachi", "scheduler", "--once", "programs.waiting-lists"])
    again = runner.invoke(args=["gachi", "scheduler", "--once", "programs.waiting-lists"])
    assert "done" in first.output and "skipped" in again.output
    unknown = runner.invoke(args=["gachi", "scheduler", "--once", "nope"])
    assert unknown.exit_code == 1 and "No job nope" in unknown.output


def test_make_run_serves_the_demo_with_the_scheduler_in_the_same_process(app):
    """`flask gachi run-demo` (make run): the jobs run while the server serves, and stop
    with it; create_app alone starts none (the first test above)."""
    from gachi.cli import serve_with_scheduler

    seen = {}

    def serve():  # stands in for app.run, which would serve until stopped
        seen["threads"] = [thread.name for thread in threading.enumerate()]
        return "served"

    assert serve_with_scheduler(app, serve) == "served"
    assert any(name.startswith("APScheduler") for name in seen["threads"])
    assert not any(thread.name.startswith("APScheduler") for thread in threading.enumerate())


def test_run_demo_serves_without_the_reloader_which_would_start_a_second_scheduler(
    app, monkeypatch
):
    from gachi.cli import run_demo

    calls = []
    monkeypatch.setattr(type(app), "run", lambda self, **options: calls.append(options))
    result = app.test_cli_runner().invoke(run_demo, ["--port", "5999"])
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 5999, "use_reloader": False}]
    assert "Scheduler started with" in result.output and "Scheduler stopped." in result.output
