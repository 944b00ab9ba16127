"""The first workshops' ballots: online votes, the room's paper tally, the selection.

What each complex selected comes from the report; the vote counts, the voters and the
ballots of the invented complexes are invented (source="demo"): the report gives no
figures. Online voters are stand-ins (gachi/demo/people.py), one per household.
"""

from dataclasses import dataclass
from datetime import timedelta

from gachi.ballots.models import Eligibility, Method, TieRule
from gachi.ballots.operations import cast_vote, confirm_selection, open_ballot, record_paper_tally
from gachi.demo.clock import seoul
from gachi.demo.problems import FIRST_WORKSHOPS


@dataclass(frozen=True)
class PilotBallot:
    seats: int
    # Online, one tuple per voter: the positions (0-based) of the options they chose.
    online: tuple[tuple[int, ...], ...]
    # The room's paper ballots and the paper votes per option, in option order.
    paper_ballots: int
    paper: tuple[int, ...]
    # The households on the roll when the report gives none (응암동 H): invented.
    eligible: int | None = None


PILOT_BALLOTS = {
    "ahyeon": PilotBallot(2, ((0, 1), (0, 1), (0, 1), (0, 2)), 38, (30, 27, 9)),
    "jeonnong": PilotBallot(1, ((0,),) * 5 + ((1,),), 34, (30, 4)),
    "eungam": PilotBallot(1, ((0,),) * 3 + ((1,), (2,)), 39, (21, 8, 6, 4), eligible=800),
    "cheongnyangni": PilotBallot(3, ((0, 1, 2),) * 4 + ((0, 3),), 41, (33, 29, 25, 6)),
    "sillim": PilotBallot(1, (), 43, (29, 14)),
    "munjeong": PilotBallot(2, (), 48, (31, 27, 9)),
}


def hold_ballot(pilot, place, problems):
    """The coordinator opens the ballot after the workshop's discussion; residents vote
    online over five days, the room's paper ballots are counted that evening, and the
    coordinator confirms the selection once it has closed."""
    spec = PILOT_BALLOTS.get(place.spec.key)
    if spec is None:
        return None
    coordinator = pilot.coordinator_of(place)
    day = FIRST_WORKSHOPS[place.spec.key].day
    opens_at, closes_at = seoul(day, 15), seoul(day + timedelta(days=5), 18)
    ballot = open_ballot(
        place.participation,
        title="1차 워크숍 생활문제 투표",
        problems=problems,
        method=Method.SINGLE if spec.seats == 1 else Method.APPROVAL,
        max_choices=spec.seats,
        seats=spec.seats,
        eligibility=Eligibility.HOUSEHOLD,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=5,
        tie_rule=TieRule.EARLIEST,
        actor=coordinator,
    )
    ballot.source = "demo"
    if spec.eligible is not None:
        # The complex's households are not in the report, so open_ballot counted the ten
        # listed in the demo; the roll of the time is an invented figure.
        ballot.eligible_count = spec.eligible
    options = ballot.options
    for number, chosen in enumerate(spec.online, start=1):
        voter = pilot.stand_ins.resident(
            place.code_of(number),
            f"demo.voter.{place.complex_.id}.{number}",
            f"주민 {number} (demo)",
        )
        cast_vote(
            ballot,
            voter=voter,
            choices={options[position].id: 1 for position in chosen},
            now=opens_at + timedelta(hours=number),
        )
        pilot.stand_ins.retire(voter)
    record_paper_tally(
        ballot,
        ballot_count=spec.paper_ballots,
        votes={option.id: votes for option, votes in zip(options, spec.paper, strict=True)},
        note="워크숍 현장 종이 투표 집계 (demo)",
        actor=coordinator,
        now=seoul(day, 17),
    )
    confirm_selection(ballot, actor=coordinator, now=closes_at + timedelta(hours=1))
    return ballot
