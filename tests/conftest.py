"""Fixtures: one app and schema per run (built by the migrations), rows wiped after each test.

Set GACHI_TEST_DATABASE_URL to run the same suite on PostgreSQL (`make test` does this
when TEST_DATABASE_URL is set); otherwise a SQLite file in a temporary folder is used.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import pytest
from flask import g, request_started
from flask_babel import force_locale
from flask_migrate import upgrade
from sqlalchemy import bindparam, event, select, text

import gachi.models  # noqa: F401 - every mapper known before a test module imports an area
from config import TestConfig
from gachi import create_app
from gachi.auth.models import User
from gachi.complexes.models import Cohort, Complex
from gachi.core.i18n import LANGUAGE_COOKIE
from gachi.demo import DemoLoaded, load_pilot_demo
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from tests import factories
from tests.core.migration_rows import dump_rows


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
        app.config["TEST_SEQUENCES"] = _sequences()
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
        _restore_fresh_database(app.config["TEST_REFERENCE_ROWS"], app.config["TEST_SEQUENCES"])
        db.session.remove()


def _reference_rows():
    """Rows the migrations themselves insert (e.g. the problem categories)."""
    return {table: _rows_of(table) for table in db.metadata.sorted_tables if _rows_of(table)}


def _rows_of(table):
    ordered = table.select().order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in db.session.execute(ordered)]


def _restore_fresh_database(reference_rows, sequences):
    """Back to what the migrations left: every table empty but for its reference rows,
    every sequence where it was (tests may count ids from 1).

    Only the tables that hold other rows are emptied, with DELETE: TRUNCATE of all ~60
    tables cost ~0.2 s a test on PostgreSQL. Deleting (and putting back reference rows)
    fires the KPI triggers, which write kpi_changes: so look again until all is clean."""
    for _round in range(5):
        changed = _changed_tables(reference_rows)
        if not changed:
            break
        children_first = changed[::-1]
        for table in sorted(children_first, key=_standalone):
            db.session.execute(table.delete())
        for table in changed:
            if table in reference_rows:
                db.session.execute(table.insert(), reference_rows[table])
    else:
        raise RuntimeError(f"tables still changed after wiping: {changed}")
    _restore_sequences(sequences)
    db.session.commit()


def _changed_tables(reference_rows):
    """The tables (in dependency order) whose rows are not the reference rows: one query
    for which tables hold any row, then a look at the reference tables' rows."""
    tables = db.metadata.sorted_tables
    names = set(db.session.scalars(_tables_holding_rows()))
    return [
        table
        for table in tables
        if (table.name in names) != (table in reference_rows)
        or (table in reference_rows and _rows_of(table) != reference_rows[table])
    ]


@cache
def _standalone(table):
    """Whether no foreign key leads to or from the table, like kpi_changes's: such tables
    are emptied last, after the deletes that make the KPI triggers write to it."""
    return not table.foreign_keys and not any(
        key.column.table is table
        for other in db.metadata.tables.values()
        for key in other.foreign_keys
    )


@cache
def _tables_holding_rows():
    """One query: the names of the tables that hold any row."""
    quote = db.engine.dialect.identifier_preparer.quote
    return text(
        " UNION ALL ".join(
            f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM {quote(table.name)})"
            for table in db.metadata.sorted_tables
        )
    )


def _sequences():
    """Where each sequence stands: PostgreSQL's sequences (last value, None when never
    used) or SQLite's AUTOINCREMENT counters."""
    if db.engine.dialect.name == "postgresql":
        query = (
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
        )
    else:
        query = "SELECT name, seq FROM sqlite_sequence"
    return dict(db.session.execute(text(query)).all())


def _restore_sequences(fresh):
    now = _sequences()
    if now == fresh:
        return
    if db.engine.dialect.name != "postgresql":
        db.session.execute(text("DELETE FROM sqlite_sequence"))
        for name, seq in fresh.items():
            db.session.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                {"name": name, "seq": seq},
            )
        return
    never_used = [name for name, last_value in fresh.items() if last_value is None]
    db.session.execute(
        text(
            "SELECT setval(seqrelid, seqstart, false) FROM pg_sequence "
            "WHERE seqrelid = ANY(CAST(:names AS regclass[]))"
        ),
        {"names": [name for name in never_used if now[name] is not None]},
    )
    for name, last_value in fresh.items():
        if last_value is not None and now[name] != last_value:
            db.session.execute(
                text("SELECT setval(CAST(:name AS regclass), :value)"),
                {"name": name, "value": last_value},
            )


# The 2018 pilot demo, played once a run ------------------------------------------------
# Playing the pilot's year through the operations takes seconds (~5 s on SQLite, ~10 s on
# PostgreSQL), and some forty tests start from it. So the year is played once a run, its
# rows kept, and each test that asks for `demo` gets them back by bulk INSERT: the same
# rows, ids and sequences as if it had played the year itself. The tests of the demo
# itself (`flask gachi seed-demo`, tests/test_demo.py) still play it.

# Columns written after every table is filled: a signed evaluation refuses new figures
# and organisers (migration 0006's triggers), so it is put back unsigned and signed last.
SET_LAST = {"evaluations": ("signed_at",)}


@dataclass(frozen=True)
class PilotSnapshot:
    rows: dict  # table -> its rows as the demo left them (every table that holds any)
    sequences: dict
    stored: dict  # table name -> rows as stored (strings for enums), for the migration tests
    cohort: int
    complexes: list[int]
    enterprises: list[int]
    accounts: list[int]
    household_count: int


@pytest.fixture(scope="session")
def pilot_snapshot(app):
    """The demo played once on the run's database, its rows read, then wiped again."""
    with app.app_context(), force_locale("en"):
        loaded = load_pilot_demo()
        db.session.commit()
        with db.engine.connect() as connection:
            stored = dump_rows(connection)
        snapshot = PilotSnapshot(
            rows={table: rows for table in db.metadata.sorted_tables if (rows := _rows_of(table))},
            sequences=_sequences(),
            stored=stored,
            cohort=loaded.cohort.id,
            complexes=[complex_.id for complex_ in loaded.complexes],
            enterprises=[enterprise.id for enterprise in loaded.enterprises],
            accounts=[account.id for account in loaded.accounts],
            household_count=loaded.household_count,
        )
        _restore_fresh_database(app.config["TEST_REFERENCE_ROWS"], app.config["TEST_SEQUENCES"])
        db.session.remove()
    return snapshot


@pytest.fixture
def demo(app, pilot_snapshot):
    """The 2018 pilot demo, committed: what `load_pilot_demo()` returns, from its rows."""
    restore_pilot_demo(pilot_snapshot, app.config["TEST_REFERENCE_ROWS"])
    loaded = DemoLoaded(
        cohort=db.session.get(Cohort, pilot_snapshot.cohort),
        complexes=_by_ids(Complex, pilot_snapshot.complexes),
        enterprises=_by_ids(Enterprise, pilot_snapshot.enterprises),
        accounts=_by_ids(User, pilot_snapshot.accounts),
        household_count=pilot_snapshot.household_count,
    )
    # End the reading transaction, as `load_pilot_demo()` and a commit did: on SQLite an
    # open one holds the write lock the browser tests' live server needs.
    db.session.commit()
    return loaded


def _by_ids(model, ids):
    found = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
    return [found[id_] for id_ in ids]


def restore_pilot_demo(snapshot, reference_rows):
    """Put the demo's rows back into the fresh database and commit: reference tables the
    demo changed are emptied first; tables only triggers write (kpi_changes, which the
    INSERTs themselves write to) are given their rows last; then the sequences."""
    tables = [table for table in db.metadata.sorted_tables if not _standalone(table)]
    for table in reversed(tables):
        if table in reference_rows and snapshot.rows.get(table) != reference_rows[table]:
            db.session.execute(table.delete())
    for table in tables:
        rows = snapshot.rows.get(table)
        if rows and rows != reference_rows.get(table):
            later = dict.fromkeys(SET_LAST.get(table.name, ()))
            db.session.execute(table.insert(), [{**row, **later} for row in rows])
    for name, columns in SET_LAST.items():
        table = db.metadata.tables[name]
        rows = [row for row in snapshot.rows.get(table, []) if any(row[c] for c in columns)]
        if rows:
            (key,) = table.primary_key.columns
            db.session.execute(
                table.update()
                .where(key == bindparam("_key"))
                .values({column: bindparam(f"_{column}") for column in columns}),
                [{"_key": row[key.name], **{f"_{c}": row[c] for c in columns}} for row in rows],
            )
    for table in db.metadata.sorted_tables:
        if _standalone(table):
            db.session.execute(table.delete())
            if snapshot.rows.get(table):
                db.session.execute(table.insert(), snapshot.rows[table])
    _restore_sequences(snapshot.sequences)
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
