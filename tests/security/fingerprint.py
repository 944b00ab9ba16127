"""What the database holds, table by table, to tell what one request wrote.

The scene is a few hundred rows, so a snapshot is every committed row of every table
keyed by its primary key; `changes` says which rows a request added, changed or removed.
"""

from dataclasses import dataclass

from gachi.extensions import db


@dataclass
class Change:
    table: str
    before: dict | None  # None for an added row
    after: dict | None  # None for a removed row

    def changed(self, column):
        """The column's new value when the request set it, else None."""
        if self.after is None:
            return None
        value = self.after.get(column)
        if self.before is not None and self.before.get(column) == value:
            return None
        return value


def snapshot(ignored=()):
    """{table: {primary key: row}} of every committed row (read in a fresh transaction)."""
    db.session.remove()
    tables = {}
    for table in db.metadata.sorted_tables:
        if table.name in ignored:
            continue
        key = [column.name for column in table.primary_key.columns]
        rows = db.session.execute(table.select()).mappings()
        tables[table.name] = {tuple(row[name] for name in key): dict(row) for row in rows}
    db.session.remove()
    return tables


def changes(before, after):
    found = []
    for table, rows in after.items():
        old = before.get(table, {})
        found += [
            Change(table, old.get(key), row) for key, row in rows.items() if old.get(key) != row
        ]
        found += [Change(table, row, None) for key, row in old.items() if key not in rows]
    return found
