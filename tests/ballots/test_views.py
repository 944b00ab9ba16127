"""What only HTTP shows: the ballot paper, receipts in a cookie, refusals and their
status codes, the coordinator's forms, and that no page or export names a voter."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi.ballots.models import (
    Ballot,
    BallotVoter,
    Eligibility,
    Method,
    PaperTally,
)
from gachi.ballots.operations import cast_vote, close_ballot, hand_paper_ballot
from gachi.ballots.queries import counted_markings
from gachi.core.time import SEOUL, utcnow
from gachi.extensions import db
from gachi.proposals.models import ProblemState
from gachi.workshops.models import WorkshopRound
from gachi.workshops.operations import check_in_resident, create_workshop
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


@pytest.fixture
def scene(make):
    return ballot_scene(make)


def vote_single(client, ballot, index, **extra):
    return post(
        client, f"/ballots/{ballot.id}/vote", {"choice": str(option_ids(ballot)[index]), **extra}
    )


def test_a_resident_votes_and_is_shown_a_receipt_kept_in_a_cookie(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.residents[0])
    vote = vote_single(client, ballot, 1)
    # The POST writes and renders nothing: it sends the browser to the receipt's page.
    assert vote.status_code == 303
    assert vote.headers["Location"] == f"/ballots/{ballot.id}/receipt"
    assert not RECEIPT.search(text_of(vote))
    cookie = next(
        header
        for header in vote.headers.getlist("Set-Cookie")
        if header.startswith(f"ballot_receipt_{ballot.id}=")
    )
    assert "HttpOnly" in cookie
    assert f"Path=/ballots/{ballot.id}" in cookie and "SameSite=Lax" in cookie

    shown = client.get(vote.headers["Location"])
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    receipt = RECEIPT.search(text_of(shown)).group(1)
    assert len(receipt) == 19
    assert receipt.replace("-", "") in cookie  # the device keeps the same receipt

    page = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "Your vote:" in page and scene.problems[1].title in page


def test_the_receipt_is_shown_once_and_never_stored_in_the_database(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.residents[0])
    shown = text_of(receipt_page(client, vote_single(client, ballot, 0)))
    receipt = RECEIPT.search(shown).group(1)

    # Reloading the receipt's page (or opening it later) shows the ballot, not the code.
    again = client.get(f"/ballots/{ballot.id}/receipt")
    assert again.status_code == 302 and again.headers["Location"] == f"/ballots/{ballot.id}"
    # Only its hash is on the roll; the session that carried it holds it no more.
    voter = db.session.scalars(select(BallotVoter)).one()
    assert voter.receipt_hash and receipt.replace("-", "") not in str(voter.receipt_hash)
    with client.session_transaction() as session:
        assert receipt.replace("-", "") not in str(dict(session))


def test_the_receipt_page_shows_nothing_for_a_receipt_the_roll_does_not_hold(client, scene):
    """A vote whose commit failed leaves its receipt in the session: it is not shown."""
    ballot = a_ballot(scene)
    signed_in(client, scene.residents[0])
    with client.session_transaction() as session:
        session["new_receipt"] = {"ballot": ballot.id, "code": "AAAABBBBCCCCDDDD"}
    response = client.get(f"/ballots/{ballot.id}/receipt")
    assert response.status_code == 302 and not RECEIPT.search(text_of(response))


def test_a_second_vote_gets_a_clear_409_and_nothing_is_stored(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.residents[0])
    vote_single(client, ballot, 0)
    client.delete_cookie(f"ballot_receipt_{ballot.id}", path=f"/ballots/{ballot.id}")
    response = vote_single(client, ballot, 1)
    assert response.status_code == 409
    assert "already voted" in text_of(response) and "receipt" in text_of(response)
    assert (count(BallotVoter), ballots_in_box()) == (1, 1)


def test_the_device_receipt_changes_the_vote(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.residents[0])
    vote_single(client, ballot, 0)
    response = vote_single(client, ballot, 2)
    assert response.status_code == 302
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "Your vote was changed." in page
    assert counted_markings(ballot.id) == {str(option_ids(ballot)[2]): 1}


def test_a_typed_receipt_shows_and_changes_the_vote_on_another_device(app, scene):
    ballot = a_ballot(scene)
    first_device, second_device = app.test_client(), app.test_client()
    signed_in(first_device, scene.residents[0])
    receipt = RECEIPT.search(
        text_of(receipt_page(first_device, vote_single(first_device, ballot, 0)))
    ).group(1)
    signed_in(second_device, scene.residents[0])
    assert "Your vote:" not in text_of(second_device.get(f"/ballots/{ballot.id}"))

    wrong = post(second_device, f"/ballots/{ballot.id}/receipt", {"receipt": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 400 and "does not match" in text_of(wrong)
    assert (
        post(
            second_device, f"/ballots/{ballot.id}/receipt", {"receipt": receipt.lower()}
        ).status_code
        == 302
    )
    assert "Your vote:" in text_of(second_device.get(f"/ballots/{ballot.id}"))
    assert vote_single(second_device, ballot, 1).status_code == 302
    assert counted_markings(ballot.id) == {str(option_ids(ballot)[1]): 1}


def test_a_resident_of_another_complex_gets_404(client, scene, make):
    ballot = a_ballot(scene)
    signed_in(client, make.resident())
    assert client.get(f"/ballots/{ballot.id}").status_code == 404
    assert vote_single(client, ballot, 0).status_code == 404
    assert client.get(f"/participations/{scene.participation.id}/ballots").status_code == 404
    assert count(BallotVoter) == 0


def test_a_vote_before_opening_is_refused_with_a_message(client, scene):
    ballot = a_ballot(scene, opens_in=timedelta(hours=3))
    signed_in(client, scene.residents[0])
    response = vote_single(client, ballot, 0)
    assert response.status_code == 409 and "not open yet" in text_of(response)
    assert count(BallotVoter) == 0


def test_a_vote_after_closing_is_refused_with_a_message(client, scene):
    ballot = a_ballot(scene, opens_in=timedelta(days=-3), lasts=timedelta(days=1))
    signed_in(client, scene.residents[0])
    response = vote_single(client, ballot, 0)
    assert response.status_code == 409 and "has closed" in text_of(response)
    assert count(BallotVoter) == 0


def test_an_option_from_another_ballot_is_a_400(client, scene, make):
    ballot = a_ballot(scene)
    other = a_ballot(ballot_scene(make))
    signed_in(client, scene.residents[0])
    response = post(client, f"/ballots/{ballot.id}/vote", {"choice": str(option_ids(other)[0])})
    assert response.status_code == 400 and "Check your choices" in text_of(response)
    assert count(BallotVoter) == 0


def test_too_many_dots_are_a_400_with_the_reason(client, scene):
    ballot = a_ballot(scene, method=Method.DOTS, max_choices=3, max_per_option=2)
    first, second, third = option_ids(ballot)
    signed_in(client, scene.residents[0])
    response = post(
        client,
        f"/ballots/{ballot.id}/vote",
        {f"dots_{first}": "2", f"dots_{second}": "2", f"dots_{third}": "0"},
    )
    assert response.status_code == 400 and "You have 3 dots" in text_of(response)
    assert count(BallotVoter) == 0
    ok = post(client, f"/ballots/{ballot.id}/vote", {f"dots_{first}": "2", f"dots_{second}": "1"})
    assert ok.status_code == 303


def test_a_paper_voters_online_vote_is_refused(client, scene):
    ballot = a_ballot(scene)
    hand_paper_ballot(ballot, resident=scene.residents[0], actor=scene.coordinator)
    db.session.commit()
    signed_in(client, scene.residents[0])
    assert "paper ballot" in text_of(client.get(f"/ballots/{ballot.id}"))
    response = vote_single(client, ballot, 0)
    assert response.status_code == 409 and "paper ballot" in text_of(response)
    assert ballots_in_box() == 0


def test_the_coordinator_hands_a_paper_ballot_to_a_checked_in_resident(client, scene):
    ballot = a_ballot(scene)
    workshop = create_workshop(
        scene.participation, round=WorkshopRound.PROBLEMS, held_at=utcnow(), actor=scene.coordinator
    )
    check_in_resident(workshop, resident=scene.residents[1], actor=scene.coordinator)
    db.session.commit()
    signed_in(client, scene.coordinator)
    assert scene.residents[1].display_name in text_of(client.get(f"/ballots/{ballot.id}"))
    response = post(
        client, f"/ballots/{ballot.id}/paper-voters", {"user_id": str(scene.residents[1].id)}
    )
    assert response.status_code == 302
    not_checked_in = post(
        client, f"/ballots/{ballot.id}/paper-voters", {"user_id": str(scene.residents[2].id)}
    )
    assert not_checked_in.status_code == 400
    assert count(BallotVoter) == 1


def test_a_resident_cannot_use_the_coordinators_forms(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.residents[0])
    assert client.get(f"/ballots/{ballot.id}/close").status_code == 403
    assert post(client, f"/ballots/{ballot.id}/close").status_code == 403
    assert client.get(f"/ballots/{ballot.id}/paper").status_code == 403
    assert client.get(f"/participations/{scene.participation.id}/ballots/new").status_code == 404


def test_the_coordinator_opens_tallies_closes_and_confirms_through_the_forms(client, scene):
    signed_in(client, scene.coordinator)
    opens = (utcnow() - timedelta(minutes=5)).astimezone(SEOUL)
    response = post(
        client,
        f"/participations/{scene.participation.id}/ballots/new",
        {
            "title": "1차 워크숍 투표",
            "problems": [str(p.id) for p in scene.problems],
            "method": "single",
            "eligibility": "resident",
            "seats": "1",
            "tie_rule": "earliest",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, text_of(response)[:2000]
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.eligible_count == 3  # the registered residents: no resident figure recorded
    cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[1]: 1})
    db.session.commit()
    first, second, third = option_ids(ballot)
    response = post(
        client,
        f"/ballots/{ballot.id}/paper",
        {
            "ballot_count": "2",
            f"votes_{first}": "1",
            f"votes_{second}": "1",
            f"votes_{third}": "0",
            "note": "현장 투표",
        },
    )
    assert response.status_code == 302
    assert confirm_on_page(client, f"/ballots/{ballot.id}/close").status_code == 302
    assert post(client, f"/ballots/{ballot.id}/confirm").status_code == 302
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "The selected problems are confirmed." in page
    db.session.expire_all()
    assert scene.problems[1].state is ProblemState.SELECTED
    assert db.session.scalars(select(PaperTally)).one().entered_by_id == scene.coordinator.id


def test_a_bad_paper_tally_is_refused_with_the_reason(client, scene):
    ballot = a_ballot(scene)
    first, second, third = option_ids(ballot)
    signed_in(client, scene.coordinator)
    response = post(
        client,
        f"/ballots/{ballot.id}/paper",
        {"ballot_count": "2", f"votes_{first}": "3", f"votes_{second}": "0", f"votes_{third}": "0"},
    )
    assert response.status_code == 400 and "more than 2 paper ballots" in text_of(response)
    response = post(client, f"/ballots/{ballot.id}/paper", {"ballot_count": "x"})
    assert response.status_code == 400
    assert count(PaperTally) == 0


def test_a_ballot_below_quorum_shows_its_result_as_not_valid(client, make):
    scene = ballot_scene(make, household_count=100)
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD, quorum_percent=20)
    cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[0]: 1})
    ballot.closed_at = utcnow()
    db.session.commit()
    signed_in(client, scene.residents[1])
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "This result is not valid." in page
    signed_in(client, scene.coordinator)
    response = post(client, f"/ballots/{ballot.id}/confirm")
    assert response.status_code == 400 and "quorum" in text_of(response)
    assert ballot.confirmed_at is None


def test_results_are_hidden_from_residents_until_the_ballot_closes(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.residents[0])
    assert 'id="results"' not in text_of(client.get(f"/ballots/{ballot.id}"))
    assert client.get(f"/ballots/{ballot.id}/results.csv").status_code == 403


def test_no_results_page_or_export_names_a_voter(app, make):
    scene = ballot_scene(make, resident_count=0)
    voters = [
        make.resident(scene.complex, display_name=name, username=f"voter{number}")
        for number, name in enumerate(["김비밀", "이투표", "박선택", "최종이"])
    ]
    paper_voter = make.resident(scene.complex, display_name="정종이", username="voter-paper")
    ballot = a_ballot(scene)
    for voter, index in zip(voters, (0, 1, 1, 2), strict=False):
        cast_vote(ballot, voter=voter, choices={option_ids(ballot)[index]: 1})
    workshop = create_workshop(
        scene.participation, round=WorkshopRound.PROBLEMS, held_at=utcnow(), actor=scene.coordinator
    )
    check_in_resident(workshop, resident=paper_voter, actor=scene.coordinator)
    hand_paper_ballot(ballot, resident=paper_voter, actor=scene.coordinator)
    ballot.closed_at = utcnow()
    db.session.commit()

    pages = []
    for reader in (scene.coordinator, make.staff(), voters[0]):
        client = signed_in(app.test_client(), reader)
        for path in (
            f"/ballots/{ballot.id}",
            f"/ballots/{ballot.id}/results.csv",
            f"/participations/{scene.participation.id}/ballots",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            pages.append(text_of(response))
        if reader is scene.coordinator:
            pages.append(text_of(client.get(f"/ballots/{ballot.id}/paper")))
    title = scene.problems[1].title
    assert any(f"{title},2,0,2" in page for page in pages)  # the results are there…
    for page in pages:  # …but never who chose what
        for person in (*voters, paper_voter):
            assert person.display_name not in page and person.username not in page


# Closing asks first --------------------------------------------------------------------


def test_closing_a_ballot_asks_first_and_only_the_confirmed_button_closes_it(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.coordinator)
    ballot_page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert f'href="/ballots/{ballot.id}/close"' in ballot_page  # a link, not a one-click form
    assert f'action="/ballots/{ballot.id}/close"' not in ballot_page

    asking = client.get(f"/ballots/{ballot.id}/close")

    page = text_of(asking)
    assert asking.status_code == 200
    assert "Once it is closed nobody can vote, and closing cannot be undone." in page
    assert f'href="/ballots/{ballot.id}">Cancel</a>' in page
    db.session.expire_all()
    assert ballot.closed_at is None and ballot.is_open_at(utcnow())
    assert vote_single(signed_in(client, scene.residents[0]), ballot, 0).status_code == 303

    signed_in(client, scene.coordinator)
    assert confirm_on_page(client, f"/ballots/{ballot.id}/close").status_code == 302
    db.session.expire_all()
    assert ballot.closed_at is not None
    again = client.get(f"/ballots/{ballot.id}/close")
    assert again.status_code == 409 and "Only an open ballot can be closed." in text_of(again)


def test_the_closing_page_says_in_korean_that_closing_cannot_be_undone(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.coordinator)
    client.set_cookie("lang", "ko")
    page = text_of(client.get(f"/ballots/{ballot.id}/close"))
    assert "투표를 지금 마감합니다. 마감 후에는 투표할 수 없고 되돌릴 수 없습니다." in page


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_close_without_a_good_csrf_token_is_refused_and_the_ballot_stays_open(
    client, scene, token
):
    ballot = a_ballot(scene)
    signed_in(client, scene.coordinator)
    response = client.post(
        f"/ballots/{ballot.id}/close", data={"csrf_token": token} if token else {}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert ballot.closed_at is None


def test_closing_a_ballot_that_does_not_exist_is_a_404(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.coordinator)
    assert client.get("/ballots/99999/close").status_code == 404
    assert post(client, "/ballots/99999/close").status_code == 404
    db.session.expire_all()
    assert ballot.closed_at is None


# Who voted: oneself, or another member of the household --------------------------------


def test_a_household_member_who_did_not_vote_is_told_another_member_did(client, make):
    scene = ballot_scene(make, resident_count=1)
    voter = scene.residents[0]
    housemate = make.resident(scene.complex, household_obj=voter.household)
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD)
    cast_vote(ballot, voter=voter, choices={option_ids(ballot)[0]: 1})
    db.session.commit()

    page = text_of(signed_in(client, housemate).get(f"/ballots/{ballot.id}"))
    assert "Another member of your household has already voted." in page
    assert "can change the vote with their receipt" in page
    assert "You have voted." not in page
    client.set_cookie("lang", "ko")
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "같은 세대의 다른 분이 이미 투표했습니다." in page and "투표를 마쳤습니다" not in page

    page = text_of(signed_in(client, voter).get(f"/ballots/{ballot.id}"))
    assert "You have voted." in page and "Another member" not in page


def test_a_household_member_is_told_another_member_took_the_paper_ballot(client, make):
    scene = ballot_scene(make, resident_count=1)
    voter = scene.residents[0]
    housemate = make.resident(scene.complex, household_obj=voter.household)
    ballot = a_ballot(scene, eligibility=Eligibility.HOUSEHOLD)
    hand_paper_ballot(ballot, resident=voter, actor=scene.coordinator)
    db.session.commit()

    page = text_of(signed_in(client, housemate).get(f"/ballots/{ballot.id}"))
    assert "Another member of your household was handed a paper ballot" in page
    page = text_of(signed_in(client, voter).get(f"/ballots/{ballot.id}"))
    assert "You were handed a paper ballot in the workshop" in page
    assert "Another member" not in page


def test_on_a_ballot_per_resident_each_voter_is_told_they_voted(client, scene):
    ballot = a_ballot(scene)
    cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[0]: 1})
    db.session.commit()
    page = text_of(signed_in(client, scene.residents[0]).get(f"/ballots/{ballot.id}"))
    assert "You have voted." in page and "Another member" not in page
    page = text_of(signed_in(client, scene.residents[1]).get(f"/ballots/{ballot.id}"))
    assert "You have voted." not in page and "Another member" not in page


def test_with_the_receipt_a_voter_sees_their_ballot_in_the_box_and_then_in_the_count(client, scene):
    ballot = a_ballot(scene)
    signed_in(client, scene.residents[0])
    shown = receipt_page(client, vote_single(client, ballot, 1))
    assert 'src="data:image/svg+xml' in shown.get_data(as_text=True)  # the QR code
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "This ballot is in the ballot box" in page
    cast_vote(ballot, voter=scene.residents[1], choices={option_ids(ballot)[1]: 1})
    close_ballot(ballot, actor=scene.coordinator)
    db.session.commit()
    page = text_of(client.get(f"/ballots/{ballot.id}"))
    assert "in the published count: 2 ballots, this one among them" in page


def test_someone_elses_receipt_shows_nothing_in_another_account(app, scene):
    ballot = a_ballot(scene)
    voter, neighbour = app.test_client(), app.test_client()
    signed_in(voter, scene.residents[0])
    receipt = RECEIPT.search(text_of(receipt_page(voter, vote_single(voter, ballot, 0)))).group(1)
    signed_in(neighbour, scene.residents[1])
    vote_single(neighbour, ballot, 1)
    neighbour.delete_cookie(f"ballot_receipt_{ballot.id}", path=f"/ballots/{ballot.id}")
    shown = post(neighbour, f"/ballots/{ballot.id}/receipt", {"receipt": receipt})
    assert shown.status_code == 400 and "does not match" in text_of(shown)
