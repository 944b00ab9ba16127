"""The outbox's providers for these tests: a real SMTP server and a SOLAPI stand-in, both
on 127.0.0.1 in the test process, set in the app's config for the test."""

import pytest

from tests.notifications.standins import smtp_server, solapi_server


@pytest.fixture
def smtp(app, monkeypatch):
    with smtp_server() as (mailbox, port):
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USERNAME", None)
        yield mailbox


@pytest.fixture
def solapi(app, monkeypatch):
    with solapi_server() as (standin, url):
        settings = {
            "SOLAPI_API_KEY": "test-key",
            "SOLAPI_API_SECRET": "test-secret",
            "SOLAPI_BASE_URL": url,
            "SOLAPI_SENDER": "02-123-4567",
            "SOLAPI_KAKAO_PF_ID": "KA01PF-gachi",
            "SOLAPI_KAKAO_TEMPLATE_ID": "KA01TP-notice",
        }
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        yield standin
