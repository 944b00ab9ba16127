"""Problem categories and the problems residents raise in their complex."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.i18n import in_reader_language
from gachi.core.time import utcnow
from gachi.extensions import db


class Category(db.Model):
    """A kind of everyday problem (돌봄, 먹거리, …). A table, so the center can add one;
    the first eight come with the migration that made it."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_ko: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self):
        return in_reader_language(self.name_ko, self.name_en)

    def __repr__(self):
        return f"<Category {self.code}>"


class ProblemState(LabelledEnum):
    PROPOSED = ("proposed", _l("Proposed"))
    SHORTLISTED = ("shortlisted", _l("Shortlisted"))
    SELECTED = ("selected", _l("Selected"))
    NOT_SELECTED = ("not_selected", _l("Not selected"))
    IN_PROGRESS = ("in_progress", _l("In progress"))
    RESOLVED = ("resolved", _l("Resolved"))
    MERGED = ("merged", _l("Merged into another"))


# Where each state may go. A ballot's confirmation moves shortlisted problems to
# selected or not selected; the coordinator moves the rest by hand.
PROBLEM_MOVES = {
    ProblemState.PROPOSED: {ProblemState.SHORTLISTED, ProblemState.NOT_SELECTED},
    ProblemState.SHORTLISTED: {
        ProblemState.PROPOSED,
        ProblemState.SELECTED,
        ProblemState.NOT_SELECTED,
    },
    ProblemState.SELECTED: {ProblemState.IN_PROGRESS, ProblemState.NOT_SELECTED},
    ProblemState.NOT_SELECTED: {ProblemState.SHORTLISTED},
    ProblemState.IN_PROGRESS: {ProblemState.RESOLVED},
    ProblemState.RESOLVED: set(),
    ProblemState.MERGED: set(),
}

# Residents support and comment while a problem is still being weighed.
OPEN_FOR_SUPPORT = frozenset({ProblemState.PROPOSED, ProblemState.SHORTLISTED})


class Problem(TimestampMixin, db.Model):
    """An everyday problem residents of one complex share, raised in a participation."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    state: Mapped[ProblemState] = mapped_column(
        enum_column_type(ProblemState, "state"), default=ProblemState.PROPOSED
    )
    # The resident who raised it (None when said in the room by someone unregistered).
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The coordinator who typed it in on someone's behalf, if it was not the proposer.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("problems.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="app")

    participation = relationship("Participation")
    category = relationship("Category")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    merged_into = relationship("Problem", remote_side=[id])

    def can_view(self, user):
        return self.participation.can_view(user)

    def can_manage(self, user):
        return self.participation.can_manage(user)

    @staticmethod
    def can_propose(participation, user):
        """Residents of the complex, and whoever manages it (typing in what was said)."""
        return participation.can_view(user) and (user.is_resident or participation.can_manage(user))

    def can_support(self, user):
        """A resident of the complex, while the problem is still being weighed."""
        return (
            user.is_authenticated
            and user.is_resident
            and self.can_view(user)
            and self.state in OPEN_FOR_SUPPORT
        )

    def can_comment(self, user):
        return self.can_view(user) and self.state is not ProblemState.MERGED

    @property
    def is_mergeable(self):
        """Still being weighed: it may be merged into another problem, or take one in."""
        return self.state in OPEN_FOR_SUPPORT

    @property
    def awaits_shortlisting(self):
        """Newly proposed: the list offers the coordinator "Shortlist" (move_problem)."""
        return self.state is ProblemState.PROPOSED

    def __repr__(self):
        return f"<Problem {self.title}>"


class ProblemSupport(db.Model):
    """A resident's "me too" for a problem: one per resident and problem."""

    __tablename__ = "problem_supports"
    __table_args__ = (UniqueConstraint("problem_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemComment(db.Model):
    __tablename__ = "problem_comments"
    __table_args__ = (CheckConstraint("length(body) > 0", name="body_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")
