"""What the scheduler calls for the enterprise directory: imports uploaded as jobs.

5,000 lines take about a minute to import, too near the proxy's and gunicorn's 60 s
for one request. So the upload only checks the file and keeps it as an `ImportJob`, and
this job works through it: it claims each waiting import with a conditional UPDATE (so
two schedulers never work on the same one) and imports it in batches. Unlike the other
jobs it commits as it goes: after each batch, the enterprises added and the job's
progress together, so a batch is whole or not at all and the job's page shows how far
the import is. Each batch's commit is itself conditional on the claim and the lines
done, so a run that lost its claim cannot write a batch twice.

A run that dies keeps its claim; once the claim has shown no progress for STALE_CLAIM,
another run takes it over and goes on from the last batch committed.
"""

import logging
import secrets
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import and_, func, or_, select, update

from gachi.enterprises.models import ImportJob, ImportStatus
from gachi.enterprises.operations import import_batch, import_lines
from gachi.extensions import db

log = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)


def _claimable(now):
    return or_(
        ImportJob.status == ImportStatus.QUEUED,
        and_(ImportJob.status == ImportStatus.RUNNING, ImportJob.heartbeat_at < now - STALE_CLAIM),
    )


def claim_import(job_id, token, now):
    """Take the import for the run `token`, if it waits or its claim went stale; commit."""
    claimed = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, _claimable(now))
        .values(
            status=ImportStatus.RUNNING,
            claimed_by=token,
            heartbeat_at=now,
            started_at=func.coalesce(ImportJob.started_at, now),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def _still_ours(job, token):
    return and_(
        ImportJob.id == job.id,
        ImportJob.claimed_by == token,
        ImportJob.lines_done == job.lines_done,
    )


def _record(job, token, outcomes, now):
    """Save a batch's outcomes with its enterprises, if the claim is still this run's."""
    done = job.lines_done + len(outcomes)
    added = sum(1 for outcome in outcomes if outcome["added"])
    values = {
        "lines_done": done,
        "added": job.added + added,
        "skipped": job.skipped + len(outcomes) - added,
        "outcomes": [*job.outcomes, *outcomes],
        "heartbeat_at": now,
    }
    if done >= job.lines_total:
        values.update(status=ImportStatus.DONE, finished_at=now, claimed_by=None)
    recorded = db.session.execute(
        update(ImportJob)
        .where(_still_ours(job, token))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if recorded.rowcount != 1:
        db.session.rollback()  # another run has it: its batches stand, not this one
        return False
    db.session.commit()
    return True


def _let_go(job, token, *, now, error=None):
    values = {"claimed_by": None}
    if error is None:
        values["status"] = ImportStatus.QUEUED
    else:
        values.update(status=ImportStatus.FAILED, error=repr(error)[:2000], finished_at=now)
    db.session.execute(
        update(ImportJob)
        .where(_still_ours(job, token))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def run_import_jobs(now, *, max_batches=None, token=None):
    """Import every waiting file, batch by batch. After `max_batches` batches (tests, or
    a run that must stop) the import is handed back to the queue for the next run.
    Returns how many batches were imported."""
    token = token or secrets.token_hex(8)
    waiting = db.session.scalars(
        select(ImportJob.id).where(_claimable(now)).order_by(ImportJob.id)
    ).all()
    batches = 0
    for job_id in waiting:
        if not claim_import(job_id, token, now):
            continue
        job = db.session.get(ImportJob, job_id)
        lines = None
        while job.status is ImportStatus.RUNNING and job.claimed_by == token:
            if max_batches is not None and batches >= max_batches:
                _let_go(job, token, now=now)
                return batches
            try:
                with force_locale(job.locale):
                    lines = import_lines(job) if lines is None else lines
                    outcomes = import_batch(job, lines=lines)
            except Exception as error:
                db.session.rollback()
                log.exception("Import %s failed after %s lines", job.id, job.lines_done)
                _let_go(job, token, now=now, error=error)
                break
            batches += 1
            if not _record(job, token, outcomes, now):
                break
    return batches
