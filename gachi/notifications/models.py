"""Notifications in the app: a line of text for one person, with a link to act on;
and each person's choice of which kinds they get in the app and by e-mail."""

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import utcnow
from gachi.extensions import db


def N_(message):
    """Mark a message for the catalogue; it is translated when shown, in the reader's language."""
    return message


class NotificationKind(LabelledEnum):
    """What a notification is about: each person chooses per kind how they hear of it."""

    BOOKINGS = ("bookings", _l("My bookings and the waiting list"))
    REMINDERS = ("reminders", _l("Reminders the day before a session"))
    SHIFTS = ("shifts", _l("Volunteer shifts"))
    NOTICES = ("notices", _l("Notices from my complex's board"))
    GENERAL = ("general", _l("Everything else (matches, plans, handovers)"))


# Where nobody has chosen: everything in the app, nothing by e-mail.
DEFAULT_IN_APP = True
DEFAULT_BY_EMAIL = False


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column_type(NotificationKind, "kind"),
        default=NotificationKind.GENERAL,
        server_default=NotificationKind.GENERAL.value,
    )
    # The English message id and its %(name)s values: each reader sees their own language.
    message: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    @property
    def text(self):
        return gettext(self.message, **(self.params or {}))

    def can_view(self, user):
        return user.is_authenticated and user.id == self.user_id


class NotificationPreference(db.Model):
    """One person's choice for one kind; a missing row means the defaults above."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column_type(NotificationKind, "kind"), primary_key=True
    )
    in_app: Mapped[bool] = mapped_column(default=DEFAULT_IN_APP)
    by_email: Mapped[bool] = mapped_column(default=DEFAULT_BY_EMAIL)
