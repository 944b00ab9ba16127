"""Reminders before a ballot closes, a workshop and a volunteer shift

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03

reminder_lead_times: per complex, how many hours ahead (1 to 168) its people are reminded;
a complex without a row uses a day. sent_reminders: one row per reminder sent to one
person about one thing, unique, so that two schedulers never send it twice.

Downgrading drops both tables: the lead times set and the record of reminders sent go.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

LEAD_TIMES = ("ballot_hours", "workshop_hours", "shift_hours")


def upgrade():
    op.create_table(
        "reminder_lead_times",
        sa.Column("complex_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in LEAD_TIMES),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *(
            sa.CheckConstraint(
                f"{name} BETWEEN 1 AND 168", name=op.f(f"ck_reminder_lead_times_{name}_range")
            )
            for name in LEAD_TIMES
        ),
        sa.ForeignKeyConstraint(
            ["complex_id"],
            ["complexes.id"],
            name=op.f("fk_reminder_lead_times_complex_id_complexes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("complex_id", name=op.f("pk_reminder_lead_times")),
    )
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sent_reminders_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_reminders")),
        sa.UniqueConstraint(
            "subject",
            "subject_id",
            "user_id",
            name=op.f("uq_sent_reminders_subject_subject_id_user_id"),
        ),
    )
    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_reminders_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("sent_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sent_reminders_user_id"))
    op.drop_table("sent_reminders")
    op.drop_table("reminder_lead_times")
