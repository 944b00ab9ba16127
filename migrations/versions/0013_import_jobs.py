"""Import jobs: an uploaded file imported outside the request, with its progress

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

import_jobs keeps the uploaded file, its status (queued, running, done, failed), the
lines done out of the total, the added and skipped counts, each line's outcome with its
reason (JSON), and the claim of the scheduler run working on it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('encoding', sa.String(length=16), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='import_status', native_enum=False, create_constraint=True), nullable=False),
        sa.Column('lines_total', sa.Integer(), nullable=False),
        sa.Column('lines_done', sa.Integer(), nullable=False),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('outcomes', sa.JSON(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('claimed_by', sa.String(length=32), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_import_jobs_started_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs')),
    )


def downgrade():
    op.drop_table('import_jobs')
