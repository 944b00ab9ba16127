"""Ballots on shortlisted problems, kept secret in the database.

Who voted (`ballot_voters`, the roll) and what was chosen (`ballot_boxes`, one row per
ballot counting the ballots marked each way) share nothing a reader of the database could
pair: see gachi/ballots/box.py and the README's threat model.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gachi.core.db import TimestampMixin
from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import as_aware, utcnow
from gachi.extensions import db


class Method(LabelledEnum):
    SINGLE = ("single", _l("Single choice"))
    APPROVAL = ("approval", _l("Approval (choose up to N)"))
    DOTS = ("dots", _l("Dot voting (N dots, up to M on one option)"))
    IRV = ("irv", _l("Ranked: instant-runoff"))
    BORDA = ("borda", _l("Ranked: Borda count"))
    SCHULZE = ("schulze", _l("Ranked: Schulze (Condorcet)"))


RANKED_METHODS = frozenset({Method.IRV, Method.BORDA, Method.SCHULZE})


class Eligibility(LabelledEnum):
    RESIDENT = ("resident", _l("One vote per resident"))
    HOUSEHOLD = ("household", _l("One vote per household"))


class TieRule(LabelledEnum):
    EARLIEST = ("earliest", _l("The problem proposed earliest goes first"))
    COORDINATOR = ("coordinator", _l("The coordinator's recorded decision"))


class BallotState(LabelledEnum):
    SCHEDULED = ("scheduled", _l("Not open yet"))
    OPEN = ("open", _l("Open"))
    CLOSED = ("closed", _l("Closed"))


class Channel(LabelledEnum):
    ONLINE = ("online", _l("Online"))
    PAPER = ("paper", _l("Paper"))


class Ballot(TimestampMixin, db.Model):
    __tablename__ = "ballots"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint(
            "max_choices >= 1 AND max_per_option >= 1 AND max_per_option <= max_choices",
            name="limits",
        ),
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint(
            "quorum_percent IS NULL OR (quorum_percent >= 1 AND quorum_percent <= 100)",
            name="quorum_percent",
        ),
        CheckConstraint("eligible_count >= 0", name="eligible_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    method: Mapped[Method] = mapped_column(enum_column_type(Method, "method"))
    # Approval: how many options one may choose. Dots: how many dots one has.
    max_choices: Mapped[int] = mapped_column(Integer, default=1)
    # Dots: the most dots one may put on one option (1 for the other methods).
    max_per_option: Mapped[int] = mapped_column(Integer, default=1)
    eligibility: Mapped[Eligibility] = mapped_column(enum_column_type(Eligibility, "eligibility"))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # The minimum turnout, in percent of `eligible_count`, for the result to stand.
    quorum_percent: Mapped[int | None]
    tie_rule: Mapped[TieRule] = mapped_column(enum_column_type(TieRule, "tie_rule"))
    # How many problems the ballot picks.
    seats: Mapped[int] = mapped_column(Integer, default=1)
    # Residents or households of the complex when the ballot was opened: turnout's denominator.
    eligible_count: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[BallotState] = mapped_column(
        enum_column_type(BallotState, "ballot_state"), default=BallotState.SCHEDULED
    )
    closed_at: Mapped[datetime | None]
    tie_note: Mapped[str] = mapped_column(Text, default="")
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="app")

    participation = relationship("Participation")
    options = relationship(
        "BallotOption", back_populates="ballot", order_by="BallotOption.position"
    )

    # State predicates: what the clock says, asked alike by the operations and the pages.
    # The stored `state` may lag behind the clock (the job, and the coordinator's
    # operations on the ballot, write it down: `sync_ballot_state`); nothing decides by it.

    def state_at(self, now) -> BallotState:
        """What the clock says the state is; `sync_ballot_state` writes it down."""
        if self.closed_at is not None or now >= as_aware(self.closes_at):
            return BallotState.CLOSED
        if now >= as_aware(self.opens_at):
            return BallotState.OPEN
        return BallotState.SCHEDULED

    def is_scheduled_at(self, now) -> bool:
        """Not open yet."""
        return self.state_at(now) is BallotState.SCHEDULED

    def is_open_at(self, now) -> bool:
        """Residents vote and change their votes; the coordinator may close it early."""
        return self.state_at(now) is BallotState.OPEN

    def is_closed_at(self, now) -> bool:
        return self.state_at(now) is BallotState.CLOSED

    def takes_paper_ballots_at(self, now) -> bool:
        """A checked-in resident may be handed a paper ballot (from before it opens)."""
        return not self.is_closed_at(now)

    def takes_paper_tally_at(self, now) -> bool:
        """The room's count may be entered or corrected once it opened, until confirmed."""
        return not self.is_confirmed and not self.is_scheduled_at(now)

    def awaits_confirmation_at(self, now) -> bool:
        """Closed, and its selection not confirmed yet (ties decided, then confirmed)."""
        return self.is_closed_at(now) and not self.is_confirmed

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_single_choice(self) -> bool:
        return self.method is Method.SINGLE

    @property
    def is_approval(self) -> bool:
        return self.method is Method.APPROVAL

    @property
    def uses_dots(self) -> bool:
        return self.method is Method.DOTS

    @property
    def is_ranked(self) -> bool:
        """Voters number the options in order of preference (gachi/ballots/ranked.py)."""
        return self.method in RANKED_METHODS

    @property
    def per_household(self):
        return self.eligibility is Eligibility.HOUSEHOLD

    def can_view(self, user):
        return self.participation.can_view(user)

    def can_manage(self, user):
        return self.participation.can_manage(user)

    def can_vote(self, user):
        """A resident of the ballot's complex (whether it is open is the clock's business)."""
        return user.is_authenticated and user.is_resident and user.is_active and self.can_view(user)

    def can_see_results(self, user, now):
        return self.can_view(user) and self.is_closed_at(now)

    def __repr__(self):
        return f"<Ballot {self.title}>"


class BallotOption(db.Model):
    __tablename__ = "ballot_options"
    __table_args__ = (UniqueConstraint("ballot_id", "problem_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    problem_id: Mapped[int] = mapped_column(
        ForeignKey("problems.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Set by the coordinator's recorded tie decision: lower goes first among equals.
    tie_break_position: Mapped[int | None]

    ballot = relationship("Ballot", back_populates="options")
    problem = relationship("Problem")


class BallotVoter(db.Model):
    """The roll: who has voted, and how. Nothing here says what they chose, except to
    the holder of the receipt: an online voter's marking is sealed under it.

    One row per ballot and user, and on a per-household ballot one per ballot and
    household: the database refuses a second, however many arrive at once. A household
    marked as having voted on paper needs no account (`user_id` empty).
    """

    __tablename__ = "ballot_voters"
    __table_args__ = (
        UniqueConstraint("ballot_id", "user_id"),
        UniqueConstraint("ballot_id", "household_id"),
        CheckConstraint(
            "user_id IS NOT NULL OR household_id IS NOT NULL", name="voter_or_household"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Set on per-household ballots only (NULLs never clash in a unique constraint).
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE")
    )
    channel: Mapped[Channel] = mapped_column(enum_column_type(Channel, "channel"))
    # The coordinator who handed a paper ballot over, or marked the household.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Online votes: the SHA-256 of the receipt, and the marking sealed under the receipt.
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    sealed_marking: Mapped[bytes | None] = mapped_column(LargeBinary)


class BallotBox(db.Model):
    """How many ballots were marked each way: sealed while the ballot is open, published
    in plain once it has closed (gachi/ballots/box.py)."""

    __tablename__ = "ballot_boxes"

    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # {"marking": ballots} as JSON text, once the count is published.
    published: Mapped[str | None] = mapped_column(Text)


class PaperTally(db.Model):
    """The room's paper count for a ballot. A correction is a new entry; the one it
    replaces keeps its `replaced_at` (and the audit log its figures)."""

    __tablename__ = "paper_tallies"
    __table_args__ = (
        CheckConstraint("ballot_count >= 0", name="ballot_count_not_negative"),
        Index(
            "uq_paper_tallies_current_ballot",
            "ballot_id",
            unique=True,
            sqlite_where=text("replaced_at IS NULL"),
            postgresql_where=text("replaced_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    ballot_count: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_at: Mapped[datetime | None]
    # Ranked ballots: the paper ballots as {"ranking": ballots} JSON text (no lines).
    rankings: Mapped[str | None] = mapped_column(Text)

    entered_by = relationship("User")
    lines = relationship("PaperTallyLine", cascade="all, delete-orphan")


class PaperTallyLine(db.Model):
    __tablename__ = "paper_tally_lines"
    __table_args__ = (CheckConstraint("votes >= 0", name="votes_not_negative"),)

    tally_id: Mapped[int] = mapped_column(
        ForeignKey("paper_tallies.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[int] = mapped_column(
        ForeignKey("ballot_options.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    votes: Mapped[int] = mapped_column(Integer)
