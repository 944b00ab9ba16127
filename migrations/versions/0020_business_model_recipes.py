"""Business models as recipes; adoptions as drafts

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03

business_models gain the recipe's schedule (weeks, weekdays, time window), the number of
participants a run is planned for and the evidence frozen at publication (the source
complex's participants, sessions held, attendance rate and satisfaction, and its
households). Budget lines gain a basis (fixed, per participant, per household). New:
one-off events as day offsets, KPI targets, enterprise categories. Adoptions gain the
draft (title, first day, schedule, expected participants, confirmation) with its own
budget lines and targets. On SQLite the batch rebuild of business_models drops its
kpi_changes triggers (0008), so they are made again.
"""

from alembic import op
import sqlalchemy as sa


revision = "0020"
down_revision = '0019'
branch_labels = None
depends_on = None

# As in 0008: a written model notes the participation it comes from.
KIND, COLUMN = "participation", "origin_participation_id"

BASIS = sa.Enum(
    "fixed",
    "per_participant",
    "per_household",
    name="basis",
    native_enum=False,
    create_constraint=True,
    length=15,
)
CATEGORY = sa.Enum(
    "instructors",
    "enterprise_services",
    "materials",
    "equipment",
    "venue",
    "publicity",
    "food",
    "volunteers",
    "other",
    name="category",
    native_enum=False,
    create_constraint=True,
    length=19,
)


def upgrade():
    with op.batch_alter_table("business_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weeks", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("weekdays", sa.String(length=7), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("start_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("end_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("participants", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("evidence_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("evidence_households", sa.Integer(), nullable=True))
        for name in ("participants", "sessions", "attendance_rate", "satisfaction"):
            batch_op.add_column(
                sa.Column(f"evidence_{name}", sa.Numeric(precision=16, scale=2), nullable=True)
            )
        batch_op.create_check_constraint(
            op.f("ck_business_models_weeks_in_range"),
            "weeks IS NULL OR (weeks >= 1 AND weeks <= 52)",
        )
        batch_op.create_check_constraint(
            op.f("ck_business_models_times_in_order"),
            "end_time IS NULL OR start_time IS NULL OR end_time > start_time",
        )
        batch_op.create_check_constraint(
            op.f("ck_business_models_participants_positive"),
            "participants IS NULL OR participants >= 0",
        )
    with op.batch_alter_table("business_models", schema=None) as batch_op:
        batch_op.alter_column("weekdays", server_default=None)
    recreate_sqlite_triggers()

    with op.batch_alter_table("business_model_budget_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("basis", BASIS, nullable=False, server_default="fixed"))
    with op.batch_alter_table("business_model_budget_lines", schema=None) as batch_op:
        batch_op.alter_column("basis", server_default=None)

    op.create_table(
        "business_model_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("day_offset", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint(
            "day_offset >= 0 AND day_offset <= 365",
            name=op.f("ck_business_model_events_offset_in_range"),
        ),
        sa.CheckConstraint(
            "end_time > start_time", name=op.f("ck_business_model_events_times_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["business_models.id"],
            name=op.f("fk_business_model_events_model_id_business_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_model_events")),
    )
    with op.batch_alter_table("business_model_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_model_events_model_id"), ["model_id"], unique=False
        )

    op.create_table(
        "business_model_targets",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_business_model_targets_value_not_negative")),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["business_models.id"],
            name=op.f("fk_business_model_targets_model_id_business_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kpi_id"],
            ["kpis.id"],
            name=op.f("fk_business_model_targets_kpi_id_kpis"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "kpi_id", name=op.f("pk_business_model_targets")),
    )
    op.create_table(
        "business_model_enterprise_categories",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["business_models.id"],
            name=op.f("fk_business_model_enterprise_categories_model_id_business_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_business_model_enterprise_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "model_id", "category_id", name=op.f("pk_business_model_enterprise_categories")
        ),
    )

    with op.batch_alter_table("business_model_adoptions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("title", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("weeks", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("weekdays", sa.String(length=7), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("start_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("end_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("expected_participants", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_business_model_adoptions_confirmed_by_id_users"),
            "users",
            ["confirmed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # An adoption made before recipes made its programme at once: it counts as confirmed.
    op.execute(
        "UPDATE business_model_adoptions SET confirmed_at = adopted_at WHERE program_id IS NOT NULL"
    )
    with op.batch_alter_table("business_model_adoptions", schema=None) as batch_op:
        batch_op.alter_column("title", server_default=None)
        batch_op.alter_column("weekdays", server_default=None)

    op.create_table(
        "business_model_adoption_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adoption_id", sa.Integer(), nullable=False),
        sa.Column("category", CATEGORY, nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "amount >= 0", name=op.f("ck_business_model_adoption_lines_amount_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["adoption_id"],
            ["business_model_adoptions.id"],
            name=op.f("fk_business_model_adoption_lines_adoption_id_business_model_adoptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_model_adoption_lines")),
    )
    with op.batch_alter_table("business_model_adoption_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_business_model_adoption_lines_adoption_id"),
            ["adoption_id"],
            unique=False,
        )
    op.create_table(
        "business_model_adoption_targets",
        sa.Column("adoption_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.CheckConstraint(
            "value >= 0", name=op.f("ck_business_model_adoption_targets_value_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["adoption_id"],
            ["business_model_adoptions.id"],
            name=op.f("fk_business_model_adoption_targets_adoption_id_business_model_adoptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kpi_id"],
            ["kpis.id"],
            name=op.f("fk_business_model_adoption_targets_kpi_id_kpis"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "adoption_id", "kpi_id", name=op.f("pk_business_model_adoption_targets")
        ),
    )


def downgrade():
    op.drop_table("business_model_adoption_targets")
    with op.batch_alter_table("business_model_adoption_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_model_adoption_lines_adoption_id"))
    op.drop_table("business_model_adoption_lines")
    with op.batch_alter_table("business_model_adoptions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_business_model_adoptions_confirmed_by_id_users"), type_="foreignkey"
        )
        for name in (
            "confirmed_by_id",
            "confirmed_at",
            "expected_participants",
            "end_time",
            "start_time",
            "weekdays",
            "weeks",
            "starts_on",
            "title",
        ):
            batch_op.drop_column(name)
    op.drop_table("business_model_enterprise_categories")
    op.drop_table("business_model_targets")
    with op.batch_alter_table("business_model_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_model_events_model_id"))
    op.drop_table("business_model_events")
    with op.batch_alter_table("business_model_budget_lines", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_business_model_budget_lines_basis"), type_="check")
        batch_op.drop_column("basis")
    with op.batch_alter_table("business_models", schema=None) as batch_op:
        for name in ("participants_positive", "times_in_order", "weeks_in_range"):
            batch_op.drop_constraint(op.f(f"ck_business_models_{name}"), type_="check")
        for name in (
            "evidence_satisfaction",
            "evidence_attendance_rate",
            "evidence_sessions",
            "evidence_participants",
            "evidence_households",
            "evidence_at",
            "participants",
            "end_time",
            "start_time",
            "weekdays",
            "weeks",
        ):
            batch_op.drop_column(name)
    recreate_sqlite_triggers()


def recreate_sqlite_triggers():
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL alters the table in place and keeps its triggers
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
        notes = " ".join(
            f"INSERT INTO kpi_changes (kind, ref) VALUES ('{KIND}', {row}.{COLUMN});"
            for row in rows
        )
        op.execute(f"DROP TRIGGER IF EXISTS kpi_changes_business_models_{event.lower()}")
        op.execute(
            f"CREATE TRIGGER kpi_changes_business_models_{event.lower()} AFTER {event} "
            f"ON business_models FOR EACH ROW BEGIN {notes} END"
        )
