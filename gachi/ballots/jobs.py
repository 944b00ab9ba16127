"""What the scheduler calls for ballots: open and close them on time."""

from sqlalchemy import or_, select

from gachi.ballots.models import Ballot, BallotState
from gachi.ballots.operations import sync_ballot_state
from gachi.extensions import db


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
