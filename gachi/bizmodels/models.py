"""Business models (사업모델): a programme that worked, published for other complexes
to adopt, with its evaluation figures, schedule shape, budget lines and the kinds of
enterprise that delivered it."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import enum_column_type
from gachi.core.time import utcnow
from gachi.enterprises.models import LegalForm
from gachi.extensions import db
from gachi.plans.models import BudgetCategory


class BusinessModel(TimestampMixin, db.Model):
    __tablename__ = "business_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(200), default="")
    # "weekdays 14:00–18:00 for four weeks": the schedule's shape, not its dates.
    schedule_shape: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    # Where it worked, and the signed evaluation whose frozen figures it shows.
    origin_participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="RESTRICT"), index=True
    )
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="RESTRICT"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="app")

    category = relationship("Category")
    origin = relationship("Participation")
    evaluation = relationship("Evaluation")
    budget_lines = relationship(
        "ModelBudgetLine", order_by="ModelBudgetLine.id", cascade="all, delete-orphan"
    )
    enterprise_kinds = relationship(
        "ModelEnterpriseKind",
        order_by="ModelEnterpriseKind.legal_form",
        cascade="all, delete-orphan",
    )

    @property
    def is_published(self):
        return self.withdrawn_at is None

    @property
    def budget_total(self):
        return sum(line.amount for line in self.budget_lines)

    @staticmethod
    def can_browse(user):
        """The catalogue is for the people who run programmes: staff, coordinators and
        the district support organisations."""
        return user.is_authenticated and (user.is_staff or user.is_coordinator or user.is_district)

    def can_view(self, user):
        return self.can_browse(user)

    def can_manage(self, user):
        return user.is_authenticated and user.is_staff

    @staticmethod
    def can_adopt(participation, user):
        return participation.can_manage(user)


class ModelBudgetLine(db.Model):
    """A budget line of the programme the model comes from (예산액, whole won)."""

    __tablename__ = "business_model_budget_lines"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(
        ForeignKey("business_models.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[BudgetCategory] = mapped_column(enum_column_type(BudgetCategory, "category"))
    description: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)


class ModelEnterpriseKind(db.Model):
    """A kind of enterprise (legal form) that delivered the programme."""

    __tablename__ = "business_model_enterprise_kinds"

    model_id: Mapped[int] = mapped_column(
        ForeignKey("business_models.id", ondelete="CASCADE"), primary_key=True
    )
    legal_form: Mapped[LegalForm] = mapped_column(
        enum_column_type(LegalForm, "legal_form"), primary_key=True
    )


class Adoption(db.Model):
    """A complex taking up a model in one of its participations (once per model)."""

    __tablename__ = "business_model_adoptions"
    __table_args__ = (UniqueConstraint("model_id", "participation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("business_models.id", ondelete="CASCADE"))
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    adopted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The programme draft the adoption made (None when the complex could not plan one yet).
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))

    model = relationship("BusinessModel")
    participation = relationship("Participation")
    program = relationship("Program")
