"""The life of a complex: stage moves checked, logged and safe when raced."""

import pytest
from sqlalchemy import func, select

from gachi.complexes.models import Participation, StageMove
from gachi.complexes.operations import move_stage
from gachi.complexes.stages import Stage
from gachi.core.audit import AuditEntry
from gachi.core.errors import Conflict, GateNotMet, NotAllowed
from gachi.extensions import db
from tests.core.test_database import run_together


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_move_without_a_placed_coordinator_is_refused_and_nothing_changes(make):
    staff = make.staff()
    participation = make.participation()
    with pytest.raises(GateNotMet) as refused:
        move_stage(participation, Stage.PROBLEM_WORKSHOP, actor=staff)
    db.session.rollback()
    assert "No coordinator is placed at this complex." in str(refused.value)
    assert db.session.get(Participation, participation.id).stage is Stage.RECRUITING
    assert count(StageMove) == 0 and count(AuditEntry) == 0


def test_move_with_its_gate_met_is_recorded_with_who_and_when(make):
    participation = make.participation()
    coordinator = make.coordinator(participation.complex)
    move_stage(participation, Stage.PROBLEM_WORKSHOP, actor=coordinator)
    db.session.commit()
    assert participation.stage is Stage.PROBLEM_WORKSHOP
    move = db.session.scalars(select(StageMove)).one()
    assert (move.from_stage, move.to_stage, move.moved_by_id) == (
        Stage.RECRUITING,
        Stage.PROBLEM_WORKSHOP,
        coordinator.id,
    )
    assert db.session.scalars(select(AuditEntry.action)).all() == ["stage.move"]


def test_a_placement_that_ended_does_not_open_the_gate(make):
    participation = make.participation()
    make.coordinator(participation.complex, starts_on=make.days_ago(60), ends_on=make.days_ago(1))
    with pytest.raises(GateNotMet):
        move_stage(participation, Stage.PROBLEM_WORKSHOP, actor=make.staff())


def test_stages_cannot_be_skipped(make):
    participation = make.participation()
    with pytest.raises(GateNotMet):
        move_stage(participation, Stage.PLANNING, actor=make.staff())


def test_closing_early_is_for_staff_and_needs_a_reason(make):
    participation = make.participation()
    coordinator = make.coordinator(participation.complex)
    with pytest.raises(NotAllowed):
        move_stage(participation, Stage.CLOSED, actor=coordinator, note="주민 반대")
    with pytest.raises(GateNotMet):
        move_stage(participation, Stage.CLOSED, actor=make.staff(), note="  ")
    move_stage(participation, Stage.CLOSED, actor=make.staff(), note="단지 사정으로 참여 철회")
    assert participation.stage is Stage.CLOSED


def test_two_people_moving_the_same_participation_at_once_move_it_once(app, make):
    participation = make.participation()
    make.coordinator(participation.complex)
    participation_id = participation.id
    staff_ids = [make.staff().id for _ in range(6)]

    def move(index):
        from gachi.auth.models import User

        target = db.session.get(Participation, participation_id)
        actor = db.session.get(User, staff_ids[index])
        move_stage(target, Stage.PROBLEM_WORKSHOP, actor=actor)
        db.session.commit()
        return "moved"

    results = run_together(app, 6, move)
    assert results.count("moved") == 1
    assert all(isinstance(r, (GateNotMet, Conflict)) for r in results if r != "moved")
    assert count(StageMove) == 1
