"""The execution plan (실행 계획) of a participation: goals, budget lines and spending.

Amounts are whole won (KRW) in BIGINT columns: no floats anywhere near money.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.extensions import db


class BudgetCategory(LabelledEnum):
    """What a budget line pays for (비목)."""

    INSTRUCTORS = ("instructors", _l("Instructors and experts"))
    ENTERPRISE_SERVICES = ("enterprise_services", _l("Enterprise services"))
    MATERIALS = ("materials", _l("Materials and supplies"))
    EQUIPMENT = ("equipment", _l("Equipment"))
    VENUE = ("venue", _l("Venue hire"))
    PUBLICITY = ("publicity", _l("Publicity and printing"))
    FOOD = ("food", _l("Food and refreshments"))
    VOLUNTEERS = ("volunteers", _l("Volunteer expenses"))
    OTHER = ("other", _l("Other"))


class ExecutionPlan(TimestampMixin, db.Model):
    __tablename__ = "execution_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), unique=True
    )
    goals: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    participation = relationship("Participation")
    budget_lines = relationship("BudgetLine", back_populates="plan", order_by="BudgetLine.id")

    def can_view(self, user):
        return self.participation.can_manage(user)

    def can_manage(self, user):
        return self.participation.can_manage(user)


class BudgetLine(TimestampMixin, db.Model):
    __tablename__ = "budget_lines"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("execution_plans.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[BudgetCategory] = mapped_column(enum_column_type(BudgetCategory, "category"))
    description: Mapped[str] = mapped_column(String(200))
    # 예산액, in won.
    amount: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16), default="app")

    plan = relationship("ExecutionPlan", back_populates="budget_lines")
    spending = relationship(
        "SpendingEntry",
        back_populates="budget_line",
        order_by="(SpendingEntry.spent_on, SpendingEntry.id)",
    )

    def can_view(self, user):
        return self.plan.can_view(user)

    def can_manage(self, user):
        return self.plan.can_manage(user)


class SpendingEntry(TimestampMixin, db.Model):
    """Money spent against a budget line (집행); beyond the line's budget it needs a reason."""

    __tablename__ = "spending_entries"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_line_id: Mapped[int] = mapped_column(
        ForeignKey("budget_lines.id", ondelete="CASCADE"), index=True
    )
    spent_on: Mapped[date]
    amount: Mapped[int] = mapped_column(BigInteger)
    payee: Mapped[str] = mapped_column(String(120))
    receipt_note: Mapped[str] = mapped_column(Text, default="")
    # Filled when this entry took the line beyond its budget.
    over_budget_reason: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="app")

    budget_line = relationship("BudgetLine", back_populates="spending")
