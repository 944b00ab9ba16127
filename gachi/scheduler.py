"""Scheduled work: the one list of jobs, with stable ids, and how each run is claimed.

The scheduler is its own process (`flask gachi scheduler`), never started by create_app:
under gunicorn every worker would otherwise run every job, and APScheduler's FAQ says a
shared job store does not prevent that. Every run first claims a row unique per (job id,
scheduled time) in `job_runs`; only the claimer does the work, so a second scheduler, a
restart or a manual re-run is harmless. Missed runs are coalesced into one.

Each job fires at fixed times counted from an anchor (e.g. every 15 minutes from
midnight in Seoul), so every scheduler agrees on a run's scheduled time: the latest of
those times at or before the moment it runs.
"""

import importlib
import inspect
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from gachi.core.time import SEOUL, utcnow
from gachi.extensions import db

log = logging.getLogger(__name__)

ANCHOR_DAY = date(2018, 1, 1)


@dataclass(frozen=True)
class Job:
    id: str
    target: str  # "module:function", called with the run's `now`
    every: timedelta
    anchor: time  # the Seoul time of day its runs are counted from
    description: str

    @property
    def anchor_moment(self):
        return datetime.combine(ANCHOR_DAY, self.anchor, tzinfo=SEOUL)

    def scheduled_time(self, now):
        """The latest of this job's run times at or before `now`."""
        return self.anchor_moment + ((now - self.anchor_moment) // self.every) * self.every


JOBS = (
    Job(
        "ballots.open-close",
        "gachi.ballots.jobs:open_and_close_ballots",
        timedelta(minutes=1),
        time(0, 0),
        "Open and close ballots when their times come.",
    ),
    Job(
        "programs.reminders",
        "gachi.programs.bookings.jobs:send_reminders",
        timedelta(minutes=15),
        time(0, 0),
        "Remind people of the sessions they booked (each booking once).",
    ),
    # Reminders before a ballot closes, a workshop, a volunteer shift: each complex sets
    # how many hours ahead; every person is reminded once (a row in sent_reminders).
    Job(
        "ballots.closing-soon",
        "gachi.ballots.jobs:remind_closing_ballots",
        timedelta(minutes=15),
        time(0, 0),
        "Remind residents who have not voted that a ballot closes soon (each once).",
    ),
    Job(
        "workshops.reminders",
        "gachi.workshops.jobs:remind_workshops",
        timedelta(minutes=15),
        time(0, 0),
        "Remind a complex's residents of a workshop ahead (each once).",
    ),
    Job(
        "rosters.shift-reminders",
        "gachi.programs.rosters.jobs:remind_shifts",
        timedelta(minutes=15),
        time(0, 0),
        "Remind volunteers of their shift ahead (each once).",
    ),
    Job(
        "programs.waiting-lists",
        "gachi.programs.bookings.jobs:move_waiting_lists",
        timedelta(minutes=10),
        time(0, 5),
        "Move people up waiting lists where places are free.",
    ),
    # Every 15 seconds, so an uploaded file starts importing soon; a run imports every
    # waiting file, committing its progress batch by batch for the job's page.
    Job(
        "enterprises.imports",
        "gachi.enterprises.jobs:run_import_jobs",
        timedelta(seconds=15),
        time(0, 0),
        "Import the enterprise files uploaded, batch by batch, with their progress.",
    ),
    # Every half minute: a message waits under a minute; the job claims each message
    # itself, so a slow run overlapping the next sends nothing twice.
    Job(
        "outbox.send",
        "gachi.notifications.jobs:send_outbox",
        timedelta(seconds=30),
        time(0, 0),
        "Send the outbox's e-mails, texts and KakaoTalk messages (each at most once).",
    ),
    # Every half minute, so that with the run's own time the board is under a minute behind.
    Job(
        "kpi.refresh",
        "gachi.kpi.refresh:refresh_all",
        timedelta(seconds=30),
        time(0, 0),
        "Recompute every cohort's KPI figures and roll-ups (the board is under a minute behind).",
    ),
)
JOBS_BY_ID = {job.id: job for job in JOBS}


class JobRun(db.Model):
    """One claimed run of a job: unique per (job, scheduled time)."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_id", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(64))
    scheduled_for: Mapped[datetime]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # "running", "done" or "failed"
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    detail: Mapped[str] = mapped_column(Text, default="")


def _function(job):
    module_name, name = job.target.split(":")
    return getattr(importlib.import_module(module_name), name)


def _call(function, now):
    """Job functions take the run's `now`; one that takes nothing is called without it."""
    return function(now) if inspect.signature(function).parameters else function()


def claim(job, scheduled_for):
    """Insert this run's row and commit it; None if another process has it already."""
    run = JobRun(job_id=job.id, scheduled_for=scheduled_for)
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return run


def run_job(job_id, now=None):
    """Claim this run of `job_id`, do its work and commit once. Returns "done", "failed"
    or "skipped" (another run has the claim). Needs an app context."""
    job = JOBS_BY_ID[job_id]
    now = now or utcnow()
    run = claim(job, job.scheduled_time(now))
    if run is None:
        log.info("Job %s for %s: already claimed, skipped", job.id, job.scheduled_time(now))
        return "skipped"
    try:
        result = _call(_function(job), now)
        run.outcome, run.detail = "done", "" if result is None else str(result)
    except Exception as error:
        db.session.rollback()
        log.exception("Job %s failed", job.id)
        run.outcome, run.detail = "failed", repr(error)[:2000]
    run.finished_at = utcnow()
    db.session.commit()
    return run.outcome


def _run_in_app(app, job_id, clock):
    with app.app_context():
        try:
            return run_job(job_id, clock())
        finally:
            db.session.remove()


def build_scheduler(app, *, blocking=False, clock=utcnow):
    """An APScheduler 3 scheduler with every job, an in-memory job store, missed runs
    coalesced. `clock` gives each run's `now` (tests pass a fixed one)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        timezone=SEOUL,
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    for job in JOBS:
        scheduler.add_job(
            _run_in_app,
            IntervalTrigger(
                seconds=int(job.every.total_seconds()), start_date=job.anchor_moment, timezone=SEOUL
            ),
            args=(app, job.id, clock),
            id=job.id,
            name=job.description,
            misfire_grace_time=int(job.every.total_seconds()),
            replace_existing=True,
        )
    return scheduler
