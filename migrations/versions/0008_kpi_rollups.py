"""KPI figures computed ahead

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25

Every KPI's numerator and denominator per complex and per roll-up line (cohort,
district, problem category), kept up by the kpi.refresh job; kpi_refreshes holds each
cohort's "as of" time and the claim that lets one refresh at a time work on it. Triggers
on every table a KPI counts note in kpi_changes which parent row (a session, a ballot,
...) changed, so a refresh recomputes only the complexes concerned.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

DISTRICTS = ('jongno', 'jung', 'yongsan', 'seongdong', 'gwangjin', 'dongdaemun', 'jungnang',
             'seongbuk', 'gangbuk', 'dobong', 'nowon', 'eunpyeong', 'seodaemun', 'mapo',
             'yangcheon', 'gangseo', 'guro', 'geumcheon', 'yeongdeungpo', 'dongjak', 'gwanak',
             'seocho', 'gangnam', 'songpa', 'gangdong')


def upgrade():
    op.create_table('kpi_refreshes',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('full_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.Column('recomputed', sa.Integer(), nullable=True),
    sa.Column('activity', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_kpi_refreshes_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', name=op.f('pk_kpi_refreshes'))
    )
    op.create_table('kpi_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=True),
    sa.Column('district', sa.Enum(*DISTRICTS, name='district', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('complex_count', sa.Integer(), nullable=False),
    sa.Column('activity', sa.Text(), nullable=True),
    sa.CheckConstraint("scope IN ('cohort', 'district', 'category', 'complex')", name=op.f('ck_kpi_rollups_scope')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_kpi_rollups_category_id_categories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_kpi_rollups_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_kpi_rollups_participation_id_participations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_rollups')),
    sa.UniqueConstraint('cohort_id', 'scope', 'key', name=op.f('uq_kpi_rollups_cohort_id_scope_key'))
    )
    with op.batch_alter_table('kpi_rollups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_rollups_participation_id'), ['participation_id'], unique=False)

    op.create_table('kpi_figures',
    sa.Column('rollup_id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('numerator', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('denominator', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpis.id'], name=op.f('fk_kpi_figures_kpi_id_kpis'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rollup_id'], ['kpi_rollups.id'], name=op.f('fk_kpi_figures_rollup_id_kpi_rollups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rollup_id', 'kpi_id', name=op.f('pk_kpi_figures'))
    )

    op.create_table('kpi_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_changes')),
    sqlite_autoincrement=True
    )
    create_triggers()


# Every table a KPI counts: a written row notes (kind, id) of the parent it belongs to.
WATCHED = {
    'participations': ('participation', 'id'),
    'complexes': ('complex', 'id'),
    'problems': ('participation', 'participation_id'),
    'problem_supports': ('problem', 'problem_id'),
    'problem_comments': ('problem', 'problem_id'),
    'matches': ('problem', 'problem_id'),
    'ballots': ('participation', 'participation_id'),
    'ballot_voters': ('ballot', 'ballot_id'),
    'paper_tallies': ('ballot', 'ballot_id'),
    'workshops': ('participation', 'participation_id'),
    'workshop_attendances': ('workshop', 'workshop_id'),
    'programs': ('participation', 'participation_id'),
    'program_sessions': ('program', 'program_id'),
    'bookings': ('session', 'session_id'),
    'roster_entries': ('session', 'session_id'),
    'session_feedback': ('session', 'session_id'),
    'execution_plans': ('participation', 'participation_id'),
    'budget_lines': ('plan', 'plan_id'),
    'spending_entries': ('budget_line', 'budget_line_id'),
    'business_models': ('participation', 'origin_participation_id'),
    'kpi_entries': ('complex', 'complex_id'),
    'kpis': ('kpi', 'id'),
}


def create_triggers():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION kpi_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'DELETE' THEN
                    INSERT INTO kpi_changes (kind, ref)
                    VALUES (TG_ARGV[0], (to_jsonb(NEW) ->> TG_ARGV[1])::integer);
                END IF;
                IF TG_OP <> 'INSERT' THEN
                    INSERT INTO kpi_changes (kind, ref)
                    VALUES (TG_ARGV[0], (to_jsonb(OLD) ->> TG_ARGV[1])::integer);
                END IF;
                RETURN NULL;
            END $$""")
        for table, (kind, column) in WATCHED.items():
            op.execute(f"CREATE TRIGGER kpi_changes_{table} AFTER INSERT OR UPDATE OR DELETE "
                       f"ON {table} FOR EACH ROW EXECUTE FUNCTION kpi_note_change('{kind}', '{column}')")
        return
    for table, (kind, column) in WATCHED.items():
        for event, rows in (('INSERT', ('NEW',)), ('UPDATE', ('NEW', 'OLD')), ('DELETE', ('OLD',))):
            notes = " ".join(f"INSERT INTO kpi_changes (kind, ref) VALUES ('{kind}', {row}.{column});"
                             for row in rows)
            op.execute(f"CREATE TRIGGER kpi_changes_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"FOR EACH ROW BEGIN {notes} END")


def drop_triggers():
    if op.get_bind().dialect.name == 'postgresql':
        for table in WATCHED:
            op.execute(f"DROP TRIGGER kpi_changes_{table} ON {table}")
        op.execute("DROP FUNCTION kpi_note_change()")
        return
    for table in WATCHED:
        for event in ('insert', 'update', 'delete'):
            op.execute(f"DROP TRIGGER kpi_changes_{table}_{event}")


def downgrade():
    drop_triggers()
    op.drop_table('kpi_changes')
    op.drop_table('kpi_figures')
    with op.batch_alter_table('kpi_rollups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_rollups_participation_id'))
    op.drop_table('kpi_rollups')
    op.drop_table('kpi_refreshes')
