"""Indexes for the staff account search

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

The account search looked at every user (LIKE '%q%'). Two indexes, one on users.username
and one on users.display_name, named alike on both databases:

- PostgreSQL: trigram GIN indexes (pg_trgm), which serve LIKE/ILIKE '%q%', so the search
  still finds a part of a name. If pg_trgm cannot be created (no contrib, no right to
  create it), the migration says so and makes btree text_pattern_ops indexes instead,
  which serve a prefix search (LIKE 'q%'); gachi/auth/queries.py then searches by prefix.
- SQLite: indexes on username and display_name COLLATE NOCASE, which serve a prefix
  search (LIKE 'q%', SQLite's LIKE optimisation).
  A batch rebuild of users reflects its indexes without their collation: a later migration
  rebuilding the table must make this index again (tests/auth checks the plan).

The downgrade drops the indexes and leaves the extension, which other objects may use.
"""

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")
SEARCHED = ("username", "display_name")


def _index(column):
    return f"ix_users_{column}_search"


def _trigram_schema(bind):
    """The schema pg_trgm lives in, creating it if need be; None if it cannot be."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        logger.warning(
            "pg_trgm could not be created (%s): the account search uses btree prefix "
            "indexes and finds names by their beginning only.",
            str(error.orig).strip(),
        )
        return None
    return bind.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar_one()


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = _trigram_schema(bind)
        for column in SEARCHED:
            if schema is None:
                how = f"({column} text_pattern_ops)"
            else:
                # Qualified: the extension may live outside the search path.
                how = f"USING gin ({column} {schema}.gin_trgm_ops)"
            op.execute(f"CREATE INDEX {_index(column)} ON users {how}")
    else:
        # NOCASE, the collation SQLite's case-insensitive LIKE needs to use an index.
        for column in SEARCHED:
            op.execute(f"CREATE INDEX {_index(column)} ON users ({column} COLLATE NOCASE)")


def downgrade():
    for column in SEARCHED:
        op.execute(f"DROP INDEX {_index(column)}")
