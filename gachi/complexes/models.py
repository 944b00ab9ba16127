"""Cohorts, complexes, their households and invitation codes, and participations."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.complexes.districts import District
from gachi.complexes.stages import Stage, next_stage
from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import utcnow
from gachi.extensions import db


class Tenure(LabelledEnum):
    RENTAL = ("rental", _l("Rental"))
    OWNER = ("owner", _l("Owner-occupied"))
    MIXED = ("mixed", _l("Mixed"))


class Cohort(TimestampMixin, db.Model):
    """A programme year (사업연도) that takes in complexes."""

    __tablename__ = "cohorts"
    __table_args__ = (
        CheckConstraint(
            "ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    year: Mapped[int]
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    description: Mapped[str] = mapped_column(Text, default="")

    participations = relationship("Participation", back_populates="cohort")

    def can_view(self, user):
        return user.is_authenticated and user.is_staff

    def can_manage(self, user):
        return user.is_authenticated and user.is_staff

    def can_view_board(self, user):
        """The center's board: staff; a district account sees it rolled up for its own
        districts (gachi/kpi/views.py district_board)."""
        return user.is_authenticated and (user.is_staff or user.is_district)


class Complex(TimestampMixin, db.Model):
    """An apartment complex (단지)."""

    __tablename__ = "complexes"
    __table_args__ = (
        CheckConstraint(
            "household_count IS NULL OR household_count >= 0", name="households_positive"
        ),
        CheckConstraint("resident_count IS NULL OR resident_count >= 0", name="residents_positive"),
        CheckConstraint(
            "elderly_share IS NULL OR (elderly_share >= 0 AND elderly_share <= 100)",
            name="elderly_share_percent",
        ),
        Index("ix_complexes_district", "district"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    district: Mapped[District] = mapped_column(enum_column_type(District, "district"))
    address: Mapped[str] = mapped_column(String(200), default="")
    household_count: Mapped[int | None]
    resident_count: Mapped[int | None]
    # Percent of residents aged 65 or over.
    elderly_share: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    tenure: Mapped[Tenure] = mapped_column(enum_column_type(Tenure, "tenure"))
    built_year: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    # "report" for figures from the 2018 report, "demo" for invented ones.
    source: Mapped[str] = mapped_column(String(16), default="app")

    households = relationship(
        "Household", back_populates="complex", order_by="(Household.building, Household.unit)"
    )
    participations = relationship("Participation", back_populates="complex")

    def can_view(self, user):
        """Staff, a coordinator placed here today, a district account covering its
        district, and the complex's residents."""
        if not user.is_authenticated:
            return False
        return self.can_manage(user) or (user.is_resident and user.complex_id == self.id)

    def can_manage(self, user):
        """Staff, a coordinator placed here today, and a district support organisation
        covering the complex's district (DESIGN: everything the center may do, for the
        complexes of its districts; the center's own decisions stay the center's)."""
        if not user.is_authenticated:
            return False
        return (
            user.is_staff
            or self.id in user.managed_complex_ids
            or self.district in user.covered_districts
        )

    def can_place_coordinators(self, user):
        """Staff, and a district account covering the complex when the center allows it."""
        if not user.is_authenticated:
            return False
        if user.is_staff:
            return True
        office = user.district_office
        return (
            office is not None
            and office.may_place_coordinators
            and self.district in office.districts
        )

    def can_edit(self, user):
        """The complex's own record (name, figures) belongs to the center."""
        return user.is_authenticated and user.is_staff

    def __repr__(self):
        return f"<Complex {self.name}>"


class Household(TimestampMixin, db.Model):
    """One dwelling (동/호) of a complex."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("complex_id", "building", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complex_id: Mapped[int] = mapped_column(ForeignKey("complexes.id", ondelete="CASCADE"))
    building: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(20))

    complex = relationship("Complex", back_populates="households")
    members = relationship("User", back_populates="household")
    invitation_codes = relationship(
        "InvitationCode", back_populates="household", order_by="InvitationCode.id"
    )

    @property
    def label(self):
        return f"{self.building}동 {self.unit}호"

    def can_view(self, user):
        return self.complex.can_manage(user)

    def can_manage(self, user):
        return self.complex.can_manage(user)


class InvitationCode(db.Model):
    """The code a household's residents join with; one live code per household."""

    __tablename__ = "invitation_codes"
    __table_args__ = (
        Index(
            "uq_invitation_codes_live_household",
            "household_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    use_count: Mapped[int] = mapped_column(default=0)

    household = relationship("Household", back_populates="invitation_codes")

    @property
    def is_live(self):
        return self.revoked_at is None

    def can_view(self, user):
        return self.household.can_manage(user)

    def can_manage(self, user):
        return self.household.can_manage(user)


# Problems are raised before and during the first workshop.
PROPOSING_STAGES = frozenset({Stage.RECRUITING, Stage.PROBLEM_WORKSHOP})


class Participation(TimestampMixin, db.Model):
    """A complex's place in a cohort, moving through the stages."""

    __tablename__ = "participations"
    __table_args__ = (UniqueConstraint("cohort_id", "complex_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True
    )
    complex_id: Mapped[int] = mapped_column(
        ForeignKey("complexes.id", ondelete="RESTRICT"), index=True
    )
    stage: Mapped[Stage] = mapped_column(enum_column_type(Stage, "stage"), default=Stage.RECRUITING)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort = relationship("Cohort", back_populates="participations")
    complex = relationship("Complex", back_populates="participations")
    stage_moves = relationship("StageMove", back_populates="participation", order_by="StageMove.id")

    def can_view(self, user):
        return self.complex.can_view(user)

    def can_manage(self, user):
        return self.complex.can_manage(user)

    def can_move_stage(self, user):
        return self.complex.can_manage(user)

    def can_override_gates(self, user):
        """Moving a complex on with something its next stage needs missing is the
        center's decision, made with a written reason."""
        return user.is_authenticated and user.is_staff

    def can_close_early(self, user):
        """Withdrawing a complex before its evaluation is the center's decision."""
        return user.is_authenticated and user.is_staff and self.closing_is_early

    # State predicates: the operations and the pages ask these, never the stage's value.

    @property
    def next_stage(self) -> Stage | None:
        """The stage a move forward goes to (None once closed)."""
        return next_stage(self.stage)

    @property
    def closing_is_early(self) -> bool:
        """Closing now would be a withdrawal: the evaluation has not been reached."""
        return self.stage not in (Stage.EVALUATION, Stage.CLOSED)

    @property
    def accepts_problems(self) -> bool:
        """Residents (and the coordinator, for them) may propose problems."""
        return self.stage in PROPOSING_STAGES

    @property
    def holds_ballots(self) -> bool:
        """Ballots on the shortlist are opened during the problem workshop."""
        return self.stage is Stage.PROBLEM_WORKSHOP


class StageMove(db.Model):
    """The record of one stage change: who, when, from what to what, and why."""

    __tablename__ = "stage_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[Stage] = mapped_column(enum_column_type(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column_type(Stage, "to_stage"))
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    participation = relationship("Participation", back_populates="stage_moves")
    moved_by = relationship("User")


# The lead times a complex has not set: a day before.
DEFAULT_LEAD_HOURS = 24
# No reminder is sent more than a week ahead; bounds the jobs' queries.
LONGEST_LEAD_HOURS = 168


class ReminderLeadTimes(db.Model):
    """How many hours ahead a complex's residents are reminded: before a ballot closes,
    before a workshop, before a volunteer shift. A complex without a row uses
    DEFAULT_LEAD_HOURS for each (`lead_hours`)."""

    __tablename__ = "reminder_lead_times"
    __table_args__ = (
        CheckConstraint(
            f"ballot_hours BETWEEN 1 AND {LONGEST_LEAD_HOURS}", name="ballot_hours_range"
        ),
        CheckConstraint(
            f"workshop_hours BETWEEN 1 AND {LONGEST_LEAD_HOURS}", name="workshop_hours_range"
        ),
        CheckConstraint(
            f"shift_hours BETWEEN 1 AND {LONGEST_LEAD_HOURS}", name="shift_hours_range"
        ),
    )

    complex_id: Mapped[int] = mapped_column(
        ForeignKey("complexes.id", ondelete="CASCADE"), primary_key=True
    )
    ballot_hours: Mapped[int] = mapped_column(default=DEFAULT_LEAD_HOURS)
    workshop_hours: Mapped[int] = mapped_column(default=DEFAULT_LEAD_HOURS)
    shift_hours: Mapped[int] = mapped_column(default=DEFAULT_LEAD_HOURS)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


LEAD_TIME_FIELDS = ("ballot_hours", "workshop_hours", "shift_hours")


def lead_hours(complex_ids):
    """{complex id: {field: hours}} for each of `complex_ids`, defaults filled in."""
    hours = {
        complex_id: dict.fromkeys(LEAD_TIME_FIELDS, DEFAULT_LEAD_HOURS)
        for complex_id in complex_ids
    }
    if hours:
        rows = db.session.scalars(
            db.select(ReminderLeadTimes).where(ReminderLeadTimes.complex_id.in_(hours))
        )
        for row in rows:
            hours[row.complex_id] = {name: getattr(row, name) for name in LEAD_TIME_FIELDS}
    return hours
