"""Ballot boxes: no row per vote

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

A vote wrote the voter's roll row and an anonymous record of the choice in one
transaction, so PostgreSQL's transaction ids, the tables' stored order and a dump's order
tied them together. The records become one box per ballot counting the ballots marked each
way (gachi/ballots/box.py): sealed under the app's key while the ballot is open, in plain
once it has closed. A voter's marking moves onto their roll row sealed under their
receipt; the receipts of votes cast before this revision cannot be matched to their
voters (nothing linked them), so those votes are counted but can no longer be changed.

The roll also takes households marked as having voted on paper without an account
(user_id empty, household_id set).

On SQLite the dropped tables' pages are overwritten (secure_delete), and ballot_voters is
rebuilt, so its KPI triggers (0008) are made again.
"""
import hashlib
import json
import secrets
from collections import Counter
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from gachi.ballots import box

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ROLL_TRIGGER_EVENTS = (('INSERT', ('NEW',)), ('UPDATE', ('NEW', 'OLD')), ('DELETE', ('OLD',)))


def upgrade():
    op.create_table('ballot_boxes',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=True),
    sa.Column('published', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_ballot_boxes_ballot_id_ballots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', name=op.f('pk_ballot_boxes'))
    )
    _fill_boxes()
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute('PRAGMA secure_delete = ON')
    with op.batch_alter_table('ballot_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_choices_option_id'))
    op.drop_table('ballot_choices')
    with op.batch_alter_table('ballot_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_records_ballot_id'))
    op.drop_table('ballot_records')
    with op.batch_alter_table('ballot_voters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('sealed_marking', sa.LargeBinary(), nullable=True))
        batch_op.alter_column('user_id', existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_ballot_voters_receipt_hash'), ['receipt_hash'])
        batch_op.create_check_constraint(
            'voter_or_household', 'user_id IS NOT NULL OR household_id IS NOT NULL'
        )
    if sqlite:
        _make_roll_triggers()
        op.execute('PRAGMA secure_delete = OFF')


def _fill_boxes():
    """One box per ballot, holding its records' markings."""
    connection = op.get_bind()
    markings = {}
    for record_id, ballot_id, option_id, points in connection.execute(sa.text(
        'SELECT r.id, r.ballot_id, c.option_id, c.points FROM ballot_records r '
        'JOIN ballot_choices c ON c.record_id = r.id'
    )):
        markings.setdefault(ballot_id, {}).setdefault(record_id, {})[option_id] = points
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for ballot_id, closed_at, closes_at in connection.execute(
        sa.text('SELECT id, closed_at, closes_at FROM ballots')
    ).all():
        counted = Counter(
            box.marking_of(points) for points in markings.get(ballot_id, {}).values()
        )
        closes = closes_at if isinstance(closes_at, datetime) else datetime.fromisoformat(closes_at)
        if closed_at is not None or closes.replace(tzinfo=None) <= now:
            values = {'ballot_id': ballot_id, 'sealed': None, 'published': json.dumps(dict(counted))}
        else:
            values = {'ballot_id': ballot_id, 'sealed': box.seal_box(ballot_id, counted), 'published': None}
        connection.execute(
            sa.text('INSERT INTO ballot_boxes (ballot_id, sealed, published) '
                    'VALUES (:ballot_id, :sealed, :published)'),
            values,
        )


def _make_roll_triggers():
    for event, rows in ROLL_TRIGGER_EVENTS:
        notes = " ".join(f"INSERT INTO kpi_changes (kind, ref) VALUES ('ballot', {row}.ballot_id);"
                         for row in rows)
        op.execute(f"DROP TRIGGER IF EXISTS kpi_changes_ballot_voters_{event.lower()}")
        op.execute(f"CREATE TRIGGER kpi_changes_ballot_voters_{event.lower()} AFTER {event} "
                   f"ON ballot_voters FOR EACH ROW BEGIN {notes} END")


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    connection = op.get_bind()
    # A household marked on paper without an account has no place in the older roll.
    connection.execute(sa.text('DELETE FROM ballot_voters WHERE user_id IS NULL'))
    with op.batch_alter_table('ballot_voters', schema=None) as batch_op:
        batch_op.drop_constraint('voter_or_household', type_='check')
        batch_op.drop_constraint(batch_op.f('uq_ballot_voters_receipt_hash'), type_='unique')
        batch_op.alter_column('user_id', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column('sealed_marking')
        batch_op.drop_column('receipt_hash')
    if sqlite:
        _make_roll_triggers()
    op.create_table('ballot_records',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_ballot_records_ballot_id_ballots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_records')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_ballot_records_receipt_hash')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballot_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_records_ballot_id'), ['ballot_id'], unique=False)
    op.create_table('ballot_choices',
    sa.Column('record_id', sa.String(length=32), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.CheckConstraint('points >= 1', name=op.f('ck_ballot_choices_points_positive')),
    sa.ForeignKeyConstraint(['option_id'], ['ballot_options.id'], name=op.f('fk_ballot_choices_option_id_ballot_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['ballot_records.id'], name=op.f('fk_ballot_choices_record_id_ballot_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'option_id', name=op.f('pk_ballot_choices')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballot_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_choices_option_id'), ['option_id'], unique=False)
    _records_from_boxes()
    op.drop_table('ballot_boxes')


def _records_from_boxes():
    """A record per counted ballot, under a random id and a receipt nobody holds."""
    connection = op.get_bind()
    options = {}
    for option_id, ballot_id in connection.execute(sa.text('SELECT id, ballot_id FROM ballot_options')):
        options.setdefault(ballot_id, set()).add(option_id)
    for ballot_id, sealed, published in connection.execute(
        sa.text('SELECT ballot_id, sealed, published FROM ballot_boxes')
    ).all():
        counted = json.loads(published) if published is not None else (
            box.open_box(ballot_id, sealed) if sealed is not None else {}
        )
        for marking, ballots in counted.items():
            points = {
                option: value for option, value in box.points_of(marking).items()
                if option in options.get(ballot_id, ())
            }
            for _ballot in range(ballots if points else 0):
                record_id = secrets.token_hex(16)
                connection.execute(
                    sa.text('INSERT INTO ballot_records (id, ballot_id, receipt_hash) '
                            'VALUES (:id, :ballot_id, :receipt_hash)'),
                    {'id': record_id, 'ballot_id': ballot_id,
                     'receipt_hash': hashlib.sha256(secrets.token_bytes(32)).hexdigest()},
                )
                connection.execute(
                    sa.text('INSERT INTO ballot_choices (record_id, option_id, points) '
                            'VALUES (:record_id, :option_id, :points)'),
                    [{'record_id': record_id, 'option_id': option, 'points': value}
                     for option, value in points.items()],
                )
