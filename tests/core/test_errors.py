"""Error pages in the user's language, security headers, never a 500 for bad input."""

from flask import abort

from gachi.core.errors import GateNotMet
from gachi.core.errors_views import DEFAULT_TOO_MANY_RETRY_AFTER_SECONDS


def test_an_unknown_page_is_a_404_page_in_korean(korean_client):
    response = korean_client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="ko">' in page and "페이지를 찾을 수 없습니다" in page


def test_english_speakers_get_the_error_page_in_english(client):
    client.set_cookie("lang", "en")
    page = client.get("/no-such-page").get_data(as_text=True)
    assert '<html lang="en">' in page and "Page not found" in page


def test_a_wrong_method_is_a_405_page_that_says_which_methods_work(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_any_429_says_when_to_try_again_in_its_header_and_on_its_page(app, client, monkeypatch):
    monkeypatch.setitem(app.view_functions, "public.index", lambda: abort(429))
    response = client.get("/")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(DEFAULT_TOO_MANY_RETRY_AFTER_SECONDS)
    assert "Please try again in 1 minute." in response.get_data(as_text=True)


def test_a_body_over_the_limit_is_a_413_page(app, client):
    response = client.post(
        "/login", data={"username": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    )
    assert response.status_code == 413


def test_an_unexpected_error_is_a_500_page_not_a_traceback(app, client, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "public.index", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert "boom" not in response.get_data(as_text=True)


def test_a_broken_domain_rule_is_a_4xx_with_its_message(app, client, monkeypatch):
    def refuses():
        raise GateNotMet("No coordinator is placed at this complex.")

    monkeypatch.setitem(app.view_functions, "public.index", refuses)
    client.set_cookie("lang", "en")
    response = client.get("/")
    assert response.status_code == 409
    assert "No coordinator is placed at this complex." in response.get_data(as_text=True)


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/no-such-page", "/login"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookies_are_httponly_and_lax_and_secure_in_production():
    from config import Config, ProductionConfig

    assert Config.SESSION_COOKIE_HTTPONLY and Config.REMEMBER_COOKIE_HTTPONLY
    assert Config.SESSION_COOKIE_SAMESITE == "Lax" == Config.REMEMBER_COOKIE_SAMESITE
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
