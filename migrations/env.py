"""Alembic environment: the app's engine and metadata (Flask-SQLAlchemy 3).

On SQLite every migration runs with foreign keys off and must end with
`PRAGMA foreign_key_check` clean (Alembic's "Dealing with Referencing Foreign Keys", and
SQLite's "Making Other Kinds Of Table Schema Changes"). Batch mode rebuilds a table by
copying it and dropping the old one; with foreign keys on, that DROP runs every
ON DELETE rule pointing at the table (CASCADE deleted the rows that refer to it, SET NULL
emptied their references) or fails on a RESTRICT.
"""

import logging
from collections import Counter
from contextlib import contextmanager

from alembic import context
from alembic.util import CommandError
from flask import current_app

config = context.config
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
engine = target_db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with engine.connect() as connection, sqlite_foreign_keys_off(connection):
        if connection.dialect.name == "sqlite":
            # Called inside each migration's transaction, so a failed check undoes it.
            conf_args["on_version_apply"] = refuse_broken_foreign_keys
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


@contextmanager
def sqlite_foreign_keys_off(connection):
    """Foreign keys off for the migrations, on again after. The pragma is a no-op inside
    a transaction, so it goes to the driver's connection before SQLAlchemy begins one
    (the app's begin hook would open one for any statement sent through `connection`)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    if not _foreign_keys_set(driver, on=False):
        raise CommandError(
            "SQLite did not turn foreign keys off (a transaction was open); nothing was migrated."
        )
    try:
        yield
    finally:
        connection.rollback()  # none should be open; if one were, the pragma would not take
        if not _foreign_keys_set(driver, on=True):
            connection.invalidate()  # never back to the pool without foreign keys


def _foreign_keys_set(driver, on):
    driver.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    return driver.execute("PRAGMA foreign_keys").fetchone()[0] == on


def refuse_broken_foreign_keys(ctx, step, heads, run_args):
    """Fail the migration just run, before it commits, when a row's foreign key now
    names a row that does not exist."""
    broken = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if not broken:
        return
    pairs = Counter(f"{table} -> {parent}" for table, _rowid, parent, _key in broken)
    found = ", ".join(f"{pair}: {count}" for pair, count in sorted(pairs.items()))
    source, destination = (
        ", ".join(ids) or "base"
        for ids in (step.source_revision_ids, step.destination_revision_ids)
    )
    raise CommandError(
        f"Migrating from {source} to {destination} left {len(broken)} rows whose foreign "
        f"key names no row ({found}): that step was rolled back, the database is still at "
        f"{source}. Correct those rows and run the migration again."
    )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
