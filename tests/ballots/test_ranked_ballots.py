"""Ranked ballots through the pages: a coordinator sets one up, residents number the
problems on their phones, the room's paper ballots are entered by ranking, and the
result shows how it was counted: the rounds, the points or the pairwise table."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi.ballots.models import Ballot, BallotOption, BallotVoter, Method, PaperTally, TieRule
from gachi.ballots.operations import (
    cast_vote,
    close_ballot,
    confirm_selection,
    record_tie_decision,
)
from gachi.ballots.queries import ballot_results, counted_markings
from gachi.core.audit import AuditEntry
from gachi.core.errors import DomainError
from gachi.core.time import SEOUL, utcnow
from gachi.extensions import db
from gachi.proposals.models import ProblemState
from tests.ballots.helpers import (
    a_ballot,
    ballot_scene,
    ballots_in_box,
    option_ids,
    receipt_page,
)
from tests.complexes.helpers import confirm_on_page, post, signed_in, text_of

RECEIPT = re.compile(r'id="receipt">([A-Z0-9-]+)<')


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def vote_ranks(client, ballot, places, **extra):
    """Post the ballot paper with a place number (or "" for none) per option index."""
    ids = option_ids(ballot)
    data = {f"rank_{ids[index]}": str(place) for index, place in places.items()}
    return post(client, f"/ballots/{ballot.id}/vote", {**data, **extra})


def marking(ballot, *indexes):
    ids = option_ids(ballot)
    return ">".join(str(ids[index]) for index in indexes)


def close(client, ballot):
    assert confirm_on_page(client, f"/ballots/{ballot.id}/close").status_code == 302


@pytest.fixture
def scene(make):
    return ballot_scene(make, problem_count=4, resident_count=3)


def test_a_coordinator_sets_up_an_instant_runoff_ballot_and_a_resident_ranks_on_it(client, scene):
    signed_in(client, scene.coordinator)
    opens = (utcnow() - timedelta(minutes=5)).astimezone(SEOUL)
    response = post(
        client,
        f"/participations/{scene.participation.id}/ballots/new",
        {
            "title": "순위 투표",
            "problems": [str(p.id) for p in scene.problems],
            "method": "irv",
            "eligibility": "resident",
            "seats": "1",
            "tie_rule": "earliest",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, text_of(response)[:2000]
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.method is Method.IRV and ballot.is_ranked

    signed_in(client, scene.residents[0])
    client.set_cookie("lang", "ko")
    paper = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "순위 투표(즉석 결선)" in paper
    assert "먼저 제안된 문제 우선" in paper  # the tie rule is on the ballot
    first = option_ids(ballot)[0]
    # One select per problem, its label naming the problem and then "순위".
    assert f'<label for="rank_{first}">아이 돌봄(육아), 순위</label>' in paper
    assert "순위 없음" in paper

    shown = text_of(receipt_page(client, vote_ranks(client, ballot, {0: 2, 1: "", 2: 1, 3: ""})))
    assert RECEIPT.search(shown)
    ranking = re.search(r'<ol class="my-choices">(.*?)</ol>', shown, re.S).group(1)
    assert ranking.index("주차 문제") < ranking.index("아이 돌봄(육아)")
    assert "쓰레기 분리배출" not in ranking
    assert counted_markings(ballot.id) == {marking(ballot, 2, 0): 1}

    page = text_of(client.get(f"/ballots/{ballot.id}"))
    mine = re.search(r'<ol class="my-choices">(.*?)</ol>', page, re.S).group(1)
    assert mine.index("주차 문제") < mine.index("아이 돌봄(육아)")
    # The paper to change the vote comes numbered as it was cast.
    ids = option_ids(ballot)
    numbered = {
        index: re.search(rf'<select id="rank_{ids[index]}"[^>]*>(.*?)</select>', page).group(1)
        for index in range(4)
    }
    assert 'selected value="1"' in numbered[2] and 'selected value="2"' in numbered[0]
    assert 'selected value=""' in numbered[1] and 'selected value=""' in numbered[3]


@pytest.mark.parametrize(
    ("places", "message"),
    [
        ({0: 1, 1: 1, 2: 2}, "두 문제에 같은 순위를 주었습니다"),
        ({0: 1, 1: 3}, "번호를 건너뛰지 말고"),
        ({0: "", 1: "", 2: "", 3: ""}, "하나 이상 골라 순위를"),
    ],
)
def test_a_ranking_with_a_repeated_or_skipped_number_is_refused_in_korean(
    client, scene, places, message
):
    ballot = a_ballot(scene, method=Method.BORDA)
    signed_in(client, scene.residents[0])
    client.set_cookie("lang", "ko")

    response = vote_ranks(client, ballot, places)

    assert response.status_code == 400
    assert message in text_of(response)
    assert (count(BallotVoter), ballots_in_box()) == (0, 0)


def test_a_rank_outside_the_ballot_paper_is_refused(client, scene):
    ballot = a_ballot(scene, method=Method.SCHULZE)
    signed_in(client, scene.residents[0])
    response = vote_ranks(client, ballot, {0: 1, 1: 9})
    assert response.status_code == 400
    assert (count(BallotVoter), ballots_in_box()) == (0, 0)


def test_a_resident_changes_their_ranking_with_the_receipt_on_another_device(app, scene):
    ballot = a_ballot(scene, method=Method.IRV)
    phone, library_pc = app.test_client(), app.test_client()
    signed_in(phone, scene.residents[0])
    receipt = RECEIPT.search(
        text_of(receipt_page(phone, vote_ranks(phone, ballot, {0: 1, 1: 2})))
    ).group(1)

    signed_in(library_pc, scene.residents[0])
    response = vote_ranks(library_pc, ballot, {3: 1, 2: 2, 1: 3}, receipt=receipt)

    assert response.status_code == 302
    assert counted_markings(ballot.id) == {marking(ballot, 3, 2, 1): 1}
    assert count(BallotVoter) == 1


def test_online_rankings_are_counted_by_rounds_and_the_winner_is_confirmed(client, scene):
    ballot = a_ballot(scene, method=Method.IRV)
    for resident, places in zip(
        scene.residents, [{0: 1, 1: 2}, {1: 1, 0: 2}, {2: 1, 1: 2}], strict=True
    ):
        signed_in(client, resident)
        assert vote_ranks(client, ballot, places).status_code == 303

    signed_in(client, scene.coordinator)
    close(client, ballot)
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    # Round 1: 쉴 곳 부족 has no vote and goes; round 2: three tied at one vote each,
    # the earliest proposed go ahead, so 주차 문제 goes; round 3: its ballot moves on.
    assert "Instant-runoff rounds" in page and "Round 1" in page and "Round 3" in page
    assert "Exhausted ballots" in page
    results = ballot_results(ballot)
    winner = results.ranked.winners[0]
    assert winner == option_ids(ballot)[1]  # 쓰레기 분리배출: 2 of 3 once 주차 문제 is out

    assert post(client, f"/ballots/{ballot.id}/confirm").status_code == 302
    db.session.expire_all()
    assert scene.problems[1].state is ProblemState.SELECTED
    assert scene.problems[0].state is ProblemState.NOT_SELECTED
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "ballot.confirm")
    ).one()
    assert entry.after["method"] == "irv" and entry.after["tie_rule"] == "earliest"


# Wikipedia's Tennessee example, as 100 paper ballots: the four cities are the four
# problems in ballot order. IRV elects Knoxville; Borda and Schulze, Nashville.
TENNESSEE = [
    ({0: 1, 1: 2, 2: 3, 3: 4}, 42),  # Memphis > Nashville > Chattanooga > Knoxville
    ({1: 1, 2: 2, 3: 3, 0: 4}, 26),  # Nashville > Chattanooga > Knoxville > Memphis
    ({2: 1, 3: 2, 1: 3, 0: 4}, 15),  # Chattanooga > Knoxville > Nashville > Memphis
    ({3: 1, 2: 2, 1: 3, 0: 4}, 17),  # Knoxville > Chattanooga > Nashville > Memphis
]
MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE = range(4)


def enter_paper_rankings(client, ballot, rows):
    ids = option_ids(ballot)
    data = {"note": "현장 개표"}
    for row, (places, papers) in enumerate(rows, start=1):
        data[f"r{row}_count"] = str(papers)
        data.update({f"r{row}_{ids[index]}": str(place) for index, place in places.items()})
    return post(client, f"/ballots/{ballot.id}/paper", data)


@pytest.mark.parametrize(
    ("method", "winner", "shown"),
    [
        (Method.IRV, KNOXVILLE, ["Round 3", "58"]),
        (Method.BORDA, NASHVILLE, ["Borda points", "194", "173", "126", "107"]),
        (Method.SCHULZE, NASHVILLE, ["Pairwise preferences", "Strongest paths", "68"]),
    ],
)
def test_the_tennessee_example_entered_as_paper_rankings_gives_the_published_winner(
    client, make, method, winner, shown
):
    scene = ballot_scene(make, problem_count=4, resident_count=1)
    scene.complex.resident_count = 150
    ballot = a_ballot(scene, method=method)
    signed_in(client, scene.coordinator)
    assert "Paper ballots by ranking" in text_of(client.get(f"/ballots/{ballot.id}/paper"))

    response = enter_paper_rankings(client, ballot, TENNESSEE)

    assert response.status_code == 302, text_of(response)[:3000]
    tally = db.session.scalars(select(PaperTally)).one()
    assert tally.ballot_count == 100 and tally.lines == []
    close(client, ballot)
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    for figure in shown:
        assert figure in page
    assert post(client, f"/ballots/{ballot.id}/confirm").status_code == 302
    db.session.expire_all()
    assert [p.state is ProblemState.SELECTED for p in scene.problems] == [
        index == winner for index in range(4)
    ]
    exported = client.get(f"/ballots/{ballot.id}/results.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[1][1] == scene.problems[winner].title
    assert ["Tie rule applied", "The problem proposed earliest goes first"] in rows


def test_paper_rankings_are_capped_by_those_eligible_and_need_a_count_per_row(client, make):
    scene = ballot_scene(make, problem_count=4, resident_count=3)
    scene.complex.resident_count = 50
    ballot = a_ballot(scene, method=Method.BORDA)
    signed_in(client, scene.coordinator)

    too_many = enter_paper_rankings(client, ballot, TENNESSEE)
    assert too_many.status_code == 400 and "At most 50 paper ballots" in text_of(too_many)

    no_count = post(
        client, f"/ballots/{ballot.id}/paper", {f"r1_{option_ids(ballot)[0]}": "1", "r1_count": ""}
    )
    assert no_count.status_code == 400
    assert "Enter how many papers were numbered this way." in text_of(no_count)

    skipped = enter_paper_rankings(client, ballot, [({0: 1, 1: 3}, 4)])
    assert skipped.status_code == 400 and "without skipping" in text_of(skipped)
    assert count(PaperTally) == 0


def test_a_correction_of_paper_rankings_is_a_new_entry(client, scene):
    scene.complex.resident_count = 150
    ballot = a_ballot(scene, method=Method.SCHULZE)
    signed_in(client, scene.coordinator)
    assert enter_paper_rankings(client, ballot, TENNESSEE[:2]).status_code == 302
    form = text_of(client.get(f"/ballots/{ballot.id}/paper"))
    assert 'value="42"' in form and 'value="26"' in form  # what was entered, to correct

    assert enter_paper_rankings(client, ballot, TENNESSEE).status_code == 302

    tallies = db.session.scalars(select(PaperTally).order_by(PaperTally.id)).all()
    assert [t.ballot_count for t in tallies] == [68, 100]
    assert tallies[0].replaced_at is not None and tallies[1].replaced_at is None


def test_a_tie_under_the_coordinators_rule_waits_for_the_decision(client, scene):
    ballot = a_ballot(scene, method=Method.BORDA, tie_rule=TieRule.COORDINATOR)
    # 아이 돌봄 and 쓰레기 each get 3 + 2 = 5 points; nobody ranks the other two.
    for resident, places in zip(scene.residents[:2], [{0: 1, 1: 2}, {1: 1, 0: 2}], strict=True):
        signed_in(client, resident)
        assert vote_ranks(client, ballot, places).status_code == 303
    signed_in(client, scene.coordinator)
    close(client, ballot)

    refused = post(client, f"/ballots/{ballot.id}/confirm")
    assert refused.status_code == 400 and "tied" in text_of(refused)
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "Record the decision" in page
    assert "waiting for the coordinator's decision" in page

    tie = post(
        client,
        f"/ballots/{ballot.id}/tie",
        {"option_id": str(option_ids(ballot)[1]), "note": "추첨으로 정했습니다"},
    )
    assert tie.status_code == 302
    assert post(client, f"/ballots/{ballot.id}/confirm").status_code == 302
    db.session.expire_all()
    assert scene.problems[1].state is ProblemState.SELECTED
    assert scene.problems[0].state is ProblemState.NOT_SELECTED
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "ballot.confirm")
    ).one()
    assert entry.after["tie_rule"] == "coordinator"
    assert entry.after["ties"].startswith("cut: ")


def test_an_instant_runoff_tie_for_last_place_stops_the_count_until_the_coordinator_decides(
    make,
):
    scene = ballot_scene(make, problem_count=3, resident_count=4)
    ballot = a_ballot(scene, method=Method.IRV, tie_rule=TieRule.COORDINATOR)
    care, waste, parking = option_ids(ballot)
    for resident, places in zip(
        scene.residents,
        [{care: 1}, {care: 1}, {waste: 1}, {parking: 1, care: 2}],
        strict=True,
    ):
        cast_vote(ballot, voter=resident, choices=places)
    close_ballot(ballot, actor=scene.coordinator)
    db.session.commit()

    waiting = ballot_results(ballot)
    # Round 1: 2, 1, 1 of 4: no majority, and 쓰레기 and 주차 are tied for last.
    assert waiting.undecided_tie and waiting.tied_at_cut_ids == {waste, parking}
    assert waiting.ranked.rounds[-1].tie.kind == "elimination"
    with pytest.raises(DomainError):
        confirm_selection(ballot, actor=scene.coordinator)

    option = db.session.get(BallotOption, waste)
    record_tie_decision(ballot, option=option, note="제비뽑기", actor=scene.coordinator)
    decided = ballot_results(ballot)

    # 주차 goes out, its ballot moves to 아이 돌봄: 3 of 4.
    assert not decided.undecided_tie
    assert decided.ranked.rounds[-1].counts == {care: 3, waste: 1}
    assert decided.ranked.winners == (care,)
    confirm_selection(ballot, actor=scene.coordinator)
    db.session.commit()
    assert scene.problems[0].state is ProblemState.SELECTED
