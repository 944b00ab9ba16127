"""Ranked ballots: instant-runoff, Borda and Schulze

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

A ballot's method may be ranked (gachi/ballots/ranked.py). The method is a VARCHAR with
a CHECK listing its values (gachi/core/enums.py, no native enum), so the CHECK is made
again with the three new values (SQLite rebuilds the table in batch mode). A paper tally
of a ranked ballot holds its rankings ({"ranking": ballots} as JSON) instead of lines.

Downgrading refuses while a ranked ballot exists: the earlier methods would count its
rankings as something else.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BEFORE = ('single', 'approval', 'dots')
AFTER = BEFORE + ('irv', 'borda', 'schulze')


def _method_check(values):
    return 'method IN (' + ', '.join(f"'{value}'" for value in values) + ')'


# On SQLite a table made again in batch mode loses its triggers: the KPI triggers of
# 0008 on these two tables are made again.
KPI_WATCHED = {
    'ballots': ('participation', 'participation_id'),
    'paper_tallies': ('ballot', 'ballot_id'),
}


def _remake_kpi_triggers():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table, (kind, column) in KPI_WATCHED.items():
        for event, rows in (('INSERT', ('NEW',)), ('UPDATE', ('NEW', 'OLD')), ('DELETE', ('OLD',))):
            notes = " ".join(f"INSERT INTO kpi_changes (kind, ref) VALUES ('{kind}', {row}.{column});"
                             for row in rows)
            op.execute(f"DROP TRIGGER IF EXISTS kpi_changes_{table}_{event.lower()}")
            op.execute(f"CREATE TRIGGER kpi_changes_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"FOR EACH ROW BEGIN {notes} END")


def upgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ballots_method'), type_='check')
        batch_op.create_check_constraint(op.f('ck_ballots_method'), _method_check(AFTER))
    with op.batch_alter_table('paper_tallies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rankings', sa.Text(), nullable=True))
    _remake_kpi_triggers()


def downgrade():
    ranked = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM ballots WHERE method IN ('irv', 'borda', 'schulze')")
    )
    if ranked:
        raise RuntimeError(
            f'{ranked} ranked ballots exist; revision 0010 cannot hold them. Delete them '
            'first (or stay at 0011).'
        )
    with op.batch_alter_table('paper_tallies', schema=None) as batch_op:
        batch_op.drop_column('rankings')
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ballots_method'), type_='check')
        batch_op.create_check_constraint(op.f('ck_ballots_method'), _method_check(BEFORE))
    _remake_kpi_triggers()
