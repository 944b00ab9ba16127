"""Calendar links: private, revocable addresses of iCalendar feeds."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import utcnow
from gachi.extensions import db


class CalendarKind(LabelledEnum):
    PERSONAL = ("personal", _l("My bookings and shifts"))
    COMPLEX = ("complex", _l("All public sessions of the complex"))


class CalendarToken(db.Model):
    """A private, revocable link to an iCalendar feed: a person's own, or their complex's."""

    __tablename__ = "calendar_tokens"
    __table_args__ = (
        CheckConstraint("kind != 'complex' OR complex_id IS NOT NULL", name="complex_feed_complex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CalendarKind] = mapped_column(enum_column_type(CalendarKind, "kind"))
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("complexes.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user = relationship("User")
    complex = relationship("Complex")

    @property
    def is_live(self):
        return self.revoked_at is None

    def can_view(self, user):
        return user.is_authenticated and user.id == self.user_id

    def can_revoke(self, user):
        return self.can_view(user)
