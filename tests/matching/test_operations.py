"""Offers, answers and the rest of a match's life, called as the views call them."""

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from gachi.complexes.operations import move_stage
from gachi.complexes.stages import Stage
from gachi.core.audit import AuditEntry
from gachi.core.errors import Conflict, DomainError, GateNotMet, NotAllowed
from gachi.extensions import db
from gachi.matching import operations
from gachi.matching.models import Match, MatchState
from gachi.notifications.models import Notification
from gachi.proposals.models import ProblemState
from gachi.workshops.models import WorkshopRound
from tests.complexes.gates import a_held_workshop
from tests.matching.helpers import matching_scene


@pytest.fixture
def scene(make):
    return matching_scene(make)


def offer(scene, enterprise=None):
    match = operations.offer_match(
        scene.problem,
        enterprise or scene.enterprise,
        message="평일 오후 아이 돌봄을 도와주세요.",
        actor=scene.coordinator,
    )
    db.session.commit()
    return match


def notifications_of(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def test_an_offer_reaches_the_enterprise_partner_in_the_app(scene):
    match = offer(scene)
    assert match.state is MatchState.OFFERED and match.offered_by_id == scene.coordinator.id
    [notice] = notifications_of(scene.partner)
    assert notice.link == f"/matches/{match.id}"
    assert "아이 돌봄(육아)" in notice.text and "응암동 H아파트" in notice.text


def test_the_partner_accepts_and_the_coordinator_is_told(scene):
    match = offer(scene)
    operations.accept_match(match, note="다음 주부터 가능합니다.", actor=scene.partner)
    db.session.commit()
    assert match.state is MatchState.ACCEPTED and match.answered_by_id == scene.partner.id
    assert "accepted" in notifications_of(scene.coordinator)[0].text
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["match.offered", "match.accepted"]


def test_only_a_partner_of_the_enterprise_can_answer(scene, make):
    match = offer(scene)
    other_partner = make.partner(make.enterprise(name="다른 기업"))
    for person in (other_partner, scene.coordinator, make.staff()):
        with pytest.raises(NotAllowed):
            operations.accept_match(match, actor=person)


def test_declining_needs_a_reason(scene):
    match = offer(scene)
    with pytest.raises(DomainError):
        operations.decline_match(match, reason="  ", actor=scene.partner)


def test_a_declined_offer_can_be_offered_to_another_enterprise(scene, make):
    first = offer(scene)
    operations.decline_match(first, reason="이번 분기 인력이 없습니다.", actor=scene.partner)
    db.session.commit()
    other = make.enterprise(name="가상 늘봄돌봄협동조합")
    make.partner(other)
    second = offer(scene, other)
    assert (first.state, second.state) == (MatchState.DECLINED, MatchState.OFFERED)
    assert first.answer_note == "이번 분기 인력이 없습니다."


def test_one_problem_cannot_have_two_open_offers_to_one_enterprise(scene):
    offer(scene)
    with pytest.raises(Conflict):
        offer(scene)
    assert db.session.scalar(select(db.func.count(Match.id))) == 1


def test_the_partial_unique_index_itself_refuses_a_second_open_match(scene):
    offer(scene)
    db.session.add(
        Match(
            problem_id=scene.problem.id,
            enterprise_id=scene.enterprise.id,
            state=MatchState.SUGGESTED,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_shortlisted_enterprise_is_offered_from_its_suggestion(scene):
    suggested = operations.suggest_match(scene.problem, scene.enterprise, actor=scene.coordinator)
    db.session.commit()
    assert notifications_of(scene.partner) == []
    offered = offer(scene)
    assert offered.id == suggested.id and offered.state is MatchState.OFFERED


def test_two_answers_at_once_one_wins(scene):
    """The second answer read the offer while it was open; by the time its UPDATE runs,
    another answer has been committed, so it changes nothing and is refused."""
    match = offer(scene)
    match_id = match.id
    db.session.commit()  # reading the id began a (writing) transaction; end it
    with db.engine.begin() as other_request:
        other_request.execute(
            update(Match).where(Match.id == match_id).values(state=MatchState.DECLINED.value)
        )
    set_committed_value(match, "state", MatchState.OFFERED)  # what the second request saw
    with pytest.raises(Conflict):
        operations.accept_match(match, actor=scene.partner)
    db.session.rollback()
    assert db.session.get(Match, match_id).state is MatchState.DECLINED


def test_an_answered_offer_cannot_be_answered_again(scene):
    match = offer(scene)
    operations.accept_match(match, actor=scene.partner)
    with pytest.raises(Conflict):
        operations.decline_match(match, reason="마음이 바뀌었습니다.", actor=scene.partner)


def test_only_selected_problems_are_offered(scene, make):
    proposed = make.problem(scene.participation, state=ProblemState.PROPOSED)
    with pytest.raises(DomainError):
        operations.offer_match(
            proposed, scene.enterprise, message="부탁드립니다.", actor=scene.coordinator
        )


def test_an_offer_needs_a_message(scene):
    with pytest.raises(DomainError):
        operations.offer_match(
            scene.problem, scene.enterprise, message=" ", actor=scene.coordinator
        )


def test_an_accepted_match_opens_the_gate_to_planning(scene):
    a_held_workshop(scene.participation, scene.coordinator, WorkshopRound.SOLUTIONS)
    with pytest.raises(GateNotMet, match="accepted"):
        move_stage(scene.participation, Stage.PLANNING, actor=scene.coordinator)
    match = offer(scene)
    with pytest.raises(GateNotMet):
        move_stage(scene.participation, Stage.PLANNING, actor=scene.coordinator)
    operations.accept_match(match, actor=scene.partner)
    move_stage(scene.participation, Stage.PLANNING, actor=scene.coordinator)
    assert scene.participation.stage is Stage.PLANNING


def test_a_declined_match_does_not_open_the_gate(scene):
    match = offer(scene)
    operations.decline_match(match, reason="어렵습니다.", actor=scene.partner)
    with pytest.raises(GateNotMet):
        move_stage(scene.participation, Stage.PLANNING, actor=scene.coordinator)


def test_a_match_runs_to_completion_and_is_rated_once(scene):
    match = offer(scene)
    operations.accept_match(match, actor=scene.partner)
    with pytest.raises(DomainError):
        operations.rate_match(match, score=5, actor=scene.coordinator)
    operations.start_match(match, actor=scene.coordinator)
    operations.complete_match(match, actor=scene.coordinator)
    operations.rate_match(match, score=5, comment="아이들이 좋아했어요.", actor=scene.coordinator)
    db.session.commit()
    assert match.state is MatchState.COMPLETED and match.rating.score == 5
    with pytest.raises(Conflict):
        operations.rate_match(match, score=4, actor=scene.coordinator)


def test_a_rating_is_from_one_to_five(scene):
    match = offer(scene)
    operations.accept_match(match, actor=scene.partner)
    operations.start_match(match, actor=scene.coordinator)
    operations.complete_match(match, actor=scene.coordinator)
    for score in (0, 6):
        with pytest.raises(DomainError):
            operations.rate_match(match, score=score, actor=scene.coordinator)


def test_an_active_match_cannot_be_withdrawn(scene):
    match = offer(scene)
    operations.accept_match(match, actor=scene.partner)
    operations.start_match(match, actor=scene.coordinator)
    with pytest.raises(Conflict):
        operations.withdraw_match(match, reason="취소", actor=scene.coordinator)


def test_a_withdrawn_offer_is_told_to_the_partner_and_can_be_made_again(scene):
    match = offer(scene)
    operations.withdraw_match(match, reason="주민 의견이 바뀌었습니다.", actor=scene.coordinator)
    db.session.commit()
    assert match.state is MatchState.WITHDRAWN
    assert len(notifications_of(scene.partner)) == 2
    assert offer(scene).state is MatchState.OFFERED
