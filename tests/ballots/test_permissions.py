"""The can_* matrix of problems, workshops and ballots: staff, a coordinator placed here
today or no longer, residents of this complex and of another."""

from datetime import UTC, datetime

import pytest

from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.workshops.models import WorkshopRound
from gachi.workshops.operations import create_workshop
from tests.ballots.helpers import a_ballot, ballot_scene


@pytest.fixture
def world(make):
    scene = ballot_scene(make)
    ballot = a_ballot(scene)
    workshop = create_workshop(
        scene.participation,
        round=WorkshopRound.PROBLEMS,
        held_at=datetime(2018, 9, 15, 5, tzinfo=UTC),
        actor=scene.coordinator,
    )
    db.session.commit()
    people = {
        "staff": make.staff(),
        "coordinator here": scene.coordinator,
        "coordinator whose placement ended": make.coordinator(
            scene.complex, starts_on=make.days_ago(60), ends_on=make.days_ago(1)
        ),
        "coordinator elsewhere": make.coordinator(make.complex_()),
        "resident here": scene.residents[0],
        "resident elsewhere": make.resident(),
        "partner": make.partner(),
    }
    return scene.problems[0], workshop, ballot, people


# person: (view, manage, vote/support)
EXPECTED = {
    "staff": (True, True, False),
    "coordinator here": (True, True, False),
    "coordinator whose placement ended": (False, False, False),
    "coordinator elsewhere": (False, False, False),
    "resident here": (True, False, True),
    "resident elsewhere": (False, False, False),
    "partner": (False, False, False),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_who_may_see_manage_and_vote(world, who):
    problem, workshop, ballot, people = world
    user = people[who]
    view, manage, take_part = EXPECTED[who]
    assert (problem.can_view(user), workshop.can_view(user), ballot.can_view(user)) == (view,) * 3
    assert (problem.can_manage(user), workshop.can_manage(user), ballot.can_manage(user)) == (
        manage,
    ) * 3
    assert (ballot.can_vote(user), problem.can_support(user)) == (take_part, take_part)


def test_results_are_for_everyone_in_scope_once_closed(world):
    _problem, _workshop, ballot, people = world
    assert not ballot.can_see_results(people["resident here"], utcnow())
    ballot.closed_at = utcnow()
    assert ballot.can_see_results(people["resident here"], utcnow())
    assert not ballot.can_see_results(people["resident elsewhere"], utcnow())


def test_an_inactive_resident_cannot_vote(world):
    _problem, _workshop, ballot, people = world
    people["resident here"].active = False
    assert not ballot.can_vote(people["resident here"])
