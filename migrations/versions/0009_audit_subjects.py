"""Who an audit entry is about

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

Pages that show other people's personal data write one audit entry per view; the
people shown are kept in audit_entry_subjects (entry, user), so that a resident's own
data export lists the entries about them and the audit log page finds them. An index on
audit_entries.actor_id serves the log page's "by person" filter.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_entry_subjects',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['audit_entries.id'], name=op.f('fk_audit_entry_subjects_entry_id_audit_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entry_subjects_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'user_id', name=op.f('pk_audit_entry_subjects'))
    )
    with op.batch_alter_table('audit_entry_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_subjects_user_id'), ['user_id'], unique=False)
    # A plain CREATE INDEX: no table rebuild, so no row of audit_entries is touched.
    op.create_index(op.f('ix_audit_entries_actor_id'), 'audit_entries', ['actor_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_audit_entries_actor_id'), table_name='audit_entries')
    with op.batch_alter_table('audit_entry_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_subjects_user_id'))
    op.drop_table('audit_entry_subjects')
