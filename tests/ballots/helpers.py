"""A complex in its problem workshop with shortlisted problems, and ballots on them."""

from dataclasses import dataclass
from datetime import timedelta

from gachi.ballots.models import Eligibility, Method, TieRule
from gachi.ballots.operations import open_ballot
from gachi.complexes.stages import Stage
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.proposals.models import ProblemState


@dataclass
class Scene:
    complex: object
    participation: object
    coordinator: object
    problems: list
    residents: list


def ballot_scene(make, problem_count=3, resident_count=3, **complex_fields):
    complex_ = make.complex_(**complex_fields)
    participation = make.participation(complex_, stage=Stage.PROBLEM_WORKSHOP)
    coordinator = make.coordinator(complex_)
    problems = [
        make.problem(participation, title=title, state=ProblemState.SHORTLISTED, category_code=code)
        for title, code in [
            ("아이 돌봄(육아)", "care"),
            ("쓰레기 분리배출", "waste"),
            ("주차 문제", "housing"),
            ("쉴 곳 부족", "other"),
        ][:problem_count]
    ]
    residents = [make.resident(complex_) for _ in range(resident_count)]
    return Scene(complex_, participation, coordinator, problems, residents)


def a_ballot(
    scene,
    *,
    method=Method.SINGLE,
    eligibility=Eligibility.RESIDENT,
    tie_rule=TieRule.EARLIEST,
    opens_in=timedelta(hours=-1),
    lasts=timedelta(days=7),
    **fields,
):
    opens_at = utcnow() + opens_in
    ballot = open_ballot(
        scene.participation,
        title="1차 워크숍 투표",
        problems=scene.problems,
        method=method,
        eligibility=eligibility,
        tie_rule=tie_rule,
        opens_at=opens_at,
        closes_at=opens_at + lasts,
        actor=scene.coordinator,
        **fields,
    )
    db.session.commit()
    return ballot


def option_ids(ballot):
    return [option.id for option in ballot.options]


def ballots_in_box(ballot=None):
    """How many ballots the box of `ballot` (or of every ballot) counts."""
    from gachi.ballots.models import BallotBox
    from gachi.ballots.queries import counted_markings

    ids = [ballot.id] if ballot else db.session.scalars(db.select(BallotBox.ballot_id)).all()
    return sum(sum(counted_markings(ballot_id).values()) for ballot_id in ids)


def receipt_page(client, vote):
    """A new vote is post/redirect/get: its POST renders nothing and sends the browser
    (303) to the page that shows the receipt, once; that page is what the voter sees."""
    assert vote.status_code == 303, vote.status_code
    return client.get(vote.headers["Location"])
