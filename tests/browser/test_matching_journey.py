"""The matching journey in a real browser, in English: the coordinator offers the work, the
enterprise partner accepts, and the coordinator moves the complex on to planning and
enters a budget line and what was spent."""

import pytest

from gachi.complexes.stages import Stage
from gachi.extensions import db
from gachi.plans.models import BudgetLine, SpendingEntry
from gachi.workshops.models import WorkshopRound
from tests.browser.conftest import sign_in_in_browser
from tests.complexes.gates import a_held_workshop
from tests.factories import PASSWORD
from tests.matching.helpers import matching_scene


def sign_in(page, live_server, username):
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    sign_in_in_browser(page, live_server, username, PASSWORD)


@pytest.mark.browser
def test_offer_accept_plan_and_spend(browser, live_server, screenshots, make):
    scene = matching_scene(make)
    # Planning needs the 2nd workshop held (a stage gate) as well as the accepted offer.
    a_held_workshop(scene.participation, scene.coordinator, WorkshopRound.SOLUTIONS)
    problem_id, participation_id = scene.problem.id, scene.participation.id
    coordinator_name, partner_name = scene.coordinator.username, scene.partner.username
    db.session.commit()

    coordinator = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
    sign_in(coordinator, live_server, coordinator_name)
    coordinator.goto(f"{live_server}/problems/{problem_id}/suggestions")
    card = coordinator.locator("li.card", has_text="YMCA서울아가야")
    assert "Serves Eunpyeong-gu" in card.inner_text()
    card.locator("textarea[name=message]").fill("평일 오후 공동 아이돌봄 공간을 함께 꾸며 주세요.")
    with coordinator.expect_navigation():
        card.get_by_role("button", name="Offer the work").click()
    assert "The offer was sent to YMCA서울아가야." in coordinator.locator("main").inner_text()

    partner = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
    sign_in(partner, live_server, partner_name)
    partner.goto(f"{live_server}/partner/offers")
    with partner.expect_navigation():
        partner.get_by_role("link", name="아이 돌봄(육아)").click()
    partner.get_by_label("We accept this offer").check()
    with partner.expect_navigation():
        partner.get_by_role("button", name="Send the answer").click()
    assert "Accepted" in partner.locator("main").inner_text()
    partner.screenshot(path=str(screenshots / "partner_accepts.png"), full_page=True)

    coordinator.goto(f"{live_server}/participations/{participation_id}")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Move to Planning").click()
    assert "The stage is now Planning." in coordinator.locator("main").inner_text()

    coordinator.goto(f"{live_server}/participations/{participation_id}/plan")
    coordinator.select_option("select[name=category]", "equipment")
    coordinator.fill("input[name=description]", "매트와 놀이도구")
    coordinator.fill("form[action$='/plan/lines'] input[name=amount]", "1,800,000")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Add the budget line").click()
    coordinator.fill("input[name=spent_on]", "2018-11-09")
    coordinator.fill("form[action$='/plan/spending'] input[name=amount]", "1,720,000")
    coordinator.fill("input[name=payee]", "YMCA서울아가야")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Record the spending").click()
    budget = coordinator.locator("table.budget").inner_text()
    coordinator.screenshot(path=str(screenshots / "coordinator_plan.png"), full_page=True)
    assert "1,800,000원" in budget and "1,720,000원" in budget and "95.6%" in budget

    db.session.expire_all()
    assert scene.participation.stage is Stage.PLANNING
    assert db.session.scalars(db.select(BudgetLine.amount)).all() == [1_800_000]
    assert db.session.scalars(db.select(SpendingEntry.amount)).all() == [1_720_000]
    coordinator.context.close()
    partner.context.close()
