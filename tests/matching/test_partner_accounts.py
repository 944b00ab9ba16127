"""An enterprise nobody can answer for: marked on its card, offers refused, a way to fix it."""

import re

import pytest
from sqlalchemy import func, select

from gachi.extensions import db
from gachi.matching import operations
from gachi.matching.models import Match, MatchState
from gachi.notifications.models import Notification
from tests.complexes.helpers import post, signed_in, text_of
from tests.conftest import sign_in_directly
from tests.matching.helpers import matching_scene, serving


@pytest.fixture
def scene(make):
    scene = matching_scene(make)
    scene.lonely = serving(
        make, make.enterprise(name="늘봄돌봄협동조합"), categories=("care",)
    )  # no partner account
    return scene


def offer_to_lonely(client, scene):
    return post(
        client,
        f"/problems/{scene.problem.id}/matches",
        {"enterprise_id": scene.lonely.id, "action": "offer", "message": "평일 오후 돌봄"},
    )


def test_an_offer_to_an_enterprise_without_a_partner_is_refused_in_korean(korean_client, scene):
    sign_in_directly(korean_client, scene.coordinator)
    response = offer_to_lonely(korean_client, scene)
    assert response.status_code == 409
    page = text_of(response)
    assert "늘봄돌봄협동조합에는 아직 기업 담당자 계정이 없어" in page
    assert "센터에 담당자 계정 만들기 요청" in page
    assert db.session.scalar(select(func.count(Match.id))) == 0


def test_an_inactive_partner_cannot_answer_either(make, scene):
    make.partner(scene.lonely, active=False)
    with pytest.raises(operations.NoPartnerAccount):
        operations.offer_match(
            scene.problem, scene.lonely, message="부탁합니다.", actor=scene.coordinator
        )


def test_the_card_marks_it_and_keeps_the_shortlist(client, scene):
    signed_in(client, scene.coordinator)
    page = client.get(f"/problems/{scene.problem.id}/suggestions").get_data(as_text=True)
    lonely_card = page[page.index("늘봄돌봄협동조합") :]
    assert "No partner account" in lonely_card
    assert "Ask the center to make a partner account" in lonely_card
    assert "No partner account" not in page[: page.index("늘봄돌봄협동조합")]
    response = post(
        client,
        f"/problems/{scene.problem.id}/matches",
        {"enterprise_id": scene.lonely.id, "action": "suggest", "message": ""},
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Match.state)).all() == [MatchState.SUGGESTED]


def test_the_coordinator_asks_the_center_and_the_admin_gets_a_ready_form(client, make, scene):
    admin = make.staff(admin=True)
    other_staff = make.staff()
    signed_in(client, scene.coordinator)
    response = post(
        client, f"/problems/{scene.problem.id}/enterprises/{scene.lonely.id}/partner-request"
    )
    assert response.status_code == 302
    notes = db.session.scalars(select(Notification)).all()
    assert [note.user_id for note in notes] == [admin.id]
    link = notes[0].link
    assert link == f"/staff/accounts/new?role=partner&enterprise_id={scene.lonely.id}"

    signed_in(client, admin)
    form = client.get(link).get_data(as_text=True)
    assert f'<option selected value="{scene.lonely.id}">' in form
    assert '<option selected value="partner">' in form
    assert other_staff.id not in [note.user_id for note in notes]


def test_an_admin_sees_the_form_link_on_the_card(client, make, scene):
    admin = make.staff(admin=True)
    signed_in(client, admin)
    page = client.get(f"/problems/{scene.problem.id}/suggestions").get_data(as_text=True)
    assert f"/staff/accounts/new?role=partner&amp;enterprise_id={scene.lonely.id}" in page


def test_asking_for_an_enterprise_that_has_a_partner_is_refused(client, make, scene):
    make.staff(admin=True)
    signed_in(client, scene.coordinator)
    response = post(
        client, f"/problems/{scene.problem.id}/enterprises/{scene.enterprise.id}/partner-request"
    )
    assert response.status_code == 409
    assert "already has a partner account" in text_of(response)
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_once_the_partner_account_exists_the_offer_goes_out(make, scene):
    make.partner(scene.lonely)
    match = operations.offer_match(
        scene.problem, scene.lonely, message="부탁합니다.", actor=scene.coordinator
    )
    assert match.state is MatchState.OFFERED


@pytest.mark.parametrize("query", ["role=resident&enterprise_id=abc", "enterprise_id=²", ""])
def test_the_account_form_ignores_a_link_that_chooses_nothing_it_knows(client, make, query):
    signed_in(client, make.staff(admin=True))
    response = client.get(f"/staff/accounts/new?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<option selected value="resident">' not in page
    assert re.search(r'<option selected value="[0-9]+">', page) is None
