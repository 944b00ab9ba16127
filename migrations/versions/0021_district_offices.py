"""District support organisations: a role and the districts each account covers

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03

users.role gains "district" (자치구 사회적경제 지원조직). The role is a VARCHAR with a CHECK
listing its values (gachi/core/enums.py, no native enum), so the CHECK is made again on
both databases; SQLite rebuilds users in batch mode, which loses the COLLATE NOCASE of
the account search's indexes (0015): they are made again. users has no KPI triggers.

district_offices: one row per district account (whether the center allows it to place
coordinators); district_covers: the districts (구) it covers.

Downgrading: 0015 cannot hold the role, so each district account is kept as a turned-off
coordinator account (its rows and references stay; it can no longer sign in) and its
districts are dropped with their tables.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = '0020'
branch_labels = None
depends_on = None

BEFORE = ("resident", "coordinator", "partner", "staff")
AFTER = BEFORE + ("district",)
DISTRICTS = (
    "jongno", "jung", "yongsan", "seongdong", "gwangjin", "dongdaemun", "jungnang",
    "seongbuk", "gangbuk", "dobong", "nowon", "eunpyeong", "seodaemun", "mapo",
    "yangcheon", "gangseo", "guro", "geumcheon", "yeongdeungpo", "dongjak", "gwanak",
    "seocho", "gangnam", "songpa", "gangdong",
)  # fmt: skip
SEARCHED = ("username", "display_name")


def _role_check(values):
    return "role IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _remake_search_indexes():
    """After a batch rebuild of users on SQLite, 0015's indexes with their collation."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for column in SEARCHED:
        op.execute(f"DROP INDEX IF EXISTS ix_users_{column}_search")
        op.execute(f"CREATE INDEX ix_users_{column}_search ON users ({column} COLLATE NOCASE)")


def _role_becomes(values):
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role"), _role_check(values))
    _remake_search_indexes()


def upgrade():
    _role_becomes(AFTER)
    op.create_table(
        "district_offices",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("may_place_coordinators", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_district_offices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_district_offices")),
    )
    op.create_table(
        "district_covers",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "district",
            sa.Enum(*DISTRICTS, name="district", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["district_offices.user_id"],
            name=op.f("fk_district_covers_user_id_district_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "district", name=op.f("pk_district_covers")),
    )
    with op.batch_alter_table("district_covers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_district_covers_district"), ["district"], unique=False)


def downgrade():
    with op.batch_alter_table("district_covers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_covers_district"))
    op.drop_table("district_covers")
    op.drop_table("district_offices")
    op.execute(
        "UPDATE users SET role = 'coordinator', active = false, "
        "session_version = session_version + 1 WHERE role = 'district'"
    )
    _role_becomes(BEFORE)
