"""In-process looks at a generated database: the ids the runs need, each page's query
count (the SQLAlchemy cursor event, around a test-client request), and the board's
aggregate statement with its parameters, for the baseline app to run bare."""

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import event, select

from bench.common import STAFF_USERNAME, bench_app


@dataclass
class Probe:
    cohort_id: int
    complex_id: int
    staff_id: int
    resident_username: str
    write_ballots: list  # [(ballot id, option id)]
    write_sessions: list  # [session id]
    full_sessions: list  # [session id]: one place, taken; bookings join the waiting list
    paths: dict = field(default_factory=dict)  # name -> path
    query_counts: dict = field(default_factory=dict)  # name -> queries
    aggregate: dict = field(default_factory=dict)  # statement, parameters


@contextmanager
def counting(engine):
    statements = []

    def record(_connection, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _encoded(value):
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def _encoded_parameters(parameters):
    if isinstance(parameters, dict):
        return {key: _encoded(value) for key, value in parameters.items()}
    return [_encoded(value) for value in parameters]


def _ids(db):
    from gachi.auth.models import User
    from gachi.ballots.models import Ballot, BallotOption
    from gachi.complexes.models import Cohort, Complex, Participation
    from gachi.programs.models import Program
    from gachi.programs.sessions.models import ProgramSession

    cohort_id = db.session.scalar(select(Cohort.id).order_by(Cohort.id))
    complex_id = db.session.scalar(select(Complex.id).order_by(Complex.id))
    participation_id = db.session.scalar(
        select(Participation.id).where(Participation.complex_id == complex_id)
    )
    ballots = db.session.execute(
        select(Ballot.id, BallotOption.id)
        .join(BallotOption, BallotOption.ballot_id == Ballot.id)
        .where(Ballot.participation_id == participation_id, Ballot.state == "open")
        .order_by(Ballot.id, BallotOption.position)
    ).all()
    first_options = {}
    for ballot_id, option_id in ballots:
        first_options.setdefault(ballot_id, option_id)

    def sessions_of(capacity):
        return db.session.scalars(
            select(ProgramSession.id)
            .join(Program, Program.id == ProgramSession.program_id)
            .where(
                Program.participation_id == participation_id,
                Program.default_capacity == capacity,
            )
            .order_by(ProgramSession.id)
        ).all()

    staff_id = db.session.scalar(select(User.id).where(User.username == STAFF_USERNAME))
    return Probe(
        cohort_id,
        complex_id,
        staff_id,
        "r1-100",
        sorted(first_options.items()),
        list(sessions_of(1000)),
        list(sessions_of(1)),
    )


def probe(url):
    from gachi.auth.models import User
    from gachi.extensions import db

    app = bench_app(url)
    with app.app_context():
        found = _ids(db)
        resident = db.session.scalar(select(User).where(User.username == found.resident_username))
        staff_token, resident_token = (
            db.session.get(User, found.staff_id).get_id(),
            resident.get_id(),
        )
        engine = db.engine
        db.session.remove()
    found.paths = {
        "board": f"/staff/cohorts/{found.cohort_id}/board",
        "api": f"/api/v1/cohorts/{found.cohort_id}/results",
        "complex": f"/complexes/{found.complex_id}",
        "home": "/my/complex",
    }
    who = {"board": staff_token, "api": None, "complex": staff_token, "home": resident_token}
    for name, path in found.paths.items():
        statements = _request(app, engine, who[name], path)
        found.query_counts[name] = len(statements)
        if name == "api":
            statement, parameters = max(statements, key=lambda pair: len(pair[0]))
            found.aggregate = {
                "statement": statement,
                "parameters": _encoded_parameters(parameters),
            }
    engine.dispose()
    return found


def _request(app, engine, user_token, path):
    """One GET through the test client (its own app context, so nobody stays signed in)."""
    client = app.test_client()
    if user_token is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user_token
            session["_fresh"] = True
    with counting(engine) as statements:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code} in process")
    return statements


def write_aggregate(found, path):
    path.write_text(json.dumps(found.aggregate), encoding="utf-8")


def time_refresh(url):
    """The figures computed ahead, made from nothing (every complex read, every row
    written: what a new city costs once), then the scheduler's job with nothing
    changed since (what each run costs at rest). Seconds and rows."""
    from gachi.complexes.models import Cohort
    from gachi.extensions import db
    from gachi.kpi.refresh import refresh

    app = bench_app(url)
    with app.app_context():
        cohort_id = db.session.scalar(select(Cohort.id).order_by(Cohort.id))
        full = refresh(cohort_id, full=True)
        again = refresh(cohort_id)
        db.session.remove()
        db.engine.dispose()
    return {
        "full_seconds": full.seconds,
        "full_rows": full.written,
        "complexes": full.recomputed,
        "again_seconds": again.seconds,
    }


def wait_for_refresh_run(url, after, seconds):
    """Wait, at most `seconds`, until a kpi.refresh run that began after `after` (the end of
    the writes) has finished: the run that takes in what the writes changed. True if one did."""
    import time

    from gachi.extensions import db
    from gachi.scheduler import JobRun

    app = bench_app(url)
    deadline = time.monotonic() + seconds
    try:
        with app.app_context():
            while time.monotonic() < deadline:
                finished = db.session.scalar(
                    select(JobRun.id)
                    .where(
                        JobRun.job_id == "kpi.refresh",
                        JobRun.started_at >= after,
                        JobRun.finished_at.is_not(None),
                    )
                    .limit(1)
                )
                db.session.rollback()
                if finished is not None:
                    return True
                time.sleep(1)
            return False
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def refresh_runs(url, since):
    """The kpi.refresh job's runs (bench/refresher.py) since `since`: [(seconds, detail)]."""
    from gachi.extensions import db
    from gachi.scheduler import JobRun

    app = bench_app(url)
    with app.app_context():
        runs = [
            ((run.finished_at - run.started_at).total_seconds(), run.detail)
            for run in db.session.scalars(
                select(JobRun)
                .where(
                    JobRun.job_id == "kpi.refresh",
                    JobRun.started_at >= since,
                    JobRun.finished_at.is_not(None),
                )
                .order_by(JobRun.started_at)
            )
        ]
        db.session.remove()
        db.engine.dispose()
    return runs
