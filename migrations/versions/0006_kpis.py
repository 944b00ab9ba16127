"""KPIs, evaluations, business models

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

The built-in KPIs are rows inserted here (their measures live in gachi/kpi/measures.py);
triggers make a signed evaluation, its figures and its organisers unchangeable.
"""
from alembic import op
import sqlalchemy as sa
from datetime import datetime, timezone


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# (code, Korean name, English name, Korean unit, English unit, direction, Korean
# definition, English definition); the measure has the code's name.
BUILT_IN_KPIS = [
    ("complexes", "참여 단지", "Complexes taking part", "개", "complexes", "higher",
     "사업연도에 참여하는 단지의 수(모집 단계부터).",
     "Complexes taking part in the cohort, from the recruiting stage on."),
    ("residents", "참여 주민", "Residents taking part", "명", "residents", "higher",
     "문제를 제안·공감·댓글하거나, 투표(온라인·종이)하거나, 워크숍에 출석한 주민 계정의 수. 한 사람은 한 번만 센다.",
     "Resident accounts that proposed, supported or commented on a problem, voted online or "
     "on paper, or were checked in at a workshop; each person once."),
    ("households", "참여 세대", "Households taking part", "세대", "households", "higher",
     "참여 주민이 사는 세대와, 계정 없이 워크숍에 와서 세대를 밝힌 세대의 수.",
     "Households of residents taking part, and households named at a workshop by people "
     "without an account."),
    ("household_share", "참여 세대 비율", "Share of households taking part", "%", "%", "higher",
     "참여 세대 ÷ 단지 세대수(세대수를 아는 단지만).",
     "Households taking part divided by the complex's households (complexes whose number "
     "of households is known)."),
    ("problems", "제안된 생활문제", "Problems proposed", "건", "problems", "higher",
     "주민이 제기한 생활문제의 수(다른 문제에 합쳐진 것은 제외).",
     "Everyday problems raised, except those merged into another."),
    ("ballots_cast", "투표 참여", "Ballots cast", "표", "ballots", "higher",
     "온라인 투표자와 종이 투표 집계의 합.",
     "Online voters plus the paper ballots counted in the room."),
    ("turnout", "투표율", "Turnout", "%", "%", "higher",
     "투표 참여 ÷ 투표를 열 때의 유권자(주민 또는 세대) 수.",
     "Ballots cast divided by the residents or households eligible when the ballot opened."),
    ("enterprises", "참여 사회적경제 기업", "Enterprises engaged", "개", "enterprises", "higher",
     "연계를 수락한 기업의 수. 두 단지에서 일한 기업은 단지마다 센다.",
     "Enterprises that accepted a match; one working in two complexes counts in each."),
    ("matches", "성사된 연계", "Matches accepted", "건", "matches", "higher",
     "기업이 수락한(진행 중·완료 포함) 연계의 수.",
     "Matches the enterprise accepted (including active and completed ones)."),
    ("sessions_planned", "계획된 회차", "Sessions planned", "회", "sessions", "higher",
     "프로그램의 회차 중 취소되지 않은 것.",
     "Sessions of the programmes that were not cancelled."),
    ("sessions_held", "운영된 회차", "Sessions held", "회", "sessions", "higher",
     "취소되지 않고 끝난 회차.",
     "Sessions not cancelled that have ended."),
    ("bookings", "예약", "Bookings", "건", "bookings", "higher",
     "확정된 예약(대기·취소 제외, 전화 예약과 현장 참여 포함). 함께 온 인원과 관계없이 한 건.",
     "Confirmed bookings (not waiting or cancelled; phone bookings and walk-ins included), "
     "one each whatever the party size."),
    ("attendance_rate", "출석률", "Attendance rate", "%", "%", "higher",
     "출석 ÷ 출석 여부를 기록한 확정 예약.",
     "Attended divided by the confirmed bookings whose attendance was recorded."),
    ("no_show_rate", "노쇼 비율", "No-show rate", "%", "%", "lower",
     "불참 ÷ 출석 여부를 기록한 확정 예약. 낮을수록 좋다.",
     "No-shows divided by the confirmed bookings whose attendance was recorded; lower is better."),
    ("participants", "프로그램 참여자", "Unique participants", "명", "people", "higher",
     "회차에 한 번 이상 출석한 주민 계정(한 사람은 한 번).",
     "Resident accounts that attended at least one session, each once."),
    ("returning", "재참여자", "Returning participants", "명", "people", "higher",
     "두 회차 이상 출석한 주민 계정.",
     "Resident accounts that attended two sessions or more."),
    ("volunteers", "자원봉사자", "Volunteers", "명", "people", "higher",
     "시작된 회차의 봉사자 명단에 오른 사람(계정은 한 번, 계정 없는 사람은 이름마다 한 번).",
     "People on the volunteer roster of a session that has begun (an account once, "
     "someone without one once per name)."),
    ("volunteer_hours", "자원봉사 시간", "Volunteer hours", "시간", "hours", "higher",
     "시작된 회차의 봉사 시간 합계.",
     "The hours of volunteers' shifts on sessions that have begun."),
    ("satisfaction", "만족도", "Satisfaction", "점", "points", "higher",
     "회차 후 의견의 평균 점수(1~5점).",
     "The average rating (1 to 5) of the feedback given after sessions."),
    ("execution_rate", "예산 집행률", "Budget spent", "%", "%", "higher",
     "실행 계획의 집행액 ÷ 예산액.",
     "Spent divided by the execution plan's budget."),
    ("business_models", "사업모델 개발", "Business models developed", "건", "models", "higher",
     "이 사업연도의 단지에서 나와 공개된 사업모델의 수(철회된 것은 제외).",
     "Business models published from the cohort's complexes, not withdrawn."),
]

SEEDED_AT = datetime(2026, 11, 25, tzinfo=timezone.utc)
SIGNED_EVALUATION_MESSAGE = "a signed evaluation cannot be changed"


def _seed_kpis(kpis):
    op.bulk_insert(kpis, [
        dict(code=code, name_ko=name_ko, name_en=name_en, unit_ko=unit_ko, unit_en=unit_en,
             definition_ko=definition_ko, definition_en=definition_en, method="computed",
             measure=code, direction=direction, position=(index + 1) * 10, active=True,
             created_at=SEEDED_AT)
        for index, (code, name_ko, name_en, unit_ko, unit_en, direction, definition_ko,
                    definition_en) in enumerate(BUILT_IN_KPIS)
    ])


# What may never happen to a signed evaluation: (trigger, table, event, condition on the
# evaluation's id expression).
GUARDS = [
    ("evaluations_signed_update", "evaluations", "UPDATE", "OLD.id"),
    ("evaluation_figures_signed_insert", "evaluation_figures", "INSERT", "NEW.evaluation_id"),
    ("evaluation_figures_signed_update", "evaluation_figures", "UPDATE", "OLD.evaluation_id"),
    ("evaluation_organisers_signed_insert", "evaluation_organisers", "INSERT", "NEW.evaluation_id"),
    ("evaluation_organisers_signed_update", "evaluation_organisers", "UPDATE", "OLD.evaluation_id"),
]


def _signed(evaluation_id):
    return (f"EXISTS (SELECT 1 FROM evaluations WHERE id = {evaluation_id} "
            "AND signed_at IS NOT NULL)")


def _create_guards():
    """Deleting is left to the operations (none deletes an evaluation) and to the
    RESTRICT foreign key from its participation: SQLite fires row triggers on the
    DELETE the test suite empties tables with."""
    if op.get_bind().dialect.name == "postgresql":
        # A trigger's WHEN cannot hold a subquery on PostgreSQL: the function looks.
        op.execute(f"""
            CREATE FUNCTION refuse_signed_evaluation_change() RETURNS trigger AS $$
            DECLARE
                evaluation integer;
            BEGIN
                IF TG_TABLE_NAME = 'evaluations' THEN
                    evaluation := OLD.id;
                ELSIF TG_OP = 'INSERT' THEN
                    evaluation := NEW.evaluation_id;
                ELSE
                    evaluation := OLD.evaluation_id;
                END IF;
                IF {_signed("evaluation")} THEN
                    RAISE EXCEPTION '{SIGNED_EVALUATION_MESSAGE}'
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        for name, table, event, _evaluation_id in GUARDS:
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
                       "EXECUTE FUNCTION refuse_signed_evaluation_change()")
    else:
        for name, table, event, evaluation_id in GUARDS:
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
                       f"WHEN {_signed(evaluation_id)} "
                       f"BEGIN SELECT RAISE(ABORT, '{SIGNED_EVALUATION_MESSAGE}'); END")


def _drop_guards():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, _event, _id in GUARDS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS refuse_signed_evaluation_change()")


def upgrade():
    kpis = op.create_table('kpis',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ko', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('unit_ko', sa.String(length=10), nullable=False),
    sa.Column('unit_en', sa.String(length=20), nullable=False),
    sa.Column('definition_ko', sa.Text(), nullable=False),
    sa.Column('definition_en', sa.Text(), nullable=False),
    sa.Column('method', sa.Enum('computed', 'manual', name='method', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=True),
    sa.Column('direction', sa.Enum('higher', 'lower', name='direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(method = 'computed' AND measure IS NOT NULL) OR (method = 'manual' AND measure IS NULL)", name=op.f('ck_kpis_measure_for_computed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpis')),
    sa.UniqueConstraint('code', name=op.f('uq_kpis_code'))
    )
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('residents_said', sa.Text(), nullable=False),
    sa.Column('what_to_change', sa.Text(), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('snapshot_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.Enum('continue', 'go_paid', 'spread', 'hand_over', 'stop', name='decision', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('signed_at IS NULL OR (decision IS NOT NULL AND signed_by_id IS NOT NULL)', name=op.f('ck_evaluations_signed_with_decision')),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['users.id'], name=op.f('fk_evaluations_drafted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_evaluations_participation_id_participations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_evaluations_signed_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations')),
    sa.UniqueConstraint('participation_id', name=op.f('uq_evaluations_participation_id'))
    )
    op.create_table('kpi_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('complex_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_kpi_entries_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['complex_id'], ['complexes.id'], name=op.f('fk_kpi_entries_complex_id_complexes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_kpi_entries_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpis.id'], name=op.f('fk_kpi_entries_kpi_id_kpis'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_entries')),
    sa.UniqueConstraint('kpi_id', 'cohort_id', 'complex_id', name=op.f('uq_kpi_entries_kpi_id_cohort_id_complex_id'))
    )
    with op.batch_alter_table('kpi_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_entries_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('uq_kpi_entries_cohort_wide', ['kpi_id', 'cohort_id'], unique=True, sqlite_where=sa.text('complex_id IS NULL'), postgresql_where=sa.text('complex_id IS NULL'))

    op.create_table('kpi_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('complex_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_kpi_targets_value_not_negative')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_kpi_targets_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['complex_id'], ['complexes.id'], name=op.f('fk_kpi_targets_complex_id_complexes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpis.id'], name=op.f('fk_kpi_targets_kpi_id_kpis'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_kpi_targets_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_targets')),
    sa.UniqueConstraint('kpi_id', 'cohort_id', 'complex_id', name=op.f('uq_kpi_targets_kpi_id_cohort_id_complex_id'))
    )
    with op.batch_alter_table('kpi_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_targets_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('uq_kpi_targets_cohort_wide', ['kpi_id', 'cohort_id'], unique=True, sqlite_where=sa.text('complex_id IS NULL'), postgresql_where=sa.text('complex_id IS NULL'))

    op.create_table('business_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('audience', sa.String(length=200), nullable=False),
    sa.Column('schedule_shape', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('origin_participation_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_business_models_category_id_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_business_models_evaluation_id_evaluations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['origin_participation_id'], ['participations.id'], name=op.f('fk_business_models_origin_participation_id_participations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_business_models_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_models'))
    )
    with op.batch_alter_table('business_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_models_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_business_models_origin_participation_id'), ['origin_participation_id'], unique=False)

    op.create_table('evaluation_figures',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_ko', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('unit_ko', sa.String(length=10), nullable=False),
    sa.Column('unit_en', sa.String(length=20), nullable=False),
    sa.Column('direction', sa.Enum('higher', 'lower', name='direction', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('target', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('actual', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_figures_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evaluation_id', 'code', name=op.f('pk_evaluation_figures'))
    )
    op.create_table('evaluation_organisers',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_organisers_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluation_organisers_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('evaluation_id', 'user_id', name=op.f('pk_evaluation_organisers'))
    )
    with op.batch_alter_table('evaluation_organisers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_organisers_user_id'), ['user_id'], unique=False)

    op.create_table('business_model_adoptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('participation_id', sa.Integer(), nullable=False),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['users.id'], name=op.f('fk_business_model_adoptions_adopted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_business_model_adoptions_program_id_programs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['model_id'], ['business_models.id'], name=op.f('fk_business_model_adoptions_model_id_business_models'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participation_id'], ['participations.id'], name=op.f('fk_business_model_adoptions_participation_id_participations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_model_adoptions')),
    sa.UniqueConstraint('model_id', 'participation_id', name=op.f('uq_business_model_adoptions_model_id_participation_id'))
    )
    with op.batch_alter_table('business_model_adoptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_model_adoptions_participation_id'), ['participation_id'], unique=False)

    op.create_table('business_model_budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('instructors', 'enterprise_services', 'materials', 'equipment', 'venue', 'publicity', 'food', 'volunteers', 'other', name='category', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_business_model_budget_lines_amount_not_negative')),
    sa.ForeignKeyConstraint(['model_id'], ['business_models.id'], name=op.f('fk_business_model_budget_lines_model_id_business_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_model_budget_lines'))
    )
    with op.batch_alter_table('business_model_budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_model_budget_lines_model_id'), ['model_id'], unique=False)

    op.create_table('business_model_enterprise_kinds',
    sa.Column('model_id', sa.Integer(), nullable=False),
    sa.Column('legal_form', sa.Enum('social_enterprise', 'pre_social_enterprise', 'cooperative', 'social_cooperative', 'village_enterprise', 'self_sufficiency', 'social_venture', name='legal_form', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['business_models.id'], name=op.f('fk_business_model_enterprise_kinds_model_id_business_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('model_id', 'legal_form', name=op.f('pk_business_model_enterprise_kinds'))
    )
    _seed_kpis(kpis)
    _create_guards()


def downgrade():
    _drop_guards()
    op.drop_table('business_model_enterprise_kinds')
    with op.batch_alter_table('business_model_budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_model_budget_lines_model_id'))

    op.drop_table('business_model_budget_lines')
    with op.batch_alter_table('business_model_adoptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_model_adoptions_participation_id'))

    op.drop_table('business_model_adoptions')
    with op.batch_alter_table('evaluation_organisers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_organisers_user_id'))

    op.drop_table('evaluation_organisers')
    op.drop_table('evaluation_figures')
    with op.batch_alter_table('business_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_models_origin_participation_id'))
        batch_op.drop_index(batch_op.f('ix_business_models_category_id'))

    op.drop_table('business_models')
    with op.batch_alter_table('kpi_targets', schema=None) as batch_op:
        batch_op.drop_index('uq_kpi_targets_cohort_wide', sqlite_where=sa.text('complex_id IS NULL'), postgresql_where=sa.text('complex_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_kpi_targets_cohort_id'))

    op.drop_table('kpi_targets')
    with op.batch_alter_table('kpi_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_kpi_entries_cohort_wide', sqlite_where=sa.text('complex_id IS NULL'), postgresql_where=sa.text('complex_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_kpi_entries_cohort_id'))

    op.drop_table('kpi_entries')
    op.drop_table('evaluations')
    op.drop_table('kpis')
