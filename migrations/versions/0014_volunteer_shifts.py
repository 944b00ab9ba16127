"""Volunteer shifts with their own times and a number needed

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

volunteer_shifts: a shift inside a session (starts_at, ends_at), the number it needs and
the places taken. roster_entries.shift_id puts a volunteer on a shift. Each session that
already has volunteers on its roster gets one whole-session shift needing as many as it
said (at least as many as are on it), and its volunteers move onto it; no row is lost.
On SQLite the batch rebuild of roster_entries drops its kpi_changes triggers (0008), so
they are made again.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# As in 0008: a written row notes the session it belongs to.
KIND, COLUMN = "session", "session_id"


def upgrade():
    op.create_table(
        "volunteer_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("needed", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_volunteer_shifts_ends_after_start")
        ),
        sa.CheckConstraint("needed >= 1", name=op.f("ck_volunteer_shifts_needs_someone")),
        sa.CheckConstraint(
            "taken >= 0 AND taken <= needed", name=op.f("ck_volunteer_shifts_taken_within_needed")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["program_sessions.id"],
            name=op.f("fk_volunteer_shifts_session_id_program_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_shifts")),
    )
    with op.batch_alter_table("volunteer_shifts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_shifts_session_id"), ["session_id"], unique=False
        )

    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shift_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_roster_entries_shift_id"), ["shift_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_roster_entries_shift_id_volunteer_shifts"),
            "volunteer_shifts",
            ["shift_id"],
            ["id"],
            ondelete="CASCADE",
        )
    recreate_sqlite_triggers()

    # One whole-session shift per session with volunteers, and its volunteers onto it.
    op.execute(
        "INSERT INTO volunteer_shifts (session_id, starts_at, ends_at, needed, taken, created_at) "
        "SELECT s.id, s.starts_at, s.ends_at, "
        "CASE WHEN s.volunteers_needed > c.n THEN s.volunteers_needed ELSE c.n END, c.n, s.created_at "
        "FROM program_sessions s JOIN (SELECT session_id, count(*) AS n FROM roster_entries "
        "WHERE role = 'volunteer' GROUP BY session_id) c ON c.session_id = s.id"
    )
    op.execute(
        "UPDATE roster_entries SET shift_id = (SELECT v.id FROM volunteer_shifts v "
        "WHERE v.session_id = roster_entries.session_id) WHERE role = 'volunteer'"
    )


def downgrade():
    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_roster_entries_shift_id_volunteer_shifts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_roster_entries_shift_id"))
        batch_op.drop_column("shift_id")
    recreate_sqlite_triggers()

    with op.batch_alter_table("volunteer_shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_shifts_session_id"))
    op.drop_table("volunteer_shifts")


def recreate_sqlite_triggers():
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL alters the table in place and keeps its triggers
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
        notes = " ".join(
            f"INSERT INTO kpi_changes (kind, ref) VALUES ('{KIND}', {row}.{COLUMN});"
            for row in rows
        )
        op.execute(f"DROP TRIGGER IF EXISTS kpi_changes_roster_entries_{event.lower()}")
        op.execute(
            f"CREATE TRIGGER kpi_changes_roster_entries_{event.lower()} AFTER {event} "
            f"ON roster_entries FOR EACH ROW BEGIN {notes} END"
        )
