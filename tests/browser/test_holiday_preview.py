"""A coordinator, in Korean, plans four weeks of weekday sessions over Christmas and New
Year: the preview names the two public holidays it skips, she ticks Christmas back in,
and the sessions saved are held on it and not on New Year's Day."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from gachi.core.time import SEOUL
from gachi.extensions import db
from gachi.programs import operations
from gachi.programs.sessions.models import ProgramSession
from tests.browser.conftest import sign_in_in_browser
from tests.factories import PASSWORD
from tests.programs.helpers import program_scene


def click(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


@pytest.mark.browser
def test_the_preview_lists_the_holidays_and_christmas_is_ticked_back_in(
    browser, live_server, screenshots, make, monkeypatch
):
    monkeypatch.setattr(operations, "utcnow", lambda: datetime(2026, 12, 1, tzinfo=UTC))
    scene = program_scene(make)
    program_id, coordinator_name = scene.program.id, scene.coordinator.username
    db.session.commit()  # end the test's (SQLite write) transaction before the browser comes

    page = browser.new_context(viewport={"width": 420, "height": 900}).new_page()
    sign_in_in_browser(page, live_server, coordinator_name, PASSWORD)
    page.goto(f"{live_server}/programs/{program_id}")
    page.fill("input[name=starts_on]", "2026-12-21")
    page.fill("input[name=ends_on]", "2027-01-15")
    for weekday in range(5):
        page.check(f"input[name=weekdays][value='{weekday}']")
    page.fill("input[name=start_time]", "10:00")
    page.fill("input[name=end_time]", "12:00")
    page.get_by_role("button", name="미리 보기").click()
    page.wait_for_load_state()

    preview = page.locator("#schedule-preview").inner_text()
    assert "2026. 12. 25. (금) 기독탄신일" in preview and "2027. 1. 1. (금) 신정연휴" in preview
    assert "일정이 모두 18개 생깁니다" in preview
    page.screenshot(path=str(screenshots / "holiday_preview.png"))  # what she sees

    page.get_by_label("2026. 12. 25. (금) 기독탄신일").check()
    click(page, "운영 일정 저장")
    assert "2027. 1. 1. (금) 신정연휴" in page.locator(".flash-info").inner_text()
    page.screenshot(path=str(screenshots / "holiday_saved.png"), full_page=True)

    db.session.expire_all()
    days = {
        s.starts_at.astimezone(SEOUL).date()
        for s in db.session.scalars(
            select(ProgramSession).where(
                ProgramSession.program_id == program_id, ProgramSession.schedule_day.is_not(None)
            )
        )
    }
    assert len(days) == 19 and date(2026, 12, 25) in days and date(2027, 1, 1) not in days
