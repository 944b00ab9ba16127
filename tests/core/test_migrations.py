"""The schema comes only from migrations, they match the models, and they keep rows."""

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import make_url, text

from config import BASE_DIR, TestConfig
from gachi import create_app
from gachi.extensions import db
from tests.core.migration_rows import fill_every_table, holdings, schema_of


def test_migrations_have_a_single_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_models_and_migrations_do_not_differ():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


# Upgrading a database that holds rows ----------------------------------------------------
# Every revision, found in the scripts (a new one is covered as soon as it exists): a
# database at that revision holding rows in every table is upgraded to the head, and
# stepped one revision down and up again; no row and no foreign key value may be lost.

MIGRATIONS = ScriptDirectory(str(BASE_DIR / "migrations"))
REVISIONS = [script.revision for script in reversed(list(MIGRATIONS.walk_revisions()))]


SCRATCH_SCHEMA = "migration_rows"


@pytest.fixture(scope="module")
def scratch_url(tmp_path_factory):
    """A database apart from the suite's tables: a SQLite file, or on PostgreSQL a schema
    of its own in the suite's database (first on the search path, so the migrations,
    their functions and Alembic's version table all land there)."""
    suite_url = TestConfig.SQLALCHEMY_DATABASE_URI
    if not suite_url.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'rows.sqlite3'}"
        return
    url = make_url(suite_url).update_query_dict({"options": f"-csearch_path={SCRATCH_SCHEMA}"})
    yield url.render_as_string(hide_password=False)
    with (
        empty_database(url.render_as_string(hide_password=False)),
        db.engine.begin() as connection,
    ):
        connection.execute(text(f"DROP SCHEMA {SCRATCH_SCHEMA} CASCADE"))


@contextmanager
def empty_database(url):
    """The app on `url`, emptied: no table, no revision."""
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(make_url(url).database + suffix).unlink(missing_ok=True)

    class ScratchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(ScratchConfig)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {SCRATCH_SCHEMA} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA {SCRATCH_SCHEMA}"))
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def demo_rows(pilot_snapshot):
    """The demo's rows as the head stores them (what `flask gachi seed-demo` loads)."""
    return pilot_snapshot.stored


def fill_every_table_with(source_rows):
    with db.engine.begin() as connection:
        fill_every_table(connection, source_rows)
    held = read(holdings)
    assert held.dangling == []
    return held


def read(what):
    with db.engine.connect() as connection:
        return what(connection)


@pytest.mark.parametrize("revision", REVISIONS)
def test_operator_upgrading_a_database_with_rows_to_the_head_keeps_every_row(
    scratch_url, demo_rows, revision
):
    with empty_database(scratch_url):
        upgrade(revision=revision)
        held = fill_every_table_with(demo_rows)
        assert [name for name, keys in held.rows.items() if not keys] == []

        upgrade()

        at_head = read(holdings)
        assert at_head.lost_since(held) == []
        assert at_head.dangling == []


@pytest.mark.parametrize("revision", REVISIONS)
def test_operator_stepping_one_revision_down_and_up_again_keeps_schema_and_rows(
    scratch_url, demo_rows, revision
):
    below = MIGRATIONS.get_revision(revision).down_revision or "base"
    assert isinstance(below, str), "a merge revision: say which parent to step down to"
    with empty_database(scratch_url):
        upgrade(revision=revision)
        held = fill_every_table_with(demo_rows)
        schema = read(schema_of)

        downgrade(revision=below)
        held_below = read(holdings)
        assert held_below.lost_since(held) == []
        assert held_below.dangling == []
        upgrade(revision=revision)

        assert read(schema_of) == schema
        held_again = read(holdings)
        assert held_again.lost_since(held_below) == []
        assert held_again.dangling == []


@contextmanager
def sqlite_app(tmp_path):
    """A SQLite file whatever the suite runs on: these behaviours are SQLite's own."""
    with empty_database(f"sqlite:///{tmp_path / 'sqlite-only.sqlite3'}") as app:
        yield app


def test_sqlite_upgrade_leaving_a_reference_to_no_row_is_rolled_back_and_says_where(
    tmp_path, caplog
):
    with sqlite_app(tmp_path):
        upgrade(revision=REVISIONS[-2])
        with sqlite3.connect(make_url(db.engine.url).database) as outside_the_app:
            outside_the_app.execute(  # foreign keys are off on a connection of its own
                "INSERT INTO audit_entries (created_at, actor_id, action, object_type) "
                "VALUES ('2026-01-01 00:00:00', 424242, 'test.orphan', 'user')"
            )

        with pytest.raises(SystemExit):
            upgrade()

        assert (
            f"Migrating from {REVISIONS[-2]} to {REVISIONS[-1]} left 1 rows whose "
            "foreign key names no row (audit_entries -> users: 1)"
        ) in caplog.text
        with db.engine.connect() as connection:
            assert (
                connection.scalar(text("SELECT version_num FROM alembic_version")) == REVISIONS[-2]
            )


def test_sqlite_connections_enforce_foreign_keys_again_after_migrating(tmp_path):
    with sqlite_app(tmp_path):
        upgrade()
        downgrade(revision=REVISIONS[-2])
        upgrade()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
