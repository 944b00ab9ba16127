"""Two app servers (two gunicorn instances on different ports, one SECRET_KEY) against
one PostgreSQL, with the scheduler as a third process, and a second scheduler beside it:
the booking and voting races hold across both servers, a session started on one is a
session on the other (and ends on both), and each scheduled run is claimed once.

Runs when the suite runs on PostgreSQL (GACHI_TEST_DATABASE_URL), on a database of its
own made next to the suite's.
"""

import copy
import http.cookiejar
import secrets
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi.ballots.models import Ballot, BallotState, BallotVoter, Eligibility
from gachi.ballots.queries import counted_markings
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.bookings.operations import waiting_position
from gachi.programs.sessions.models import ProgramSession
from gachi.scheduler import JobRun
from tests import factories as make
from tests.ballots.helpers import a_ballot, ballot_scene, option_ids
from tests.faults.processes import (
    AppServer,
    Visitor,
    app_on,
    on_postgresql,
    scheduler,
    separate_database,
    stopped_at_the_end,
    wait_for,
)
from tests.programs.helpers import program_scene

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        not on_postgresql(),
        reason="two app servers share one PostgreSQL "
        "(set GACHI_TEST_DATABASE_URL; `make test` does with TEST_DATABASE_URL)",
    ),
]

LAST_SEATS, BOOKERS, DEVICES = 4, 12, 2


def at_once(calls):
    """Run every call in its own thread, all released at the same moment; their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index):
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _scene():
    booking = program_scene(make, capacity=LAST_SEATS, max_party_size=1)
    bookers = [make.resident(booking.participation.complex).username for _ in range(BOOKERS)]

    by_person = ballot_scene(make, resident_count=1)
    person_ballot = a_ballot(by_person)
    by_household = ballot_scene(make, resident_count=0)
    home = make.household(by_household.complex)
    members = [make.resident(household_obj=home).username for _ in range(2)]
    household_ballot = a_ballot(by_household, eligibility=Eligibility.HOUSEHOLD)
    # Due to open a moment ago: only the scheduler writes its state down.
    left_to_the_scheduler = a_ballot(
        ballot_scene(make, resident_count=0), opens_in=timedelta(seconds=-1)
    )
    return dict(
        session_id=booking.program_session.id,
        bookers=bookers,
        person_ballot=(person_ballot.id, option_ids(person_ballot)[0]),
        voter=by_person.residents[0].username,
        household_ballot=(household_ballot.id, option_ids(household_ballot)[0]),
        members=members,
        scheduler_ballot=left_to_the_scheduler.id,
    )


def _bookings_race(servers, session_id, bookers):
    """Residents split over both servers book the last seats at the same moment."""
    visitors = [
        Visitor(servers[index % 2].url).sign_in(username) for index, username in enumerate(bookers)
    ]
    pages = at_once(
        [
            lambda visitor=visitor: visitor.post(
                f"/sessions/{session_id}/book",
                {"party_size": "1", "request_key": secrets.token_urlsafe(12)},
            )
            for visitor in visitors
        ]
    )
    assert [page.status for page in pages] == [302] * len(bookers), pages
    program_session = db.session.get(ProgramSession, session_id)
    bookings = db.session.scalars(
        select(Booking).where(Booking.session_id == session_id).order_by(Booking.id)
    ).all()
    confirmed = [b for b in bookings if b.status is BookingStatus.CONFIRMED]
    waiting = [b for b in bookings if b.status is BookingStatus.WAITING]
    assert len(confirmed) == program_session.seats_taken == LAST_SEATS
    assert len(waiting) == BOOKERS - LAST_SEATS
    assert [waiting_position(b) for b in waiting] == list(range(1, len(waiting) + 1))


def _votes_race(servers, ballot, usernames):
    """Every device of `usernames` (half on each server) votes at the same moment."""
    ballot_id, option_id = ballot
    devices = [
        Visitor(servers[index % 2].url).sign_in(username)
        for username in usernames
        for index in range(DEVICES)
    ]
    pages = at_once(
        [
            lambda device=device: device.post(
                f"/ballots/{ballot_id}/vote", {"choice": str(option_id)}
            )
            for device in devices
        ]
    )
    statuses = sorted(page.status for page in pages)
    assert statuses == [303] + [409] * (len(devices) - 1), statuses
    assert (
        db.session.scalar(
            select(func.count()).select_from(BallotVoter).where(BallotVoter.ballot_id == ballot_id)
        )
        == 1
    )
    assert sum(counted_markings(ballot_id).values()) == 1


def _copied(jar):
    copy_ = http.cookiejar.CookieJar()
    for cookie in jar:
        copy_.set_cookie(copy.copy(cookie))
    return copy_


def _one_session_on_both(servers, username):
    first = Visitor(servers[0].url).sign_in(username)
    second = first.at(servers[1].url)  # the same cookie, the other server
    page = second.get("/my/bookings")
    assert page.status == 200, page.status
    kept = _copied(first.jar)
    assert second.post("/logout").status == 302
    replayed = Visitor(servers[0].url, jar=kept).get("/my/bookings")
    assert replayed.status == 302 and replayed.location == "/login"


def _claimed_once(started_at, processes):
    """Both schedulers fire at each minute after they started: one row per run, and one
    of them logs that it skipped a run the other had claimed."""

    def first_run_done():
        db.session.rollback()
        return db.session.scalar(
            select(func.count())
            .select_from(JobRun)
            .where(
                JobRun.job_id == "ballots.open-close",
                JobRun.scheduled_for > started_at,
                JobRun.finished_at.is_not(None),
            )
        )

    wait_for(first_run_done, timeout=90, message="the scheduler's first run", every=0.5)
    assert all(process.running for process in processes), [p.log()[-2000:] for p in processes]
    runs = db.session.execute(
        select(JobRun.job_id, JobRun.scheduled_for, func.count()).group_by(
            JobRun.job_id, JobRun.scheduled_for
        )
    ).all()
    assert runs and all(count == 1 for _, _, count in runs), runs
    wait_for(
        lambda: any("already claimed, skipped" in process.log() for process in processes),
        timeout=30,
        message="a scheduler skipping a run the other had claimed",
    )
    outcomes = set(
        db.session.scalars(select(JobRun.outcome).where(JobRun.finished_at.is_not(None)))
    )
    assert outcomes == {"done"}


def test_two_servers_and_two_schedulers_on_one_postgresql(tmp_path):
    with separate_database(tmp_path, "two_servers") as url, app_on(url):
        schedulers = [scheduler(url, tmp_path / f"scheduler-{n}.log") for n in (1, 2)]
        servers = [AppServer(url, tmp_path / f"gunicorn-{n}.log") for n in (1, 2)]
        with stopped_at_the_end(*schedulers, *servers):
            for process in schedulers:
                process.start()
            scene = _scene()
            wait_for(
                lambda: all(
                    "apscheduler.scheduler: Scheduler started" in p.log() for p in schedulers
                ),
                timeout=60,
                message="both schedulers started",
            )
            started_at = utcnow()
            db.session.remove()
            for server in servers:
                server.start()
            assert servers[0].port != servers[1].port

            _bookings_race(servers, scene["session_id"], scene["bookers"])
            _votes_race(servers, scene["person_ballot"], [scene["voter"]])
            _votes_race(servers, scene["household_ballot"], scene["members"])
            _one_session_on_both(servers, scene["bookers"][0])
            _claimed_once(started_at, schedulers)
            db.session.expire_all()
            assert db.session.get(Ballot, scene["scheduler_ballot"]).state is BallotState.OPEN
