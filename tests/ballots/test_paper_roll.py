"""The paper roll kept by household: the coordinator marks, from the list of 동/호, each
household that voted on paper, with or without an account; a household marked on paper
cannot vote online and the reverse; the paper ballots never exceed the eligible minus
those who voted online; a mark removed is a correction of its own, with its reason in
the audit log."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi.auth.models import User
from gachi.ballots.models import Ballot, BallotVoter, Channel, Eligibility
from gachi.ballots.operations import (
    AlreadyVoted,
    NotOpen,
    cast_vote,
    close_ballot,
    confirm_selection,
    mark_household_on_paper,
    unmark_household_on_paper,
)
from gachi.ballots.queries import ballot_results
from gachi.complexes.models import Household
from gachi.core.audit import AuditEntry
from gachi.core.errors import Conflict, DomainError
from gachi.extensions import db
from gachi.kpi.measures import among, people_counts
from tests.ballots.helpers import a_ballot, ballot_scene, ballots_in_box, option_ids
from tests.complexes.helpers import post, signed_in, text_of
from tests.core.test_database import run_together


@pytest.fixture
def scene(make):
    """Residents with accounts in three households of 101동, and two households of 102동
    where nobody has an account."""
    scene = ballot_scene(make, resident_count=3, household_count=20)
    scene.no_accounts = [
        make.household(scene.complex, building="102", unit=unit) for unit in ("201", "1001")
    ]
    return scene


def household_ballot(scene, **fields):
    return a_ballot(scene, eligibility=Eligibility.HOUSEHOLD, **fields)


def roll():
    return db.session.execute(
        select(
            BallotVoter.user_id,
            BallotVoter.household_id,
            BallotVoter.channel,
            BallotVoter.recorded_by_id,
        )
    ).all()


def audit(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def mark(ballot, household, scene):
    mark_household_on_paper(ballot, household=household, actor=scene.coordinator)
    db.session.commit()


# Marking ----------------------------------------------------------------------------------


def test_a_household_without_an_account_is_marked_on_the_paper_roll(scene):
    ballot = household_ballot(scene)
    household = scene.no_accounts[0]
    mark(ballot, household, scene)

    assert roll() == [(None, household.id, Channel.PAPER, scene.coordinator.id)]
    (entry,) = audit("ballot.paper_household")
    assert entry.actor_id == scene.coordinator.id
    assert entry.after == {"household_id": household.id, "household": "102동 201호"}
    assert ballot_results(ballot).paper_ballots == 0  # the room's count, once entered, counts


def test_a_household_already_marked_is_not_marked_twice(scene):
    ballot = household_ballot(scene)
    mark(ballot, scene.no_accounts[0], scene)
    with pytest.raises(AlreadyVoted, match="102동 201호 is already marked"):
        mark_household_on_paper(ballot, household=scene.no_accounts[0], actor=scene.coordinator)
    db.session.rollback()
    assert len(roll()) == 1


def test_a_household_that_voted_online_cannot_be_marked_on_paper(scene):
    ballot = household_ballot(scene)
    voter = scene.residents[0]
    cast_vote(ballot, voter=voter, choices={option_ids(ballot)[0]: 1})
    db.session.commit()
    with pytest.raises(AlreadyVoted, match="has already voted online"):
        mark_household_on_paper(ballot, household=voter.household, actor=scene.coordinator)
    db.session.rollback()
    assert [row.channel for row in roll()] == [Channel.ONLINE]


def test_a_member_of_a_household_marked_on_paper_cannot_vote_online(scene, make):
    ballot = household_ballot(scene)
    member = scene.residents[0]
    mark(ballot, member.household, scene)
    with pytest.raises(AlreadyVoted, match="Your household is marked as having voted on paper"):
        cast_vote(ballot, voter=member, choices={option_ids(ballot)[0]: 1})
    db.session.rollback()
    assert ballots_in_box() == 0 and len(roll()) == 1


def test_paper_marks_stop_at_the_eligible_minus_those_who_voted_online(make):
    scene = ballot_scene(make, resident_count=2, household_count=3)
    ballot = household_ballot(scene)
    cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[0]: 1})
    mark(ballot, scene.residents[1].household, scene)
    mark(ballot, make.household(scene.complex), scene)
    with pytest.raises(Conflict, match="3 are eligible, 1 voted online and 2 are marked"):
        mark_household_on_paper(
            ballot, household=make.household(scene.complex), actor=scene.coordinator
        )
    db.session.rollback()
    assert len(roll()) == 3


def test_households_are_marked_on_a_per_household_ballot_only(scene):
    ballot = a_ballot(scene, eligibility=Eligibility.RESIDENT)
    with pytest.raises(DomainError, match="one vote per resident"):
        mark_household_on_paper(ballot, household=scene.no_accounts[0], actor=scene.coordinator)


def test_a_household_of_another_complex_is_refused(scene, make):
    ballot = household_ballot(scene)
    elsewhere = make.household(make.complex_())
    with pytest.raises(DomainError, match="not in this ballot's complex"):
        mark_household_on_paper(ballot, household=elsewhere, actor=scene.coordinator)


def test_no_household_is_marked_once_the_ballot_has_closed(scene):
    ballot = household_ballot(scene)
    close_ballot(ballot, actor=scene.coordinator)
    db.session.commit()
    with pytest.raises(NotOpen):
        mark_household_on_paper(ballot, household=scene.no_accounts[0], actor=scene.coordinator)


def test_a_household_marked_on_paper_takes_part_in_the_kpis(scene):
    ballot = household_ballot(scene)
    mark(ballot, scene.no_accounts[0], scene)
    (row,) = db.session.execute(people_counts(among([scene.participation.id]))).all()
    assert (row.residents, row.households) == (0, 1)


# Correcting -------------------------------------------------------------------------------


def test_removing_a_mark_is_a_correction_with_its_reason_in_the_audit_log(scene):
    ballot = household_ballot(scene)
    household = scene.residents[0].household
    mark(ballot, household, scene)
    unmark_household_on_paper(
        ballot, household=household, reason="다른 세대와 혼동", actor=scene.coordinator
    )
    db.session.commit()

    assert roll() == []
    (marked,) = audit("ballot.paper_household")
    (removed,) = audit("ballot.paper_household_removed")
    assert removed.before["household_id"] == household.id
    assert removed.after == {"reason": "다른 세대와 혼동"}
    assert marked.id < removed.id  # the mark's own entry stays
    cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[0]: 1})
    db.session.commit()
    assert [row.channel for row in roll()] == [Channel.ONLINE]


def test_a_mark_is_not_removed_without_a_reason(scene):
    ballot = household_ballot(scene)
    mark(ballot, scene.no_accounts[0], scene)
    with pytest.raises(DomainError, match="why the paper mark is removed"):
        unmark_household_on_paper(
            ballot, household=scene.no_accounts[0], reason="  ", actor=scene.coordinator
        )
    db.session.rollback()
    assert len(roll()) == 1 and audit("ballot.paper_household_removed") == []


def test_an_online_vote_is_not_removed_as_a_paper_mark(scene):
    ballot = household_ballot(scene)
    voter = scene.residents[0]
    cast_vote(ballot, voter=voter, choices={option_ids(ballot)[0]: 1})
    db.session.commit()
    with pytest.raises(Conflict, match="is not marked"):
        unmark_household_on_paper(
            ballot, household=voter.household, reason="실수", actor=scene.coordinator
        )
    db.session.rollback()
    assert len(roll()) == 1


def test_marks_cannot_be_removed_once_the_selection_is_confirmed(scene):
    ballot = household_ballot(scene)
    cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[0]: 1})
    mark(ballot, scene.no_accounts[0], scene)
    close_ballot(ballot, actor=scene.coordinator)
    confirm_selection(ballot, actor=scene.coordinator)
    db.session.commit()
    with pytest.raises(Conflict, match="confirmed"):
        unmark_household_on_paper(
            ballot, household=scene.no_accounts[0], reason="실수", actor=scene.coordinator
        )
    db.session.rollback()
    assert len(roll()) == 2


# At the same moment ------------------------------------------------------------------------


def test_two_coordinators_marking_one_household_at_once_leave_one_mark(app, scene, make):
    ballot_id = household_ballot(scene).id
    household_id = scene.no_accounts[0].id
    coordinator_ids = [scene.coordinator.id, make.coordinator(scene.complex).id]

    def press(index):
        mark_household_on_paper(
            db.session.get(Ballot, ballot_id),
            household=db.session.get(Household, household_id),
            actor=db.session.get(User, coordinator_ids[index % 2]),
        )
        db.session.commit()
        return "marked"

    results = run_together(app, 8, press)
    assert results.count("marked") == 1, results
    assert all(isinstance(result, AlreadyVoted) for result in results if result != "marked")
    assert db.session.scalar(select(func.count(BallotVoter.id))) == 1
    assert len(audit("ballot.paper_household")) == 1


def test_a_mark_and_an_online_vote_of_one_household_at_once_leave_one_ballot(app, scene):
    ballot = household_ballot(scene)
    ballot_id, option_id = ballot.id, option_ids(ballot)[0]
    voter_id, household_id = scene.residents[0].id, scene.residents[0].household_id
    coordinator_id = scene.coordinator.id

    def act(index):
        ballot = db.session.get(Ballot, ballot_id)
        if index % 2:
            cast_vote(ballot, voter=db.session.get(User, voter_id), choices={option_id: 1})
        else:
            mark_household_on_paper(
                ballot,
                household=db.session.get(Household, household_id),
                actor=db.session.get(User, coordinator_id),
            )
        db.session.commit()
        return "done"

    results = run_together(app, 8, act)
    assert results.count("done") == 1, results
    assert all(isinstance(result, AlreadyVoted) for result in results if result != "done")
    (row,) = roll()
    assert ballots_in_box() == (1 if row.channel is Channel.ONLINE else 0)


# The coordinator's page --------------------------------------------------------------------


def test_the_coordinator_marks_and_corrects_from_the_household_list(client, scene):
    ballot = household_ballot(scene)
    household = scene.no_accounts[1]
    signed_in(client, scene.coordinator)

    page = text_of(client.get(f"/ballots/{ballot.id}?dong=102"))
    assert "Paper roll by household" in page
    assert "102동 201호" in page and "102동 1001호" in page
    assert page.index("102동 201호") < page.index("102동 1001호")  # 호 in number order
    assert scene.residents[0].household.label not in page  # another 동

    response = post(
        client, f"/ballots/{ballot.id}/paper-households?dong=102", {"household_id": household.id}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ballots/{ballot.id}?dong=102#paper-roll")
    page = text_of(client.get(f"/ballots/{ballot.id}?dong=102"))
    assert "Households on the paper roll: 1" in page and f'id="marked-{household.id}"' in page

    again = post(client, f"/ballots/{ballot.id}/paper-households", {"household_id": household.id})
    assert again.status_code == 409 and "102동 1001호 is already marked" in text_of(again)

    path = f"/ballots/{ballot.id}/paper-households/{household.id}/remove"
    no_reason = post(client, path, {"reason": ""})
    assert no_reason.status_code == 400
    assert "Write down why the paper mark is removed." in text_of(no_reason)
    assert len(roll()) == 1
    assert post(client, path, {"reason": "호수를 잘못 눌렀음"}).status_code == 302
    assert roll() == []


def test_a_household_of_another_complex_is_a_404_on_the_page(client, scene, make):
    ballot = household_ballot(scene)
    elsewhere = make.household(make.complex_())
    signed_in(client, scene.coordinator)
    response = post(
        client, f"/ballots/{ballot.id}/paper-households", {"household_id": elsewhere.id}
    )
    assert response.status_code == 404
    for bad in ({}, {"household_id": "x"}, {"household_id": str(2**40)}):
        assert post(client, f"/ballots/{ballot.id}/paper-households", bad).status_code == 400
    assert roll() == []


def test_a_resident_cannot_mark_households(client, scene):
    ballot = household_ballot(scene)
    signed_in(client, scene.residents[0])
    assert "Paper roll by household" not in text_of(client.get(f"/ballots/{ballot.id}"))
    response = post(
        client, f"/ballots/{ballot.id}/paper-households", {"household_id": scene.no_accounts[0].id}
    )
    assert response.status_code == 403 and roll() == []


def test_a_member_of_a_marked_household_is_told_in_korean_it_voted_on_paper(client, scene, make):
    ballot = household_ballot(scene, opens_in=timedelta(minutes=-5))
    member = scene.residents[0]
    mark(ballot, member.household, scene)
    signed_in(client, member)
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "Your household is marked as having voted on paper." in page
    client.set_cookie("lang", "ko")
    response = post(client, f"/ballots/{ballot.id}/vote", {"choice": str(option_ids(ballot)[0])})
    assert response.status_code == 409
    assert "우리 세대는 종이 투표를 한 것으로 표시되어 있어" in text_of(response)
