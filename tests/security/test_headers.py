"""Security headers on the pages of each role, and the flags of the session cookies."""

import pytest

from config import ProductionConfig
from gachi import create_app
from gachi.extensions import db
from tests import factories
from tests.conftest import csrf_token, sign_in

ROLE_PAGES = {
    "anonymous": ["/", "/login", "/join", "/no-such-page"],
    "resident": ["/my/complex", "/my/bookings", "/notifications"],
    "coordinator": ["/my/complexes", "/my/ballots"],
    "partner": ["/partner", "/partner/offers"],
    "staff": ["/staff/cohorts", "/staff/accounts"],
}


def a_person(make, role):
    if role == "resident":
        return make.resident()
    if role == "coordinator":
        return make.coordinator(make.complex_())
    if role == "partner":
        return make.partner()
    return make.staff(admin=True)


@pytest.mark.parametrize("role", ROLE_PAGES)
def test_every_role_s_pages_carry_the_security_headers(client, make, role):
    if role != "anonymous":
        sign_in(client, a_person(make, role))
    for path in ROLE_PAGES[role]:
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, path
        assert "frame-ancestors 'none'" in policy, path
        assert "object-src 'none'" in policy, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "same-origin", path


def cookie_flags(response, name):
    """The attributes of the Set-Cookie header that sets `name`, lower-cased."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return [part.strip().lower() for part in header.split(";")[1:]]
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def test_session_and_remember_cookies_are_http_only_and_same_site_lax(client, make):
    response = sign_in(client, make.resident(), remember=True)
    for name in ("session", "remember_token"):
        flags = cookie_flags(response, name)
        assert "httponly" in flags and "samesite=lax" in flags, (name, flags)
        assert "secure" not in flags, "plain http in development and tests"


@pytest.fixture
def production_app():
    class Production(ProductionConfig):
        SECRET_KEY = "a-long-random-production-secret-for-this-test"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(Production)
    with app.app_context():
        db.create_all()  # an in-memory database of its own; migrations are tested elsewhere
        yield app
        db.session.remove()
        db.engine.dispose()


def test_in_production_the_cookies_are_secure_too(production_app):
    person = factories.coordinator()  # signed in by the password alone
    browser = production_app.test_client()
    token = csrf_token(browser, "https://localhost/login")
    response = browser.post(
        "https://localhost/login",
        data={
            "username": person.username,
            "password": factories.PASSWORD,
            "csrf_token": token,
            "remember": "y",
        },
        headers={"Referer": "https://localhost/login"},
    )  # checked over https
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    for name in ("session", "remember_token"):
        flags = cookie_flags(response, name)
        assert {"secure", "httponly", "samesite=lax"} <= set(flags), (name, flags)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
