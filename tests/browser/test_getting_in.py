"""On a phone (390×844): a grandmother joins, mistypes, and finds everything she typed
still there but the passwords; later she forgets her password and uses the code her
coordinator hands her."""

import re

import pytest

from gachi.extensions import db
from tests.browser.conftest import sign_in_in_browser
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
HER_PASSWORD = "blue kettle on the balcony"
NEW_PASSWORD = "red kettle by the window"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="ko-KR")
    yield context.new_page()
    context.close()


def test_a_grandmother_joins_on_her_phone_and_later_resets_with_a_code(
    phone, browser, live_server, make, screenshots
):
    complex_ = make.complex_()
    household = make.household(complex_, building="101", unit="1203")
    make.invitation(household, code="ABCDEFGH")
    coordinator = make.coordinator(complex_)
    complex_id, coordinator_name = complex_.id, coordinator.username
    db.session.commit()  # reading them began a transaction: end it before the server writes

    phone.goto(f"{live_server}/join")
    phone.fill("input[name=code]", "abcd-efgh")
    phone.fill("input[name=display_name]", "101동 김영희")
    phone.fill("input[name=username]", "김영희")
    phone.fill("input[name=phone]", "010-1234-5678")
    phone.fill("input[name=password]", HER_PASSWORD)
    phone.fill("input[name=confirm]", "blue kettle on the balcon")
    phone.check("input[name=consent]")
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()
    assert phone.input_value("input[name=display_name]") == "101동 김영희"
    assert phone.input_value("input[name=phone]") == "010-1234-5678"
    assert phone.input_value("input[name=password]") == ""
    assert phone.is_checked("input[name=consent]")
    phone.screenshot(path=str(screenshots / "join-phone-mistyped.png"), full_page=True)

    phone.fill("input[name=password]", HER_PASSWORD)
    phone.fill("input[name=confirm]", HER_PASSWORD)
    with phone.expect_navigation():
        phone.locator("main form button[type=submit]").click()
    assert "김영희" in phone.content()

    # She forgets it. Her coordinator makes a code on the household's password-help page.
    desk = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
    sign_in_in_browser(desk, live_server, coordinator_name, PASSWORD)
    desk.goto(f"{live_server}/complexes/{complex_id}/password-help")
    desk.locator("a", has_text=re.compile("일회용 코드|one-time code")).first.click()
    desk.wait_for_load_state()
    with desk.expect_navigation():
        desk.locator("main form button[type=submit]").click()
    code = desk.locator("span.code").inner_text()
    desk.screenshot(path=str(screenshots / "reset-code-issued.png"), full_page=True)
    desk.context.close()

    fresh = browser.new_context(viewport=PHONE, locale="ko-KR").new_page()
    fresh.goto(f"{live_server}/login")
    fresh.locator("a[href='/reset']").click()
    fresh.wait_for_load_state()
    fresh.screenshot(path=str(screenshots / "reset-phone.png"), full_page=True)
    fresh.fill("input[name=account]", "01012345678")
    fresh.fill("input[name=code]", code)
    fresh.fill("input[name=password]", NEW_PASSWORD)
    fresh.fill("input[name=confirm]", NEW_PASSWORD)
    with fresh.expect_navigation():
        fresh.locator("main form button[type=submit]").click()
    assert fresh.url.endswith("/login")
    fresh.fill("input[name=username]", "010 1234 5678")
    fresh.fill("input[name=password]", NEW_PASSWORD)
    with fresh.expect_navigation():
        fresh.locator("main form button[type=submit]").click()
    assert not fresh.url.endswith("/login")
    fresh.context.close()
