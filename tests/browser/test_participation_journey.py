"""A resident proposes, supports, votes, changes the vote and reads the results; the
coordinator shortlists, opens the ballot, enters the paper tally, closes and confirms.
Pages in English (the lang cookie), since the Korean catalogue comes later."""

import re
from datetime import timedelta

import pytest

from gachi.complexes.stages import Stage
from gachi.core.time import SEOUL, utcnow
from gachi.extensions import db
from gachi.proposals.models import ProblemState
from tests.browser.conftest import sign_in_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def people(make):
    complex_ = make.complex_(name="응암동 H아파트", household_count=40, resident_count=95)
    participation = make.participation(complex_, stage=Stage.PROBLEM_WORKSHOP)
    coordinator = make.coordinator(complex_, display_name="정홍권")
    resident = make.resident(complex_, display_name="박서진")
    neighbour = make.resident(complex_)
    make.problem(
        participation, title="주차 문제", category_code="housing", proposed_by_id=neighbour.id
    )
    ids = {
        "participation": participation.id,
        "coordinator": coordinator.username,
        "resident": resident.username,
    }
    # End the reading transaction: outside a request it holds SQLite's write lock.
    db.session.commit()
    return ids


def new_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    return context, context.new_page()


def sign_in(page, live_server, username):
    sign_in_in_browser(page, live_server, username, PASSWORD)


def click(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).first.click()


def test_a_resident_and_a_coordinator_take_a_problem_from_proposal_to_selection(
    browser, live_server, screenshots, people
):
    resident_context, resident = new_page(browser, live_server)
    coordinator_context, coordinator = new_page(browser, live_server)
    try:
        # The resident proposes a problem and supports it.
        sign_in(resident, live_server, people["resident"])
        with resident.expect_navigation():
            resident.get_by_role("link", name="Problems", exact=True).first.click()
        resident.fill("input[name=title]", "아이 돌봄(육아)")
        resident.select_option("select[name=category]", label="Care")
        resident.fill("textarea[name=description]", "오후에 아이를 맡길 곳이 없어요")
        click(resident, "Propose")
        assert resident.locator("h1").inner_text() == "아이 돌봄(육아)"
        click(resident, "Me too")
        assert "Me too: 1" in resident.locator("#supports").inner_text()

        # The coordinator shortlists both problems and opens a ballot.
        sign_in(coordinator, live_server, people["coordinator"])
        coordinator.goto(f"{live_server}/participations/{people['participation']}/problems")
        click(coordinator, "Shortlist")
        click(coordinator, "Shortlist")
        assert coordinator.get_by_role("button", name="Shortlist").count() == 0
        with coordinator.expect_navigation():
            coordinator.get_by_role("link", name="Ballots", exact=True).first.click()
        with coordinator.expect_navigation():
            coordinator.get_by_role("link", name="Open a ballot on the shortlist").click()
        opens = (utcnow() - timedelta(minutes=5)).astimezone(SEOUL)
        coordinator.fill("input[name=title]", "1차 워크숍 투표")
        coordinator.fill("input[name=opens_at]", opens.strftime("%Y-%m-%dT%H:%M"))
        coordinator.fill(
            "input[name=closes_at]", (opens + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
        )
        click(coordinator, "Open the ballot")
        assert "1차 워크숍 투표" in coordinator.locator("h1").inner_text()
        ballot_url = coordinator.url

        # The resident votes, keeps the receipt, changes the vote.
        with resident.expect_navigation():
            resident.get_by_role("link", name="Ballots", exact=True).first.click()
        with resident.expect_navigation():
            resident.get_by_role("link", name="1차 워크숍 투표").click()
        resident.get_by_label("주차 문제").check()
        click(resident, "Vote")
        receipt = resident.locator("#receipt").inner_text()
        assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", receipt)
        resident.screenshot(path=str(screenshots / "ballot-receipt.png"), full_page=True)
        with resident.expect_navigation():
            resident.get_by_role("link", name="Back to the ballot").click()
        assert "주차 문제" in resident.locator("#my-vote").inner_text()
        resident.get_by_label("아이 돌봄(육아)").check()
        click(resident, "Change my vote")
        assert "Your vote was changed." in resident.content()
        assert "아이 돌봄(육아)" in resident.locator("#my-vote ul.my-choices").inner_text()

        # The coordinator enters the paper tally, closes, confirms.
        coordinator.goto(ballot_url)
        with coordinator.expect_navigation():
            coordinator.get_by_role("link", name="Enter the paper tally").click()
        coordinator.fill("input[name=ballot_count]", "9")
        coordinator.get_by_label("아이 돌봄(육아)").fill("6")
        coordinator.get_by_label("주차 문제").fill("3")
        coordinator.fill("textarea[name=note]", "세미나실 현장 투표")
        click(coordinator, "Save the paper tally")
        with coordinator.expect_navigation():
            coordinator.get_by_role("link", name="Close the ballot now").click()
        assert "closing cannot be undone" in coordinator.content()
        click(coordinator, "Close the ballot")
        click(coordinator, "Confirm the selected problems")
        assert "The selected problems are confirmed." in coordinator.content()
        coordinator.screenshot(path=str(screenshots / "ballot-confirmed.png"), full_page=True)

        # The resident sees the results: online + paper = total, and what was selected.
        resident.goto(ballot_url)
        rows = resident.locator("table.results tbody tr").all_inner_texts()
        assert re.search(r"1\s+아이 돌봄\(육아\)\s+1\s+6\s+7\s+Selected", rows[0]), rows
        assert re.search(r"2\s+주차 문제\s+0\s+3\s+3\s+Not selected", rows[1]), rows
        assert "10 / " in resident.locator("#results").inner_text()
    finally:
        resident_context.close()
        coordinator_context.close()
    db.session.expire_all()
    from sqlalchemy import select

    from gachi.proposals.models import Problem

    states = dict(db.session.execute(select(Problem.title, Problem.state)).all())
    assert states == {
        "아이 돌봄(육아)": ProblemState.SELECTED,
        "주차 문제": ProblemState.NOT_SELECTED,
    }
