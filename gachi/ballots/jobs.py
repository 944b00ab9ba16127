"""What the scheduler calls for ballots: open and close them on time, and remind those
who have not voted before one closes."""

from datetime import timedelta

from sqlalchemy import or_, select

from gachi.ballots.models import Ballot, BallotState, BallotVoter
from gachi.ballots.operations import sync_ballot_state
from gachi.complexes.models import LONGEST_LEAD_HOURS, lead_hours
from gachi.complexes.queries import resident_ids
from gachi.core.time import seoul_label
from gachi.extensions import db
from gachi.notifications.models import N_, NotificationKind
from gachi.notifications.operations import send_reminder


def open_and_close_ballots(now):
    """Write down the state the clock says for ballots whose opening or closing time has
    passed. sync_ballot_state's UPDATE is conditional, so a second run changes nothing.
    Returns how many ballots changed."""
    ballots = db.session.scalars(
        select(Ballot)
        .where(
            or_(
                (Ballot.state == BallotState.SCHEDULED) & (Ballot.opens_at <= now),
                (Ballot.state != BallotState.CLOSED) & (Ballot.closes_at <= now),
            )
        )
        .order_by(Ballot.id)
    ).all()
    return sum(1 for ballot in ballots if sync_ballot_state(ballot, now))


def remind_closing_ballots(now):
    """Remind each eligible resident who has not voted that an open ballot closes soon,
    its complex's lead time ahead (`ballot_hours`), once. Only the roll is read (who has
    voted, or whose household has, for a ballot per household), never what was chosen.
    Returns how many were reminded."""
    ballots = db.session.scalars(
        select(Ballot)
        .where(
            Ballot.state != BallotState.CLOSED,
            Ballot.opens_at <= now,
            Ballot.closes_at > now,
            Ballot.closes_at <= now + timedelta(hours=LONGEST_LEAD_HOURS),
        )
        .order_by(Ballot.id)
    ).all()
    hours = lead_hours({ballot.participation.complex_id for ballot in ballots})
    sent = 0
    for ballot in ballots:
        complex_id = ballot.participation.complex_id
        if ballot.closes_at > now + timedelta(hours=hours[complex_id]["ballot_hours"]):
            continue
        roll = db.session.execute(
            select(BallotVoter.user_id, BallotVoter.household_id).where(
                BallotVoter.ballot_id == ballot.id
            )
        ).all()
        voted = {row.user_id for row in roll if row.user_id is not None}
        voted_households = {row.household_id for row in roll if row.household_id is not None}
        not_voted = [
            row.id
            for row in resident_ids(complex_id)
            if row.id not in voted
            and not (ballot.per_household and row.household_id in voted_households)
        ]
        sent += send_reminder(
            "ballot.closing",
            ballot.id,
            not_voted,
            now,
            N_("The ballot %(title)s closes on %(when)s. You have not voted yet."),
            kind=NotificationKind.BALLOTS,
            link=f"/ballots/{ballot.id}",
            title=ballot.title,
            when=seoul_label(ballot.closes_at),
        )
    return sent
