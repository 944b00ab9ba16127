"""Problems: proposing, on someone's behalf, support, comments, states and merges."""

import pytest
from sqlalchemy import func, select

from gachi.complexes.stages import Stage
from gachi.core.audit import AuditEntry
from gachi.core.errors import DomainError, NotAllowed
from gachi.extensions import db
from gachi.proposals.models import ProblemComment, ProblemState, ProblemSupport
from gachi.proposals.operations import (
    add_comment,
    merge_problems,
    move_problem,
    propose_problem,
    support_problem,
    withdraw_support,
)
from gachi.proposals.queries import problem_lines
from tests.core.test_database import run_together


@pytest.fixture
def room(make):
    complex_ = make.complex_()
    participation = make.participation(complex_, stage=Stage.PROBLEM_WORKSHOP)
    return (
        participation,
        make.coordinator(complex_),
        make.resident(complex_),
        make.resident(complex_),
    )


def test_a_resident_proposes_a_problem(room, make):
    participation, _coordinator, resident, _other = room
    problem = propose_problem(
        participation,
        title="주차 문제",
        category=make.category("housing"),
        description="저녁마다 자리가 없다",
        actor=resident,
    )
    db.session.commit()
    assert (problem.state, problem.proposed_by_id, problem.entered_by_id) == (
        ProblemState.PROPOSED,
        resident.id,
        None,
    )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "problem.propose")
        )
        == 1
    )


def test_the_coordinator_enters_what_was_said_in_the_room(room, make):
    participation, coordinator, resident, _other = room
    for_resident = propose_problem(
        participation,
        title="아이 돌봄",
        category=make.category("care"),
        actor=coordinator,
        on_behalf_of=resident,
    )
    unnamed = propose_problem(
        participation, title="쉴 곳 부족", category=make.category("other"), actor=coordinator
    )
    assert (for_resident.proposed_by_id, for_resident.entered_by_id) == (
        resident.id,
        coordinator.id,
    )
    assert (unnamed.proposed_by_id, unnamed.entered_by_id) == (None, coordinator.id)
    with pytest.raises(DomainError):
        propose_problem(
            participation,
            title="x",
            category=make.category("care"),
            actor=coordinator,
            on_behalf_of=make.resident(),
        )


def test_problems_are_not_proposed_after_the_first_workshop(make):
    complex_ = make.complex_()
    participation = make.participation(complex_, stage=Stage.PLANNING)
    with pytest.raises(DomainError, match="first workshop"):
        propose_problem(
            participation,
            title="늦은 제안",
            category=make.category("care"),
            actor=make.resident(complex_),
        )


def test_support_counts_once_per_resident_even_pressed_at_once(app, room, make):
    participation, _coordinator, resident, other = room
    problem = make.problem(participation)
    problem_id, resident_id = problem.id, resident.id

    def press(index):
        from gachi.auth.models import User
        from gachi.proposals.models import Problem

        support_problem(
            db.session.get(Problem, problem_id), actor=db.session.get(User, resident_id)
        )
        db.session.commit()
        return "ok"

    assert run_together(app, 10, press) == ["ok"] * 10
    support_problem(problem, actor=other)
    db.session.commit()
    assert problem_lines(participation.id, resident.id)[0].supports == 2
    withdraw_support(problem, actor=other)
    assert problem_lines(participation.id)[0].supports == 1


def test_support_is_closed_once_a_problem_is_decided(room, make):
    participation, _coordinator, resident, _other = room
    problem = make.problem(participation, state=ProblemState.SELECTED)
    with pytest.raises(NotAllowed):
        support_problem(problem, actor=resident)


def test_states_move_only_along_the_map_and_each_move_is_logged(room, make):
    participation, coordinator, _resident, _other = room
    problem = make.problem(participation)
    move_problem(problem, ProblemState.SHORTLISTED, actor=coordinator)
    with pytest.raises(DomainError):
        move_problem(problem, ProblemState.RESOLVED, actor=coordinator)
    move_problem(problem, ProblemState.SELECTED, actor=coordinator)
    move_problem(problem, ProblemState.IN_PROGRESS, actor=coordinator)
    move_problem(problem, ProblemState.RESOLVED, actor=coordinator)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "problem.state").order_by(AuditEntry.id)
    ).all()
    assert [entry.after["state"] for entry in entries] == [
        "shortlisted",
        "selected",
        "in_progress",
        "resolved",
    ]


def test_merging_moves_supports_and_comments_without_counting_anyone_twice(room, make):
    participation, coordinator, resident, other = room
    keep = make.problem(participation, title="아이 돌봄(육아)")
    duplicate = make.problem(participation, title="육아 문제")
    for person in (resident, other):
        support_problem(duplicate, actor=person)
    support_problem(keep, actor=resident)
    add_comment(duplicate, body="오후에 맡길 곳이 없어요", actor=other)
    merge_problems(duplicate, keep, actor=coordinator)
    db.session.commit()
    assert duplicate.state is ProblemState.MERGED and duplicate.merged_into_id == keep.id
    supports = db.session.scalars(
        select(ProblemSupport.user_id).where(ProblemSupport.problem_id == keep.id)
    ).all()
    assert sorted(supports) == sorted([resident.id, other.id])
    assert db.session.scalars(select(ProblemComment.problem_id)).all() == [keep.id]
    assert [line.problem.id for line in problem_lines(participation.id)] == [keep.id]


def test_a_problem_cannot_merge_into_another_complexs(room, make):
    participation, coordinator, _resident, _other = room
    with pytest.raises(DomainError):
        merge_problems(make.problem(participation), make.problem(), actor=coordinator)
