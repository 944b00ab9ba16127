"""A new staff member signs in, is sent to set up two-factor sign-in, and uses it."""

import re

import pytest

from gachi.auth import two_factor
from tests import factories
from tests.browser.conftest import sign_in_in_browser


@pytest.mark.browser
def test_new_staff_member_sets_up_the_app_code_and_signs_in_with_it(page, live_server, screenshots):
    # Only the user name is used afterwards: reading a row here would hold SQLite's lock.
    factories.staff(two_factor=False, username="new.staff")
    sign_in_in_browser(page, live_server, "new.staff", factories.PASSWORD)
    assert page.url == f"{live_server}/account/two-factor"

    page.goto(f"{live_server}/staff/cohorts")  # every other page sends them back here
    assert page.url == f"{live_server}/account/two-factor"
    assert page.locator("img.qr").is_visible()
    secret = page.locator("code.secret").inner_text().strip()
    page.fill("input[name=code]", two_factor.code_for(secret))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    codes = re.findall(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", page.locator("main").inner_text())
    assert len(set(codes)) == 10
    assert page.locator("a[download]").get_attribute("href").startswith("data:text/plain")
    page.screenshot(path=str(screenshots / "two-factor-recovery-codes.png"), full_page=True)

    page.goto(f"{live_server}/staff/cohorts")
    assert page.url == f"{live_server}/staff/cohorts"
    with page.expect_navigation():
        page.locator("header form button[type=submit]").click()  # sign out
    sign_in_in_browser(page, live_server, "new.staff", factories.PASSWORD)
    assert page.url == f"{live_server}/staff/cohorts"  # the staff home
