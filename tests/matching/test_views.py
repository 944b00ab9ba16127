"""Matching through HTTP: scope (404), rights (403), forms and their messages."""

import pytest
from sqlalchemy import select

from gachi.core.errors import DomainError
from gachi.extensions import db
from gachi.matching import operations
from gachi.matching.models import Match, MatchState
from tests.complexes.helpers import post, signed_in, text_of
from tests.matching.helpers import matching_scene


@pytest.fixture
def scene(make):
    return matching_scene(make)


def offered(scene):
    match = operations.offer_match(
        scene.problem, scene.enterprise, message="도와주세요.", actor=scene.coordinator
    )
    db.session.commit()
    return match


def test_the_coordinator_sees_suggestions_and_offers_the_work(client, scene):
    signed_in(client, scene.coordinator)
    page = text_of(client.get(f"/problems/{scene.problem.id}/suggestions"))
    assert "YMCA서울아가야" in page and "Serves Eunpyeong-gu" in page
    response = post(
        client,
        f"/problems/{scene.problem.id}/matches",
        {"enterprise_id": scene.enterprise.id, "action": "offer", "message": "평일 오후 돌봄"},
    )
    assert response.status_code == 302
    match = db.session.scalars(select(Match)).one()
    assert (match.state, match.offer_message) == (MatchState.OFFERED, "평일 오후 돌봄")


def test_an_offer_without_a_message_is_refused_with_a_message(client, scene):
    signed_in(client, scene.coordinator)
    response = post(
        client,
        f"/problems/{scene.problem.id}/matches",
        {"enterprise_id": scene.enterprise.id, "action": "offer", "message": ""},
    )
    assert response.status_code == 400
    assert "Write a message" in text_of(response)


# 2147483648: past PostgreSQL's integer, once a 500 there.
@pytest.mark.parametrize("enterprise_id", ["999999", "abc", "", "2147483648", "-1"])
def test_an_offer_to_an_unknown_enterprise_is_a_4xx(client, scene, enterprise_id):
    signed_in(client, scene.coordinator)
    response = post(
        client,
        f"/problems/{scene.problem.id}/matches",
        {"enterprise_id": enterprise_id, "action": "offer", "message": "x"},
    )
    assert response.status_code in (400, 404)


def test_a_coordinator_of_another_complex_gets_404(client, scene, make):
    outsider = make.coordinator(make.complex_())
    signed_in(client, outsider)
    assert client.get(f"/problems/{scene.problem.id}/suggestions").status_code == 404
    match = offered(scene)
    assert client.get(f"/matches/{match.id}").status_code == 404


def test_the_partner_accepts_an_offer_to_their_enterprise(client, scene):
    match = offered(scene)
    signed_in(client, scene.partner)
    assert "YMCA서울아가야" in text_of(client.get("/partner/offers"))
    response = post(client, f"/matches/{match.id}/answer", {"decision": "accept", "note": ""})
    assert response.status_code == 302
    db.session.refresh(match)
    assert match.state is MatchState.ACCEPTED


def test_a_partner_of_another_enterprise_gets_404(client, scene, make):
    match = offered(scene)
    signed_in(client, make.partner(make.enterprise(name="다른 기업")))
    assert client.get(f"/matches/{match.id}").status_code == 404
    assert post(client, f"/matches/{match.id}/answer", {"decision": "accept"}).status_code == 404
    db.session.refresh(match)
    assert match.state is MatchState.OFFERED


def test_a_partner_does_not_see_a_mere_shortlisting(client, scene):
    match = operations.suggest_match(scene.problem, scene.enterprise, actor=scene.coordinator)
    db.session.commit()
    signed_in(client, scene.partner)
    assert client.get(f"/matches/{match.id}").status_code == 404


def test_the_coordinator_cannot_answer_for_the_enterprise(client, scene):
    match = offered(scene)
    signed_in(client, scene.coordinator)
    assert post(client, f"/matches/{match.id}/answer", {"decision": "accept"}).status_code == 403


def test_declining_without_a_reason_is_refused_and_nothing_changes(client, scene):
    match = offered(scene)
    signed_in(client, scene.partner)
    response = post(client, f"/matches/{match.id}/answer", {"decision": "decline", "note": ""})
    assert response.status_code == 400
    assert "Say why" in text_of(response)
    db.session.refresh(match)
    assert match.state is MatchState.OFFERED


def test_answering_twice_is_a_conflict_not_a_500(client, scene):
    match = offered(scene)
    signed_in(client, scene.partner)
    post(client, f"/matches/{match.id}/answer", {"decision": "accept"})
    response = post(
        client, f"/matches/{match.id}/answer", {"decision": "decline", "note": "아니요"}
    )
    assert response.status_code == 409


def test_the_partner_is_told_in_the_header_and_inbox(client, scene):
    offered(scene)
    signed_in(client, scene.partner)
    page = text_of(client.get("/partner/offers"))
    assert 'aria-label="1 unread"' in page
    assert "offers YMCA서울아가야 work" in text_of(client.get("/notifications"))


def test_the_participation_page_lists_selected_problems_and_their_matches(client, scene):
    offered(scene)
    signed_in(client, scene.coordinator)
    page = text_of(client.get(f"/participations/{scene.participation.id}/matches"))
    assert "아이 돌봄(육아)" in page and "YMCA서울아가야" in page and "Offered" in page


# The match page offers a step exactly when the operation takes it -----------------------

STEPS = {
    # the control on the page: (who sees it, the operation, the state it moves the match to)
    "Start the work": ("coordinator", operations.start_match),
    "The work is completed": ("coordinator", operations.complete_match),
    "Withdraw the offer": (
        "coordinator",
        lambda match, actor: operations.withdraw_match(match, reason="다른 곳", actor=actor),
    ),
    "Send the answer": (
        "partner",
        lambda match, actor: operations.accept_match(match, actor=actor),
    ),
    "Save the rating": (
        "coordinator",
        lambda match, actor: operations.rate_match(match, score=5, actor=actor),
    ),
}


def _in_state(scene, state):
    match = Match(problem_id=scene.problem.id, enterprise_id=scene.enterprise.id, state=state)
    db.session.add(match)
    db.session.commit()
    return match


def _operation_accepts(operation, match, actor):
    try:
        with db.session.begin_nested():
            operation(match, actor=actor)
        return True
    except DomainError:
        return False
    finally:
        db.session.rollback()


@pytest.mark.parametrize("state", list(MatchState), ids=lambda state: state.value)
@pytest.mark.parametrize("control", list(STEPS))
def test_the_match_page_offers_a_step_exactly_when_the_rules_allow_it(
    client, scene, state, control
):
    who, operation = STEPS[control]
    person = getattr(scene, who)
    match = _in_state(scene, state)
    signed_in(client, person)
    response = client.get(f"/matches/{match.id}")
    shown = response.status_code == 200 and control in text_of(response)
    match = db.session.get(Match, match.id)
    accepted = response.status_code == 200 and _operation_accepts(operation, match, person)
    assert shown == accepted


def test_a_partner_sees_waiting_for_your_answer_only_on_open_offers(client, scene):
    offered(scene)
    _in_state(scene, MatchState.DECLINED)
    signed_in(client, scene.partner)
    assert text_of(client.get("/partner/offers")).count("Waiting for your answer") == 1
