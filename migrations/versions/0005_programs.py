"""programmes, sessions, bookings, rosters, feedback, scheduler runs

Also: notification kinds and each person's notification preferences.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=64), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job_id', 'scheduled_for', name=op.f('uq_job_runs_job_id_scheduled_for'))
    )
    op.create_table('calendar_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('personal', 'complex', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('complex_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind != 'complex' OR complex_id IS NOT NULL", name=op.f('ck_calendar_tokens_complex_feed_complex')),
    sa.ForeignKeyConstraint(['complex_id'], ['complexes.id'], name=op.f('fk_calendar_tokens_complex_id_complexes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_tokens_token'))
    )
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('bookings', 'reminders', 'shifts', 'general', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.Column('by_email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preferences'))
    )
    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=200), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('capacity_kind', sa.Enum('seats', 'stock', name='capacity_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('default_capacity', sa.Integer(), nullable=False),
    sa.Column('residents_may_book', sa.Boolean(), nullable=False),
    sa.Column('booking_opens_days', sa.Integer(), nullable=False),
    sa.Column('booking_closes_hours', sa.Integer(), nullable=False),
    sa.Column('cancel_hours', sa.Integer(), nullable=False),
    sa.Column('max_party_size', sa.Integer(), nullable=False),
    sa.Column('waiting_list', sa.Boolean(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('reminder_hours', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('weekdays', sa.String(length=7), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=True),
    sa.Column('end_time', sa.Time(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('booking_opens_days >= 0 AND booking_closes_hours >= 0 AND cancel_hours >= 0', name=op.f('ck_programs_booking_windows')),
    sa.CheckConstraint('default_capacity >= 1', name=op.f('ck_programs_capacity_positive')),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_programs_dates_in_order')),
    sa.CheckConstraint('fee >= 0', name=op.f('ck_programs_fee_not_negative')),
    sa.CheckConstraint('max_party_size >= 1', name=op.f('ck_programs_party_size_positive')),
    sa.CheckConstraint('reminder_hours IS NULL OR reminder_hours >= 1', name=op.f('ck_programs_reminder_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_programs_participation_id_participations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_programs_problem_id_problems'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs'))
    )
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programs_participation_id'), ['participation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_problem_id'), ['problem_id'], unique=False)

    op.create_table('program_enterprises',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_program_enterprises_enterprise_id_enterprises'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_enterprises_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', 'enterprise_id', name=op.f('pk_program_enterprises'))
    )
    with op.batch_alter_table('program_enterprises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_enterprises_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('program_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('volunteers_needed', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('scheduled', 'cancelled', name='state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('schedule_day', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_program_sessions_capacity_not_negative')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_program_sessions_ends_after_start')),
    sa.CheckConstraint('seats_taken >= 0 AND seats_taken <= capacity', name=op.f('ck_program_sessions_seats_within_capacity')),
    sa.CheckConstraint('volunteers_needed >= 0', name=op.f('ck_program_sessions_volunteers_not_negative')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_sessions_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_sessions'))
    )
    with op.batch_alter_table('program_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_program_sessions_program_starts', ['program_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_program_sessions_starts_at', ['starts_at'], unique=False)

    op.create_table('schedule_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('moved_to', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_schedule_exceptions_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_exceptions')),
    sa.UniqueConstraint('program_id', 'day', name=op.f('uq_schedule_exceptions_program_id_day'))
    )
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('party_size', sa.Integer(), nullable=False),
    sa.Column('dependants', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'waiting', 'cancelled', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('channel', sa.Enum('online', 'phone', 'walk_in', name='channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=True),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance', sa.Enum('attended', 'no_show', name='attendance', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('party_size >= 1', name=op.f('ck_bookings_party_size_positive')),
    sa.CheckConstraint('user_id IS NOT NULL OR length(name) > 0', name=op.f('ck_bookings_someone')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_bookings_booked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_bookings_checked_in_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_bookings_household_id_households'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['program_sessions.id'], name=op.f('fk_bookings_session_id_program_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bookings_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('code', name=op.f('uq_bookings_code')),
    sa.UniqueConstraint('request_key', name=op.f('uq_bookings_request_key'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_session_status', ['session_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_bookings_active_session_user', ['session_id', 'user_id'], unique=True, sqlite_where=sa.text("status IN ('confirmed', 'waiting') AND user_id IS NOT NULL"), postgresql_where=sa.text("status IN ('confirmed', 'waiting') AND user_id IS NOT NULL"))

    op.create_table('roster_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.Enum('instructor', 'volunteer', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes >= 0', name=op.f('ck_roster_entries_minutes_not_negative')),
    sa.CheckConstraint('user_id IS NOT NULL OR length(name) > 0', name=op.f('ck_roster_entries_someone')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_roster_entries_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['program_sessions.id'], name=op.f('fk_roster_entries_session_id_program_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roster_entries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entries')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_roster_entries_session_id_user_id'))
    )
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entries_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entries_user_id'), ['user_id'], unique=False)

    op.create_table('session_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('change_topic', sa.Enum('nothing', 'longer_hours', 'more_days', 'other_times', 'activities', 'place', 'other', name='change_topic', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.CheckConstraint('rating >= 1 AND rating <= 5', name=op.f('ck_session_feedback_rating_one_to_five')),
    sa.ForeignKeyConstraint(['session_id'], ['program_sessions.id'], name=op.f('fk_session_feedback_session_id_program_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_feedback_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_feedback')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_session_feedback_session_id_user_id'))
    )
    with op.batch_alter_table('session_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_feedback_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('bookings', 'reminders', 'shifts', 'general', name='kind', native_enum=False, create_constraint=True), server_default='general', nullable=False))



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_kind'), type_='check')
        batch_op.drop_column('kind')

    with op.batch_alter_table('session_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_feedback_session_id'))

    op.drop_table('session_feedback')
    with op.batch_alter_table('roster_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_entries_user_id'))
        batch_op.drop_index(batch_op.f('ix_roster_entries_session_id'))

    op.drop_table('roster_entries')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_active_session_user', sqlite_where=sa.text("status IN ('confirmed', 'waiting') AND user_id IS NOT NULL"), postgresql_where=sa.text("status IN ('confirmed', 'waiting') AND user_id IS NOT NULL"))
        batch_op.drop_index(batch_op.f('ix_bookings_user_id'))
        batch_op.drop_index('ix_bookings_session_status')

    op.drop_table('bookings')
    op.drop_table('schedule_exceptions')
    with op.batch_alter_table('program_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_program_sessions_starts_at')
        batch_op.drop_index('ix_program_sessions_program_starts')

    op.drop_table('program_sessions')
    with op.batch_alter_table('program_enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_enterprises_enterprise_id'))

    op.drop_table('program_enterprises')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programs_problem_id'))
        batch_op.drop_index(batch_op.f('ix_programs_participation_id'))

    op.drop_table('programs')
    op.drop_table('notification_preferences')
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_tokens_user_id'))

    op.drop_table('calendar_tokens')
    op.drop_table('job_runs')
