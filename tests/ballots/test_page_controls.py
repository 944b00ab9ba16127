"""Each ballot page offers a control exactly when its operation accepts, on both sides of
every boundary (opening, closing, closing early, confirming, a tie, the quorum), read at
fixed times; and no ballot page writes, even while the stored state lags behind the clock.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gachi.ballots.models import Ballot, BallotState, Eligibility, Method, TieRule
from gachi.ballots.operations import (
    cast_vote,
    change_vote,
    close_ballot,
    confirm_selection,
    hand_paper_ballot,
    open_ballot,
    record_paper_tally,
    record_tie_decision,
)
from gachi.ballots.queries import ballot_results
from gachi.ballots.receipts import normalise_code
from gachi.complexes.stages import Stage
from gachi.core.errors import DomainError
from gachi.extensions import db
from gachi.workshops.models import WorkshopRound
from gachi.workshops.operations import check_in_resident, create_workshop
from tests.ballots.helpers import ballot_scene, option_ids
from tests.complexes.helpers import signed_in, text_of
from tests.conftest import counted_queries

OPENS = datetime(2026, 5, 12, 0, 0, tzinfo=UTC)  # 09:00 in Seoul
CLOSES = OPENS + timedelta(days=2)
MINUTE = timedelta(minutes=1)

# Both sides of the opening and of the closing time.
BEFORE_OPENING, AT_OPENING = OPENS - MINUTE, OPENS
BEFORE_CLOSING, AT_CLOSING = CLOSES - MINUTE, CLOSES
MOMENTS = [BEFORE_OPENING, AT_OPENING, BEFORE_CLOSING, AT_CLOSING]
WHILE_OPEN = {AT_OPENING, BEFORE_CLOSING}

BALLOT_PAPER = 'class="ballot-paper"'
CHANGE = "Change my vote"
CLOSE = "Close the ballot now"
HAND_PAPER = "Hand a paper ballot"
TALLY = "Enter the paper tally"
CONFIRM = "Confirm the selected problems"
TIE = "Record the decision"


@pytest.fixture
def clock(monkeypatch):
    """The time the pages read; the operations are given the same `now`."""

    class Clock:
        now = OPENS

    for module in ("gachi.ballots.views", "gachi.coordinators.views"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: Clock.now)
    return Clock


@pytest.fixture
def scene(make):
    scene = ballot_scene(make)
    workshop = create_workshop(
        scene.participation,
        round=WorkshopRound.PROBLEMS,
        held_at=OPENS - timedelta(days=1),
        actor=scene.coordinator,
    )
    check_in_resident(
        workshop, resident=scene.residents[2], actor=scene.coordinator, now=workshop.held_at
    )
    db.session.commit()
    return scene


def a_fixed_ballot(scene, **fields):
    ballot = open_ballot(
        scene.participation,
        title="1차 워크숍 투표",
        problems=scene.problems,
        method=fields.pop("method", Method.SINGLE),
        eligibility=Eligibility.RESIDENT,
        tie_rule=fields.pop("tie_rule", TieRule.EARLIEST),
        opens_at=OPENS,
        closes_at=CLOSES,
        actor=scene.coordinator,
        **fields,
    )
    db.session.commit()
    return ballot


def accepts(operation, *args, **kwargs):
    """Whether the operation goes ahead; nothing it did is kept."""
    try:
        operation(*args, **kwargs)
    except DomainError:
        return False
    finally:
        db.session.rollback()
    return True


def page_at(client, clock, now, path):
    clock.now = now
    response = client.get(path)
    assert response.status_code == 200, path
    return text_of(response)


@pytest.mark.parametrize("now", MOMENTS)
def test_a_resident_is_offered_the_ballot_paper_exactly_while_a_vote_is_accepted(
    client, scene, clock, now
):
    ballot = a_fixed_ballot(scene)
    resident = scene.residents[0]
    page = page_at(signed_in(client, resident), clock, now, f"/ballots/{ballot.id}")

    accepted = accepts(
        cast_vote, ballot, voter=resident, choices={option_ids(ballot)[0]: 1}, now=now
    )
    assert (BALLOT_PAPER in page) is accepted is (now in WHILE_OPEN)


@pytest.mark.parametrize("now", [AT_OPENING, BEFORE_CLOSING, AT_CLOSING])
def test_a_voter_is_offered_to_change_the_vote_exactly_while_a_change_is_accepted(
    client, scene, clock, now
):
    ballot = a_fixed_ballot(scene)
    resident = scene.residents[0]
    receipt = cast_vote(ballot, voter=resident, choices={option_ids(ballot)[0]: 1}, now=OPENS)
    db.session.commit()
    signed_in(client, resident).set_cookie(
        f"ballot_receipt_{ballot.id}", normalise_code(receipt), path=f"/ballots/{ballot.id}"
    )
    page = page_at(client, clock, now, f"/ballots/{ballot.id}")

    accepted = accepts(
        change_vote,
        ballot,
        voter=resident,
        receipt=receipt,
        choices={option_ids(ballot)[1]: 1},
        now=now,
    )
    assert "Your vote:" in page
    assert (CHANGE in page) is accepted is (now in WHILE_OPEN)


def closed_early(scene, ballot):
    close_ballot(ballot, actor=scene.coordinator, now=OPENS + timedelta(hours=1))
    db.session.commit()


def confirmed(scene, ballot):
    confirm_selection(ballot, actor=scene.coordinator, now=CLOSES)
    db.session.commit()


def as_it_was(scene, ballot):
    pass


# (what happened first, when the page is read)
COORDINATOR_MOMENTS = [
    *[(as_it_was, now) for now in MOMENTS],
    (closed_early, OPENS + timedelta(hours=2)),
    (confirmed, CLOSES + MINUTE),
]


@pytest.mark.parametrize(("happened", "now"), COORDINATOR_MOMENTS)
def test_the_coordinator_is_offered_each_control_exactly_when_its_operation_accepts(
    client, scene, clock, happened, now
):
    ballot = a_fixed_ballot(scene)
    happened(scene, ballot)
    page = page_at(signed_in(client, scene.coordinator), clock, now, f"/ballots/{ballot.id}")

    coordinator, paper_voter = scene.coordinator, scene.residents[2]
    accepted = {
        CLOSE: accepts(close_ballot, ballot, actor=coordinator, now=now),
        HAND_PAPER: accepts(
            hand_paper_ballot, ballot, resident=paper_voter, actor=coordinator, now=now
        ),
        TALLY: accepts(
            record_paper_tally, ballot, ballot_count=0, votes={}, actor=coordinator, now=now
        ),
        CONFIRM: accepts(confirm_selection, ballot, actor=coordinator, now=now),
    }
    offered = {control: control in page for control in accepted}
    assert offered == accepted
    assert offered[CLOSE] is (happened is as_it_was and now in WHILE_OPEN)


def tie_decided(scene, ballot):
    results = ballot_results(ballot)
    first_tied = min(results.tied_at_cut_ids)
    option = next(option for option in ballot.options if option.id == first_tied)
    record_tie_decision(
        ballot, option=option, note="추첨으로 정함", actor=scene.coordinator, now=AT_CLOSING
    )
    db.session.commit()


@pytest.mark.parametrize(
    ("fields", "happened", "confirmable"),
    [
        ({"tie_rule": TieRule.COORDINATOR}, as_it_was, False),  # every option tied at 0
        ({"tie_rule": TieRule.COORDINATOR}, tie_decided, True),
        ({"quorum_percent": 20}, as_it_was, False),  # nobody voted
        ({"quorum_percent": None}, as_it_was, True),
    ],
)
def test_confirming_is_offered_only_for_a_valid_result_with_its_tie_decided(
    client, scene, clock, fields, happened, confirmable
):
    ballot = a_fixed_ballot(scene, **fields)
    happened(scene, ballot)
    page = page_at(signed_in(client, scene.coordinator), clock, AT_CLOSING, f"/ballots/{ballot.id}")

    accepted = accepts(confirm_selection, ballot, actor=scene.coordinator, now=AT_CLOSING)
    assert (CONFIRM in page) is accepted is confirmable
    undecided = fields.get("tie_rule") is TieRule.COORDINATOR and happened is as_it_was
    assert (TIE in page) is undecided


@pytest.mark.parametrize("now", MOMENTS)
def test_my_complexes_asks_to_close_an_open_ballot_and_to_confirm_a_closed_one(
    client, scene, clock, now
):
    ballot = a_fixed_ballot(scene)
    page = page_at(signed_in(client, scene.coordinator), clock, now, "/my/complexes")

    asks_to_close = "close it when everyone has voted" in page
    asks_to_confirm = "is closed: confirm the selection" in page
    assert asks_to_close is accepts(close_ballot, ballot, actor=scene.coordinator, now=now)
    assert asks_to_confirm is accepts(confirm_selection, ballot, actor=scene.coordinator, now=now)


@pytest.mark.parametrize("stage", list(Stage))
def test_opening_a_ballot_is_offered_exactly_in_the_stage_that_holds_ballots(
    client, scene, clock, stage
):
    scene.participation.stage = stage
    db.session.commit()
    page = page_at(
        signed_in(client, scene.coordinator),
        clock,
        OPENS,
        f"/participations/{scene.participation.id}/ballots",
    )

    accepted = accepts(
        open_ballot,
        scene.participation,
        title="2차 투표",
        problems=scene.problems,
        method=Method.SINGLE,
        eligibility=Eligibility.RESIDENT,
        tie_rule=TieRule.EARLIEST,
        opens_at=OPENS,
        closes_at=CLOSES,
        actor=scene.coordinator,
    )
    offered = "Open a ballot on the shortlist" in page
    assert offered is accepted is (stage is Stage.PROBLEM_WORKSHOP)


# Reads that write -----------------------------------------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE")


def writes_of(client, who, paths):
    db.session.commit()  # the test's own reads end; each request begins its own
    db.session.expunge_all()
    written = {}
    for path in paths:
        with counted_queries() as statements:
            response = client.get(path)
        assert response.status_code in (200, 302), (path, response.status_code)
        written[who, path] = [s for s in statements if s.lstrip().upper().startswith(WRITES)]
    return written


@pytest.mark.parametrize("now", [OPENS + timedelta(hours=1), CLOSES + timedelta(hours=1)])
def test_no_ballot_page_writes_while_the_stored_state_lags_behind_the_clock(app, scene, clock, now):
    ballot = a_fixed_ballot(scene)
    ballot_id, participation_id = ballot.id, scene.participation.id
    clock.now = now
    ballot_pages = [f"/participations/{participation_id}/ballots", f"/ballots/{ballot_id}"]
    if now > CLOSES:
        ballot_pages.append(f"/ballots/{ballot_id}/results.csv")
    resident = signed_in(app.test_client(), scene.residents[0])
    coordinator = signed_in(app.test_client(), scene.coordinator)

    written = {
        **writes_of(resident, "resident", ["/my/ballots", *ballot_pages]),
        **writes_of(
            coordinator,
            "coordinator",
            [
                *ballot_pages,
                f"/ballots/{ballot_id}/paper",
                f"/participations/{participation_id}/ballots/new",
                "/my/complexes",
            ],
        ),
    }

    assert {key: statements for key, statements in written.items() if statements} == {}
    stored = db.session.scalar(select(Ballot.state).where(Ballot.id == ballot_id))
    assert stored is BallotState.SCHEDULED
    assert db.session.get(Ballot, ballot_id).state_at(now) is not BallotState.SCHEDULED
