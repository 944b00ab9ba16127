"""KPI definitions, their targets per cohort (and complex), and figures entered by hand."""

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Float,
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
from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.i18n import in_reader_language
from gachi.core.time import utcnow
from gachi.extensions import db


class Direction(LabelledEnum):
    HIGHER = ("higher", _l("Higher is better"))
    LOWER = ("lower", _l("Lower is better"))


class Method(LabelledEnum):
    COMPUTED = ("computed", _l("Computed from the app's data"))
    MANUAL = ("manual", _l("Entered by hand"))


class BilingualKpiText:
    """Name, unit and definition in the reader's language, from the *_ko / *_en values."""

    @property
    def name(self):
        return in_reader_language(self.name_ko, self.name_en)

    @property
    def unit(self):
        return in_reader_language(self.unit_ko, self.unit_en)

    @property
    def definition(self):
        return in_reader_language(self.definition_ko, self.definition_en)


class Kpi(BilingualKpiText, TimestampMixin, db.Model):
    """A key performance indicator. Its names, unit and definition are data in both
    languages (the board shows the Korean name from here, not from the catalogue)."""

    __tablename__ = "kpis"
    __table_args__ = (
        CheckConstraint(
            "(method = 'computed' AND measure IS NOT NULL) OR "
            "(method = 'manual' AND measure IS NULL)",
            name="measure_for_computed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ko: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    unit_ko: Mapped[str] = mapped_column(String(10))
    unit_en: Mapped[str] = mapped_column(String(20))
    definition_ko: Mapped[str] = mapped_column(Text, default="")
    definition_en: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[Method] = mapped_column(enum_column_type(Method, "method"))
    # The key of the function in gachi/kpi/measures.py that computes it (computed KPIs).
    measure: Mapped[str | None] = mapped_column(String(40))
    direction: Mapped[Direction] = mapped_column(
        enum_column_type(Direction, "direction"), default=Direction.HIGHER
    )
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_manual(self):
        return self.method is Method.MANUAL

    def can_view(self, user):
        return user.is_authenticated and (user.is_staff or user.is_coordinator or user.is_district)

    def can_manage(self, user):
        return user.is_authenticated and user.is_staff

    def __repr__(self):
        return f"<Kpi {self.code}>"


def _one_per_scope(table):
    """One row per KPI and cohort for the whole cohort (complex_id NULL), and one per
    KPI, cohort and complex: NULLs never clash in a unique constraint, hence the index."""
    where = text("complex_id IS NULL")
    return (
        UniqueConstraint("kpi_id", "cohort_id", "complex_id"),
        Index(
            f"uq_{table}_cohort_wide",
            "kpi_id",
            "cohort_id",
            unique=True,
            sqlite_where=where,
            postgresql_where=where,
        ),
    )


class KpiTarget(db.Model):
    """What a cohort (or one complex in it) aims for on a KPI (목표)."""

    __tablename__ = "kpi_targets"
    __table_args__ = (
        *_one_per_scope("kpi_targets"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("complexes.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    kpi = relationship("Kpi")


class KpiEntry(db.Model):
    """An actual entered by hand (실적) for a manual KPI, for a cohort or one complex."""

    __tablename__ = "kpi_entries"
    __table_args__ = (*_one_per_scope("kpi_entries"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("complexes.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    kpi = relationship("Kpi")


# Figures computed ahead (gachi/kpi/refresh.py) ------------------------------------------


class KpiRefresh(db.Model):
    """When a cohort's figures were last computed, and the claim that lets one refresh
    at a time work on them (a conditional UPDATE of claimed_at)."""

    __tablename__ = "kpi_refreshes"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    # The moment the figures were read from the data ("figures as of").
    computed_at: Mapped[datetime | None]
    # The same for the last refresh that recomputed every complex (the others recompute
    # only the complexes whose data changed, see gachi/kpi/refresh.py).
    full_at: Mapped[datetime | None]
    # The last kpi_changes row read (the next refresh reads those after it).
    change_id: Mapped[int] = mapped_column(default=0)
    # A refresh has been at work since then; None when nobody has the claim.
    claimed_at: Mapped[datetime | None]
    # A figure entered by hand changed since computed_at (cleared by the next refresh).
    changed_at: Mapped[datetime | None]
    # How long the last refresh took, and how many complexes it recomputed.
    seconds: Mapped[float | None] = mapped_column(Float)
    recomputed: Mapped[int | None]
    # The board's activity chart, [[week, acts], ...] as JSON.
    activity: Mapped[str] = mapped_column(Text, default="[]")


# KpiRollup.scope
COHORT, DISTRICT, CATEGORY, COMPLEX = "cohort", "district", "category", "complex"


class KpiRollup(db.Model):
    """One line of a roll-up as computed: the whole cohort, a district, a problem
    category (a complex counts under its first chosen problem's) or one complex."""

    __tablename__ = "kpi_rollups"
    __table_args__ = (
        UniqueConstraint("cohort_id", "scope", "key"),
        CheckConstraint("scope IN ('cohort', 'district', 'category', 'complex')", name="scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(10))
    # "" for the cohort, the district's value, the category id ("" for none), the participation id.
    key: Mapped[str] = mapped_column(String(40))
    participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    district: Mapped[District | None] = mapped_column(enum_column_type(District, "district"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    complex_count: Mapped[int] = mapped_column(default=0)
    # A complex's line: its weekly activity, {week: acts} as JSON, for the board's chart.
    activity: Mapped[str | None] = mapped_column(Text)


class KpiChange(db.Model):
    """A row that a KPI counts was written: database triggers (migration 0008) note the
    kind and id of its parent (a session, a ballot, a problem, ...), so a refresh
    recomputes only the complexes concerned. The refresh deletes what it has read."""

    __tablename__ = "kpi_changes"
    # Ids never come back after the refresh deletes the rows read (SQLite would reuse them).
    __table_args__: ClassVar[dict] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[int | None]


class KpiFigure(db.Model):
    """A KPI's numerator and denominator on one roll-up line: shares and rates of a
    roll-up are sums of numerators over sums of denominators, never averages."""

    __tablename__ = "kpi_figures"

    rollup_id: Mapped[int] = mapped_column(
        ForeignKey("kpi_rollups.id", ondelete="CASCADE"), primary_key=True
    )
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpis.id", ondelete="CASCADE"), primary_key=True)
    numerator: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    denominator: Mapped[Decimal] = mapped_column(Numeric(20, 2), default=0)


def exact_number(value):
    """A stored or summed number as an exact Decimal: whole numbers as such, others to
    the cent (SQLite hands NUMERIC back as floats). Equal numbers give the same Decimal,
    so the conversions are remembered: an export of the city converts few distinct ones."""
    if value is None:
        return None
    return _exact_number(value)


@lru_cache(maxsize=4096, typed=True)
def _exact_number(value):
    if not isinstance(value, Decimal):
        value = Decimal(value) if isinstance(value, int) else Decimal(str(value))
    return (
        Decimal(int(value))
        if value == value.to_integral_value()
        else value.quantize(Decimal("0.01"))
    )
