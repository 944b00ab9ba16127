"""Notifications in the app: a line of text for one person, with a link to act on."""
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gachi.core.time import utcnow
from gachi.extensions import db


def N_(message):
    """Mark a message for the catalogue; it is translated when shown, in the reader's language."""
    return message


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
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
