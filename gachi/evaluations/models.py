"""The evaluation of a participation: the coordinator's draft, the frozen KPI figures,
and the staff sign-off with the decision for next year.

A signed evaluation never changes: the operations refuse, and triggers made by
migration 0006 make the database refuse an UPDATE of a signed evaluation and any
change to its figures or organisers.
"""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.complexes.stages import Stage
from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.i18n import in_reader_language
from gachi.extensions import db
from gachi.kpi.models import Direction


class Decision(LabelledEnum):
    CONTINUE = ("continue", _l("Continue next year"))
    GO_PAID = ("go_paid", _l("Continue as a paid service"))
    SPREAD = ("spread", _l("Spread to neighbouring complexes"))
    HAND_OVER = ("hand_over", _l("Hand over to resident organisers"))
    STOP = ("stop", _l("Stop"))


class Evaluation(TimestampMixin, db.Model):
    __tablename__ = "evaluations"
    __table_args__ = (
        CheckConstraint(
            "signed_at IS NULL OR (decision IS NOT NULL AND signed_by_id IS NOT NULL)",
            name="signed_with_decision",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="RESTRICT"), unique=True
    )
    what_happened: Mapped[str] = mapped_column(Text, default="")
    residents_said: Mapped[str] = mapped_column(Text, default="")
    what_to_change: Mapped[str] = mapped_column(Text, default="")
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime | None]
    # When the figures below were frozen.
    snapshot_at: Mapped[datetime]
    decision: Mapped[Decision | None] = mapped_column(enum_column_type(Decision, "decision"))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    signed_at: Mapped[datetime | None]

    participation = relationship("Participation")
    drafted_by = relationship("User", foreign_keys=[drafted_by_id])
    signed_by = relationship("User", foreign_keys=[signed_by_id])
    figures = relationship(
        "EvaluationFigure", order_by="EvaluationFigure.position", back_populates="evaluation"
    )
    organisers = relationship(
        "User", secondary="evaluation_organisers", viewonly=True, order_by="User.display_name"
    )

    @property
    def is_signed(self):
        return self.signed_at is not None

    @staticmethod
    def is_drafted_in(participation):
        """A complex's evaluation is written (and rewritten) in its evaluation stage only."""
        return participation.stage is Stage.EVALUATION

    def can_view(self, user):
        return self.participation.can_manage(user)

    def can_edit(self, user):
        """The draft is the coordinator's (and staff's) until it is signed."""
        return not self.is_signed and self.participation.can_manage(user)

    def can_sign(self, user):
        return not self.is_signed and user.is_authenticated and user.is_staff


class EvaluationFigure(db.Model):
    """One KPI's figures as they stood when the snapshot was taken, names and all."""

    __tablename__ = "evaluation_figures"

    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    name_ko: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    unit_ko: Mapped[str] = mapped_column(String(10))
    unit_en: Mapped[str] = mapped_column(String(20))
    direction: Mapped[Direction] = mapped_column(enum_column_type(Direction, "direction"))
    target: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    actual: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))

    evaluation = relationship("Evaluation", back_populates="figures")

    @property
    def name(self):
        return in_reader_language(self.name_ko, self.name_en)

    @property
    def unit(self):
        return in_reader_language(self.unit_ko, self.unit_en)


class EvaluationOrganiser(db.Model):
    """A resident named to run the programme themselves after a hand-over decision."""

    __tablename__ = "evaluation_organisers"

    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
