"""The declarative base, its naming convention, and the SQLite connection rules."""
from datetime import datetime

from flask import g, has_request_context, request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from gachi.core.time import utcnow

# SQLite's batch migrations need every constraint named.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: DateTime(timezone=True)},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def mark_request_writes(session):
    """A GET handler that must write calls this before it writes: the read
    transaction that loading the user began is ended, and the next one begins
    IMMEDIATE like every POST's (a deferred SQLite reader that upgrades to a
    writer can fail at once with "database is locked" instead of waiting)."""
    g.sqlite_writes = True
    if session().in_transaction():
        session.commit()


def _begins_write_transaction() -> bool:
    if not has_request_context():
        return True  # CLI, scheduler, tests: assume they write
    return request.method not in SAFE_METHODS or g.get("sqlite_writes", False)


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and transactions SQLAlchemy controls.

    pysqlite's own transaction handling is turned off (SQLAlchemy's SQLite docs,
    "Serializable isolation / Savepoints / Transactional DDL") so that we emit BEGIN
    ourselves: IMMEDIATE for writers, which then queue on the busy timeout instead of
    failing with "database is locked" when a deferred reader tries to upgrade; plain
    (deferred) BEGIN for reads, which never block anyone under WAL.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        mode = "BEGIN IMMEDIATE" if _begins_write_transaction() else "BEGIN"
        connection.exec_driver_sql(mode)
