"""Business models (사업모델): a programme that worked, published for other complexes
to adopt, with its evaluation figures, schedule shape, budget lines and the kinds of
enterprise that delivered it."""

from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import utcnow
from gachi.enterprises.models import LegalForm
from gachi.extensions import db
from gachi.plans.models import BudgetCategory


class Basis(LabelledEnum):
    """How a recipe's budget line scales to the complex that adopts it."""

    FIXED = ("fixed", _l("Fixed amount"))
    PER_PARTICIPANT = ("per_participant", _l("Per participant"))
    PER_HOUSEHOLD = ("per_household", _l("Per household"))


class BusinessModel(TimestampMixin, db.Model):
    __tablename__ = "business_models"
    __table_args__ = (
        CheckConstraint("weeks IS NULL OR (weeks >= 1 AND weeks <= 52)", name="weeks_in_range"),
        CheckConstraint(
            "end_time IS NULL OR start_time IS NULL OR end_time > start_time",
            name="times_in_order",
        ),
        CheckConstraint("participants IS NULL OR participants >= 0", name="participants_positive"),
    )

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
    # The recipe: the schedule as structure (weeks from the first day the adopter picks,
    # weekdays as digits "01234" with 0 = Monday, a Seoul time window), and the number of
    # participants a run is planned for (what per-participant budget lines multiply).
    weeks: Mapped[int | None]
    weekdays: Mapped[str] = mapped_column(String(7), default="")
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    participants: Mapped[int | None]
    # The evidence: the source complex's KPI figures when the model was published, stored
    # as they were (never recomputed), and the complex's household count then.
    evidence_at: Mapped[datetime | None]
    evidence_households: Mapped[int | None]
    evidence_participants: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    evidence_sessions: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    evidence_attendance_rate: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    evidence_satisfaction: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))

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

    events = relationship(
        "ModelEvent",
        order_by="(ModelEvent.day_offset, ModelEvent.id)",
        cascade="all, delete-orphan",
    )
    targets = relationship("ModelTarget", cascade="all, delete-orphan")
    enterprise_categories = relationship("ModelEnterpriseCategory", cascade="all, delete-orphan")

    @property
    def weekday_numbers(self) -> list[int]:
        return sorted(int(digit) for digit in self.weekdays)

    @property
    def has_schedule(self):
        return bool(self.weeks and self.weekdays and self.start_time and self.end_time)

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
    # Fixed: the amount itself; per participant or household: won for each one.
    amount: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[Basis] = mapped_column(enum_column_type(Basis, "basis"), default=Basis.FIXED)


class ModelEvent(db.Model):
    """A one-off event of the recipe, `day_offset` days after the programme's first day."""

    __tablename__ = "business_model_events"
    __table_args__ = (
        CheckConstraint("day_offset >= 0 AND day_offset <= 365", name="offset_in_range"),
        CheckConstraint("end_time > start_time", name="times_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(
        ForeignKey("business_models.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    day_offset: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]


class ModelTarget(db.Model):
    """A KPI target the recipe sets for the complex that adopts it."""

    __tablename__ = "business_model_targets"
    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)

    model_id: Mapped[int] = mapped_column(
        ForeignKey("business_models.id", ondelete="CASCADE"), primary_key=True
    )
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[Decimal] = mapped_column(Numeric(16, 2))

    kpi = relationship("Kpi")


class ModelEnterpriseCategory(db.Model):
    """A problem category the delivering enterprises work in (the enterprise directory's
    categories), beside the model's own."""

    __tablename__ = "business_model_enterprise_categories"

    model_id: Mapped[int] = mapped_column(
        ForeignKey("business_models.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )

    category = relationship("Category")


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
    # The programme the adoption became when confirmed (None while it is a draft).
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    # The draft: the recipe copied for this complex, editable until it is confirmed.
    title: Mapped[str] = mapped_column(String(120), default="")
    starts_on: Mapped[date | None]
    weeks: Mapped[int | None]
    weekdays: Mapped[str] = mapped_column(String(7), default="")
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    expected_participants: Mapped[int | None]
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    model = relationship("BusinessModel")
    participation = relationship("Participation")
    program = relationship("Program")
    lines = relationship("AdoptionLine", order_by="AdoptionLine.id", cascade="all, delete-orphan")
    targets = relationship(
        "AdoptionTarget", order_by="AdoptionTarget.kpi_id", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self):
        return self.confirmed_at is None

    @property
    def weekday_numbers(self) -> list[int]:
        return sorted(int(digit) for digit in self.weekdays)

    @property
    def budget_total(self):
        return sum(line.amount for line in self.lines)

    def can_view(self, user):
        return self.participation.can_manage(user)

    def can_manage(self, user):
        return self.participation.can_manage(user)


class AdoptionLine(db.Model):
    """A budget line of an adoption's draft, scaled to the complex (whole won)."""

    __tablename__ = "business_model_adoption_lines"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adoption_id: Mapped[int] = mapped_column(
        ForeignKey("business_model_adoptions.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[BudgetCategory] = mapped_column(enum_column_type(BudgetCategory, "category"))
    description: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)


class AdoptionTarget(db.Model):
    """A KPI target of an adoption's draft, set for the complex when it is confirmed."""

    __tablename__ = "business_model_adoption_targets"
    __table_args__ = (CheckConstraint("value >= 0", name="value_not_negative"),)

    adoption_id: Mapped[int] = mapped_column(
        ForeignKey("business_model_adoptions.id", ondelete="CASCADE"), primary_key=True
    )
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[Decimal] = mapped_column(Numeric(16, 2))

    kpi = relationship("Kpi")
