"""The outbox: messages by e-mail, text and KakaoTalk, sent by the scheduler

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

- `outbox_messages`: one row per message to one address on one channel, written in the
  transaction that causes it; the scheduler claims, sends and marks it.
- `notice_consents`: consent to service notices by text and KakaoTalk, with the wording's
  version; `notice_opt_outs`: addresses that stopped a channel from a message's link.
- `notification_preferences.by_sms` / `by_kakao`, `users.language` (default 'ko').
- Three more notification kinds (ballots, workshops, notices): the CHECKs on
  `notifications.kind` and `notification_preferences.kind` are remade.

Neither `users` nor the notification tables carry the KPI triggers of 0008, and `users`
gets its column by ALTER TABLE ADD COLUMN and loses it by DROP COLUMN (SQLite 3.35+),
never a rebuild, so its COLLATE NOCASE indexes (0015) stay.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

KINDS_BEFORE = ("bookings", "reminders", "shifts", "general")
KINDS_AFTER = ("bookings", "reminders", "shifts", "ballots", "workshops", "notices", "general")
CHANNELS = ("email", "sms", "kakao")
STATUSES = ("queued", "sending", "sent", "failed", "skipped")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _remake_kind_checks(kinds):
    for table in ("notifications", "notification_preferences"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind"), _in("kind", kinds))


def upgrade():
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS_AFTER, name="kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(*CHANNELS, name="channel", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("complex_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_message_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["complex_id"],
            ["complexes.id"],
            name=op.f("fk_outbox_messages_complex_id_complexes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_outbox_messages_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_messages_dedupe_key")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_messages_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_outbox_messages_complex_created", ["complex_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_messages_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notice_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("wording_version", sa.String(length=16), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notice_consents_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_consents")),
    )
    with op.batch_alter_table("notice_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_consents_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notice_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(*CHANNELS, name="channel", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_opt_outs")),
        sa.UniqueConstraint(
            "channel", "address", name=op.f("uq_notice_opt_outs_channel_address")
        ),
    )

    op.add_column(
        "notification_preferences",
        sa.Column("by_sms", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "notification_preferences",
        sa.Column("by_kakao", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "users", sa.Column("language", sa.String(length=8), server_default="ko", nullable=False)
    )
    _remake_kind_checks(KINDS_AFTER)


def downgrade():
    op.execute(f"DELETE FROM notifications WHERE NOT ({_in('kind', KINDS_BEFORE)})")
    op.execute(f"DELETE FROM notification_preferences WHERE NOT ({_in('kind', KINDS_BEFORE)})")
    _remake_kind_checks(KINDS_BEFORE)
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.drop_column("by_kakao")
        batch_op.drop_column("by_sms")
    # SQLite 3.35+ drops a column in place: users keeps its COLLATE NOCASE indexes.
    op.drop_column("users", "language")
    op.drop_table("notice_opt_outs")
    with op.batch_alter_table("notice_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_consents_user_id"))
    op.drop_table("notice_consents")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_user_id"))
        batch_op.drop_index("ix_outbox_messages_complex_created")
        batch_op.drop_index("ix_outbox_messages_due")
    op.drop_table("outbox_messages")
