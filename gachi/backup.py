"""Backups of the live database, and restoring one.

SQLite is copied through its online backup API (sqlite3.Connection.backup): the copy
is one consistent snapshot even while the app keeps writing. PostgreSQL goes through
pg_dump and pg_restore in the custom format, which the PostgreSQL client tools on PATH
provide; both run in one snapshot / one transaction.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from gachi.extensions import db


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why."""


def backup_database(target_path):
    """Write a backup of the app's database to `target_path` (replaced if it exists)."""
    target = Path(target_path)
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    partial = target.with_name(target.name + ".partial")
    if db.engine.dialect.name == "sqlite":
        _backup_sqlite(partial)
    else:
        _run_postgres_tool("pg_dump", "--format=custom", "--no-owner", f"--file={partial}")
    os.replace(partial, target)  # a half-written file never carries the backup's name
    return target


def restore_database(source_path):
    """Replace every row of the app's database with the backup at `source_path`.

    Stop the app servers and the scheduler first: their connections would keep
    writing to, or block, the tables being replaced."""
    source = Path(source_path)
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    db.session.remove()
    db.engine.dispose()  # no pooled connection holds a lock or a stale schema
    if db.engine.dialect.name == "sqlite":
        _restore_sqlite(source)
    else:
        _run_postgres_tool(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(source),
        )
    db.engine.dispose()


def _backup_sqlite(partial):
    if _sqlite_path() is None:
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    partial.unlink(missing_ok=True)
    live = db.engine.raw_connection()
    copy = sqlite3.connect(partial)
    try:
        live.driver_connection.backup(copy)
    finally:
        copy.close()
        live.close()


def _restore_sqlite(source):
    if _sqlite_path() is None:
        raise BackupError("An in-memory SQLite database cannot be restored into.")
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if backup.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} is damaged (SQLite's quick_check failed).")
        live = db.engine.raw_connection()
        try:
            backup.backup(live.driver_connection)
        finally:
            live.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a SQLite backup: {error}.") from error
    finally:
        backup.close()


def _sqlite_path():
    database = db.engine.url.database
    return None if database in (None, "", ":memory:") else database


def _run_postgres_tool(tool, *arguments):
    """Run pg_dump or pg_restore against the app's database; the password goes
    through the environment, never the command line (which `ps` shows)."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} was not found on PATH. Install the PostgreSQL client tools "
            f"(on Debian: apt install postgresql-client) in the server's major version."
        )
    url = db.engine.url
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = url.password
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    finished = subprocess.run(
        [program, *arguments, f"--dbname={dsn}"],  # nosec B603
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise BackupError(f"{tool} failed: {finished.stderr.strip()}")
