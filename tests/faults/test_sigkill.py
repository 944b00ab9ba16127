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

from gachi.ballots.models import Ballot, BallotVoter
from gachi.ballots.operations import choices_for_receipt
from gachi.ballots.queries import counted_markings
from gachi.ballots.receipts import normalise_code
from gachi.core.audit import AuditEntry
from gachi.extensions import db
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.bookings.operations import waiting_position
from gachi.programs.sessions.models import ProgramSession
from tests import factories as make
from tests.ballots.helpers import a_ballot, ballot_scene, option_ids
from tests.faults.processes import LOST, AppServer, Visitor, app_on, separate_database, wait_for
from tests.programs.helpers import add_session, days_ahead, program_scene

pytestmark = pytest.mark.faults

# Each voter votes in every ballot, each booker books every session, and the first
# CANCELLERS bookers cancel each booking a round later: 32 + 32 + 8 writes.
VOTERS, BALLOTS, BOOKERS, SESSIONS, SEATS, CANCELLERS, THREADS = 8, 4, 8, 4, 3, 2, 4


@dataclass
class Task:
    """One person's one write, and what they saw of it."""

    kind: str  # "vote", "book" or "cancel"
    visitor: Visitor
    lane: int  # the thread that sends it: one person's writes go one after another
    user_id: int
    target_id: int  # the ballot or the session
    form: dict
    outcome: str = "not sent"  # "acknowledged", "refused" (4xx) or "no answer"
    status: int | None = None
    booking_id: int | None = None
    receipt: str | None = None
    booking: "Task | None" = None  # what a cancel cancels
    tries: int = 0

    @property
    def path(self):
        if self.kind == "vote":
            return f"/ballots/{self.target_id}/vote"
        if self.kind == "book":
            return f"/sessions/{self.target_id}/book"
        return f"/bookings/{self.booking.booking_id}/cancel"

    def send(self):
        self.tries += 1
        try:
            page = self.visitor.post(self.path, self.form)
        except LOST:
            self.outcome = "no answer"
            return False
        self.status = page.status
        if self.kind == "cancel" and page.status == 302 and page.location == "/my/bookings":
            self.outcome = "acknowledged"
        elif self.kind == "vote" and page.status == 303:  # to the receipt's page
            self.outcome = "acknowledged"
            self.receipt = normalise_code(self.visitor.cookie_at(f"/ballots/{self.target_id}"))
        elif self.kind == "book" and page.status == 302 and page.location.startswith("/bookings/"):
            self.outcome, self.booking_id = "acknowledged", int(page.location.rsplit("/", 1)[1])
        elif 400 <= page.status < 500:
            self.outcome = "refused"
        else:
            raise AssertionError(f"{self.kind} answered {page.status}: {page.text[:500]}")
        return True


@dataclass
class Scene:
    ballots: dict  # ballot id → option ids
    voters: list  # (user id, user name)
    sessions: list  # session ids
    bookers: list  # (user id, user name)


def _scene():
    """A complex with open ballots and their voters; another, running, with sessions of
    SEATS places each and more residents who want one. Ids and user names only."""
    voting = ballot_scene(make, resident_count=VOTERS)
    ballots = [a_ballot(voting) for _ in range(BALLOTS)]
    booking = program_scene(make, capacity=SEATS, max_party_size=1)
    sessions = [booking.program_session] + [
        add_session(booking.program, days_ahead(4 + day)) for day in range(SESSIONS - 1)
    ]
    bookers = [make.resident(booking.participation.complex) for _ in range(BOOKERS)]
    return Scene(
        {ballot.id: option_ids(ballot) for ballot in ballots},
        [(user.id, user.username) for user in voting.residents],
        [program_session.id for program_session in sessions],
        [(user.id, user.username) for user in bookers],
    )


def _signed_in_tasks(server, scene):
    """Everyone signs in through the form; their writes, round after round (a vote, a
    booking, a vote, …; a cancellation of the last round's booking), each person's in
    one lane, in order."""
    people = [
        (kind, user_id, username, Visitor(server.url))
        for pair in zip(scene.voters, scene.bookers, strict=False)
        for kind, (user_id, username) in zip(("vote", "book"), pair, strict=False)
    ]
    _joined(
        *_in_lanes(
            [
                [
                    lambda visitor=visitor, username=username: visitor.sign_in(username)
                    for index, (_, _, username, visitor) in enumerate(people)
                    if index % THREADS == lane
                ]
                for lane in range(THREADS)
            ]
        )
    )
    cancellers = {user_id for user_id, _ in scene.bookers[:CANCELLERS]}
    tasks, booked = [], {}
    for round_ in range(max(BALLOTS, SESSIONS + 1)):
        for index, (kind, user_id, _, visitor) in enumerate(people):
            lane = index % THREADS
            if kind == "vote" and round_ < BALLOTS:
                ballot_id, options = list(scene.ballots.items())[round_]
                tasks.append(
                    Task(
                        "vote",
                        visitor,
                        lane,
                        user_id,
                        ballot_id,
                        {"choice": str(options[index % len(options)])},
                    )
                )
            if kind == "book" and user_id in cancellers and round_ > 0:
                session_id = scene.sessions[round_ - 1]
                tasks.append(
                    Task(
                        "cancel",
                        visitor,
                        lane,
                        user_id,
                        session_id,
                        {},
                        booking=booked[user_id, session_id],
                    )
                )
            if kind == "book" and round_ < SESSIONS:
                session_id = scene.sessions[round_]
                booked[user_id, session_id] = Task(
                    "book",
                    visitor,
                    lane,
                    user_id,
                    session_id,
                    {"party_size": "1", "request_key": secrets.token_urlsafe(12)},
                )
                tasks.append(booked[user_id, session_id])
    return tasks


def _in_lanes(lanes, *, stop_at_no_answer=False):
    """Run each lane's calls one after another, the lanes side by side."""
    failures = []

    def run(calls):
        try:
            for call in calls:
                if call() is False and stop_at_no_answer:
                    return
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(calls,), daemon=True) for calls in lanes]
    for thread in threads:
        thread.start()
    return threads, failures


def _joined(threads, failures):
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def _lanes_of(tasks):
    return [[task.send for task in tasks if task.lane == lane] for lane in range(THREADS)]


def _stream_until_killed(server, tasks):
    """Every lane sends its writes one after another and stops at the first that gets no
    answer; the whole gunicorn process group is killed once a third are acknowledged."""
    threads, failures = _in_lanes(_lanes_of(tasks), stop_at_no_answer=True)
    wait_for(
        lambda: (
            failures
            or not any(thread.is_alive() for thread in threads)
            or sum(task.outcome == "acknowledged" for task in tasks) >= len(tasks) // 3
        ),
        timeout=120,
        message="a third of the stream acknowledged",
        every=0.005,
    )
    server.kill()
    _joined(threads, failures)


def _check_votes(scene, vote_tasks):
    for ballot_id in scene.ballots:
        on_roll = db.session.scalar(
            select(func.count()).select_from(BallotVoter).where(BallotVoter.ballot_id == ballot_id)
        )
        in_box = sum(counted_markings(ballot_id).values())
        assert on_roll == in_box == VOTERS  # every voter once, one ballot in the box each
    for task in vote_tasks:
        if task.outcome == "acknowledged":
            ballot = db.session.get(Ballot, task.target_id)
            assert choices_for_receipt(ballot, task.receipt) == {int(task.form["choice"]): 1}
        else:  # sent again after the kill: the first try had landed
            assert task.status == 409 and task.tries > 1, task


def _check_bookings(scene, book_tasks, cancel_tasks):
    assert all(task.outcome == "acknowledged" for task in book_tasks), book_tasks
    # A cancellation refused when sent again: its first try had landed.
    assert all(
        task.outcome == "acknowledged" or (task.outcome == "refused" and task.tries > 1)
        for task in cancel_tasks
    ), cancel_tasks
    active = BOOKERS - CANCELLERS
    for session_id in scene.sessions:
        program_session = db.session.get(ProgramSession, session_id)
        bookings = db.session.scalars(
            select(Booking).where(Booking.session_id == session_id).order_by(Booking.id)
        ).all()
        assert len(bookings) == len({booking.user_id for booking in bookings}) == BOOKERS
        confirmed = [b for b in bookings if b.status is BookingStatus.CONFIRMED]
        waiting = [b for b in bookings if b.status is BookingStatus.WAITING]
        cancelled = [b for b in bookings if b.status is BookingStatus.CANCELLED]
        assert len(cancelled) == CANCELLERS
        # Nobody waits while a seat is free; the line has no gaps.
        assert (
            program_session.seats_taken
            == sum(b.party_size for b in confirmed)
            == min(SEATS, active)
        )
        assert len(waiting) == active - len(confirmed)
        assert [waiting_position(b) for b in waiting] == list(range(1, len(waiting) + 1))
    for task in book_tasks:
        booking = db.session.get(Booking, task.booking_id)
        assert (booking.user_id, booking.session_id) == (task.user_id, task.target_id)
    for task in cancel_tasks:
        assert db.session.get(Booking, task.booking.booking_id).status is BookingStatus.CANCELLED
    bookings = db.session.scalar(select(func.count()).select_from(Booking))
    logged = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "booking.create")
    )
    assert logged == bookings  # the audit entry and the booking: both or neither


def test_sigkill_mid_stream_loses_no_acknowledged_write(tmp_path):
    with separate_database(tmp_path, "sigkill") as url, app_on(url):
        scene = _scene()
        db.session.remove()
        server = AppServer(url, tmp_path / "gunicorn.log")
        try:
            server.start()
            tasks = _signed_in_tasks(server, scene)
            _stream_until_killed(server, tasks)
            acknowledged_before_kill = sum(task.outcome == "acknowledged" for task in tasks)
            assert acknowledged_before_kill < len(tasks), "the kill came after the stream"

            server.start()  # the same database, the same SECRET_KEY: still signed in
            unanswered = [task for task in tasks if task.outcome in ("no answer", "not sent")]
            _joined(*_in_lanes(_lanes_of(unanswered)))
            assert all(task.status for task in unanswered), "no answer after the restart"
        finally:
            server.stop()

        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert acknowledged_before_kill >= len(tasks) // 3
        _check_votes(scene, [task for task in tasks if task.kind == "vote"])
        _check_bookings(
            scene,
            [task for task in tasks if task.kind == "book"],
            [task for task in tasks if task.kind == "cancel"],
        )
