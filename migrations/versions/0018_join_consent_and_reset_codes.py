"""Sign-in by phone, privacy consents, one-time password reset codes

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03

- users.phone_key: the phone number as digits (gachi/auth/phones.py), indexed, so a
  resident signs in or resets a password by phone however the number was written. Filled
  here from users.phone. Added with ALTER TABLE ADD COLUMN, no rebuild of users, so the
  COLLATE NOCASE search indexes of 0015 stay as they are on SQLite.
- privacy_consents: who agreed to which version of the privacy notice, and when.
- password_reset_codes: one-time codes a coordinator hands a resident (a keyed digest,
  never the code), with who issued them, until when they live, and when used or ended.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = '0017'
branch_labels = None
depends_on = None


def _phone_key(text):
    # A copy of gachi/auth/phones.phone_key as of this revision: a migration does not
    # import app code, which may change after it.
    import re
    import unicodedata

    if not text:
        return None
    digits = re.sub(
        r"[\s\-\u2010-\u2015\u2212\uff0d.()]+", "", unicodedata.normalize("NFKC", str(text))
    )
    if digits.startswith("+82"):
        digits = "0" + digits[3:].removeprefix("0")
    return digits if re.match(r"^0[0-9]{8,10}$", digits) else None


def upgrade():
    op.add_column("users", sa.Column("phone_key", sa.String(length=16), nullable=True))
    op.create_index(op.f("ix_users_phone_key"), "users", ["phone_key"], unique=False)
    bind = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("phone", sa.String),
                     sa.column("phone_key", sa.String))
    rows = bind.execute(sa.select(users.c.id, users.c.phone).where(users.c.phone.is_not(None)))
    for user_id, phone in rows.all():
        key = _phone_key(phone)
        if key is not None:
            bind.execute(sa.update(users).where(users.c.id == user_id).values(phone_key=key))

    op.create_table(
        "privacy_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_privacy_consents_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consents")),
        sa.UniqueConstraint("user_id", "version", name=op.f("uq_privacy_consents_user_id_version")),
    )
    op.create_index(
        op.f("ix_privacy_consents_user_id"), "privacy_consents", ["user_id"], unique=False
    )

    op.create_table(
        "password_reset_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["users.id"],
            name=op.f("fk_password_reset_codes_issued_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_reset_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_password_reset_codes_code_hash")),
    )
    op.create_index(
        op.f("ix_password_reset_codes_user_id"), "password_reset_codes", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_password_reset_codes_user_id"), table_name="password_reset_codes")
    op.drop_table("password_reset_codes")
    op.drop_index(op.f("ix_privacy_consents_user_id"), table_name="privacy_consents")
    op.drop_table("privacy_consents")
    op.drop_index(op.f("ix_users_phone_key"), table_name="users")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; a batch rebuild would lose 0015's indexes.
        op.execute("ALTER TABLE users DROP COLUMN phone_key")
    else:
        op.drop_column("users", "phone_key")
