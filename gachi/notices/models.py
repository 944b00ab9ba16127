"""The notice board of a complex (공지사항): what its coordinator tells every household."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum
from gachi.core.time import utcnow
from gachi.extensions import db


class NoticeChannel(LabelledEnum):
    """Where a notice is sent besides the board: in the app, or through the outbox."""

    IN_APP = ("in_app", _l("In the app"))
    EMAIL = ("email", _l("E-mail"))
    TEXT = ("text", _l("Text message"))
    KAKAO = ("kakao", _l("KakaoTalk"))


class Notice(TimestampMixin, db.Model):
    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_complex_created", "complex_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complex_id: Mapped[int] = mapped_column(ForeignKey("complexes.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    pinned: Mapped[bool] = mapped_column(default=False)
    # The last day it shows on the board (Seoul); None: until removed.
    expires_on: Mapped[date | None]
    # NoticeChannel values chosen when it was posted, in the enum's order.
    channels: Mapped[list] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    complex = relationship("Complex")
    author = relationship("User", foreign_keys=[author_id])

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def is_current_on(self, day: date) -> bool:
        """On the board on `day`: not removed, and not past its last day."""
        return not self.is_removed and (self.expires_on is None or self.expires_on >= day)

    @property
    def chosen_channels(self) -> list[NoticeChannel]:
        return [channel for channel in NoticeChannel if channel.value in (self.channels or [])]

    def can_view(self, user) -> bool:
        """The complex's residents, its coordinator and staff; a removed notice only the
        latter two."""
        if self.is_removed:
            return self.can_manage(user)
        return self.complex.can_view(user)

    def can_manage(self, user) -> bool:
        """Edit, unpin, remove, print: the complex's coordinator and staff."""
        return self.complex.can_manage(user)

    def can_edit(self, user) -> bool:
        return not self.is_removed and self.can_manage(user)

    def can_unpin(self, user) -> bool:
        return self.pinned and not self.is_removed and self.can_manage(user)

    def can_remove(self, user) -> bool:
        return not self.is_removed and self.can_manage(user)
