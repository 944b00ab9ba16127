"""Votes and bookings load and check first and take SQLite's one write lock only to write,
so residents voting and booking at the same moment wait for each other's writes, not for
each other's whole requests; and many at once through the pages still all land, the last
seats going once."""

import pytest
from sqlalchemy import event, func, select

from gachi.ballots.models import Ballot, BallotVoter
from gachi.ballots.operations import sync_ballot_state
from gachi.extensions import db
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.sessions.models import ProgramSession
from tests.ballots.helpers import a_ballot, ballot_scene, ballots_in_box, option_ids
from tests.complexes.helpers import TOKEN_PAGE, signed_in
from tests.conftest import csrf_token
from tests.core.test_database import run_together
from tests.programs.helpers import program_scene


def count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def statements_of(client, path, data):
    statements = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement.split()[0] + (" IMMEDIATE" if "IMMEDIATE" in statement else ""))

    db.session.commit()  # the test's reads end; the request's own transactions follow
    db.session.expunge_all()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post(path, data=data)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code in (302, 303), response.status_code
    return statements


def assert_reads_then_writes(statements):
    """A plain BEGIN for the reads, then BEGIN IMMEDIATE, and every write after it."""
    assert db.engine.dialect.name == "sqlite"
    assert statements[0] == "BEGIN" and statements.count("BEGIN IMMEDIATE") == 1, " ".join(
        statements
    )
    lock = statements.index("BEGIN IMMEDIATE")
    assert "SELECT" in statements[:lock], statements
    writes = [i for i, verb in enumerate(statements) if verb in ("INSERT", "UPDATE", "DELETE")]
    assert writes and min(writes) > lock, statements


@pytest.fixture
def sqlite_only():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")


def test_a_vote_takes_the_write_lock_only_after_loading_and_checking(app, make, sqlite_only):
    scene = ballot_scene(make)
    ballot = a_ballot(scene)
    sync_ballot_state(ballot)  # open by the clock: the job writes that down
    db.session.commit()
    ballot_id = ballot.id
    voter = signed_in(app.test_client(), scene.residents[0])
    token = csrf_token(voter, TOKEN_PAGE)
    assert_reads_then_writes(
        statements_of(
            voter,
            f"/ballots/{ballot.id}/vote",
            {"csrf_token": token, "choice": str(option_ids(ballot)[0])},
        )
    )
    assert ballots_in_box(db.session.get(Ballot, ballot_id)) == 1


def test_a_booking_takes_the_write_lock_only_after_loading_and_checking(app, make, sqlite_only):
    scene = program_scene(make)
    resident = signed_in(app.test_client(), scene.resident)
    token = csrf_token(resident, TOKEN_PAGE)
    assert_reads_then_writes(
        statements_of(
            resident,
            f"/sessions/{scene.program_session.id}/book",
            {"csrf_token": token, "party_size": "1", "dependants": "", "request_key": "k-1"},
        )
    )
    assert count(Booking, Booking.status == BookingStatus.CONFIRMED) == 1


def signed_in_clients(app, users):
    clients = [signed_in(app.test_client(), user) for user in users]
    return [(client, csrf_token(client, TOKEN_PAGE)) for client in clients]


def test_twelve_residents_voting_through_the_page_at_once_all_land(app, make):
    scene = ballot_scene(make, resident_count=12)
    ballot = a_ballot(scene)
    ballot_id, option_id = ballot.id, option_ids(ballot)[1]
    voters = signed_in_clients(app, scene.residents)

    def vote(index):
        client, token = voters[index]
        return client.post(
            f"/ballots/{ballot_id}/vote", data={"csrf_token": token, "choice": str(option_id)}
        ).status_code

    assert run_together(app, 12, vote) == [303] * 12
    assert count(BallotVoter, BallotVoter.ballot_id == ballot_id) == 12
    assert ballots_in_box(ballot) == 12


def test_the_last_three_seats_booked_through_the_page_at_once_go_once(app, make):
    scene = program_scene(make, capacity=10, max_party_size=1)
    session_id = scene.program_session.id
    db.session.execute(ProgramSession.__table__.update().values(seats_taken=7))
    residents = [make.resident(scene.participation.complex) for _ in range(12)]
    db.session.commit()
    bookers = signed_in_clients(app, residents)

    def book(index):
        client, token = bookers[index]
        return client.post(
            f"/sessions/{session_id}/book",
            data={
                "csrf_token": token,
                "party_size": "1",
                "dependants": "",
                "request_key": f"key-{index}",
            },
        ).status_code

    assert run_together(app, 12, book) == [302] * 12
    db.session.expire_all()
    assert db.session.get(ProgramSession, session_id).seats_taken == 10
    assert count(Booking, Booking.status == BookingStatus.CONFIRMED) == 3
    assert count(Booking, Booking.status == BookingStatus.WAITING) == 9
