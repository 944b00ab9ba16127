"""A vote costs the same few queries however many ballots and votes there are: the
ballot comes with what its permission check reads in one statement, the roll and the box
are written, and nothing is rendered (the receipt is shown by the GET after it)."""

from gachi.auth.models import User
from gachi.ballots.models import Ballot
from gachi.ballots.operations import cast_vote
from gachi.extensions import db
from tests.ballots.helpers import a_ballot, ballot_scene, option_ids
from tests.complexes.helpers import TOKEN_PAGE, signed_in
from tests.conftest import counted_queries, csrf_token

# The user (with their household); the ballot with what `can_vote` reads (participation,
# complex) and its ballot paper (options and their problems) in one SELECT; the box and
# its early close read when writing, the paper count, the roll (with its savepoint), the
# box again; and on SQLite the reads' BEGIN and the writes' BEGIN IMMEDIATE. No page
# furniture (the unread notifications of a header): the POST renders nothing.
MOST_QUERIES = 10


def statements_of_a_vote(client, ballot_id, option_id):
    """The resident opens the ballot, then votes; the vote's statements, as a fresh
    request would make them (nothing of the test's in the session)."""
    client.get(f"/ballots/{ballot_id}")
    token = csrf_token(client, TOKEN_PAGE)
    db.session.commit()  # the test's own reads end: the vote begins its transactions itself
    db.session.expunge_all()
    with counted_queries(with_transaction_statements=True) as statements:
        response = client.post(
            f"/ballots/{ballot_id}/vote", data={"csrf_token": token, "choice": str(option_id)}
        )
    assert response.status_code == 303
    return statements


def queries_for_a_vote(client, ballot_id, option_id):
    return len(statements_of_a_vote(client, ballot_id, option_id))


def test_a_vote_costs_the_same_few_queries_however_many_ballots_and_votes_exist(app, make):
    scene = ballot_scene(make, resident_count=6)
    ballot = a_ballot(scene)
    ballot_id, options = ballot.id, option_ids(ballot)
    first_voter, second_voter = (
        signed_in(app.test_client(), scene.residents[0]),
        signed_in(app.test_client(), scene.residents[1]),
    )
    others = [resident.id for resident in scene.residents[2:]]
    first = queries_for_a_vote(first_voter, ballot_id, options[0])

    ballot = db.session.get(Ballot, ballot_id)
    for resident_id in others:
        cast_vote(ballot, voter=db.session.get(User, resident_id), choices={options[1]: 1})
    for _ in range(3):
        elsewhere = ballot_scene(make, resident_count=3)
        other = a_ballot(elsewhere)
        for resident in elsewhere.residents:
            cast_vote(other, voter=resident, choices={option_ids(other)[0]: 1})
    db.session.commit()
    later = queries_for_a_vote(second_voter, ballot_id, options[2])

    assert first == later <= MOST_QUERIES, (first, later)


def test_a_vote_loads_the_ballot_and_its_permission_chain_in_one_statement(app, make):
    scene = ballot_scene(make, resident_count=2)
    ballot = a_ballot(scene)
    voter = signed_in(app.test_client(), scene.residents[0])
    statements = statements_of_a_vote(voter, ballot.id, option_ids(ballot)[0])

    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    ballot_reads = [s for s in reads if "FROM ballots" in s]
    assert len(ballot_reads) == 1, ballot_reads
    for joined in ("participations", "complexes", "ballot_options", "problems"):
        assert f"JOIN {joined}" in ballot_reads[0], joined
        # ... and nothing loads it again on its own (a lazy load).
        assert not [s for s in reads if f"FROM {joined}" in s], joined
    assert not [s for s in statements if "notifications" in s]
