"""A booking costs the same few queries however many sessions and bookings there are:
the session comes with what its permission check reads, one query asks whether this
form or this resident booked already, and nothing is read again after the commit."""

from gachi.auth.models import User
from gachi.extensions import db
from gachi.programs.bookings.operations import book_seat
from gachi.programs.models import Program
from gachi.programs.sessions.models import ProgramSession
from tests.complexes.helpers import TOKEN_PAGE, signed_in
from tests.conftest import counted_queries, csrf_token
from tests.programs.helpers import add_session, days_ahead, program_scene

# The user (with their household), the session (with programme, participation and
# complex), an earlier booking of this form or resident, anyone waiting, the seats, the
# booking, the audit entry, and the savepoint around the last three; on SQLite the
# BEGIN IMMEDIATE.
MOST_QUERIES = 10


def statements_of_a_booking(client, session_id, key):
    """As a fresh request would make them (nothing of the test's in the session)."""
    token = csrf_token(client, TOKEN_PAGE)
    db.session.expunge_all()
    with counted_queries(with_transaction_statements=True) as statements:
        response = client.post(
            f"/sessions/{session_id}/book",
            data={"csrf_token": token, "party_size": "1", "request_key": key},
        )
    assert response.status_code == 302
    return statements


def queries_for_a_booking(client, session_id, key):
    return len(statements_of_a_booking(client, session_id, key))


def test_a_booking_costs_the_same_few_queries_however_many_sessions_and_bookings_exist(app, make):
    scene = program_scene(make, capacity=40)
    neighbours = [make.resident(scene.participation.complex) for _ in range(6)]
    session_id, program_id = scene.program_session.id, scene.program.id
    first_client, last_client = (
        signed_in(app.test_client(), scene.resident),
        signed_in(app.test_client(), neighbours[-1]),
    )
    neighbour_ids = [neighbour.id for neighbour in neighbours]
    first = queries_for_a_booking(first_client, session_id, "first-form")

    neighbours = [db.session.get(User, neighbour_id) for neighbour_id in neighbour_ids]
    program = db.session.get(Program, program_id)
    for days in range(4, 10):
        later_session = add_session(program, days_ahead(days))
        for neighbour in neighbours:
            book_seat(later_session, actor=neighbour, resident=neighbour)
    for neighbour in neighbours[:-1]:
        book_seat(db.session.get(ProgramSession, session_id), actor=neighbour, resident=neighbour)
    db.session.commit()
    later = queries_for_a_booking(last_client, session_id, "second-form")

    assert first == later <= MOST_QUERIES


def test_a_booking_loads_the_session_and_its_permission_chain_in_one_statement(app, make):
    scene = program_scene(make, capacity=40)
    client = signed_in(app.test_client(), scene.resident)
    statements = statements_of_a_booking(client, scene.program_session.id, "one-form")

    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    session_reads = [s for s in reads if "FROM program_sessions" in s]
    assert len(session_reads) == 1, session_reads
    for joined in ("programs", "participations", "complexes"):
        assert f"JOIN {joined}" in session_reads[0], joined
        assert not [s for s in reads if f"FROM {joined}" in s], joined  # no lazy load
    assert not [s for s in statements if "notifications" in s]  # no page furniture
