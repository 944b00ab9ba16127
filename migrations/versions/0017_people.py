"""People without accounts

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

people: a person of a household (동/호) known by name and phone, with the consent to
notices at that number (date and wording's version) and, once they join, their account;
a household's phone number is unique among its people. bookings, session_feedback and
workshop_attendances get person_id, so a phone booking, a walk-in or feedback on paper
is someone the KPIs count once. A person row noted in kpi_changes as its complex (its
joining an account changes who is counted).

On SQLite the batch rebuilds of those three tables drop their kpi_changes triggers
(0008), so they are made again, both ways, as 0014 does.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = '0016'
branch_labels = None
depends_on = None

# (table, kpi_changes kind, column) as in 0008, for the tables that get person_id.
TABLES = (
    ("bookings", "session", "session_id"),
    ("session_feedback", "session", "session_id"),
    ("workshop_attendances", "workshop", "workshop_id"),
)
INDEXED = {"bookings": True, "session_feedback": False, "workshop_attendances": True}


def upgrade():
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complex_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_version", sa.String(length=20), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_people_named")),
        sa.ForeignKeyConstraint(
            ["complex_id"],
            ["complexes.id"],
            name=op.f("fk_people_complex_id_complexes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_people_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_people_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_people_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_complex_id"), "people", ["complex_id"], unique=False)
    op.create_index(op.f("ix_people_user_id"), "people", ["user_id"], unique=False)
    op.create_index(
        "uq_people_household_phone",
        "people",
        ["household_id", "phone"],
        unique=True,
        sqlite_where=sa.text("phone IS NOT NULL"),
        postgresql_where=sa.text("phone IS NOT NULL"),
    )

    for table, _kind, _column in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_{table}_person_id_people", "people", ["person_id"], ["id"], ondelete="SET NULL"
            )
        if INDEXED[table]:
            op.create_index(f"ix_{table}_person_id", table, ["person_id"], unique=False)
    recreate_sqlite_triggers()
    op.create_index(
        "uq_session_feedback_session_id_person_id",
        "session_feedback",
        ["session_id", "person_id"],
        unique=True,
    )
    people_triggers(create=True)


def downgrade():
    people_triggers(create=False)
    op.drop_index("uq_session_feedback_session_id_person_id", table_name="session_feedback")
    for table, _kind, _column in TABLES:
        if INDEXED[table]:
            op.drop_index(f"ix_{table}_person_id", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_person_id_people", type_="foreignkey")
            batch_op.drop_column("person_id")
    recreate_sqlite_triggers()
    op.drop_index("uq_people_household_phone", table_name="people")
    op.drop_index(op.f("ix_people_user_id"), table_name="people")
    op.drop_index(op.f("ix_people_complex_id"), table_name="people")
    op.drop_table("people")


def people_triggers(*, create):
    """people rows are noted as their complex's change (0008's kpi_changes)."""
    if op.get_bind().dialect.name == "postgresql":
        if create:
            op.execute(
                "CREATE TRIGGER kpi_changes_people AFTER INSERT OR UPDATE OR DELETE ON people "
                "FOR EACH ROW EXECUTE FUNCTION kpi_note_change('complex', 'complex_id')"
            )
        else:
            op.execute("DROP TRIGGER kpi_changes_people ON people")
        return
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
        op.execute(f"DROP TRIGGER IF EXISTS kpi_changes_people_{event.lower()}")
        if create:
            notes = " ".join(
                f"INSERT INTO kpi_changes (kind, ref) VALUES ('complex', {row}.complex_id);"
                for row in rows
            )
            op.execute(
                f"CREATE TRIGGER kpi_changes_people_{event.lower()} AFTER {event} "
                f"ON people FOR EACH ROW BEGIN {notes} END"
            )


def recreate_sqlite_triggers():
    """The batch rebuilds drop the tables' kpi_changes triggers (0008)."""
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL alters the table in place and keeps its triggers
    for table, kind, column in TABLES:
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
            notes = " ".join(
                f"INSERT INTO kpi_changes (kind, ref) VALUES ('{kind}', {row}.{column});"
                for row in rows
            )
            op.execute(f"DROP TRIGGER IF EXISTS kpi_changes_{table}_{event.lower()}")
            op.execute(
                f"CREATE TRIGGER kpi_changes_{table}_{event.lower()} AFTER {event} "
                f"ON {table} FOR EACH ROW BEGIN {notes} END"
            )
