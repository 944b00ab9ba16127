"""`flask gachi backup` / `restore`: a live database round-trips, in one snapshot."""

import shutil
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gachi import backup as backup_module
from gachi.backup import BackupError
from gachi.complexes.districts import District
from gachi.complexes.models import Complex, Household, Tenure
from gachi.extensions import db


def _needs_the_dump_tools():
    if db.engine.dialect.name == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump and pg_restore are not on PATH")


class ComplexWriter(threading.Thread):
    """Another connection that keeps adding a complex with two households, one
    transaction each, and counts what it has committed."""

    def __init__(self, engine):
        super().__init__(daemon=True)
        self.engine, self.committed, self.stop = engine, 0, threading.Event()

    def run(self):
        with Session(self.engine) as session:
            while not self.stop.is_set():
                number = self.committed
                complex_ = Complex(
                    name=f"동시쓰기 {number}", district=District.MAPO, tenure=Tenure.MIXED
                )
                session.add_all(
                    [
                        complex_,
                        Household(complex=complex_, building="101", unit=f"{number}01"),
                        Household(complex=complex_, building="101", unit=f"{number}02"),
                    ]
                )
                session.commit()
                self.committed += 1


def _counts():
    return (
        db.session.scalar(select(func.count(Complex.id))),
        db.session.scalar(select(func.count(Household.id))),
    )


def test_a_backup_taken_while_another_connection_writes_restores_one_consistent_moment(
    app, make, tmp_path
):
    _needs_the_dump_tools()
    make.household(make.complex_())
    db.session.remove()
    writer = ComplexWriter(db.engine)
    writer.start()
    while writer.committed < 5:
        threading.Event().wait(0.01)
    committed_before = writer.committed
    result = app.test_cli_runner().invoke(args=["gachi", "backup", str(tmp_path / "gachi.backup")])
    committed_after = writer.committed
    writer.stop.set()
    writer.join()
    assert result.exit_code == 0, result.output
    assert _counts() == (1 + writer.committed, 1 + 2 * writer.committed)
    db.session.remove()

    result = app.test_cli_runner().invoke(
        args=["gachi", "restore", str(tmp_path / "gachi.backup"), "--yes"]
    )

    assert result.exit_code == 0, result.output
    complexes, households = _counts()
    assert committed_before <= complexes - 1 <= committed_after
    assert households == 1 + 2 * (complexes - 1)  # no complex without both of its households


def test_restore_refuses_without_yes(app, make, tmp_path):
    make.complex_()
    result = app.test_cli_runner().invoke(args=["gachi", "restore", str(tmp_path / "any.backup")])
    assert result.exit_code != 0
    assert "--yes" in result.output
    assert _counts()[0] == 1


def test_restore_refuses_a_missing_file(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["gachi", "restore", str(tmp_path / "gone.backup"), "--yes"]
    )
    assert result.exit_code != 0
    assert "There is no backup file" in result.output


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(make, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's own check of a backup file; pg_restore says so itself")
    make.complex_()
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("not a database " * 100)
    with pytest.raises(BackupError, match="not a SQLite backup"):
        backup_module.restore_database(not_a_backup)
    assert _counts()[0] == 1


def test_missing_postgresql_tools_are_named_in_the_error(monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump was not found on PATH"):
        backup_module._run_postgres_tool("pg_dump")
