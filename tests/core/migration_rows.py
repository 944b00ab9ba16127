"""Rows for the migration tests: what a database holds at any revision, and what it kept.

Nothing here knows a revision or a table by name. The schema is reflected from the
database as it stands; every table gets the demo's rows (the columns the table has at
that revision) and one row made from its schema alone, so that a table the demo leaves
empty still holds a row, and every foreign key column holds a value.
"""

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Integer, MetaData, and_, exists, func, inspect, not_, select, text
from sqlalchemy.exc import DBAPIError

VERSION_TABLE = "alembic_version"
# The made row's id: far above any demo id, so the two never collide.
MADE_ID = 900_001
ATTEMPTS_PER_TABLE = 200
QUOTED = re.compile(r"'((?:[^']|'')*)'")


def reflect(connection):
    metadata = MetaData()
    metadata.reflect(connection)
    return [table for table in metadata.sorted_tables if table.name != VERSION_TABLE]


def dump_rows(connection):
    """Every row of every table, as stored (strings for enums), by table name."""
    return {
        table.name: [dict(row) for row in connection.execute(table.select()).mappings()]
        for table in reflect(connection)
    }


def fill_every_table(connection, source_rows):
    """Give each table `source_rows` (what fits its columns and constraints at this
    revision; a row the schema refuses is left out) and then one made row. Runs in the
    caller's transaction."""
    for table in reflect(connection):
        _copy_rows(connection, table, source_rows.get(table.name, []))
        _add_made_row(connection, table)
        _catch_up_sequence(connection, table)


def _copy_rows(connection, table, rows):
    if not rows or connection.scalar(select(exists().select_from(table))):
        return  # already filled, by a migration or by a trigger
    columns = {column.name for column in table.columns}
    required = _required_values(table)
    fitted = [{**required, **{k: v for k, v in row.items() if k in columns}} for row in rows]
    if not _inserted(connection, table, fitted):
        for row in fitted:
            _inserted(connection, table, [row])


def _inserted(connection, table, rows):
    savepoint = connection.begin_nested()
    try:
        connection.execute(table.insert(), rows)
    except DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def _required_values(table):
    """Values for NOT NULL columns the source rows may lack (dropped from later schemas)."""
    return {
        column.name: _plain_value(table, column, 0)
        for column in table.columns
        if not column.nullable
        and column.server_default is None
        and not _is_generated_id(table, column)
    }


def _add_made_row(connection, table):
    attempts = itertools.islice(_candidate_rows(connection, table), ATTEMPTS_PER_TABLE)
    refusal = None
    for row in attempts:
        savepoint = connection.begin_nested()
        try:
            connection.execute(table.insert(), [row])
        except DBAPIError as error:
            savepoint.rollback()
            refusal = error
            continue
        savepoint.commit()
        return
    raise AssertionError(
        f"no row made from the schema fits {table.name} "
        f"(teach tests/core/migration_rows.py): {refusal}"
    )


def _candidate_rows(connection, table):
    """Rows to try, most complete first: foreign keys pointing at the last row of the
    table they name; other nullable columns left empty, then filled; each text column
    that a CHECK compares with literals taking those literals in turn."""
    references = _references(connection, table)
    if references is None:
        return
    for fill_optional, reverse_dates in itertools.product((False, True), repeat=2):
        plain = {
            column.name: _plain_value(table, column, position, reverse_dates)
            for position, column in enumerate(table.columns)
            if column.name not in references and (fill_optional or not column.nullable)
        }
        choices = [
            [(name, literal) for literal in _literals(table, name)]
            for name in plain
            if _literals(table, name)
        ]
        for chosen in itertools.product(*choices):
            yield {**plain, **dict(chosen), **references}


def _references(connection, table):
    """A value for every foreign key column, from the referred table's last row; None
    when a required reference has nothing to point at."""
    values = {}
    for constraint in table.foreign_key_constraints:
        pairs = [(element.parent, element.column) for element in constraint.elements]
        agreed = [
            referred == values[local.name] for local, referred in pairs if local.name in values
        ]
        referred_columns = [referred for _local, referred in pairs]
        row = connection.execute(
            select(*referred_columns)
            .where(*agreed)
            .order_by(*[c.desc() for c in referred_columns])
            .limit(1)
        ).first()
        if row is None:
            if any(not local.nullable for local, _referred in pairs):
                return None
            continue
        values.update(
            {local.name: value for (local, _referred), value in zip(pairs, row, strict=False)}
        )
    return values


def _literals(table, column_name):
    """The quoted literals of the CHECKs that name this column (an enum's values)."""
    found = []
    for check in _checks(table):
        sql = str(check.sqltext)
        if re.search(rf"\b{re.escape(column_name)}\b", sql):
            found += [literal.replace("''", "'") for literal in QUOTED.findall(sql)]
    return list(dict.fromkeys(found))


def _checks(table):
    return [c for c in table.constraints if c.__class__.__name__ == "CheckConstraint"]


def _is_generated_id(table, column):
    primary = list(table.primary_key.columns)
    return primary == [column] and isinstance(column.type, Integer) and not column.foreign_keys


def _plain_value(table, column, position, reverse_dates=False):
    """A value of the column's type: ids far above the demo's, dates one day apart in
    column order (or the reverse), so `ends > starts` holds one way or the other."""
    if _is_generated_id(table, column):
        return MADE_ID
    python_type = column.type.python_type
    step = -position if reverse_dates else position
    if python_type is datetime:
        return datetime(2030, 6, 1, 9, tzinfo=UTC) + timedelta(days=step)
    if python_type is date:
        return date(2030, 6, 1) + timedelta(days=step)
    if python_type is time:
        return time(12 + step % 12) if step >= 0 else time(12 - (-step) % 12)
    if python_type is str:
        length = getattr(column.type, "length", None) or 40
        return f"{table.name}.{column.name}"[-length:]
    values = {
        bool: True,
        int: 1,
        float: 1.0,
        Decimal: Decimal(1),
        bytes: b"\x01",
        dict: {"made": True},
        list: ["made"],
    }
    if python_type in values:
        return values[python_type]
    raise AssertionError(f"no plain value for {table.name}.{column.name} ({column.type})")


def _catch_up_sequence(connection, table):
    """PostgreSQL: the id sequence past the copied ids, for rows the migrations and
    their triggers insert later."""
    primary = list(table.primary_key.columns)
    if connection.dialect.name != "postgresql" or not _is_generated_id(table, primary[0]):
        return
    connection.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{primary[0].name}'), "
            f"(SELECT max({primary[0].name}) FROM {table.name}))"
        )
    )


@dataclass
class Holdings:
    """What a database holds: each table's row keys, each foreign key's non-null values
    by row key ({(table, columns): {row key: values}}), and the references that point
    at no row (see dangling_references)."""

    rows: dict
    references: dict
    dangling: list

    def lost_since(self, earlier):
        """Rows and references `earlier` held that are gone or changed now, for the
        tables and foreign keys both hold; [] when nothing was lost."""
        lost = []
        for name, keys in earlier.rows.items():
            if name in self.rows and not keys <= self.rows[name]:
                lost.append(
                    f"{name}: {len(keys)} rows -> {len(self.rows[name])} "
                    f"(missing {sorted(keys - self.rows[name])[:5]})"
                )
        for (name, columns), values in earlier.references.items():
            now = self.references.get((name, columns))
            if now is not None and not values.items() <= now.items():
                lost.append(
                    f"{name}.{'+'.join(columns)}: {len(values)} values -> {len(now)} non-null"
                )
        return lost


def holdings(connection):
    rows, references = {}, {}
    tables = reflect(connection)
    for table in tables:
        key = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = set(connection.execute(select(*key)).all())
        for constraint in table.foreign_key_constraints:
            columns = list(constraint.columns)
            filled = connection.execute(
                select(*key, *columns).where(*[column.is_not(None) for column in columns])
            ).all()
            references[(table.name, tuple(c.name for c in columns))] = {
                tuple(row[: len(key)]): tuple(row[len(key) :]) for row in filled
            }
    return Holdings(rows, references, dangling_references(connection, tables))


def dangling_references(connection, tables):
    """Rows whose foreign key names a row that does not exist, by constraint; on SQLite
    PRAGMA foreign_key_check's rows as well."""
    dangling = []
    for table in tables:
        for constraint in table.foreign_key_constraints:
            parent = constraint.referred_table.alias("parent")  # may be the table itself
            pairs = [
                (element.parent, parent.c[element.column.name]) for element in constraint.elements
            ]
            count = connection.scalar(
                select(func.count())
                .select_from(table)
                .where(
                    *[local.is_not(None) for local, _ in pairs],
                    not_(
                        exists()
                        .select_from(parent)
                        .where(and_(*[referred == local for local, referred in pairs]))
                    ),
                )
            )
            if count:
                dangling.append(f"{table.name} -> {constraint.referred_table.name}: {count}")
    if connection.dialect.name == "sqlite":
        dangling += [tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]
    return dangling


def schema_of(connection):
    """Tables, columns, keys, indexes, CHECKs and triggers, comparable across runs."""
    inspector = inspect(connection)
    schema = {}
    for name in inspector.get_table_names():
        schema[name] = {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)
            ),
            "primary key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign keys": sorted(
                (
                    fk["name"] or "",
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    fk["options"].get("ondelete") or "",
                )
                for fk in inspector.get_foreign_keys(name)
            ),
            "unique": sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(name)
            ),
            "indexes": sorted(
                (i["name"] or "", tuple(i["column_names"]), i["unique"])
                for i in inspector.get_indexes(name)
            ),
            "checks": sorted(
                (c["name"] or "", " ".join(c["sqltext"].split()))
                for c in inspector.get_check_constraints(name)
            ),
        }
    schema["(triggers)"] = sorted(_trigger_names(connection))
    return schema


def _trigger_names(connection):
    if connection.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        sql = (
            "SELECT DISTINCT trigger_name FROM information_schema.triggers "
            "WHERE trigger_schema = current_schema()"
        )
    return connection.exec_driver_sql(sql).scalars().all()
