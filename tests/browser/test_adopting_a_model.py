"""A coordinator of a new complex adopts 응암동 H's childcare-room model in a real browser,
in Korean: from the plan page to the catalogue, the model, the draft with its sessions,
budget lines and targets; one line is edited; the draft is confirmed into a programme;
the center's board counts the adoption.

The catalogue, the model and the draft are saved, 1280 pixels wide, to tests/screenshots/recipes/.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from gachi.bizmodels.models import Adoption, BusinessModel
from gachi.complexes.districts import District
from gachi.complexes.stages import Stage
from gachi.core.time import SEOUL, utcnow
from gachi.extensions import db
from gachi.plans.models import BudgetLine
from gachi.programs.recurrence import public_holidays
from gachi.proposals.models import ProblemState
from tests.bizmodels.helpers import monday_without_holidays
from tests.browser.conftest import sign_in_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots" / "recipes"
DESKTOP = {"width": 1280, "height": 800}


def test_a_new_complex_adopts_the_childcare_room_and_the_board_counts_it(
    demo, make, browser, live_server
):
    model = db.session.scalar(select(BusinessModel).where(BusinessModel.title == "공동 아이돌봄방"))
    cohort = make.cohort(name="같이살림 새 단지", year=2026)
    complex_ = make.complex_(name="녹번동 새 아파트", district=District.EUNPYEONG)
    participation = make.participation(complex_, cohort, stage=Stage.PLANNING)
    make.problem(participation, title="아이 돌봄", state=ProblemState.SELECTED)
    coordinator = make.coordinator(complex_, username="newcoord")
    staff = make.staff(username="boardstaff")
    line_count, target_count = len(model.budget_lines), len(model.targets)
    ids = (participation.id, coordinator.username, staff.username, demo.cohort.id)
    participation_id, coordinator_name, staff_name, demo_cohort_id = ids
    # End the transaction: an open one on SQLite holds the lock the live server needs.
    db.session.commit()
    # Four weeks of weekdays from a Monday with no public holiday in them.
    today = utcnow().astimezone(SEOUL).date()
    starts_on = monday_without_holidays(today + timedelta(days=7))
    assert not public_holidays(starts_on, starts_on + timedelta(days=27))
    sessions = 4 * 5

    context = browser.new_context(viewport=DESKTOP, locale="ko-KR")
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in_in_browser(page, live_server, coordinator_name, PASSWORD)
    page.goto(f"{live_server}/participations/{participation_id}/plan")
    page.get_by_role("link", name="도입할 사업모델").click()
    page.select_option("select[name=category]", label="돌봄")
    page.get_by_role("button", name="보기").click()
    page.wait_for_load_state()
    page.screenshot(path=str(SCREENSHOTS / "catalogue.png"), full_page=True)
    page.get_by_role("link", name="공동 아이돌봄방").click()
    page.wait_for_load_state()
    assert (
        "월요일, 화요일, 수요일, 목요일, 금요일 · 14:00–18:00" in page.locator("main").inner_text()
    )
    page.screenshot(path=str(SCREENSHOTS / "model.png"), full_page=True)
    page.select_option("select[name=participation]", value=str(participation_id))
    page.fill("input[name=starts_on]", starts_on.isoformat())
    page.get_by_role("button", name="도입").click()
    page.wait_for_load_state()

    body = page.locator("main").inner_text()
    assert f"{sessions}회" in body
    assert page.locator("ol.sessions li").count() == sessions
    assert "14:00" in body and "18:00" in body
    amounts = page.locator("input[name$=_amount]")
    assert amounts.count() == line_count
    # The volunteers' line is per child: 75,000 won × the recipe's 10 participants.
    assert [amounts.nth(i).input_value() for i in range(amounts.count())] == [
        "1800000",
        "900000",
        "750000",
    ]
    assert page.locator("input[name^=target_]").count() == target_count > 0
    page.screenshot(path=str(SCREENSHOTS / "draft.png"), full_page=True)

    amounts.nth(0).fill("1500000")
    page.get_by_role("button", name="초안 저장").click()
    page.wait_for_load_state()
    assert page.locator("input[name$=_amount]").nth(0).input_value() == "1500000"
    page.get_by_role("button", name="프로그램 확정").click()
    page.wait_for_load_state()
    assert "계획에 들어갔습니다" in page.locator("main").inner_text()
    context.close()

    db.session.expire_all()
    adoption = db.session.scalar(
        select(Adoption).where(Adoption.participation_id == participation_id)
    )
    assert adoption.confirmed_at is not None
    assert len(adoption.program.sessions) == sessions
    lines = db.session.scalars(
        select(BudgetLine).where(BudgetLine.plan.has(participation_id=participation_id))
    ).all()
    assert sorted(line.amount for line in lines) == [750_000, 900_000, 1_500_000]
    db.session.commit()

    board = browser.new_context(viewport=DESKTOP, locale="ko-KR").new_page()
    sign_in_in_browser(board, live_server, staff_name, PASSWORD)
    board.goto(f"{live_server}/staff/cohorts/{demo_cohort_id}/board")
    row = board.locator("tr", has_text="공동 아이돌봄방")
    cells = row.locator("td, th").all_inner_texts()
    # title, category, first run in, adopted by, confirmed, …
    assert cells[3:5] == ["1", "1"]
    board.context.close()
