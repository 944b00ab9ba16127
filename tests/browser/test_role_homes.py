"""Each role signs in through the real form and lands on its own home, in Korean."""

import re

import pytest

from gachi.demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in_in_browser

HANGUL = re.compile(r"[가-힣]")

# (role, demo account, the path its home lives at, the Korean h1 expected or None
# where another area owns the page and any Korean heading will do)
ROLE_HOMES = [
    ("staff", "center", "/staff/cohorts", None),
    ("coordinator", "coord.park", "/my/complexes", None),
    ("resident", "resident.ahyeon", "/my/complex", "나의 단지"),
    ("partner", "partner.treeplanet", "/partner", "우리 기업"),
]


@pytest.mark.browser
@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("role", "username", "home_path", "heading"), ROLE_HOMES, ids=[home[0] for home in ROLE_HOMES]
)
def test_each_role_signs_in_and_lands_on_its_home_in_korean(
    page, live_server, screenshots, role, username, home_path, heading
):
    sign_in_in_browser(page, live_server, username, DEMO_PASSWORD)
    page.screenshot(path=str(screenshots / f"{role}.png"), full_page=True)

    assert page.url == f"{live_server}{home_path}"
    assert page.get_attribute("html", "lang") == "ko"
    title = page.locator("h1").first.inner_text()
    if heading is None:
        assert HANGUL.search(title), f"{role} home heading is not in Korean: {title!r}"
    else:
        assert title == heading
    assert page.get_by_role("button", name="로그아웃").is_visible()
