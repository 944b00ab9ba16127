"""The app server killed with SIGKILL in the middle of a stream of votes and bookings
loses no acknowledged write and leaves the database consistent.

Real processes: gunicorn (two workers) on a database of the test's own (a SQLite file,
or a PostgreSQL database when the suite runs on PostgreSQL); residents sign in through
the form and post through HTTP from several threads; the whole process group gets
SIGKILL once part of the stream is acknowledged; gunicorn starts again on the same
database and the people whose request got no answer send it again.
"""
import secrets
import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, text

from gachi.ballots.models import Ballot, BallotChoice, BallotRecord, BallotVoter
from gachi.ballots.operations import choices_for_receipt
from gachi.ballots.receipts import normalise_code
from gachi.core.audit import AuditEntry
from gachi.extensions import db
from gachi.programs.bookings import waiting_position
from gachi.programs.models import Booking, BookingStatus, ProgramSession
from tests import factories as make
from tests.ballots.helpers import a_ballot, ballot_scene, option_ids
from tests.faults.processes import LOST, AppServer, Visitor, app_on, separate_database, wait_for
from tests.programs.helpers import program_scene

pytestmark = pytest.mark.faults

VOTERS, BOOKERS, SEATS, THREADS = 24, 24, 8, 6


@dataclass
class Task:
    """One person's one write, and what they saw of it."""
    kind: str  # "vote" or "book"
    visitor: Visitor
    user_id: int
    username: str
    path: str
    form: dict
    outcome: str = "not sent"  # "acknowledged", "refused" (4xx) or "no answer"
    status: int | None = None
    booking_id: int | None = None
    receipt: str | None = None

    def send(self):
        try:
            page = self.visitor.post(self.path, self.form)
        except LOST:
            self.outcome = "no answer"
            return False
        self.status = page.status
        if self.kind == "vote" and page.status == 200:
            self.outcome = "acknowledged"
            self.receipt = normalise_code(self.visitor.cookie_at(self.path.rsplit("/", 1)[0]))
        elif self.kind == "book" and page.status == 302 and page.location.startswith("/bookings/"):
            self.outcome, self.booking_id = "acknowledged", int(page.location.rsplit("/", 1)[1])
        elif 400 <= page.status < 500:
            self.outcome = "refused"
        else:
            raise AssertionError(f"{self.kind} answered {page.status}: {page.text[:500]}")
        return True


def _scene():
    """A complex with an open ballot and its voters; another, running, with a session of
    SEATS places and more residents who want one. Ids and user names only."""
    voting = ballot_scene(make, resident_count=VOTERS)
    ballot = a_ballot(voting)
    booking = program_scene(make, capacity=SEATS, max_party_size=1)
    bookers = [make.resident(booking.participation.complex) for _ in range(BOOKERS)]
    return (ballot.id, option_ids(ballot), [(user.id, user.username) for user in voting.residents],
            booking.session.id, [(user.id, user.username) for user in bookers])


def _signed_in_tasks(server, ballot_id, options, voters, session_id, bookers):
    votes = [Task("vote", Visitor(server.url), user_id, username, f"/ballots/{ballot_id}/vote",
                  {"choice": str(options[index % len(options)])})
             for index, (user_id, username) in enumerate(voters)]
    books = [Task("book", Visitor(server.url), user_id, username, f"/sessions/{session_id}/book",
                  {"party_size": "1", "request_key": secrets.token_urlsafe(12)})
             for user_id, username in bookers]
    tasks = [task for pair in zip(votes, books) for task in pair]
    _in_threads([lambda task=task: task.visitor.sign_in(task.username) for task in tasks])
    return tasks


def _in_threads(calls):
    lanes = [calls[lane::THREADS] for lane in range(THREADS)]
    failures = []

    def run(lane):
        try:
            for call in lane:
                call()
        except Exception as error:  # noqa: BLE001 — reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(lane,)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def _stream_until_killed(server, tasks):
    """Every thread sends its people's writes one after another and stops at the first
    one that gets no answer; the server is killed once a third are acknowledged."""
    lanes = [tasks[lane::THREADS] for lane in range(THREADS)]
    errors = []

    def run(lane):
        try:
            for task in lane:
                if not task.send():
                    return
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(lane,), daemon=True) for lane in lanes]
    for thread in threads:
        thread.start()
    wait_for(lambda: sum(t.outcome == "acknowledged" for t in tasks) >= len(tasks) // 3,
             timeout=120, message="a third of the stream acknowledged", every=0.005)
    server.kill()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def _check_votes(ballot_id, vote_tasks):
    voters_on_roll = set(db.session.scalars(select(BallotVoter.user_id).where(
        BallotVoter.ballot_id == ballot_id)))
    records = db.session.scalar(select(func.count()).select_from(BallotRecord).where(
        BallotRecord.ballot_id == ballot_id))
    assert records == len(voters_on_roll) == VOTERS  # every voter once, one record each
    records_without_choices = db.session.scalar(select(func.count()).select_from(BallotRecord).where(
        BallotRecord.ballot_id == ballot_id, ~BallotRecord.choices.any()))
    assert records_without_choices == 0
    assert db.session.scalar(select(func.count()).select_from(BallotChoice)) == VOTERS
    ballot = db.session.get(Ballot, ballot_id)
    for task in vote_tasks:
        if task.outcome == "acknowledged":
            assert choices_for_receipt(ballot, task.receipt) == {int(task.form["choice"]): 1}


def _check_bookings(session_id, book_tasks):
    session = db.session.get(ProgramSession, session_id)
    bookings = db.session.scalars(select(Booking).where(Booking.session_id == session_id)
                                  .order_by(Booking.id)).all()
    assert len(bookings) == len({booking.user_id for booking in bookings}) == BOOKERS
    by_id = {booking.id: booking for booking in bookings}
    for task in book_tasks:
        assert task.outcome == "acknowledged", task
        assert by_id[task.booking_id].user_id == task.user_id
    confirmed = [b for b in bookings if b.status is BookingStatus.CONFIRMED]
    waiting = [b for b in bookings if b.status is BookingStatus.WAITING]
    assert session.seats_taken == sum(b.party_size for b in confirmed) == SEATS
    assert len(waiting) == BOOKERS - SEATS
    assert [waiting_position(b) for b in waiting] == list(range(1, len(waiting) + 1))
    logged = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "booking.create", AuditEntry.object_id.in_(by_id)))
    assert logged == len(bookings)  # the audit entry and the booking: both or neither


def test_sigkill_mid_stream_loses_no_acknowledged_write(tmp_path):
    with separate_database(tmp_path, "sigkill") as url, app_on(url):
        ballot_id, options, voters, session_id, bookers = _scene()
        db.session.remove()
        server = AppServer(url, tmp_path / "gunicorn.log")
        try:
            server.start()
            tasks = _signed_in_tasks(server, ballot_id, options, voters, session_id, bookers)
            _stream_until_killed(server, tasks)
            before_kill = {task.outcome for task in tasks}
            assert before_kill & {"no answer", "not sent"}, "the kill came after the stream"
            acknowledged_before_kill = sum(task.outcome == "acknowledged" for task in tasks)

            server.start()  # the same database, the same SECRET_KEY: sessions still valid
            unanswered = [task for task in tasks if task.outcome in ("no answer", "not sent")]
            _in_threads([lambda task=task: task.send() or pytest.fail(f"no answer: {task}")
                         for task in unanswered])
        finally:
            server.stop()

        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert acknowledged_before_kill >= len(tasks) // 3
        vote_tasks = [task for task in tasks if task.kind == "vote"]
        retried_votes = [task for task in vote_tasks if task.outcome == "refused"]
        for task in retried_votes:  # their first try had landed before the kill
            assert task.status == 409, task
        _check_votes(ballot_id, vote_tasks)
        _check_bookings(session_id, [task for task in tasks if task.kind == "book"])
