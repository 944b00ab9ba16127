"""The notice board of a complex

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03

notices holds what a complex's coordinator posts on its board: title, body, pinned, the
last day it shows, the channels chosen when it was posted, its author, and when it was
taken off the board (the row stays for the audit log). The notification kind "notices"
it sends under came with the outbox (0016).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table(
        'notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complex_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('pinned', sa.Boolean(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('channels', sa.JSON(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_notices_author_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['complex_id'], ['complexes.id'], name=op.f('fk_notices_complex_id_complexes'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_notices_removed_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_complex_created', ['complex_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_complex_created')
    op.drop_table('notices')
