"""The key that signs sessions: made on the first run in development, never one written in
this repository, and a sound one or no start at all in production."""

import stat

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from config import DevelopmentConfig, ProductionConfig
from gachi import create_app
from gachi.extensions import db
from tests import factories

OLD_DEVELOPMENT_KEY = "dev-only-not-secret"
OLD_TEST_KEY = "test-secret"


def development_config(key_file, environment_key=None):
    class Development(DevelopmentConfig):
        SECRET_KEY = environment_key
        SECRET_KEY_FILE = key_file
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return Development


def cookie_signed_with(key, user):
    """A session cookie for `user`, as someone who knows `key` would forge it."""
    forger = Flask("forger")
    forger.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    return serializer.dumps({"_user_id": user.get_id(), "_fresh": True})


def test_a_fresh_development_install_makes_its_own_key_and_keeps_it(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    first = create_app(development_config(key_file)).secret_key
    assert first not in (OLD_DEVELOPMENT_KEY, OLD_TEST_KEY) and len(first.encode()) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by the owner only
    assert create_app(development_config(key_file)).secret_key == first  # the next run
    assert list(key_file.parent.iterdir()) == [key_file]  # no draft left behind


def test_a_key_from_the_environment_wins_over_the_kept_one(tmp_path):
    key_file = tmp_path / "secret_key"
    create_app(development_config(key_file))
    chosen = "an-operator-chose-this-key-for-their-own-machine"
    assert create_app(development_config(key_file, chosen)).secret_key == chosen


def test_a_cookie_forged_with_the_old_development_key_is_not_the_admin(tmp_path):
    app = create_app(development_config(tmp_path / "secret_key"))
    with app.app_context():
        db.create_all()  # an in-memory database of its own
        admin = factories.staff(admin=True)
        browser = app.test_client()
        browser.set_cookie("session", cookie_signed_with(OLD_DEVELOPMENT_KEY, admin))
        response = browser.get("/staff/accounts")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 302 and "/login" in response.location


def test_a_cookie_forged_with_the_old_test_key_is_not_the_admin(client, make):
    admin = make.staff(admin=True)
    client.set_cookie("session", cookie_signed_with(OLD_TEST_KEY, admin))
    response = client.get("/staff/accounts")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize(
    "key",
    [None, "", "short", "x" * 31, OLD_DEVELOPMENT_KEY, OLD_TEST_KEY, "changeme", "your-secret-key"],
)
def test_production_refuses_to_start_with_a_missing_short_or_published_key(key):
    class Production(ProductionConfig):
        SECRET_KEY = key
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY") as refused:
        create_app(Production)
    assert "secrets.token_urlsafe" in str(refused.value)  # says how to make a good one


def test_production_starts_with_a_long_random_key():
    class Production(ProductionConfig):
        SECRET_KEY = "k" * 8 + "a-long-random-key-made-for-this-installation"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    assert create_app(Production).secret_key == Production.SECRET_KEY
