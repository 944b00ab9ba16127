"""A live server for browser tests, and Debian's chromium driven by Playwright.

Never `playwright install`: the browser is the system's /usr/bin/chromium. Without it
the browser tests skip on a developer's machine and fail in CI (the CI variable set).
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture(scope="session")
def live_server(app):
    """The test app served on 127.0.0.1 at a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


def sign_in_in_browser(page, base_url, username, password):
    """Sign in through the real form, as a person would, and wait for the page after it.

    Every browser test signs in here, so a sign-in step added later (a second factor)
    is taught to all of them at once.
    """
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if page.url.split("?")[0].endswith("/login/code"):  # two-factor: the phone app's code
        page.fill("input[name=code]", factories.totp_code(username))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
