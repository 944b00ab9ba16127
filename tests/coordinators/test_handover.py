"""A coordinator leaves: another takes over, and the open work follows the complex."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from gachi.coordinators.models import Placement
from gachi.coordinators.operations import hand_over_placement
from gachi.core.errors import DomainError
from gachi.extensions import db
from gachi.matching import operations
from gachi.notifications.models import Notification
from tests.complexes.helpers import post, signed_in, text_of
from tests.matching.helpers import matching_scene


@pytest.fixture
def scene(make):
    return matching_scene(make)


def test_the_successor_gets_the_complex_and_its_open_offers(client, make, scene):
    match = operations.offer_match(
        scene.problem, scene.enterprise, message="부탁합니다.", actor=scene.coordinator
    )
    db.session.commit()
    placement = db.session.scalars(select(Placement)).one()
    successor = make.coordinator(display_name="새 코디네이터")
    hand_over_placement(placement, successor, first_day=make.today(), actor=make.staff())
    db.session.commit()

    assert placement.ends_on == make.today() - timedelta(days=1)
    assert not scene.problem.participation.complex.can_manage(scene.coordinator)
    db.session.expire_all()
    assert scene.problem.participation.complex.can_manage(successor)
    assert match.can_manage(successor)
    notice = db.session.scalars(
        select(Notification).where(Notification.user_id == successor.id)
    ).one()
    assert "응암동 H아파트" in notice.text

    signed_in(client, successor)
    page = text_of(client.get("/my/complexes"))
    assert "Waiting for YMCA서울아가야 to answer about “아이 돌봄(육아)”" in page


def test_a_handover_to_the_same_person_or_before_the_start_is_refused(make, scene):
    placement = db.session.scalars(select(Placement)).one()
    with pytest.raises(DomainError):
        hand_over_placement(
            placement, scene.coordinator, first_day=make.today(), actor=make.staff()
        )
    with pytest.raises(DomainError):
        hand_over_placement(
            placement, make.coordinator(), first_day=placement.starts_on, actor=make.staff()
        )


def test_staff_hand_over_through_the_page(client, make, scene):
    placement = db.session.scalars(select(Placement)).one()
    successor = make.coordinator(display_name="새 코디네이터")
    signed_in(client, make.staff())
    page = text_of(client.get(f"/staff/placements/{placement.id}/handover"))
    assert "“아이 돌봄(육아)” needs an enterprise" in page
    response = post(
        client,
        f"/staff/placements/{placement.id}/handover",
        {"successor_id": successor.id, "first_day": make.today().isoformat()},
    )
    assert response.status_code == 302
    assert db.session.scalars(
        select(Placement).where(Placement.coordinator_id == successor.id)
    ).one()


def test_only_staff_hand_over(client, make, scene):
    placement = db.session.scalars(select(Placement)).one()
    signed_in(client, scene.coordinator)
    assert client.get(f"/staff/placements/{placement.id}/handover").status_code == 403


def test_my_complexes_shows_what_needs_the_coordinator(client, make, scene):
    signed_in(client, scene.coordinator)
    page = text_of(client.get("/my/complexes"))
    assert "Find an enterprise for “아이 돌봄(육아)”" in page
    match = operations.offer_match(
        scene.problem, scene.enterprise, message="부탁합니다.", actor=scene.coordinator
    )
    operations.accept_match(match, actor=scene.partner)
    db.session.commit()
    page = text_of(client.get("/my/complexes"))
    assert "YMCA서울아가야 accepted “아이 돌봄(육아)”: start the work" in page
    assert "Find an enterprise" not in page


def test_the_coordinator_list_shows_open_offers_per_coordinator(client, make, scene):
    operations.offer_match(
        scene.problem, scene.enterprise, message="부탁합니다.", actor=scene.coordinator
    )
    db.session.commit()
    signed_in(client, make.staff())
    page = text_of(client.get("/staff/coordinators"))
    row = page[page.index("정홍권") :]
    assert '<td class="num">1</td>\n      <td class="num">1</td>' in row


def test_my_complexes_lists_ballots_to_close_and_to_confirm(client, make):
    from gachi.ballots.models import Ballot, Eligibility, Method, TieRule
    from gachi.complexes.stages import Stage
    from gachi.core.time import utcnow

    participation = make.participation(
        make.complex_(name="가양동 B아파트"), stage=Stage.PROBLEM_WORKSHOP
    )
    coordinator = make.coordinator(participation.complex)
    now = utcnow()
    for title, opens, closes in (("열린 투표", -1, 1), ("끝난 투표", -3, -2), ("다음 투표", 1, 2)):
        db.session.add(
            Ballot(
                participation_id=participation.id,
                title=title,
                method=Method.SINGLE,
                eligibility=Eligibility.RESIDENT,
                tie_rule=TieRule.EARLIEST,
                opens_at=now + timedelta(days=opens),
                closes_at=now + timedelta(days=closes),
            )
        )
    db.session.commit()
    signed_in(client, coordinator)
    page = text_of(client.get("/my/complexes"))
    assert "The ballot “열린 투표” is open until" in page
    assert "The ballot “끝난 투표” is closed: confirm the selection" in page
    assert "다음 투표" not in page
