"""Someone holding the database tries to learn how residents voted, and cannot.

The attacker of the README's threat model: staff with SQL, an operator, a thief with a
dump or a backup. They know who voted (the roll is not secret) and, once the ballot has
closed, the published totals; with those alone the best they can do is guess the most
common choice for everyone. Thirty-six residents cast known votes; every attack below
pairs the roll with whatever else the votes wrote (their transaction id, their place in
the table or the dump, their ids, their timestamps, what changed between two backups)
and must do no better than that guess.
"""

import itertools
import json
import math
import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, text

from gachi.backup import backup_database
from gachi.ballots.models import BallotVoter, Method
from gachi.ballots.operations import cast_vote
from gachi.extensions import db
from tests.ballots.helpers import a_ballot, ballot_scene, option_ids

# Which option each resident chooses, by voting order: 14, 12 and 10 votes, mixed so
# that no stretch of the order gives a choice away.
CHOICES = [0, 1, 2, 0, 0, 1, 2, 1, 0, 2, 1, 0, 0, 2, 1, 1, 0, 2]
CHOICES += [1, 0, 2, 0, 1, 1, 0, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 1]
ROLL = "ballot_voters"


@pytest.fixture
def votes(make, tmp_path):
    """The ballot, the truth {user id: option id}, the tables the votes wrote to (all
    but the roll), and a backup taken after the last vote."""
    return _cast_known_votes(make, tmp_path, backup_after=len(CHOICES) - 1)


@pytest.fixture
def votes_and_backups(make, tmp_path):
    """As `votes`, with a backup taken after each vote."""
    return _cast_known_votes(make, tmp_path, backup_after=0)


def _cast_known_votes(make, tmp_path, backup_after):
    if db.engine.dialect.name == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not on PATH")
    scene = ballot_scene(make, resident_count=len(CHOICES))
    ballot = a_ballot(scene)
    options = option_ids(ballot)
    before = _table_sizes()
    truth, snapshots = {}, []
    for number, (resident, choice) in enumerate(zip(scene.residents, CHOICES, strict=True)):
        cast_vote(ballot, voter=resident, choices={options[choice]: 1})
        db.session.commit()
        truth[resident.id] = options[choice]
        if number >= backup_after:
            snapshots.append((resident.id, _backup(tmp_path / f"after-{number}")))
    written = [name for name, size in _table_sizes().items() if size != before[name]]
    assert ROLL in written
    return ballot, truth, [name for name in written if name != ROLL], snapshots


def _table_sizes():
    return {
        table.name: db.session.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar_one()
        for table in db.metadata.sorted_tables
    }


def _backup(path):
    backup_database(path)
    return path


def _no_better_than_chance(truth, guesses):
    """Right guesses may not exceed what luck gives: someone guessing each voter at random,
    each guess right with the most common choice's share, would reach `right` or more less
    than once in a million tries. (An attack that pairs rows in a random order scores like
    that; one that links the rows scores every guess.)"""
    right = sum(truth.get(user_id) == option_id for user_id, option_id in guesses.items())
    share = max(Counter(truth.values()).values()) / len(truth)
    luck = sum(
        math.comb(len(guesses), k) * share**k * (1 - share) ** (len(guesses) - k)
        for k in range(right, len(guesses) + 1)
    )
    assert right == 0 or luck >= 1e-6, f"{right} of {len(guesses)} votes recovered"


# What a row gives away -------------------------------------------------------------


def _options_in(row, options):
    """The options a row names in a readable form: an `…option_id` column, or numbers in
    a text or byte value that reads as JSON (a tally written out in plain)."""
    named = set()
    for column, value in row.items():
        if value is None:
            continue
        if column.endswith("option_id") and str(value).isdigit():
            named.add(int(value))
        else:
            named |= _options_in_json(_readable(value), options)
    return named & set(options)


def _readable(value):
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, str) and value.startswith("\\x"):  # bytea in a dump
        try:
            value = bytes.fromhex(value[2:])
        except ValueError:
            return None
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return value if isinstance(value, str) else None


def _options_in_json(value, options):
    if not value or value[0] not in "{[":
        return set()
    try:
        parsed = json.loads(value)
    except ValueError:
        return set()
    return {int(number) for number in re.findall(r"\d+", json.dumps(parsed))} & set(options)


def _pair(roll_rows, other_rows, options):
    """n-th roll row ↔ n-th row of another table: a guess where that row names one option."""
    guesses = {}
    for voter, row in zip(roll_rows, other_rows, strict=False):
        named = _options_in(row, options)
        if len(named) == 1:
            guesses[int(voter["user_id"])] = named.pop()
    return guesses


# Reading the tables ---------------------------------------------------------------


def _live_rows(table, order):
    return [dict(row._mapping) for row in db.session.execute(text(order.format(t=table)))]


def _storage_order():
    if db.engine.dialect.name == "postgresql":
        return 'SELECT *, xmin::text AS "xmin" FROM "{t}" ORDER BY ctid'
    return 'SELECT * FROM "{t}"'  # SQLite walks its b-tree: rowid (or key) order


def _dump_rows(dump_text):
    """{table: rows in the dump's order} from the COPY blocks of a plain SQL dump."""
    tables, current, columns = {}, None, []
    for line in dump_text.splitlines():
        if current is None:
            match = re.match(r"COPY public\.\"?(\w+)\"? \((.*)\) FROM stdin;", line)
            if match:
                current, columns = match[1], [c.strip('" ') for c in match[2].split(",")]
                tables[current] = []
        elif line == "\\.":
            current = None
        else:
            values = [None if v == "\\N" else v for v in line.split("\t")]
            tables[current].append(dict(zip(columns, values, strict=True)))
    return tables


def _backup_rows(path):
    """{table: rows in storage order} of a `flask gachi backup` file."""
    if db.engine.dialect.name == "postgresql":
        plain = subprocess.run(
            ["pg_restore", "--data-only", "--file=-", str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return _dump_rows(plain)
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        names = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            name: [dict(row) for row in connection.execute(f'SELECT * FROM "{name}"')]
            for name in names
        }
    finally:
        connection.close()


# The attacks --------------------------------------------------------------------------


def test_the_transaction_ids_of_the_rows_do_not_link_a_voter_to_a_choice(votes):
    """PostgreSQL stamps every row with the id of the transaction that wrote it (xmin);
    a savepoint takes the next id, so the attacker pairs each row with the roll row whose
    transaction id is nearest."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no transaction id on a row")
    _ballot, truth, written, _snapshots = votes
    options = set(truth.values())
    roll = {int(row["xmin"]): int(row["user_id"]) for row in _live_rows(ROLL, _storage_order())}
    guesses = {}
    for table in written:
        for row in _live_rows(table, _storage_order()):
            named = _options_in(row, options)
            nearest = min(roll, key=lambda xmin, row=row: abs(xmin - int(row["xmin"])))
            if abs(nearest - int(row["xmin"])) <= 2 and len(named) == 1:
                guesses[roll[nearest]] = named.pop()
    _no_better_than_chance(truth, guesses)


def test_the_order_rows_are_stored_in_does_not_link_a_voter_to_a_choice(votes):
    _ballot, truth, written, _snapshots = votes
    options = set(truth.values())
    roll = _live_rows(ROLL, _storage_order())
    for table in written:
        _no_better_than_chance(truth, _pair(roll, _live_rows(table, _storage_order()), options))


def test_ids_and_timestamps_do_not_link_a_voter_to_a_choice(votes):
    """The attacker knows the order of voting (the roll's ids, or a web server's log) and
    sorts whatever the votes wrote by each of its columns in turn."""
    _ballot, truth, written, _snapshots = votes
    options = set(truth.values())
    roll = sorted(_live_rows(ROLL, 'SELECT * FROM "{t}"'), key=lambda row: row["id"])
    for table in written:
        rows = _live_rows(table, 'SELECT * FROM "{t}"')
        for column in rows[0] if rows else ():
            values = [row[column] for row in rows]
            if all(isinstance(value, int | str | datetime | date) for value in values):
                ordered = sorted(rows, key=lambda row, column=column: row[column])
                _no_better_than_chance(truth, _pair(roll, ordered, options))


def test_a_dump_does_not_link_a_voter_to_a_choice(votes):
    """pg_dump writes each table in its stored order; on SQLite, `.dump` does the same."""
    _ballot, truth, written, _snapshots = votes
    options = set(truth.values())
    if db.engine.dialect.name == "postgresql":
        dump = _dump_rows(_pg_dump())
    else:
        dump = _sqlite_dump_rows()
    for table in written:
        _no_better_than_chance(truth, _pair(dump[ROLL], dump.get(table, []), options))


def _pg_dump():
    url = db.engine.url.set(drivername="postgresql")
    return subprocess.run(
        ["pg_dump", "--data-only", url.render_as_string(hide_password=False)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _sqlite_dump_rows():
    """{table: rows in the order of `.dump`} (sqlite3's iterdump), each literal read back
    by SQLite itself."""
    connection = db.engine.raw_connection()
    try:
        statements = list(connection.driver_connection.iterdump())
        columns = {
            table.name: [
                row[1]
                for row in connection.driver_connection.execute(
                    f'PRAGMA table_info("{table.name}")'
                )
            ]
            for table in db.metadata.sorted_tables
        }
    finally:
        connection.close()
    reader, tables = sqlite3.connect(":memory:"), {}
    try:
        for statement in statements:
            match = re.match(r'INSERT INTO "(\w+)" VALUES\((.*)\);$', statement, re.DOTALL)
            if match and match[1] in columns:
                values = reader.execute(f"SELECT {match[2]}").fetchone()
                tables.setdefault(match[1], []).append(
                    dict(zip(columns[match[1]], values, strict=True))
                )
    finally:
        reader.close()
    return tables


def test_a_backup_does_not_link_a_voter_to_a_choice(votes):
    _ballot, truth, written, snapshots = votes
    options = set(truth.values())
    rows = _backup_rows(snapshots[-1][1])
    for table in written:
        _no_better_than_chance(truth, _pair(rows[ROLL], rows.get(table, []), options))


def test_two_backups_a_vote_apart_do_not_tell_that_vote(votes_and_backups):
    """The thief with yesterday's and today's backup: whatever changed between two backups
    taken one vote apart, read against the one voter who joined the roll between them."""
    _ballot, truth, written, snapshots = votes_and_backups
    options = set(truth.values())
    guesses = {}
    for (_earlier_voter, earlier), (voter, later) in itertools.pairwise(snapshots):
        before, after = _backup_rows(earlier), _backup_rows(later)
        named = Counter()
        for table in written:
            named.update(_changes(before.get(table, []), after.get(table, []), options))
        if named:
            guesses[voter] = named.most_common(1)[0][0]
    _no_better_than_chance(truth, guesses)


def _changes(before, after, options):
    """Options named by rows that are new, or whose readable figures went up."""
    named = Counter()
    old = [json.dumps(row, sort_keys=True, default=str) for row in before]
    for row in after:
        if json.dumps(row, sort_keys=True, default=str) in old:
            continue
        figures = _figures_by_option(row, options)
        earlier = [_figures_by_option(b, options) for b in before]
        if any(e and figures and e.keys() == figures.keys() for e in earlier):
            previous = next(e for e in earlier if e and e.keys() == figures.keys())
            named.update(o for o in figures if figures[o] > previous[o])
        else:
            named.update(_options_in(row, options))
    return named


def _figures_by_option(row, options):
    """{option: number} where a row holds a JSON tally keyed by option."""
    figures = {}
    for value in row.values():
        readable = _readable(value) if value is not None else None
        if readable and readable[:1] == "{":
            try:
                parsed = json.loads(readable)
            except ValueError:
                continue
            for key, number in _flatten(parsed):
                found = [int(n) for n in re.findall(r"\d+", key) if int(n) in options]
                if len(found) == 1 and isinstance(number, int):
                    figures[found[0]] = figures.get(found[0], 0) + number
    return figures


def _flatten(value, prefix=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}/{key}")
    else:
        yield prefix, value


def test_a_vote_writes_no_audit_entry_notification_or_log_line(votes, make, caplog):
    _ballot, _truth, written, _snapshots = votes
    assert not {"audit_entries", "audit_entry_subjects", "notifications"} & set(written)
    scene = ballot_scene(make, resident_count=1)
    ballot = a_ballot(scene)
    with caplog.at_level("DEBUG"):
        cast_vote(ballot, voter=scene.residents[0], choices={option_ids(ballot)[0]: 1})
        db.session.commit()
    assert [record.getMessage() for record in caplog.records] == []


def test_every_sealed_marking_has_the_same_length_whatever_was_chosen(make):
    scene = ballot_scene(make, problem_count=4, resident_count=3)
    ballot = a_ballot(scene, method=Method.APPROVAL, max_choices=4)
    options = option_ids(ballot)
    for resident, chosen in zip(scene.residents, (options[:1], options[:2], options), strict=True):
        cast_vote(ballot, voter=resident, choices=dict.fromkeys(chosen, 1))
    db.session.commit()
    lengths = db.session.scalars(select(func.length(BallotVoter.sealed_marking))).all()
    assert len(set(lengths)) == 1
