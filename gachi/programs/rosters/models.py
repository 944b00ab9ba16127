"""The roster of a programme session: its instructors and resident volunteers (shifts)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.extensions import db


class RosterRole(LabelledEnum):
    INSTRUCTOR = ("instructor", _l("Instructor"))
    VOLUNTEER = ("volunteer", _l("Volunteer"))


class RosterEntry(TimestampMixin, db.Model):
    """An instructor or a resident volunteer on a session's roster (a shift)."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
        CheckConstraint("user_id IS NOT NULL OR length(name) > 0", name="someone"),
        UniqueConstraint("session_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("program_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[RosterRole] = mapped_column(enum_column_type(RosterRole, "role"))
    # The hours this shift counts for, in minutes (the session's length unless changed).
    minutes: Mapped[int]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="app")

    program_session = relationship("ProgramSession")
    user = relationship("User", foreign_keys=[user_id])

    def can_remove(self, user, now):
        """Off the roster at `now` (gachi.programs.rosters.operations.remove_from_roster):
        the coordinator at any time, a volunteer until the shift begins."""
        return self.may_remove(user) and (
            self.program_session.can_manage(user) or now < self.program_session.starts_at
        )

    @property
    def who(self):
        return self.user.display_name if self.user is not None else self.name

    def can_view(self, user):
        return self.program_session.can_view(user)

    def may_remove(self, user):
        """The coordinator, or the volunteer themselves (before the shift, can_remove)."""
        return self.program_session.can_manage(user) or (
            user.is_authenticated and self.user_id == user.id
        )
