"""Matches between a selected problem and an enterprise, and the ratings that follow."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import utcnow
from gachi.extensions import db


class MatchState(LabelledEnum):
    SUGGESTED = ("suggested", _l("Suggested"))
    OFFERED = ("offered", _l("Offered"))
    ACCEPTED = ("accepted", _l("Accepted"))
    DECLINED = ("declined", _l("Declined"))
    ACTIVE = ("active", _l("Active"))
    COMPLETED = ("completed", _l("Completed"))
    WITHDRAWN = ("withdrawn", _l("Withdrawn"))


ALLOWED_MATCH_MOVES = {
    MatchState.SUGGESTED: {MatchState.OFFERED, MatchState.WITHDRAWN},
    MatchState.OFFERED: {MatchState.ACCEPTED, MatchState.DECLINED, MatchState.WITHDRAWN},
    MatchState.ACCEPTED: {MatchState.ACTIVE, MatchState.WITHDRAWN},
    MatchState.ACTIVE: {MatchState.COMPLETED},
    MatchState.DECLINED: set(),
    MatchState.COMPLETED: set(),
    MatchState.WITHDRAWN: set(),
}

# A problem has at most one open match with an enterprise (the partial unique index).
OPEN_STATES = (MatchState.SUGGESTED, MatchState.OFFERED, MatchState.ACCEPTED, MatchState.ACTIVE)
# The enterprise has said yes: these open the gate to planning and count as its load.
AGREED_STATES = (MatchState.ACCEPTED, MatchState.ACTIVE, MatchState.COMPLETED)
LOAD_STATES = (MatchState.ACCEPTED, MatchState.ACTIVE)

_OPEN_SQL = text("state IN ('suggested', 'offered', 'accepted', 'active')")


class Match(TimestampMixin, db.Model):
    __tablename__ = "matches"
    __table_args__ = (
        Index(
            "uq_matches_open_problem_enterprise",
            "problem_id",
            "enterprise_id",
            unique=True,
            sqlite_where=_OPEN_SQL,
            postgresql_where=_OPEN_SQL,
        ),
        Index("ix_matches_enterprise_state", "enterprise_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"))
    state: Mapped[MatchState] = mapped_column(
        enum_column_type(MatchState, "state"), default=MatchState.SUGGESTED
    )
    # What the coordinator wrote with the offer, and the partner's reason when declining.
    offer_message: Mapped[str] = mapped_column(Text, default="")
    answer_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    offered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="app")

    problem = relationship("Problem")
    enterprise = relationship("Enterprise")
    offered_by = relationship("User", foreign_keys=[offered_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    rating = relationship("Rating", back_populates="match", uselist=False)

    @property
    def complex_id(self):
        return self.problem.participation.complex_id

    def is_partner_of(self, user):
        return (
            user.is_authenticated and user.is_partner and user.enterprise_id == self.enterprise_id
        )

    def can_view(self, user):
        """The complex's managers, and the partners of the enterprise it was offered to."""
        if not user.is_authenticated:
            return False
        if self.is_partner_of(user):
            return self.state is not MatchState.SUGGESTED
        return self.problem.can_manage(user)

    def can_manage(self, user):
        """Offer, withdraw, start, complete and rate: the complex's coordinator and staff."""
        return user.is_authenticated and self.problem.can_manage(user)

    def can_answer(self, user):
        """Accept or decline: only a partner of the enterprise it was offered to."""
        return self.is_partner_of(user)

    # State predicates: what the rules let happen to the match now (operations and
    # templates ask these, never the state's value).

    def can_move_to(self, target):
        """Whether the match may move to `target` from where it is (ALLOWED_MATCH_MOVES)."""
        return target in ALLOWED_MATCH_MOVES[self.state]

    @property
    def awaits_answer(self):
        """Offered, and the partner has not answered yet."""
        return self.can_move_to(MatchState.ACCEPTED)

    @property
    def is_ratable(self):
        """Its work is completed; it can be rated (once: a rating already given is a Conflict)."""
        return self.state is MatchState.COMPLETED

    def __repr__(self):
        return f"<Match {self.problem_id}→{self.enterprise_id} {self.state.value}>"


class Rating(db.Model):
    """The coordinator's rating of an enterprise after a completed match (one per match)."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score >= 1 AND score <= 5", name="score_one_to_five"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), unique=True)
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    match = relationship("Match", back_populates="rating")
