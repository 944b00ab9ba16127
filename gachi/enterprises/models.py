"""Social-economy enterprises: who they are, what they work on and where."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.complexes.districts import District
from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.extensions import db


class LegalForm(LabelledEnum):
    SOCIAL_ENTERPRISE = ("social_enterprise", _l("Social enterprise"))
    PRE_SOCIAL_ENTERPRISE = ("pre_social_enterprise", _l("Pre-certified social enterprise"))
    COOPERATIVE = ("cooperative", _l("Cooperative"))
    SOCIAL_COOPERATIVE = ("social_cooperative", _l("Social cooperative"))
    VILLAGE_ENTERPRISE = ("village_enterprise", _l("Village enterprise"))
    SELF_SUFFICIENCY = ("self_sufficiency", _l("Self-sufficiency enterprise"))
    SOCIAL_VENTURE = ("social_venture", _l("Social venture"))


# The names the law and the center use; a CSV file may give either these or the values.
LEGAL_FORM_KOREAN_NAMES = {
    LegalForm.SOCIAL_ENTERPRISE: "사회적기업",
    LegalForm.PRE_SOCIAL_ENTERPRISE: "예비사회적기업",
    LegalForm.COOPERATIVE: "협동조합",
    LegalForm.SOCIAL_COOPERATIVE: "사회적협동조합",
    LegalForm.VILLAGE_ENTERPRISE: "마을기업",
    LegalForm.SELF_SUFFICIENCY: "자활기업",
    LegalForm.SOCIAL_VENTURE: "소셜벤처",
}


class EnterpriseCategory(db.Model):
    """A problem category an enterprise works on."""

    __tablename__ = "enterprise_categories"

    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class EnterpriseDistrict(db.Model):
    """A district an enterprise serves (an enterprise serving all Seoul has none)."""

    __tablename__ = "enterprise_districts"

    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True
    )
    district: Mapped[District] = mapped_column(
        enum_column_type(District, "district"), primary_key=True, index=True
    )


class Enterprise(TimestampMixin, db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    legal_form: Mapped[LegalForm] = mapped_column(enum_column_type(LegalForm, "legal_form"))
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    verified: Mapped[bool] = mapped_column(default=False)
    # Serves every district of Seoul; then its district rows are not needed.
    seoul_wide: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime | None]
    # "report" for the 2018 report's enterprises, "demo" for invented ones, "import" for CSV.
    source: Mapped[str] = mapped_column(String(16), default="app")

    categories = relationship(
        "Category", secondary="enterprise_categories", order_by="Category.position", viewonly=True
    )
    category_links = relationship("EnterpriseCategory", cascade="all, delete-orphan")
    district_links = relationship(
        "EnterpriseDistrict", cascade="all, delete-orphan", order_by="EnterpriseDistrict.district"
    )

    @property
    def districts(self):
        return [link.district for link in self.district_links]

    def serves(self, district):
        return self.seoul_wide or district in self.districts

    def can_view(self, user):
        return user.is_authenticated

    def can_manage(self, user):
        return user.is_authenticated and user.is_staff

    def __repr__(self):
        return f"<Enterprise {self.name}>"


class ImportStatus(LabelledEnum):
    QUEUED = ("queued", _l("Waiting to start"))
    RUNNING = ("running", _l("Importing"))
    DONE = ("done", _l("Finished"))
    FAILED = ("failed", _l("Stopped by an error"))


# The scheduler looks for uploaded files every 15 seconds; a file still waiting after a
# minute means it is not running (`make run` does not start it).
UNCLAIMED_FOR_LONG = timedelta(minutes=1)


class ImportJob(db.Model):
    """A file being imported outside the request that uploaded it, with its progress.

    The upload checks the file and stores it here; the scheduler's `enterprises.imports`
    job claims the row with a conditional UPDATE and works through its lines in batches,
    committing the counts and each line's outcome after every batch, so the job's page
    shows progress while it runs and what was added or skipped, and why, at the end.
    """

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What is imported: "enterprises" today; households could follow.
    kind: Mapped[str] = mapped_column(String(32))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # How the file was read: "UTF-8" or "CP949".
    encoding: Mapped[str] = mapped_column(String(16), default="UTF-8")
    # The language of the page it was uploaded from: the reasons are written in it.
    locale: Mapped[str] = mapped_column(String(8), default="ko")
    status: Mapped[ImportStatus] = mapped_column(
        enum_column_type(ImportStatus, "import_status"), default=ImportStatus.QUEUED
    )
    lines_total: Mapped[int] = mapped_column(default=0)
    lines_done: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    # One entry per line done: {"line", "text", "added", "reason", "enterprise_id"}.
    outcomes: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    # Who works on it now (a random token per run) and when it last reported progress.
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    heartbeat_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    started_by = relationship("User")

    @property
    def finished(self):
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def is_waiting(self):
        return self.status is ImportStatus.QUEUED

    @property
    def is_running(self):
        return self.status is ImportStatus.RUNNING

    @property
    def has_failed(self):
        return self.status is ImportStatus.FAILED

    def unclaimed_for_long(self, now):
        """Still waiting a minute after the upload: no scheduler is running, it seems."""
        return self.status is ImportStatus.QUEUED and now - self.created_at > UNCLAIMED_FOR_LONG

    @property
    def skipped_lines(self):
        return [outcome for outcome in self.outcomes if not outcome["added"]]

    @property
    def added_lines(self):
        return [outcome for outcome in self.outcomes if outcome["added"]]

    def can_view(self, user):
        """Those who may import enterprises see how an import goes."""
        return user.is_authenticated and user.is_staff

    def __repr__(self):
        return f"<ImportJob {self.id} {self.kind} {self.status}>"
