"""The reads behind ballot pages, results and exports, and the one turnout (below).
Nothing here says what anyone chose; only the coordinator's paper roll names households
(동/호), with whether each voted."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gachi.ballots import box, ranked
from gachi.ballots.models import (
    Ballot,
    BallotBox,
    BallotOption,
    BallotVoter,
    Channel,
    PaperTally,
    PaperTallyLine,
    TieRule,
)
from gachi.ballots.ranked import RankedResult
from gachi.complexes.models import Household, Participation
from gachi.core.numbers import percent
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.proposals.models import Problem, ProblemState

# Loaded with a ballot for its pages and verbs: what its permission rules read (the
# participation and its complex) and the ballot paper (the options and their titles),
# in one SELECT with joins rather than a lazy load for each step and each option (a
# ballot has a handful of options, so the joined rows stay few).
WITH_SCOPE_AND_OPTIONS = (
    joinedload(Ballot.participation).joinedload(Participation.complex),
    joinedload(Ballot.options).joinedload(BallotOption.problem),
)


@dataclass
class OptionResult:
    option_id: int
    problem_id: int
    title: str
    proposed_at: datetime
    problem_state: ProblemState
    tie_break_position: int | None
    online: int
    paper: int
    rank: int = 0
    tied: bool = False

    @property
    def total(self):
        return self.online + self.paper


@dataclass
class BallotResults:
    ballot: Ballot
    options: list[OptionResult]  # in ranking order
    online_voters: int
    paper_ballots: int
    eligible: int
    tied_at_cut_ids: set = field(default_factory=set)
    # Ranked ballots: the count (rounds, points or pairwise table); `online` and `paper`
    # of each option are then its first preferences.
    ranked: RankedResult | None = None

    @property
    def turnout(self):
        """Ballots cast: online voters plus the current paper tally (see `cast_and_eligible`)."""
        return self.online_voters + self.paper_ballots

    @property
    def turnout_percent(self) -> Decimal | None:
        return turnout_percent(self.turnout, self.eligible)

    @property
    def quorum_met(self):
        quorum = self.ballot.quorum_percent
        if quorum is None:
            return True
        return bool(self.eligible) and self.turnout * 100 >= quorum * self.eligible

    @property
    def selected(self):
        return self.options[: self.ballot.seats]

    @property
    def can_be_confirmed(self):
        """What confirm_selection asks of the figures: a valid result, its tie decided."""
        return self.quorum_met and not self.undecided_tie

    @property
    def undecided_tie(self):
        """A tie across the last seat that the coordinator has still to decide."""
        if self.ranked is not None:
            return bool(self.ranked.undecided)
        if self.ballot.tie_rule is not TieRule.COORDINATOR or not self.tied_at_cut_ids:
            return False
        cut_total = self.options[self.ballot.seats - 1].total
        seats_left = self.ballot.seats - sum(1 for o in self.options if o.total > cut_total)
        decided = sum(
            1
            for o in self.options
            if o.option_id in self.tied_at_cut_ids and o.tie_break_position is not None
        )
        return decided < seats_left


# Turnout --------------------------------------------------------------------------------
#
# One definition wherever turnout is shown: the ballot page and its CSV, a complex's
# results, the board and its exports, the API (the last four through the KPI measures
# "ballots_cast" and "turnout", gachi/kpi/measures.py, built on the two SELECTs below).


def cast_and_eligible(*where):
    """Per ballot (those matching `where`, criteria on Ballot): ballot_id,
    participation_id, online (voters on the roll who voted online), paper (the ballot
    count of the current paper tally, 0 before one is entered), cast (online + paper)
    and eligible (the residents or households eligible when it opened). The operations
    keep online + paper within the eligible, so cast never exceeds it."""
    online = (
        select(func.count(BallotVoter.id))
        .where(BallotVoter.ballot_id == Ballot.id, BallotVoter.channel == Channel.ONLINE)
        .correlate(Ballot)
        .scalar_subquery()
    )
    paper = (
        select(PaperTally.ballot_count)
        .where(PaperTally.ballot_id == Ballot.id, PaperTally.replaced_at.is_(None))
        .correlate(Ballot)
        .scalar_subquery()
    )
    per_ballot = (
        select(
            Ballot.id.label("ballot_id"),
            Ballot.participation_id.label("participation_id"),
            online.label("online"),
            func.coalesce(paper, 0).label("paper"),
            Ballot.eligible_count.label("eligible"),
        )
        .where(*where)
        .subquery()
    )
    return select(per_ballot, (per_ballot.c.online + per_ballot.c.paper).label("cast"))


def deciding_ballots(scope, now=None):
    """SELECT of the id of the ballot that decided each participation's selection, for the
    participations `scope` (a SELECT of their ids) selects: its latest confirmed ballot
    (by confirmation time); while none is confirmed yet, the latest ballot that has
    opened (by opening time; one still scheduled never counts). A participation without
    an opened ballot has none."""
    now = now or utcnow()
    ranked = (
        select(
            Ballot.id,
            func.row_number()
            .over(
                partition_by=Ballot.participation_id,
                order_by=(
                    Ballot.confirmed_at.is_(None),
                    Ballot.confirmed_at.desc(),
                    Ballot.opens_at.desc(),
                    Ballot.id.desc(),
                ),
            )
            .label("place"),
        )
        .where(Ballot.participation_id.in_(scope), Ballot.opens_at <= now)
        .subquery()
    )
    return select(ranked.c.id).where(ranked.c.place == 1)


def ballot_turnout(ballot_id):
    """The row of `cast_and_eligible` for one ballot. One query."""
    return db.session.execute(cast_and_eligible(Ballot.id == ballot_id)).one()


def turnout_percent(cast, eligible) -> Decimal | None:
    """Turnout in percent: ballots cast ÷ eligible, by the one rounding rule
    (gachi/core/numbers.py: one decimal, half up); None when nobody is eligible."""
    return percent(cast, eligible)


def _tie_key(ballot):
    """Among equal totals: the earliest proposal first (then the lower problem id), or the
    coordinator's recorded order first (undecided options after, in ballot order)."""
    if ballot.tie_rule is TieRule.EARLIEST:
        return lambda o: (o.proposed_at, o.problem_id)
    return lambda o: (o.tie_break_position is None, o.tie_break_position or 0, o.option_id)


def ballot_results(ballot) -> BallotResults:
    """Per option: online points (from the box), the current paper tally, and their sum;
    ranked by total, ties by the ballot's rule; and the turnout."""
    online = box.points_per_option(counted_markings(ballot.id))
    paper = (
        select(PaperTallyLine.option_id, PaperTallyLine.votes)
        .join(PaperTally, PaperTally.id == PaperTallyLine.tally_id)
        .where(PaperTally.ballot_id == ballot.id, PaperTally.replaced_at.is_(None))
        .subquery()
    )
    rows = db.session.execute(
        select(
            BallotOption.id,
            BallotOption.problem_id,
            Problem.title,
            Problem.created_at,
            Problem.state,
            BallotOption.tie_break_position,
            func.coalesce(paper.c.votes, 0),
        )
        .join(Problem, Problem.id == BallotOption.problem_id)
        .outerjoin(paper, paper.c.option_id == BallotOption.id)
        .where(BallotOption.ballot_id == ballot.id)
    ).all()
    options = sorted(
        (
            OptionResult(
                option_id=row[0],
                problem_id=row[1],
                title=row[2],
                proposed_at=row[3],
                problem_state=row[4],
                tie_break_position=row[5],
                online=online[row[0]],
                paper=row[6],
            )
            for row in rows
        ),
        key=_tie_key(ballot),
    )
    options.sort(key=lambda o: -o.total)  # stable: equal totals keep the tie rule's order
    _rank(options)
    turnout = ballot_turnout(ballot.id)
    results = BallotResults(
        ballot=ballot,
        options=options,
        eligible=turnout.eligible,
        online_voters=turnout.online,
        paper_ballots=turnout.paper,
    )
    seats = ballot.seats
    if len(options) > seats and options[seats - 1].total == options[seats].total:
        cut_total = options[seats].total
        results.tied_at_cut_ids = {o.option_id for o in options if o.total == cut_total}
    if ballot.is_ranked:
        _count_ranked(ballot, results, current_paper_tally(ballot.id))
    return results


def ranked_profiles(ballot, tally) -> tuple[dict, dict]:
    """The online and the paper rankings of a ranked ballot, as {ranking: ballots}."""
    option_ids = [option.id for option in ballot.options]
    online = ranked.profile_from_text(counted_markings(ballot.id), option_ids)
    paper_text = json.loads(tally.rankings) if tally is not None and tally.rankings else {}
    return online, ranked.profile_from_text(paper_text, option_ids)


def ranked_tie_break(ballot, options) -> ranked.TieBreak:
    """The ballot's tie rule for a ranked count: the problem proposed earliest first, or
    the coordinator's recorded order (so far)."""
    if ballot.tie_rule is TieRule.EARLIEST:
        earliest = sorted(options, key=lambda o: (o.proposed_at, o.problem_id))
        return ranked.TieBreak.earliest(o.option_id for o in earliest)
    decided = sorted(
        (o for o in options if o.tie_break_position is not None),
        key=lambda o: o.tie_break_position,
    )
    return ranked.TieBreak.coordinator(o.option_id for o in decided)


def _first_choices(profile, option_ids) -> dict[int, int]:
    counts = dict.fromkeys(option_ids, 0)
    for ranking, ballots in profile.items():
        counts[ranking[0]] += ballots
    return counts


def _count_ranked(ballot, results, tally):
    """Count a ranked ballot's online and paper rankings together by its method: the
    options in the count's order, each with its first preferences online and on paper."""
    online, paper = ranked_profiles(ballot, tally)
    profile = dict(online)
    for ranking, ballots in paper.items():
        profile[ranking] = profile.get(ranking, 0) + ballots
    by_id = {o.option_id: o for o in results.options}
    in_ballot_order = [option.id for option in ballot.options]
    count = ranked.count_ranked(
        ballot.method.value,
        in_ballot_order,
        profile,
        ranked_tie_break(ballot, results.options),
        seats=ballot.seats,
    )
    firsts_online = _first_choices(online, in_ballot_order)
    firsts_paper = _first_choices(paper, in_ballot_order)
    tied = set().union(*(tie.options for tie in count.ties)) if count.ties else set()
    results.options = [by_id[option_id] for option_id in count.order]
    for place, option in enumerate(results.options, start=1):
        option.online = firsts_online[option.option_id]
        option.paper = firsts_paper[option.option_id]
        option.rank = place
        option.tied = option.option_id in tied
    results.ranked = count
    results.tied_at_cut_ids = set(count.undecided or count.tied_at_cut)


def _rank(options):
    """Standard competition ranking (1, 1, 3); `tied` marks options sharing a total."""
    totals = [o.total for o in options]
    for _index, option in enumerate(options):
        option.rank = totals.index(option.total) + 1
        option.tied = totals.count(option.total) > 1


def counted_markings(ballot_id) -> dict[str, int]:
    """{marking: ballots} in the ballot's box: published once it closed, else opened."""
    row = db.session.execute(
        select(BallotBox.sealed, BallotBox.published).where(BallotBox.ballot_id == ballot_id)
    ).one_or_none()
    if row is None:
        return {}
    if row.published is not None:
        return json.loads(row.published)
    return box.open_box(ballot_id, row.sealed) if row.sealed is not None else {}


def paper_ballots(ballot_id) -> int:
    """Paper ballots that count against the eligible: the room's current count, or, when
    more were handed out (or households marked) than counted yet, those. One query."""
    counted = (
        select(PaperTally.ballot_count)
        .where(PaperTally.ballot_id == ballot_id, PaperTally.replaced_at.is_(None))
        .scalar_subquery()
    )
    handed = (
        select(func.count(BallotVoter.id))
        .where(BallotVoter.ballot_id == ballot_id, BallotVoter.channel == Channel.PAPER)
        .scalar_subquery()
    )
    counted_or_none, handed_count = db.session.execute(select(counted, handed)).one()
    return max(counted_or_none or 0, handed_count)


def online_voter_count(ballot_id) -> int:
    return db.session.execute(
        select(func.count(BallotVoter.id)).where(
            BallotVoter.ballot_id == ballot_id, BallotVoter.channel == Channel.ONLINE
        )
    ).scalar_one()


def paper_voter_count(ballot_id) -> int:
    return db.session.execute(
        select(func.count(BallotVoter.id)).where(
            BallotVoter.ballot_id == ballot_id, BallotVoter.channel == Channel.PAPER
        )
    ).scalar_one()


def current_paper_tally(ballot_id) -> PaperTally | None:
    return db.session.scalar(
        select(PaperTally).where(
            PaperTally.ballot_id == ballot_id, PaperTally.replaced_at.is_(None)
        )
    )


def paper_tally_history(ballot_id) -> list[PaperTally]:
    return list(
        db.session.scalars(
            select(PaperTally)
            .where(PaperTally.ballot_id == ballot_id)
            .order_by(PaperTally.id.desc())
        )
    )


def voted_channel(ballot, user) -> Channel | None:
    """How `user` (or, on a per-household ballot, their household) is on the roll."""
    who = (
        (BallotVoter.household_id == user.household_id)
        if ballot.per_household
        else (BallotVoter.user_id == user.id)
    )
    return db.session.scalar(
        select(BallotVoter.channel).where(BallotVoter.ballot_id == ballot.id, who)
    )


def household_channel(ballot, household_id) -> Channel | None:
    """How a household is on a per-household ballot's roll (None: not on it)."""
    return db.session.scalar(
        select(BallotVoter.channel).where(
            BallotVoter.ballot_id == ballot.id, BallotVoter.household_id == household_id
        )
    )


def marked_without_account(ballot, household_id) -> bool:
    """Whether the household is on the paper roll as a household (marked from the
    household list), rather than through a member handed a ballot."""
    return bool(
        db.session.scalar(
            select(BallotVoter.id).where(
                BallotVoter.ballot_id == ballot.id,
                BallotVoter.household_id == household_id,
                BallotVoter.channel == Channel.PAPER,
                BallotVoter.user_id.is_(None),
            )
        )
    )


@dataclass
class HouseholdLine:
    """A household of the complex as the coordinator's paper roll shows it."""

    id: int
    building: str
    unit: str
    channel: Channel | None  # how it is on the roll, if it is
    by_member: bool  # on it through a member's account (handed a ballot, or voted online)

    @property
    def label(self):
        return f"{self.building}동 {self.unit}호"

    @property
    def on_paper(self):
        return self.channel is Channel.PAPER


def _natural(text):
    """101, 102, …, 1001 (numbers as numbers), then the others by name."""
    return (not text.isdigit(), int(text) if text.isdigit() else 0, text)


def household_buildings(complex_id) -> list[str]:
    """The complex's 동, in order. One query."""
    return sorted(
        db.session.scalars(
            select(Household.building).where(Household.complex_id == complex_id).distinct()
        ),
        key=_natural,
    )


def _household_lines(ballot, *where):
    rows = db.session.execute(
        select(
            Household.id,
            Household.building,
            Household.unit,
            BallotVoter.channel,
            BallotVoter.user_id,
        )
        .outerjoin(
            BallotVoter,
            (BallotVoter.household_id == Household.id) & (BallotVoter.ballot_id == ballot.id),
        )
        .where(Household.complex_id == ballot.participation.complex_id, *where)
    ).all()
    lines = [
        HouseholdLine(
            id=row.id,
            building=row.building,
            unit=row.unit,
            channel=row.channel,
            by_member=row.user_id is not None,
        )
        for row in rows
    ]
    return sorted(lines, key=lambda line: (_natural(line.building), _natural(line.unit)))


def household_roll(ballot, building) -> list[HouseholdLine]:
    """The households of one 동 of the ballot's complex, with how each is on the roll.
    One query."""
    return _household_lines(ballot, Household.building == building)


def households_on_paper(ballot) -> list[HouseholdLine]:
    """Every household on the ballot's paper roll (marked, or a member handed a ballot),
    by 동 and 호. One query."""
    return _household_lines(ballot, BallotVoter.channel == Channel.PAPER)


@dataclass
class BallotLine:
    ballot: Ballot
    online_voters: int


def participation_ballots(participation_id) -> list[BallotLine]:
    """The participation's ballots, newest first, with how many voted online. One query."""
    voters = (
        select(BallotVoter.ballot_id, func.count(BallotVoter.id).label("voters"))
        .where(BallotVoter.channel == Channel.ONLINE)
        .group_by(BallotVoter.ballot_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Ballot, func.coalesce(voters.c.voters, 0))
        .outerjoin(voters, voters.c.ballot_id == Ballot.id)
        .where(Ballot.participation_id == participation_id)
        .order_by(Ballot.opens_at.desc(), Ballot.id.desc())
    ).all()
    return [BallotLine(ballot, count) for ballot, count in rows]


def paper_ballot_candidates(ballot):
    """(id, "name · 동 호") of residents checked in at this participation's workshops who
    are not on the roll yet (nor, on a per-household ballot, is their household)."""
    from gachi.auth.models import User
    from gachi.workshops.models import Workshop, WorkshopAttendance

    on_roll = select(BallotVoter.id).where(BallotVoter.ballot_id == ballot.id)
    on_roll = (
        on_roll.where(BallotVoter.household_id == User.household_id)
        if ballot.per_household
        else on_roll.where(BallotVoter.user_id == User.id)
    )
    rows = db.session.execute(
        select(User.id, User.display_name, Household.building, Household.unit)
        .join(Household, Household.id == User.household_id)
        .where(
            User.id.in_(
                select(WorkshopAttendance.user_id)
                .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
                .where(Workshop.participation_id == ballot.participation_id)
            ),
            ~on_roll.exists(),
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [(row.id, f"{row.display_name} · {row.building}동 {row.unit}호") for row in rows]


def shortlisted_problems(participation_id) -> list[Problem]:
    return list(
        db.session.scalars(
            select(Problem)
            .where(
                Problem.participation_id == participation_id,
                Problem.state == ProblemState.SHORTLISTED,
            )
            .order_by(Problem.created_at, Problem.id)
        )
    )


def voted_by(ballot, user) -> bool:
    """Whether `user` is on the roll themselves: on a per-household ballot the roll may
    hold another member of their household instead."""
    return bool(
        db.session.scalar(
            select(BallotVoter.id)
            .where(BallotVoter.ballot_id == ballot.id, BallotVoter.user_id == user.id)
            .limit(1)
        )
    )
