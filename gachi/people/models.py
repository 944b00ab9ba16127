"""A person of a household, with or without an account.

Someone who books by phone, walks in at a session or a workshop, or hands in feedback on
paper is a person of their household (동/호): a name, a phone number if they gave one,
whether they agreed to be sent notices at that number (the date and the wording's
version), and, once they join with the household's code, their account. The KPIs count a
person once, as their account when they have one (gachi/kpi/measures.py).
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.extensions import db

# The wording asked on the phone-booking and walk-in forms; a new wording gets a new version.
CONSENT_VERSION = "sms-2026-12"
CONSENT_WORDING = _l("I agree to receive booking notices by text message at this number.")

# What stays of a person erased at their request (their bookings still count).
ERASED_NAME = "삭제된 주민"

PHONE_GIVEN_SQL = text("phone IS NOT NULL")


class Person(TimestampMixin, db.Model):
    """A person of a household; found again by household and phone (or name, without one)."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="named"),
        Index(
            "uq_people_household_phone",
            "household_id",
            "phone",
            unique=True,
            sqlite_where=PHONE_GIVEN_SQL,
            postgresql_where=PHONE_GIVEN_SQL,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complex_id: Mapped[int] = mapped_column(
        ForeignKey("complexes.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # Digits only, e.g. "01012345678" (gachi.people.phones.normalise_phone).
    phone: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(20))
    # The account they joined with later, if any.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    erased_at: Mapped[datetime | None]

    household = relationship("Household")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def has_consented(self):
        return self.consent_at is not None

    @property
    def is_erased(self):
        return self.erased_at is not None

    def can_view(self, user):
        return self.household.complex.can_manage(user)

    def can_erase(self, user):
        """Staff of the center erase a person without an account at their request."""
        return (
            user.is_authenticated and user.is_staff and self.user_id is None and not self.is_erased
        )
