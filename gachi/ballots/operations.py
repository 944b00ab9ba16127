"""The verbs of a ballot: open, vote, change a vote, paper ballots and tallies, close,
decide a tie, confirm the selection; and the gate to the solution workshop.

Votes write no audit entry: the roll says who voted, and nothing may say what they chose
(gachi/ballots/box.py keeps the choices).
"""

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from gachi.auth.models import Role, User
from gachi.ballots import box, queries, ranked
from gachi.ballots.models import (
    RANKED_METHODS,
    Ballot,
    BallotBox,
    BallotOption,
    BallotState,
    BallotVoter,
    Channel,
    Eligibility,
    Method,
    PaperTally,
    PaperTallyLine,
    TieRule,
)
from gachi.ballots.receipts import is_well_formed, new_receipt, receipt_hash
from gachi.complexes.models import Household
from gachi.complexes.stages import Stage, gate
from gachi.core.audit import log_change
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.proposals.models import Problem, ProblemState

MAX_OPTIONS = 30


class AlreadyVoted(Conflict):
    code = "already_voted"
    default_message = _l(
        "You have already voted in this ballot. Use your receipt to change your vote."
    )


class NotOpen(DomainError):
    code = "ballot_not_open"
    status = 409


@gate(Stage.SOLUTION_WORKSHOP, needs=_l("A closed ballot with a selected problem"))
def selection_is_confirmed(participation, now):
    """A closed ballot whose result stood (quorum met) and was confirmed, with a selected problem."""
    confirmed = db.session.scalar(
        select(
            exists().where(
                Ballot.participation_id == participation.id,
                Ballot.confirmed_at.is_not(None),
                BallotOption.ballot_id == Ballot.id,
                Problem.id == BallotOption.problem_id,
                Problem.state.in_(
                    [ProblemState.SELECTED, ProblemState.IN_PROGRESS, ProblemState.RESOLVED]
                ),
            )
        )
    )
    return (
        None
        if confirmed
        else _l("No ballot has been closed and confirmed with a selected problem.")
    )


# Opening ------------------------------------------------------------------------------


def _limits(method, max_choices, max_per_option, option_count):
    if method is Method.SINGLE or method in RANKED_METHODS:
        return 1, 1
    if method is Method.APPROVAL:
        if not 1 <= max_choices <= option_count:
            raise DomainError(
                _l("Approval voting allows from 1 to %(count)s choices here."), count=option_count
            )
        return max_choices, 1
    if max_choices < 1 or not 1 <= max_per_option <= max_choices:
        raise DomainError(
            _l(
                "Each voter needs at least one dot, and the most dots on one "
                "option cannot be more than the dots they have."
            )
        )
    return max_choices, max_per_option


def eligible_count(complex_, eligibility):
    """The complex's recorded household or resident figure; failing that, those registered."""
    if eligibility is Eligibility.HOUSEHOLD:
        if complex_.household_count is not None:
            return complex_.household_count
        return db.session.scalar(
            select(func.count(Household.id)).where(Household.complex_id == complex_.id)
        )
    if complex_.resident_count is not None:
        return complex_.resident_count
    return db.session.scalar(
        select(func.count(User.id))
        .join(Household, User.household_id == Household.id)
        .where(
            Household.complex_id == complex_.id, User.role == Role.RESIDENT, User.active.is_(True)
        )
    )


def open_ballot(
    participation,
    *,
    title,
    problems,
    method,
    eligibility,
    opens_at,
    closes_at,
    tie_rule,
    max_choices=1,
    max_per_option=1,
    seats=1,
    quorum_percent=None,
    actor,
):
    """A ballot on shortlisted problems of `participation`, open from `opens_at` to `closes_at`."""
    if not participation.holds_ballots:
        raise DomainError(_l("Ballots are held during the problem workshop stage."))
    if not 2 <= len(problems) <= MAX_OPTIONS:
        raise DomainError(
            _l("A ballot needs from 2 to %(count)s shortlisted problems."), count=MAX_OPTIONS
        )
    if any(
        p.participation_id != participation.id or p.state is not ProblemState.SHORTLISTED
        for p in problems
    ):
        raise DomainError(_l("Only shortlisted problems of this complex can be on the ballot."))
    if closes_at <= opens_at:
        raise DomainError(_l("The ballot must close after it opens."))
    if not 1 <= seats < len(problems):
        raise DomainError(_l("The ballot must pick fewer problems than it offers."))
    max_choices, max_per_option = _limits(method, max_choices, max_per_option, len(problems))
    ballot = Ballot(
        participation_id=participation.id,
        title=title,
        method=method,
        max_choices=max_choices,
        max_per_option=max_per_option,
        eligibility=eligibility,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=quorum_percent,
        tie_rule=tie_rule,
        seats=seats,
        created_by_id=actor.id,
        eligible_count=eligible_count(participation.complex, eligibility),
    )
    ballot.options = [
        BallotOption(problem_id=problem.id, position=position)
        for position, problem in enumerate(problems, start=1)
    ]
    db.session.add(ballot)
    db.session.flush()
    db.session.add(BallotBox(ballot_id=ballot.id, sealed=box.seal_box(ballot.id, {})))
    log_change(
        "ballot.open",
        ballot,
        actor=actor,
        complex_id=participation.complex_id,
        after={
            "title": title,
            "method": method.value,
            "eligibility": eligibility.value,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "quorum_percent": quorum_percent,
            "tie_rule": tie_rule.value,
            "seats": seats,
            "problems": ",".join(str(p.id) for p in problems),
        },
    )
    return ballot


def sync_ballot_state(ballot, now=None):
    """Write down the state the clock says (scheduled → open → closed), with its audit
    entry. The job calls it, and so does each of the coordinator's operations on a ballot,
    first; a page never does (it shows `ballot.state_at(now)`), nor does a vote, which
    writes the roll and the record and nothing else (an audit entry written with the
    first vote would date it). Nothing decides by the stored state. The UPDATE is
    conditional, so a second caller changes nothing. Returns True if this call changed it."""
    now = now or utcnow()
    due, current = ballot.state_at(now), ballot.state
    if due is current:
        return False
    result = db.session.execute(
        update(Ballot)
        .where(Ballot.id == ballot.id, Ballot.state == current)
        .values(state=due)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(ballot)
    if result.rowcount != 1:
        return False
    if due is BallotState.CLOSED:
        publish_count(ballot)
    log_change(
        "ballot.state",
        ballot,
        actor=None,
        complex_id=ballot.participation.complex_id,
        before={"state": current.value},
        after={"state": due.value},
    )
    return True


# Voting -------------------------------------------------------------------------------


def _require_open(ballot, voter, now):
    if not ballot.can_vote(voter):
        raise NotAllowed(_l("Only residents of this complex can vote in this ballot."))
    if ballot.is_scheduled_at(now):
        raise NotOpen(_l("This ballot is not open yet."))
    if ballot.is_closed_at(now):
        raise NotOpen(_l("This ballot has closed."))


def checked_points(ballot, choices):
    """{option id: points} if it keeps the ballot's rules, else a DomainError."""
    option_ids = {option.id for option in ballot.options}
    if not choices:
        raise DomainError(_l("Choose at least one option."))
    if not set(choices) <= option_ids:
        raise DomainError(_l("That option is not on this ballot."))
    if any(not isinstance(points, int) or points < 1 for points in choices.values()):
        raise DomainError(_l("Give each chosen option at least one point."))
    if ballot.method is Method.SINGLE and len(choices) != 1:
        raise DomainError(_l("Choose exactly one option."))
    if ballot.method is Method.APPROVAL and len(choices) > ballot.max_choices:
        raise DomainError(_l("Choose at most %(count)s options."), count=ballot.max_choices)
    if ballot.method is Method.DOTS:
        if sum(choices.values()) > ballot.max_choices:
            raise DomainError(
                _l("You have %(count)s dots; you placed more."), count=ballot.max_choices
            )
        if max(choices.values()) > ballot.max_per_option:
            raise DomainError(
                _l("Put at most %(count)s dots on one option."), count=ballot.max_per_option
            )
    elif any(points != 1 for points in choices.values()):
        raise DomainError(_l("Each chosen option counts once."))
    return dict(choices)


def ranking_from_places(ballot, places):
    """The ranking a ranked ballot paper gives ({option id: place number}, unnumbered
    options left out), or a DomainError: places 1, 2, 3, ... with none given twice and
    none skipped. Partial rankings are fine."""
    places = {option_id: place for option_id, place in places.items() if place is not None}
    if any(not isinstance(place, int) or place < 1 for place in places.values()):
        raise ranked.InvalidRanking(_l("Rank numbers start at 1."))
    numbers = sorted(places.values())
    if len(set(numbers)) != len(numbers):
        raise ranked.InvalidRanking(
            _l("Two options have the same rank. Give each rank to one option only.")
        )
    if numbers != list(range(1, len(numbers) + 1)):
        raise ranked.InvalidRanking(
            _l("Number the options 1, 2, 3 and so on without skipping a number.")
        )
    order = tuple(sorted(places, key=places.__getitem__))
    return ranked.validate_ranking(order, [option.id for option in ballot.options])


def checked_marking(ballot, choices):
    """The marking a vote adds to the box, if it keeps the ballot's rules: "12>7>3" for a
    ranked ballot (`choices` is {option id: place}), else its points ("3,5" or "3:2")."""
    if ballot.is_ranked:
        return ranked.ranking_to_text(ranking_from_places(ballot, choices))
    return box.marking_of(checked_points(ballot, choices))


def _roll_entry(ballot, user, channel, recorded_by=None, receipt=None, marking=None):
    return {
        "ballot_id": ballot.id,
        "user_id": user.id,
        "channel": channel,
        "household_id": user.household_id if ballot.per_household else None,
        "recorded_by_id": recorded_by.id if recorded_by else None,
        "receipt_hash": receipt_hash(receipt) if receipt else None,
        "sealed_marking": box.seal_marking(receipt, ballot.id, marking) if receipt else None,
    }


def _put_on_roll(ballot, user, channel, recorded_by=None, receipt=None, marking=None):
    """Insert the roll row; the UNIQUE constraints turn a second one into a clear refusal.
    (A plain INSERT: nobody reads these rows back as objects.)"""
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(BallotVoter.__table__).values(
                    _roll_entry(ballot, user, channel, recorded_by, receipt, marking)
                )
            )
    except IntegrityError:
        on_paper = queries.voted_channel(ballot, user) is Channel.PAPER
        if (
            on_paper
            and channel is Channel.ONLINE
            and ballot.per_household
            and queries.marked_without_account(ballot, user.household_id)
        ):
            raise AlreadyVoted(
                _l(
                    "Your household is marked as having voted on paper, so no one "
                    "in it can vote online as well."
                )
            ) from None
        if on_paper:
            raise AlreadyVoted(
                _l(
                    "A paper ballot was handed to you (or your household) in the "
                    "workshop, so you cannot vote online as well."
                )
            ) from None
        if ballot.per_household:
            raise AlreadyVoted(
                _l(
                    "Your household has already voted in this ballot. Whoever "
                    "voted can change the vote with the receipt."
                )
            ) from None
        raise AlreadyVoted() from None


def _lock_box(ballot):
    db.session.execute(
        select(BallotBox.ballot_id).where(BallotBox.ballot_id == ballot.id).with_for_update()
    )


def _locked_box(ballot):
    """The ballot's box, locked until the transaction ends (PostgreSQL; SQLite's one
    writer is already alone), with the ballots counted in it: {marking: ballots}.

    Closing the ballot publishes the box under the same lock, so a vote checked a moment
    before the coordinator closed it either lands first (and is counted) or finds the box
    published and is refused: none lands after the close."""
    row = db.session.execute(
        select(BallotBox.sealed, Ballot.closed_at)
        .join(Ballot, Ballot.id == BallotBox.ballot_id)
        .where(BallotBox.ballot_id == ballot.id)
        .with_for_update(of=BallotBox)
    ).one()
    if row.sealed is None or row.closed_at is not None:
        raise NotOpen(_l("This ballot has closed."))
    return box.open_box(ballot.id, row.sealed)


def _store_box(ballot, markings):
    db.session.execute(
        update(BallotBox)
        .where(BallotBox.ballot_id == ballot.id)
        .values(sealed=box.seal_box(ballot.id, {m: n for m, n in markings.items() if n}))
        .execution_options(synchronize_session=False)
    )


def _require_room_on_the_roll(ballot, counted):
    """Nobody votes beyond the eligible: online ballots plus the paper ballots (counted,
    or handed out) stay within the ballot's eligible residents or households."""
    if counted + queries.paper_ballots(ballot.id) >= ballot.eligible_count:
        raise Conflict(
            _l(
                "Every eligible resident or household of this ballot has already voted. "
                "If that is wrong, ask the coordinator to correct the number eligible."
            )
        )


def cast_vote(ballot, *, voter, choices, receipt=None, now=None):
    """Put `voter` on the roll, with their marking sealed under the receipt, and add the
    marking to the box, in one transaction. Returns the receipt (new_receipt(), or the
    one the caller made ahead to show it), which is stored only as a hash."""
    now = now or utcnow()
    _require_open(ballot, voter, now)
    marking = checked_marking(ballot, choices)
    markings = _locked_box(ballot)
    _require_room_on_the_roll(ballot, sum(markings.values()))
    receipt = receipt or new_receipt()
    _put_on_roll(ballot, voter, Channel.ONLINE, receipt=receipt, marking=marking)
    markings[marking] = markings.get(marking, 0) + 1
    _store_box(ballot, markings)
    return receipt


def _roll_row_for(ballot, receipt):
    if not receipt or not is_well_formed(receipt):
        return None
    return db.session.execute(
        select(
            BallotVoter.id,
            BallotVoter.user_id,
            BallotVoter.household_id,
            BallotVoter.sealed_marking,
        ).where(
            BallotVoter.ballot_id == ballot.id, BallotVoter.receipt_hash == receipt_hash(receipt)
        )
    ).one_or_none()


def change_vote(ballot, *, voter, receipt, choices, now=None):
    """Replace the marking `receipt` proves, while the ballot is open: one less ballot
    marked the old way in the box, one more the new way."""
    now = now or utcnow()
    _require_open(ballot, voter, now)
    new = checked_marking(ballot, choices)
    if queries.voted_channel(ballot, voter) is not Channel.ONLINE:
        raise DomainError(_l("There is no online vote of yours to change in this ballot."))
    markings = _locked_box(ballot)  # first: a change made meanwhile is read after it
    row = _roll_row_for(ballot, receipt)
    own = row is not None and (
        row.user_id == voter.id or (ballot.per_household and row.household_id == voter.household_id)
    )
    old = box.open_marking(receipt, ballot.id, row.sealed_marking) if own else None
    if old is None:
        raise DomainError(
            _l("This receipt does not match a vote in this ballot. Check the code you wrote down.")
        )
    markings[old] -= 1
    markings[new] = markings.get(new, 0) + 1
    _store_box(ballot, markings)
    db.session.execute(
        update(BallotVoter)
        .where(BallotVoter.id == row.id)
        .values(sealed_marking=box.seal_marking(receipt, ballot.id, new))
        .execution_options(synchronize_session=False)
    )
    return new


def _is_own(ballot, row, voter):
    return row.user_id == voter.id or (
        ballot.per_household and row.household_id == voter.household_id
    )


def marking_for_receipt(ballot, receipt, voter=None):
    """The marking of the vote `receipt` proves ("3,5", "5>3>1"), or None; with `voter`,
    only if the vote is theirs (or their household's): a receipt read over someone's
    shoulder shows nothing in another account."""
    row = _roll_row_for(ballot, receipt)
    if row is None or row.sealed_marking is None:
        return None
    if voter is not None and not _is_own(ballot, row, voter):
        return None
    return box.open_marking(receipt, ballot.id, row.sealed_marking)


def choices_for_receipt(ballot, receipt, voter=None):
    """{option id: points} of the vote `receipt` proves, or None (see marking_for_receipt)."""
    marking = marking_for_receipt(ballot, receipt, voter)
    return None if marking is None else box.points_of(marking)


def publish_count(ballot):
    """The ballot has closed: its box is opened and stored in plain, to be counted and
    shown. Called once, by whatever closes it (the job, or the coordinator)."""
    row = db.session.execute(
        select(BallotBox.sealed).where(BallotBox.ballot_id == ballot.id).with_for_update()
    ).one_or_none()
    if row is None or row.sealed is None:
        return
    markings = box.open_box(ballot.id, row.sealed)
    db.session.execute(
        update(BallotBox)
        .where(BallotBox.ballot_id == ballot.id)
        .values(sealed=None, published=json.dumps(dict(sorted(markings.items()))))
        .execution_options(synchronize_session=False)
    )


# Paper ballots --------------------------------------------------------------------------


def hand_paper_ballot(ballot, *, resident, actor, now=None):
    """A checked-in resident takes a paper ballot: they go on the roll and cannot vote online."""
    now = now or utcnow()
    sync_ballot_state(ballot, now)
    if not ballot.takes_paper_ballots_at(now):
        raise NotOpen(_l("This ballot has closed."))
    if not ballot.can_vote(resident):
        raise DomainError(_l("Only residents of this complex can be handed a ballot."))
    _lock_box(ballot)
    _require_room_for_a_paper_mark(ballot)
    try:
        _put_on_roll(ballot, resident, Channel.PAPER, recorded_by=actor)
    except AlreadyVoted:
        raise AlreadyVoted(
            _l("%(name)s (or their household) has already voted in this ballot."),
            name=resident.display_name,
        ) from None
    log_change(
        "ballot.paper_ballot",
        ballot,
        actor=actor,
        complex_id=ballot.participation.complex_id,
        after={"user_id": resident.id},
    )


def _require_room_for_a_paper_mark(ballot):
    """One more on the paper roll keeps the paper ballots within the eligible minus those
    who voted online. (The room's count, when entered, already fits: the one marked may
    be among it, so it is the marks that must fit.) Call with the box locked."""
    online, marked = queries.online_voter_count(ballot.id), queries.paper_voter_count(ballot.id)
    if online + marked + 1 > ballot.eligible_count:
        raise Conflict(
            _l(
                "No more paper ballots can be marked: %(eligible)s are eligible, "
                "%(online)s voted online and %(paper)s are marked on paper."
            ),
            eligible=ballot.eligible_count,
            online=online,
            paper=marked,
        )


def mark_household_on_paper(ballot, *, household, actor, now=None):
    """On a one-per-household ballot, the coordinator marks a household (동/호) from the
    household list as having voted on paper, whether or not anyone in it has an account:
    it goes on the roll (no user), and none of its members can then vote online. A
    household already on the roll (online, or marked) is refused: the UNIQUE (ballot,
    household) decides between two coordinators marking it at the same moment."""
    now = now or utcnow()
    sync_ballot_state(ballot, now)
    if not ballot.per_household:
        raise DomainError(
            _l("This ballot takes one vote per resident: hand the paper ballot to the resident.")
        )
    if not ballot.takes_paper_ballots_at(now):
        raise NotOpen(_l("This ballot has closed."))
    if household.complex_id != ballot.participation.complex_id:
        raise DomainError(_l("That household is not in this ballot's complex."))
    _lock_box(ballot)  # votes and other marks wait: the counts below hold
    _require_room_for_a_paper_mark(ballot)
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(BallotVoter.__table__).values(
                    ballot_id=ballot.id,
                    user_id=None,
                    household_id=household.id,
                    channel=Channel.PAPER,
                    recorded_by_id=actor.id,
                )
            )
    except IntegrityError:
        if queries.household_channel(ballot, household.id) is Channel.ONLINE:
            raise AlreadyVoted(
                _l("%(household)s has already voted online, so it cannot vote on paper."),
                household=household.label,
            ) from None
        raise AlreadyVoted(
            _l("%(household)s is already marked as having voted on paper."),
            household=household.label,
        ) from None
    log_change(
        "ballot.paper_household",
        ballot,
        actor=actor,
        complex_id=ballot.participation.complex_id,
        after={"household_id": household.id, "household": household.label},
    )


def unmark_household_on_paper(ballot, *, household, reason, actor, now=None):
    """A correction: the household was marked on paper by mistake. Its paper mark leaves
    the roll (it may then vote online), and an audit entry of its own says who removed
    it and why; the entry that marked it stays. Until the selection is confirmed."""
    now = now or utcnow()
    sync_ballot_state(ballot, now)
    if ballot.is_confirmed:
        raise Conflict(_l("The selection has been confirmed; the paper roll can no longer change."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write down why the paper mark is removed."))
    removed = db.session.execute(
        delete(BallotVoter)
        .where(
            BallotVoter.ballot_id == ballot.id,
            BallotVoter.household_id == household.id,
            BallotVoter.channel == Channel.PAPER,
        )
        .returning(BallotVoter.user_id, BallotVoter.recorded_by_id)
        .execution_options(synchronize_session=False)
    ).all()
    if not removed:
        raise Conflict(
            _l("%(household)s is not marked as having voted on paper."),
            household=household.label,
        )
    ((user_id, recorded_by_id),) = removed
    log_change(
        "ballot.paper_household_removed",
        ballot,
        actor=actor,
        complex_id=ballot.participation.complex_id,
        before={
            "household_id": household.id,
            "household": household.label,
            "user_id": user_id,
            "recorded_by_id": recorded_by_id,
        },
        after={"reason": reason},
    )


def _check_tally(ballot, ballot_count, votes):
    option_ids = {option.id for option in ballot.options}
    if set(votes) - option_ids:
        raise DomainError(_l("That option is not on this ballot."))
    if ballot_count < 0 or any(count < 0 for count in votes.values()):
        raise DomainError(_l("Counts cannot be negative."))
    if sum(votes.values()) > ballot_count * ballot.max_choices:
        raise DomainError(
            _l("The votes add up to more than %(count)s paper ballots allow."), count=ballot_count
        )
    if any(count > ballot_count * ballot.max_per_option for count in votes.values()):
        raise DomainError(
            _l("One option has more votes than %(count)s paper ballots allow."), count=ballot_count
        )
    handed = db.session.scalar(
        select(func.count(BallotVoter.id)).where(
            BallotVoter.ballot_id == ballot.id, BallotVoter.channel == Channel.PAPER
        )
    )
    _lock_box(ballot)  # votes wait, or this waits for them: the online count holds
    room = ballot.eligible_count - queries.online_voter_count(ballot.id)
    if ballot_count > room:
        raise DomainError(
            _l(
                "At most %(room)s paper ballots can count: %(eligible)s are eligible and "
                "%(online)s voted online."
            ),
            room=max(room, 0),
            eligible=ballot.eligible_count,
            online=ballot.eligible_count - room,
        )
    if ballot_count < handed:
        raise DomainError(
            _l(
                "%(count)s residents were handed paper ballots; the count of paper "
                "ballots cannot be lower."
            ),
            count=handed,
        )


def record_paper_tally(ballot, *, ballot_count, votes, note="", actor, now=None, rankings=None):
    """The room's paper count per option. A correction replaces the current entry, which
    stays in the table (replaced) and in the audit log. (A ranked ballot's count is its
    `rankings`: see `record_ranked_paper_tally`.)"""
    now = now or utcnow()
    sync_ballot_state(ballot, now)
    if ballot.is_confirmed:
        raise Conflict(_l("The selection has been confirmed; the tallies can no longer change."))
    if ballot.is_scheduled_at(now):
        raise NotOpen(_l("This ballot is not open yet."))
    if ballot.is_ranked and (rankings is None or votes):
        raise DomainError(_l("A ranked ballot's paper tally is entered as rankings."))
    _check_tally(ballot, ballot_count, votes)
    previous = queries.current_paper_tally(ballot.id)
    if previous is not None:
        replaced = db.session.execute(
            update(PaperTally)
            .where(PaperTally.id == previous.id, PaperTally.replaced_at.is_(None))
            .values(replaced_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if replaced != 1:
            raise Conflict()
    tally = PaperTally(
        ballot_id=ballot.id,
        ballot_count=ballot_count,
        note=note,
        entered_by_id=actor.id,
        entered_at=now,
        rankings=json.dumps(rankings, sort_keys=True) if rankings is not None else None,
        lines=[
            PaperTallyLine(option_id=option_id, votes=count) for option_id, count in votes.items()
        ],
    )
    try:
        with db.session.begin_nested():
            db.session.add(tally)
    except IntegrityError:
        raise Conflict(
            _l("Someone entered a paper tally at the same moment. Reload and check it.")
        ) from None
    log_change(
        "ballot.paper_tally" if previous is None else "ballot.paper_tally_correction",
        ballot,
        actor=actor,
        complex_id=ballot.participation.complex_id,
        before=_tally_figures(previous),
        after=_tally_figures(tally),
    )
    return tally


def record_ranked_paper_tally(ballot, *, rankings, note="", actor, now=None):
    """The room's count of a ranked ballot's papers: `rankings` is [({option id: place},
    ballots), ...] as read off the papers (one entry per way they were numbered; the same
    ranking twice is added up). The paper ballot count is their sum, and the caps of
    `record_paper_tally` hold."""
    if not ballot.is_ranked:
        raise DomainError(_l("Only a ranked ballot's paper tally is entered as rankings."))
    profile: dict[str, int] = {}
    for places, ballots in rankings:
        if not isinstance(ballots, int) or ballots < 0:
            raise DomainError(_l("Counts cannot be negative."))
        if ballots:
            marking = ranked.ranking_to_text(ranking_from_places(ballot, places))
            profile[marking] = profile.get(marking, 0) + ballots
    return record_paper_tally(
        ballot,
        ballot_count=sum(profile.values()),
        votes={},
        note=note,
        actor=actor,
        now=now,
        rankings=profile,
    )


def _tally_figures(tally):
    if tally is None:
        return None
    return {
        "tally_id": tally.id,
        "ballot_count": tally.ballot_count,
        "note": tally.note,
        **({"rankings": tally.rankings} if tally.rankings is not None else {}),
        **{f"option_{line.option_id}": line.votes for line in tally.lines},
    }


# Closing and confirming -----------------------------------------------------------------


def close_ballot(ballot, *, actor, now=None):
    """Close now, before the closing time (the clock closes it otherwise)."""
    now = now or utcnow()
    sync_ballot_state(ballot, now)
    if ballot.is_closed_at(now):
        raise Conflict(_l("This ballot is already closed."))
    if ballot.is_scheduled_at(now):
        raise NotOpen(_l("This ballot is not open yet."))
    result = db.session.execute(
        update(Ballot)
        .where(Ballot.id == ballot.id, Ballot.closed_at.is_(None))
        .values(closed_at=now, state=BallotState.CLOSED)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_l("This ballot is already closed."))
    db.session.refresh(ballot)
    publish_count(ballot)
    log_change(
        "ballot.close",
        ballot,
        actor=actor,
        complex_id=ballot.participation.complex_id,
        after={"closed_at": now},
    )
    return ballot


def _require_closed_unconfirmed(ballot, now):
    sync_ballot_state(ballot, now)
    if not ballot.is_closed_at(now):
        raise NotOpen(_l("The ballot must be closed first."))
    if ballot.is_confirmed:
        raise Conflict(_l("The selection has already been confirmed."))


def record_tie_decision(ballot, *, option, note, actor, now=None):
    """The coordinator's decision: `option` goes ahead of the others tied with it."""
    now = now or utcnow()
    _require_closed_unconfirmed(ballot, now)
    results = queries.ballot_results(ballot)
    if ballot.tie_rule is not TieRule.COORDINATOR or option.id not in results.tied_at_cut_ids:
        raise DomainError(_l("There is no tie for this option to decide."))
    if not note.strip():
        raise DomainError(_l("Write down how the tie was decided."))
    positions = [o.tie_break_position for o in ballot.options if o.tie_break_position is not None]
    option.tie_break_position = max(positions, default=0) + 1
    ballot.tie_note = "\n".join(filter(None, [ballot.tie_note, note.strip()]))
    log_change(
        "ballot.tie_decision",
        ballot,
        actor=actor,
        complex_id=ballot.participation.complex_id,
        after={"option_id": option.id, "note": note},
    )
    return ballot


def confirm_selection(ballot, *, actor, now=None):
    """The top `seats` options become the selected problems, the rest not selected."""
    now = now or utcnow()
    _require_closed_unconfirmed(ballot, now)
    results = queries.ballot_results(ballot)
    if not results.quorum_met:
        raise DomainError(
            _l(
                "Turnout was below the quorum, so the result is not valid. "
                "Open a new ballot instead."
            )
        )
    if results.undecided_tie:
        raise DomainError(
            _l("Options are tied for the last place. Record the decision on the tie first.")
        )
    selected = {row.problem_id for row in results.selected}
    for option in ballot.options:
        target = (
            ProblemState.SELECTED if option.problem_id in selected else ProblemState.NOT_SELECTED
        )
        moved = db.session.execute(
            update(Problem)
            .where(Problem.id == option.problem_id, Problem.state == ProblemState.SHORTLISTED)
            .values(state=target, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise Conflict(_l("A problem on this ballot is no longer shortlisted."))
        log_change(
            "problem.state",
            option.problem,
            actor=actor,
            complex_id=ballot.participation.complex_id,
            before={"state": ProblemState.SHORTLISTED.value},
            after={"state": target.value, "ballot_id": ballot.id},
        )
    confirmed = db.session.execute(
        update(Ballot)
        .where(Ballot.id == ballot.id, Ballot.confirmed_at.is_(None))
        .values(confirmed_at=now, confirmed_by_id=actor.id, state=BallotState.CLOSED)
        .execution_options(synchronize_session=False)
    ).rowcount
    if confirmed != 1:
        raise Conflict(_l("The selection has already been confirmed."))
    db.session.expire_all()
    log_change(
        "ballot.confirm",
        ballot,
        actor=actor,
        complex_id=ballot.participation.complex_id,
        after={
            "selected": ",".join(str(problem_id) for problem_id in sorted(selected)),
            "turnout": results.turnout,
            "eligible": results.eligible,
            **_ranked_record(results),
        },
    )
    return results


def _ranked_record(results):
    """What the confirm audit entry keeps of a ranked count: the method, the tie rule
    applied, and each tie met (the options in the order the rule put them)."""
    count = results.ranked
    if count is None:
        return {}
    return {
        "method": count.method.value,
        "tie_rule": count.tie_rule,
        "ballots": count.ballots,
        "order": ">".join(str(option_id) for option_id in count.order),
        "ties": "; ".join(
            f"{tie.kind}: {'>'.join(str(o) for o in tie.order)}" for tie in count.ties
        ),
    }
