"""Ballot operations: the rules of voting, the secrecy of the record, results and the gate."""

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, update

from gachi.ballots.models import (
    Ballot,
    BallotState,
    BallotVoter,
    Channel,
    Eligibility,
    Method,
    PaperTally,
    TieRule,
)
from gachi.ballots.operations import (
    AlreadyVoted,
    NotOpen,
    cast_vote,
    change_vote,
    choices_for_receipt,
    close_ballot,
    confirm_selection,
    hand_paper_ballot,
    open_ballot,
    record_paper_tally,
    record_tie_decision,
    sync_ballot_state,
)
from gachi.ballots.queries import ballot_results, counted_markings
from gachi.ballots.receipts import receipt_hash
from gachi.complexes.operations import move_stage
from gachi.complexes.stages import Stage
from gachi.core.audit import AuditEntry
from gachi.core.errors import Conflict, DomainError, GateNotMet, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.proposals.models import ProblemState
from tests.ballots.helpers import a_ballot, ballot_scene, ballots_in_box, option_ids
from tests.complexes.gates import a_held_workshop
from tests.core.test_database import run_together


def count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


@pytest.fixture
def scene(make):
    return ballot_scene(make)


def vote(ballot, voter, *option_indexes, points=None):
    ids = option_ids(ballot)
    choices = points or {ids[index]: 1 for index in option_indexes}
    receipt = cast_vote(ballot, voter=voter, choices=choices)
    db.session.commit()
    return receipt


# Casting and secrecy --------------------------------------------------------------------


def test_a_vote_puts_the_voter_on_the_roll_and_the_choice_in_the_box(scene):
    ballot = a_ballot(scene)
    receipt = vote(ballot, scene.residents[0], 1)

    roll = db.session.scalars(select(BallotVoter)).one()
    assert (roll.user_id, roll.channel, roll.household_id) == (
        scene.residents[0].id,
        Channel.ONLINE,
        None,
    )
    assert roll.receipt_hash == receipt_hash(receipt) != receipt
    assert counted_markings(ballot.id) == {str(option_ids(ballot)[1]): 1}
    assert choices_for_receipt(ballot, receipt) == {option_ids(ballot)[1]: 1}


def test_the_box_holds_nothing_that_identifies_a_voter_or_household():
    columns = {column["name"] for column in inspect(db.engine).get_columns("ballot_boxes")}
    foreign = {key["referred_table"] for key in inspect(db.engine).get_foreign_keys("ballot_boxes")}
    assert columns == {"ballot_id", "sealed", "published"}
    assert foreign == {"ballots"}


def test_no_audit_entry_is_written_for_a_vote(scene):
    ballot = a_ballot(scene)
    before = count(AuditEntry)
    vote(ballot, scene.residents[0], 0)
    assert count(AuditEntry) == before


def test_a_second_vote_by_the_same_resident_is_refused_and_nothing_is_stored(scene):
    ballot = a_ballot(scene)
    vote(ballot, scene.residents[0], 0)
    with pytest.raises(AlreadyVoted) as refused:
        cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[1]: 1})
    db.session.rollback()
    assert refused.value.status == 409
    assert (count(BallotVoter), ballots_in_box()) == (1, 1)


def test_second_member_of_household_cannot_vote_again_on_a_per_household_ballot(scene, make):
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD)
    first = scene.residents[0]
    second = make.resident(household_obj=first.household)
    vote(ballot, first, 0)
    with pytest.raises(AlreadyVoted, match="household"):
        cast_vote(ballot, voter=second, choices={option_ids(ballot)[1]: 1})
    db.session.rollback()
    assert ballots_in_box() == 1


def test_two_members_of_a_household_each_vote_on_a_per_resident_ballot(scene, make):
    ballot = a_ballot(scene)
    second = make.resident(household_obj=scene.residents[0].household)
    vote(ballot, scene.residents[0], 0)
    vote(ballot, second, 1)
    assert ballots_in_box() == 2


def test_fifty_simultaneous_submissions_by_one_voter_leave_one_ballot(app, scene):
    ballot_id = a_ballot(scene).id
    voter_id = scene.residents[0].id
    option_id = option_ids(db.session.get(Ballot, ballot_id))[0]

    def submit(index):
        from gachi.auth.models import User

        cast_vote(
            db.session.get(Ballot, ballot_id),
            voter=db.session.get(User, voter_id),
            choices={option_id: 1},
        )
        db.session.commit()
        return "voted"

    results = run_together(app, 50, submit)
    assert results.count("voted") == 1
    assert all(isinstance(result, AlreadyVoted) for result in results if result != "voted")
    assert (count(BallotVoter), ballots_in_box()) == (1, 1)


def test_two_household_members_voting_at_once_leave_one_household_ballot(app, scene, make):
    ballot_id = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD).id
    household = scene.residents[0].household
    members = [scene.residents[0].id] + [
        make.resident(household_obj=household).id for _ in range(9)
    ]
    option_id = option_ids(db.session.get(Ballot, ballot_id))[0]

    def submit(index):
        from gachi.auth.models import User

        cast_vote(
            db.session.get(Ballot, ballot_id),
            voter=db.session.get(User, members[index % 10]),
            choices={option_id: 1},
        )
        db.session.commit()
        return "voted"

    results = run_together(app, 50, submit)
    assert results.count("voted") == 1
    assert all(isinstance(result, AlreadyVoted) for result in results if result != "voted")
    assert (count(BallotVoter), ballots_in_box()) == (1, 1)


# Refusals -------------------------------------------------------------------------------


def assert_nothing_stored():
    db.session.rollback()
    assert (count(BallotVoter), ballots_in_box()) == (0, 0)


def test_too_many_dots_are_refused(scene):
    ballot = a_ballot(scene, method=Method.DOTS, max_choices=3, max_per_option=2)
    first, second, _ = option_ids(ballot)
    with pytest.raises(DomainError, match="3 dots"):
        cast_vote(ballot, voter=scene.residents[0], choices={first: 2, second: 2})
    with pytest.raises(DomainError, match="at most 2 dots"):
        cast_vote(ballot, voter=scene.residents[0], choices={first: 3})
    assert_nothing_stored()


def test_dots_within_the_limits_count_as_points(scene):
    ballot = a_ballot(scene, method=Method.DOTS, max_choices=3, max_per_option=2)
    first, second, _ = option_ids(ballot)
    vote(ballot, scene.residents[0], points={first: 2, second: 1})
    totals = {o.option_id: o.online for o in ballot_results(ballot).options}
    assert (totals[first], totals[second]) == (2, 1)


def test_an_option_from_another_ballot_is_refused(scene, make):
    ballot = a_ballot(scene)
    other_scene = ballot_scene(make)
    other = a_ballot(other_scene)
    with pytest.raises(DomainError, match="not on this ballot") as refused:
        cast_vote(ballot, voter=scene.residents[0], choices={option_ids(other)[0]: 1})
    assert 400 <= refused.value.status < 500
    assert_nothing_stored()


def test_approval_allows_up_to_n_choices(scene):
    ballot = a_ballot(scene, method=Method.APPROVAL, max_choices=2)
    with pytest.raises(DomainError, match="at most 2"):
        cast_vote(ballot, voter=scene.residents[0], choices=dict.fromkeys(option_ids(ballot), 1))
    assert_nothing_stored()
    vote(ballot, scene.residents[0], 0, 2)
    first, _second, third = option_ids(ballot)
    assert counted_markings(ballot.id) == {f"{first},{third}": 1}


def test_a_vote_before_opening_is_refused(scene):
    ballot = a_ballot(scene, opens_in=timedelta(hours=2))
    with pytest.raises(NotOpen, match="not open yet"):
        cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[0]: 1})
    assert_nothing_stored()


def test_a_vote_after_closing_is_refused(scene):
    ballot = a_ballot(scene, opens_in=timedelta(days=-2), lasts=timedelta(days=1))
    with pytest.raises(NotOpen, match="closed"):
        cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[0]: 1})
    assert_nothing_stored()


def test_a_resident_of_another_complex_cannot_vote(scene, make):
    ballot = a_ballot(scene)
    with pytest.raises(NotAllowed):
        cast_vote(ballot, voter=make.resident(), choices={option_ids(ballot)[0]: 1})
    with pytest.raises(NotAllowed):
        cast_vote(ballot, voter=scene.coordinator, choices={option_ids(ballot)[0]: 1})
    assert_nothing_stored()


def test_a_paper_voters_online_vote_is_refused(scene):
    ballot = a_ballot(scene)
    hand_paper_ballot(ballot, resident=scene.residents[0], actor=scene.coordinator)
    db.session.commit()
    with pytest.raises(AlreadyVoted, match="paper ballot"):
        cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[0]: 1})
    db.session.rollback()
    assert ballots_in_box() == 0
    assert db.session.scalars(select(BallotVoter.channel)).one() is Channel.PAPER


def test_an_online_voter_cannot_be_handed_a_paper_ballot(scene):
    ballot = a_ballot(scene)
    vote(ballot, scene.residents[0], 0)
    with pytest.raises(AlreadyVoted):
        hand_paper_ballot(ballot, resident=scene.residents[0], actor=scene.coordinator)


def test_a_resident_counted_in_the_rooms_tally_can_still_be_handed_their_ballot(scene, make):
    """The room's count came first (all three residents' papers); marking who took them
    afterwards adds no ballot, so a full tally does not refuse the marks."""
    ballot = a_ballot(scene)  # three residents registered: three eligible
    first, second, _third = option_ids(ballot)
    record_paper_tally(ballot, ballot_count=3, votes={first: 2, second: 1}, actor=scene.coordinator)
    for resident in scene.residents:
        hand_paper_ballot(ballot, resident=resident, actor=scene.coordinator)
    db.session.commit()
    assert ballot_results(ballot).turnout_percent == 100.0
    # One more, who moved in after the ballot opened, would pass the eligible.
    newcomer = make.resident(scene.complex)
    with pytest.raises(Conflict, match="No more paper ballots"):
        hand_paper_ballot(ballot, resident=newcomer, actor=scene.coordinator)


# Changing a vote ----------------------------------------------------------------------


def test_a_voter_changes_their_vote_with_the_receipt(scene):
    ballot = a_ballot(scene)
    _first, second, _ = option_ids(ballot)
    receipt = vote(ballot, scene.residents[0], 0)
    change_vote(ballot, voter=scene.residents[0], receipt=receipt.lower(), choices={second: 1})
    db.session.commit()
    assert choices_for_receipt(ballot, receipt) == {second: 1}
    assert (count(BallotVoter), ballots_in_box()) == (1, 1)


def test_a_wrong_receipt_changes_nothing(scene):
    ballot = a_ballot(scene)
    receipt = vote(ballot, scene.residents[0], 0)
    other = vote(ballot, scene.residents[1], 1)
    for wrong in ("ABCD-EFGH-JKMN-PQRS", "short", ""):
        with pytest.raises(DomainError, match="does not match"):
            change_vote(
                ballot, voter=scene.residents[0], receipt=wrong, choices={option_ids(ballot)[2]: 1}
            )
    db.session.rollback()
    assert choices_for_receipt(ballot, receipt) == {option_ids(ballot)[0]: 1}
    assert choices_for_receipt(ballot, other) == {option_ids(ballot)[1]: 1}


def test_a_vote_cannot_be_changed_after_closing(scene):
    ballot = a_ballot(scene)
    receipt = vote(ballot, scene.residents[0], 0)
    close_ballot(ballot, actor=scene.coordinator)
    db.session.commit()
    with pytest.raises(NotOpen):
        change_vote(
            ballot, voter=scene.residents[0], receipt=receipt, choices={option_ids(ballot)[1]: 1}
        )


# Paper tallies ------------------------------------------------------------------------


def test_a_paper_tally_correction_keeps_the_old_entry(scene):
    scene.complex.resident_count = 100
    ballot = a_ballot(scene)
    first, second, third = option_ids(ballot)
    record_paper_tally(
        ballot,
        ballot_count=20,
        votes={first: 12, second: 5, third: 3},
        note="1차 워크숍 현장 투표",
        actor=scene.coordinator,
    )
    db.session.commit()
    record_paper_tally(
        ballot,
        ballot_count=21,
        votes={first: 12, second: 6, third: 3},
        note="한 장을 다시 셌다",
        actor=scene.coordinator,
    )
    db.session.commit()
    tallies = db.session.scalars(select(PaperTally).order_by(PaperTally.id)).all()
    assert [t.replaced_at is not None for t in tallies] == [True, False]
    assert tallies[1].entered_by_id == scene.coordinator.id
    corrections = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "ballot.paper_tally_correction")
    ).all()
    assert (
        corrections[0].before["ballot_count"] == 20 and corrections[0].after["ballot_count"] == 21
    )
    assert ballot_results(ballot).paper_ballots == 21


@pytest.mark.parametrize(
    ("ballot_count", "votes", "message"),
    [
        (10, (8, 3, 0), "more than 10"),
        (10, (-1, 0, 0), "negative"),
        (0, (0, 0, 0), None),
    ],
)
def test_a_paper_tally_must_fit_the_paper_ballots(scene, ballot_count, votes, message):
    ballot = a_ballot(scene)
    choices = dict(zip(option_ids(ballot), votes, strict=False))
    if message is None:
        record_paper_tally(
            ballot, ballot_count=ballot_count, votes=choices, actor=scene.coordinator
        )
        return
    with pytest.raises(DomainError, match=message):
        record_paper_tally(
            ballot, ballot_count=ballot_count, votes=choices, actor=scene.coordinator
        )


def test_a_paper_tally_counts_at_least_the_residents_handed_paper(scene):
    ballot = a_ballot(scene)
    for resident in scene.residents[:2]:
        hand_paper_ballot(ballot, resident=resident, actor=scene.coordinator)
    with pytest.raises(DomainError, match="2 residents"):
        record_paper_tally(
            ballot, ballot_count=1, votes={option_ids(ballot)[0]: 1}, actor=scene.coordinator
        )


# Results --------------------------------------------------------------------------------


def test_results_add_online_and_paper_and_turnout_uses_residents(make):
    scene = ballot_scene(make, resident_count=4, household_count=300)
    scene.complex.resident_count = 50
    db.session.commit()
    ballot = a_ballot(scene)
    first, second, third = option_ids(ballot)
    for resident, index in zip(scene.residents, (0, 0, 1, 2), strict=False):
        vote(ballot, resident, index)
    record_paper_tally(
        ballot, ballot_count=6, votes={first: 1, second: 4, third: 1}, actor=scene.coordinator
    )
    db.session.commit()

    results = ballot_results(ballot)
    by_id = {o.option_id: o for o in results.options}
    assert [(by_id[i].online, by_id[i].paper, by_id[i].total) for i in (first, second, third)] == [
        (2, 1, 3),
        (1, 4, 5),
        (1, 1, 2),
    ]
    assert all(o.online + o.paper == o.total for o in results.options)
    assert [o.option_id for o in results.options] == [second, first, third]
    assert (results.online_voters, results.paper_ballots, results.turnout) == (4, 6, 10)
    assert (results.eligible, results.turnout_percent) == (50, 20.0)


def test_turnout_on_a_per_household_ballot_counts_households(make):
    scene = ballot_scene(make, household_count=200)
    scene.complex.resident_count = 900
    db.session.commit()
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD)
    vote(ballot, scene.residents[0], 0)
    results = ballot_results(ballot)
    assert (results.eligible, results.turnout_percent) == (200, 0.5)


def test_without_recorded_figures_turnout_counts_registered_residents(make):
    scene = ballot_scene(make, resident_count=3, household_count=None)
    ballot = a_ballot(scene)
    households = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD)
    assert ballot.eligible_count == 3 and households.eligible_count == 3


def test_a_tie_goes_to_the_earliest_proposal(scene):
    ballot = a_ballot(scene, tie_rule=TieRule.EARLIEST)
    vote(ballot, scene.residents[0], 2)
    vote(ballot, scene.residents[1], 0)
    results = ballot_results(ballot)
    assert results.options[0].problem_id == scene.problems[0].id
    assert results.options[0].rank == results.options[1].rank == 1 and results.options[0].tied
    close_ballot(ballot, actor=scene.coordinator)
    confirm_selection(ballot, actor=scene.coordinator)
    db.session.commit()
    assert [p.state for p in scene.problems] == [
        ProblemState.SELECTED,
        ProblemState.NOT_SELECTED,
        ProblemState.NOT_SELECTED,
    ]


def test_a_tie_under_the_coordinators_rule_waits_for_the_recorded_decision(scene):
    ballot = a_ballot(scene, tie_rule=TieRule.COORDINATOR)
    vote(ballot, scene.residents[0], 0)
    vote(ballot, scene.residents[1], 2)
    close_ballot(ballot, actor=scene.coordinator)
    db.session.commit()
    assert ballot_results(ballot).undecided_tie
    with pytest.raises(DomainError, match="tied"):
        confirm_selection(ballot, actor=scene.coordinator)
    db.session.rollback()
    third = ballot.options[2]
    with pytest.raises(DomainError, match="how the tie"):
        record_tie_decision(ballot, option=third, note=" ", actor=scene.coordinator)
    record_tie_decision(
        ballot, option=third, note="현장에서 손을 들어 정했다", actor=scene.coordinator
    )
    db.session.commit()
    results = ballot_results(ballot)
    assert not results.undecided_tie and results.options[0].option_id == third.id
    confirm_selection(ballot, actor=scene.coordinator)
    db.session.commit()
    assert scene.problems[2].state is ProblemState.SELECTED
    assert "손을 들어" in ballot.tie_note


def test_a_ballot_below_its_quorum_is_not_valid_and_does_not_open_the_gate(make):
    scene = ballot_scene(make, household_count=100)
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD, quorum_percent=10)
    vote(ballot, scene.residents[0], 0)
    close_ballot(ballot, actor=scene.coordinator)
    db.session.commit()
    assert not ballot_results(ballot).quorum_met
    with pytest.raises(DomainError, match="quorum"):
        confirm_selection(ballot, actor=scene.coordinator)
    db.session.rollback()
    with pytest.raises(GateNotMet, match="confirmed"):
        move_stage(scene.participation, Stage.SOLUTION_WORKSHOP, actor=scene.coordinator)


def test_a_confirmed_valid_ballot_opens_the_gate_to_the_solution_workshop(make):
    scene = ballot_scene(make, household_count=20)
    a_held_workshop(scene.participation, scene.coordinator)
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD, quorum_percent=10)
    vote(ballot, scene.residents[0], 1)
    record_paper_tally(
        ballot, ballot_count=1, votes={option_ids(ballot)[1]: 1}, actor=scene.coordinator
    )
    close_ballot(ballot, actor=scene.coordinator)
    with pytest.raises(GateNotMet):
        move_stage(scene.participation, Stage.SOLUTION_WORKSHOP, actor=scene.coordinator)
    confirm_selection(ballot, actor=scene.coordinator)
    move_stage(scene.participation, Stage.SOLUTION_WORKSHOP, actor=scene.coordinator)
    db.session.commit()
    assert scene.participation.stage is Stage.SOLUTION_WORKSHOP
    assert scene.problems[1].state is ProblemState.SELECTED


def test_the_tallies_cannot_change_after_confirmation(scene):
    ballot = a_ballot(scene)
    vote(ballot, scene.residents[0], 0)
    close_ballot(ballot, actor=scene.coordinator)
    confirm_selection(ballot, actor=scene.coordinator)
    with pytest.raises(DomainError, match="confirmed"):
        record_paper_tally(ballot, ballot_count=1, votes={}, actor=scene.coordinator)


# Opening and the clock ----------------------------------------------------------------


def test_a_ballot_needs_shortlisted_problems_of_its_complex(scene, make):
    opens_at = utcnow()
    proposed = make.problem(scene.participation)
    for problems in (
        [scene.problems[0]],
        [scene.problems[0], proposed],
        [scene.problems[0], make.problem(state=ProblemState.SHORTLISTED)],
    ):
        with pytest.raises(DomainError):
            open_ballot(
                scene.participation,
                title="투표",
                problems=problems,
                method=Method.SINGLE,
                eligibility=Eligibility.RESIDENT,
                tie_rule=TieRule.EARLIEST,
                opens_at=opens_at,
                closes_at=opens_at + timedelta(days=1),
                actor=scene.coordinator,
            )


def test_the_ballot_state_follows_the_clock(scene):
    ballot = a_ballot(scene, opens_in=timedelta(hours=1), lasts=timedelta(hours=1))
    now = utcnow()
    assert not sync_ballot_state(ballot, now)
    assert sync_ballot_state(ballot, now + timedelta(minutes=61))
    assert ballot.state is BallotState.OPEN
    assert not sync_ballot_state(ballot, now + timedelta(minutes=62))
    assert sync_ballot_state(ballot, now + timedelta(hours=3))
    db.session.commit()
    assert ballot.state is BallotState.CLOSED
    assert count(AuditEntry, AuditEntry.action == "ballot.state") == 2


def closed_behind_its_back(ballot):
    """The coordinator closes the ballot after this request loaded and checked it: the
    loaded object still says open (nothing re-read), the database says closed."""
    db.session.execute(
        update(Ballot)
        .where(Ballot.id == ballot.id)
        .values(closed_at=utcnow(), state=BallotState.CLOSED)
        .execution_options(synchronize_session=False)
    )
    assert ballot.closed_at is None


def test_a_vote_checked_a_moment_before_an_early_close_does_not_land_after_it(scene):
    ballot = a_ballot(scene)
    receipt = vote(ballot, scene.residents[1], 0)
    db.session.commit()
    ballot = db.session.get(Ballot, ballot.id)
    closed_behind_its_back(ballot)
    with pytest.raises(NotOpen):
        vote(ballot, scene.residents[0], 1)
    with pytest.raises(NotOpen):
        change_vote(
            ballot, voter=scene.residents[1], receipt=receipt, choices={option_ids(ballot)[1]: 1}
        )
    assert count(BallotVoter) == 1 and ballots_in_box() == 1
    assert choices_for_receipt(ballot, receipt) == {option_ids(ballot)[0]: 1}
