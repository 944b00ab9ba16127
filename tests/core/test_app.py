"""The app factory: refuses to start without a secret (see test_secret_key), trusts only the proxies it is told of."""

import pytest
from flask import request

from config import ProductionConfig, TestConfig
from gachi import create_app


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    class NoSecret(ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)


def remote_address_seen(app, **request_options):
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    app.test_client().get("/no-such-page", **request_options)
    return seen[-1]


def test_behind_one_proxy_the_forwarded_address_is_the_clients():
    class BehindProxy(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        PROXY_COUNT = 1

    class Direct(BehindProxy):
        PROXY_COUNT = 0

    forwarded = {
        "headers": {"X-Forwarded-For": "203.0.113.7"},
        "environ_base": {"REMOTE_ADDR": "127.0.0.1"},
    }
    assert remote_address_seen(create_app(BehindProxy), **forwarded) == "203.0.113.7"
    # Without a proxy configured, a client cannot choose its address by sending the header.
    assert remote_address_seen(create_app(Direct), **forwarded) == "127.0.0.1"
