"""Volunteers are checked in like those who booked

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

roster_entries gets attendance (attended / no_show, NULL until recorded), checked_in_at
and checked_in_by_id, as bookings have. On SQLite the batch rebuild of the table drops its
kpi_changes triggers (0008), so they are made again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# As in 0008: a written row notes the session it belongs to.
KIND, COLUMN = 'session', 'session_id'


def upgrade():
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance', sa.Enum('attended', 'no_show', name='attendance', native_enum=False, create_constraint=True), nullable=True))
        batch_op.add_column(sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_in_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_roster_entries_checked_in_by_id_users'), 'users', ['checked_in_by_id'], ['id'], ondelete='SET NULL')
    recreate_sqlite_triggers()


def downgrade():
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_roster_entries_checked_in_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_roster_entries_attendance'), type_='check')
        batch_op.drop_column('checked_in_by_id')
        batch_op.drop_column('checked_in_at')
        batch_op.drop_column('attendance')
    recreate_sqlite_triggers()


def recreate_sqlite_triggers():
    if op.get_bind().dialect.name != 'sqlite':
        return  # PostgreSQL alters the table in place and keeps its triggers
    for event, rows in (('INSERT', ('NEW',)), ('UPDATE', ('NEW', 'OLD')), ('DELETE', ('OLD',))):
        notes = " ".join(f"INSERT INTO kpi_changes (kind, ref) VALUES ('{KIND}', {row}.{COLUMN});"
                         for row in rows)
        op.execute(f"DROP TRIGGER IF EXISTS kpi_changes_roster_entries_{event.lower()}")
        op.execute(f"CREATE TRIGGER kpi_changes_roster_entries_{event.lower()} AFTER {event} "
                   f"ON roster_entries FOR EACH ROW BEGIN {notes} END")
