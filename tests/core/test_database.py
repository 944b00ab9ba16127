"""The database set-up: SQLite pragmas and transaction modes, and writers racing."""

import threading

import pytest
from sqlalchemy import func, select, text

from gachi.complexes.models import Complex
from gachi.extensions import db


@pytest.fixture
def sqlite_only():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection settings")


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_only):
    connection = db.session.connection()
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_sqlite_reads_in_a_get_request_begin_deferred(app, sqlite_only, monkeypatch):
    statements = []
    from sqlalchemy import event

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with app.test_request_context("/", method="GET"):
            db.session.execute(text("SELECT 1"))
            db.session.rollback()
        with app.test_request_context("/", method="POST"):
            db.session.execute(text("SELECT 1"))
            db.session.rollback()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements == ["BEGIN", "BEGIN IMMEDIATE"]


def run_together(app, count, work):
    """Run `work(index)` in `count` threads that start at the same moment; return results."""
    # End this thread's transaction: outside a request it began IMMEDIATE (a writer)
    # and would hold SQLite's write lock while the threads wait for it.
    db.session.commit()
    barrier = threading.Barrier(count)
    results = [None] * count

    def runner(index):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = work(index)
            except Exception as error:
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_simultaneous_writers_wait_for_each_other_instead_of_failing(app, make):
    complex_id = make.complex_(household_count=0).id

    def add_households(index):
        target = db.session.get(Complex, complex_id)
        target.household_count = target.household_count + 1
        db.session.commit()
        return "ok"

    results = run_together(app, 8, add_households)
    assert results == ["ok"] * 8
    db.session.expire_all()
    # Each read-modify-write saw the one before it: no lost update on SQLite, where
    # the write transaction begins IMMEDIATE. (PostgreSQL needs atomic UPDATEs for
    # this, which is why contended counters in gachi are always written that way.)
    if db.engine.dialect.name == "sqlite":
        assert db.session.get(Complex, complex_id).household_count == 8
    assert db.session.scalar(select(func.count(Complex.id))) == 1


def test_a_seoul_time_comes_back_as_the_same_moment(make):
    from datetime import datetime

    from gachi.complexes.models import StageMove
    from gachi.complexes.stages import Stage
    from gachi.core.time import SEOUL

    participation = make.participation()
    ten_in_seoul = datetime(2018, 12, 1, 10, 0, tzinfo=SEOUL)
    db.session.add(
        StageMove(
            participation_id=participation.id,
            from_stage=Stage.RECRUITING,
            to_stage=Stage.PROBLEM_WORKSHOP,
            moved_at=ten_in_seoul,
        )
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalars(select(StageMove.moved_at)).one()
    assert stored == ten_in_seoul and stored.utcoffset() is not None


def test_a_naive_datetime_is_refused_rather_than_guessed(make):
    from datetime import datetime

    from gachi.complexes.models import StageMove
    from gachi.complexes.stages import Stage

    participation = make.participation()
    db.session.add(
        StageMove(
            participation_id=participation.id,
            from_stage=Stage.RECRUITING,
            to_stage=Stage.PROBLEM_WORKSHOP,
            moved_at=datetime(2018, 12, 1, 10),
        )
    )
    with pytest.raises(Exception, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
