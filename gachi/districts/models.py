"""District support organisations (자치구 사회적경제 지원조직): the districts an account covers.

A district account (Role.DISTRICT) supports every complex of its districts: the complex
rules (Complex.can_manage) grant it each complex whose district it covers, and it may
place coordinators there when the center allows it (`may_place_coordinators`).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.complexes.districts import District
from gachi.core.enums import enum_column_type
from gachi.core.time import utcnow
from gachi.extensions import db


class DistrictOffice(db.Model):
    """A district account's record: one row per account of Role.DISTRICT."""

    __tablename__ = "district_offices"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Set by the center: the organisation may place coordinators in its districts.
    may_place_coordinators: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
    covers = relationship(
        "DistrictCover", cascade="all, delete-orphan", order_by="DistrictCover.district"
    )

    @property
    def districts(self) -> frozenset[District]:
        return frozenset(cover.district for cover in self.covers)

    def can_view(self, user):
        """The center's staff see every district account; an account sees its own."""
        return user.is_authenticated and (user.is_staff or user.id == self.user_id)

    def can_manage(self, user):
        """Making district accounts and changing their districts and rights is account
        management: the staff admins who manage accounts."""
        return user.is_authenticated and user.is_staff and user.is_admin


class DistrictCover(db.Model):
    """A district (구) a district account covers."""

    __tablename__ = "district_covers"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("district_offices.user_id", ondelete="CASCADE"), primary_key=True
    )
    district: Mapped[District] = mapped_column(
        enum_column_type(District, "district"), primary_key=True, index=True
    )


@dataclass(frozen=True)
class OfficeScope:
    """What a district account's rules read, as plain values for the request."""

    districts: frozenset[District]
    may_place_coordinators: bool


def office_scope(user_id: int) -> OfficeScope | None:
    """The scope of district account `user_id` (None without its record): one query."""
    rows = db.session.execute(
        select(DistrictOffice.may_place_coordinators, DistrictCover.district)
        .outerjoin(DistrictCover, DistrictCover.user_id == DistrictOffice.user_id)
        .where(DistrictOffice.user_id == user_id)
    ).all()
    if not rows:
        return None
    return OfficeScope(
        frozenset(district for _may, district in rows if district is not None),
        bool(rows[0][0]),
    )
