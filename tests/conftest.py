"""Fixtures: one app and schema per run (built by the migrations), rows wiped after each test.

Set GACHI_TEST_DATABASE_URL to run the same suite on PostgreSQL (`make test` does this
when TEST_DATABASE_URL is set); otherwise a SQLite file in a temporary folder is used.
"""

import re
from contextlib import contextmanager

import pytest
from flask import g, request_started
from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy import event, text

import gachi.models  # noqa: F401 - every mapper known before a test module imports an area
from config import TestConfig
from gachi import create_app
from gachi.core.i18n import LANGUAGE_COOKIE
from gachi.extensions import db
from tests import factories


def _database_url(tmp_path_factory):
    if TestConfig.SQLALCHEMY_DATABASE_URI.startswith("postgres"):
        return TestConfig.SQLALCHEMY_DATABASE_URI
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    class RunConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(tmp_path_factory)

    app = create_app(RunConfig)
    request_started.connect(_forget_the_last_request, app)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        app.config["TEST_REFERENCE_ROWS"] = _reference_rows()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _forget_the_last_request(sender, **extra):
    """Each test's requests run inside the test's one app context, so `g` would outlive
    a request: the last request's user (Flask-Login), CSRF token (Flask-WTF) and locale
    (Flask-Babel) would carry over to the next, even to another client. Start afresh."""
    g.__dict__.clear()


@pytest.fixture(autouse=True)
def app_context(app):
    # Tests read messages in English; Korean, the default, is checked by tests that
    # say so (a client without the language cookie, and the browser tests).
    with app.app_context(), force_locale("en"):
        yield
        db.session.rollback()
        _wipe_rows(app.config["TEST_REFERENCE_ROWS"])
        db.session.remove()


def _reference_rows():
    """Rows the migrations themselves insert (e.g. the problem categories)."""
    return {
        table: [dict(row._mapping) for row in db.session.execute(table.select())]
        for table in db.metadata.sorted_tables
    }


def _wipe_rows(reference_rows):
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    for table in db.metadata.sorted_tables:
        if reference_rows.get(table):
            db.session.execute(table.insert(), reference_rows[table])
            if db.engine.dialect.name == "postgresql":
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
    db.session.commit()


@pytest.fixture
def client(app):
    """A browser that chose English (see `korean_client` for the default language)."""
    english = app.test_client()
    english.set_cookie(LANGUAGE_COOKIE, "en")
    return english


@pytest.fixture
def korean_client(app):
    """A browser that never chose a language: it gets Korean, the default."""
    return app.test_client()


@pytest.fixture
def make(app):
    """The factories: `make.resident(complex_)`, `make.coordinator(complex_)`, …"""
    return factories


CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token(client, path="/"):
    """The CSRF token the server gave this client's session (from any page's meta tag)."""
    page = client.get(path)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


SECOND_STEP = "/login/code"


def sign_in(client, user, password=factories.PASSWORD, remember=False):
    """Sign in through the real form, as a person would (with the code from their
    authenticator app when the account has two-factor sign-in)."""
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": password,
            "csrf_token": token,
            "remember": "y" if remember else "",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    if response.location.endswith(SECOND_STEP):
        response = client.post(
            SECOND_STEP, data={"code": factories.totp_code(user.username), "csrf_token": token}
        )
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    return response


def post_form(client, path, data=None, **kwargs):
    """POST `data` to `path` with this session's CSRF token."""
    payload = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(path, data=payload, **kwargs)


def sign_in_directly(client, user):
    """Sign in by writing the session, without the login form (for tests about other pages)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@contextmanager
def counted_queries(with_transaction_statements=False):
    """The SQL statements run inside the block; BEGIN, SAVEPOINT, RELEASE and PRAGMA only
    when asked (a write's BEGIN IMMEDIATE is part of what it costs)."""
    statements = []

    def record(_connection, _cursor, statement, *_args):
        if with_transaction_statements or not statement.lstrip().upper().startswith(
            ("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")
        ):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
