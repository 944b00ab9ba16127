"""Stage gates that mean what they say: what must exist before a complex enters a stage,
the stage page saying what is missing, and staff moving on anyway only with a reason."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gachi.complexes.models import Participation, StageMove
from gachi.complexes.operations import move_stage
from gachi.complexes.stages import Stage, unmet_gates
from gachi.core.audit import AuditEntry
from gachi.core.errors import GateNotMet, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.bookings.models import Attendance
from gachi.programs.bookings.operations import book_seat, correct_attendance, mark_no_show
from gachi.workshops.models import WorkshopRound
from gachi.workshops.operations import check_in_resident
from tests.complexes.gates import a_budget_line, a_held_workshop
from tests.complexes.helpers import post, signed_in, text_of
from tests.programs.helpers import add_session, program_scene

FIRST_MISSING = "No 1st workshop (finding problems) has been held with attendance recorded."
SECOND_MISSING = "No 2nd workshop (designing solutions) has been held with attendance recorded."
PLAN_MISSING = "The plan needs at least one programme and one budget line before it runs."
SESSION_MISSING = "No programme session has been held with anyone attending yet."


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def stage_of(participation):
    db.session.expire_all()
    return db.session.get(Participation, participation.id).stage


def in_korean(client):
    client.set_cookie("lang", "ko")
    return client


# Each gate refuses, in Korean, naming what is missing; nothing moves. ------------------

REFUSALS = [
    (Stage.PROBLEM_WORKSHOP, "solution_workshop", "참석이 기록된 1차 워크숍(문제 발굴)이 아직"),
    (Stage.PROBLEM_WORKSHOP, "solution_workshop", "마감되고 확정된 투표가 아직 없습니다"),
    (Stage.SOLUTION_WORKSHOP, "planning", "참석이 기록된 2차 워크숍(해결 설계)이 아직"),
    (Stage.SOLUTION_WORKSHOP, "planning", "매칭 제안을 수락한 기업이 아직 없습니다"),
    (Stage.PLANNING, "running", "프로그램과 예산 항목이 각각 하나 이상 있어야 합니다"),
    (Stage.RUNNING, "evaluation", "참석자가 있었던, 마친 프로그램 일정이 아직 없습니다"),
    (Stage.EVALUATION, "closed", "평가가 아직 승인되지 않았습니다"),
]


@pytest.mark.parametrize(("stage", "target", "korean"), REFUSALS)
def test_a_coordinator_moving_on_too_soon_is_told_in_korean_what_is_missing(
    client, make, stage, target, korean
):
    participation = make.participation(stage=stage)
    coordinator = make.coordinator(participation.complex)
    in_korean(signed_in(client, coordinator))

    response = post(client, f"/participations/{participation.id}/stage", {"target": target})

    assert response.status_code == 409
    assert korean in text_of(response)
    assert stage_of(participation) is stage
    assert count(StageMove) == 0


# What each gate counts. ---------------------------------------------------------------


def test_a_first_workshop_counts_once_it_is_held_and_someone_came(make):
    participation = make.participation(stage=Stage.PROBLEM_WORKSHOP)
    coordinator = make.coordinator(participation.complex)
    resident = make.resident(participation.complex)
    a_held_workshop(participation, coordinator, walk_ins=5, held_at=utcnow() + timedelta(days=1))
    empty_room = a_held_workshop(participation, coordinator, walk_ins=0)
    a_held_workshop(participation, coordinator, WorkshopRound.SOLUTIONS, walk_ins=9)

    assert FIRST_MISSING in unmet_gates(participation, Stage.SOLUTION_WORKSHOP)

    # Not the one planned for tomorrow, nor the empty room, nor the 2nd round: someone
    # checked in at a workshop of the 1st round that was held.
    check_in_resident(empty_room, resident=resident, actor=coordinator)
    assert FIRST_MISSING not in unmet_gates(participation, Stage.SOLUTION_WORKSHOP)


def test_walk_ins_counted_at_the_door_are_attendance_too(make):
    participation = make.participation(stage=Stage.SOLUTION_WORKSHOP)
    coordinator = make.coordinator(participation.complex)
    assert SECOND_MISSING in unmet_gates(participation, Stage.PLANNING)
    a_held_workshop(participation, coordinator, WorkshopRound.SOLUTIONS, walk_ins=7)
    assert SECOND_MISSING not in unmet_gates(participation, Stage.PLANNING)


def test_running_needs_a_budget_line_as_well_as_a_programme(make):
    scene = program_scene(make, stage=Stage.PLANNING)
    assert unmet_gates(scene.participation, Stage.RUNNING) == [PLAN_MISSING]

    a_budget_line(scene.participation, scene.coordinator)
    move_stage(scene.participation, Stage.RUNNING, actor=scene.coordinator)

    assert scene.participation.stage is Stage.RUNNING


def test_a_budget_line_without_a_programme_does_not_open_running(make):
    participation = make.participation(stage=Stage.PLANNING)
    coordinator = make.coordinator(participation.complex)
    a_budget_line(participation, coordinator)
    assert PLAN_MISSING in unmet_gates(participation, Stage.RUNNING)


def test_evaluation_needs_a_session_that_ended_with_someone_attending(make):
    scene = program_scene(make, stage=Stage.RUNNING)
    held = add_session(scene.program, utcnow() - timedelta(days=2))
    booked_on = held.starts_at - timedelta(days=1)
    booking = book_seat(held, actor=scene.resident, resident=scene.resident, now=booked_on)
    # Booked for the session still to come, and nobody came to the one that was held.
    book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    mark_no_show(booking, actor=scene.coordinator, now=held.starts_at)
    assert unmet_gates(scene.participation, Stage.EVALUATION) == [SESSION_MISSING]

    correct_attendance(
        booking,
        Attendance.ATTENDED,
        actor=scene.coordinator,
        reason="출석부를 다시 보니 와 있었다",
        now=held.starts_at + timedelta(hours=3),
    )
    move_stage(scene.participation, Stage.EVALUATION, actor=scene.coordinator)

    assert scene.participation.stage is Stage.EVALUATION


# The stage page. ----------------------------------------------------------------------


def test_the_stage_page_lists_what_the_next_stage_needs_and_what_is_missing(client, make):
    participation = make.participation(stage=Stage.PLANNING)
    coordinator = make.coordinator(participation.complex)
    signed_in(client, coordinator)

    page = text_of(client.get(f"/participations/{participation.id}"))

    assert "What Running needs" in page
    assert "A programme with sessions scheduled: <strong>missing</strong>" in page
    assert f"({PLAN_MISSING})" in page
    assert "It can move to Running once what is missing above exists." in page
    # Nothing here for a coordinator to press: no move button, no moving on anyway.
    assert 'class="move-stage"' not in page and "override_reason" not in page


def test_the_stage_page_in_korean_shows_what_is_in_place(client, make):
    participation = make.participation(stage=Stage.SOLUTION_WORKSHOP)
    coordinator = make.coordinator(participation.complex)
    a_held_workshop(participation, coordinator, WorkshopRound.SOLUTIONS)
    in_korean(signed_in(client, coordinator))

    page = text_of(client.get(f"/participations/{participation.id}"))

    assert "실행 계획 단계로 옮기기 위한 요건" in page
    assert "참석이 기록된 2차 워크숍 개최: <strong>갖춤</strong>" in page
    assert "매칭 제안을 수락한 기업: <strong>빠짐</strong>" in page


def test_staff_see_a_way_to_move_on_anyway_with_a_reason(client, make):
    participation = make.participation(stage=Stage.PLANNING)
    make.coordinator(participation.complex)
    signed_in(client, make.staff())

    page = text_of(client.get(f"/participations/{participation.id}"))

    assert "Move to Running anyway" in page
    assert '<textarea id="override-reason-' in page and "required" in page


def test_with_every_gate_met_the_page_offers_the_move(client, make):
    participation = make.participation()
    make.coordinator(participation.complex)
    signed_in(client, make.staff())

    page = text_of(client.get(f"/participations/{participation.id}"))

    assert "A coordinator placed at the complex: <strong>in place</strong>" in page
    assert 'class="move-stage"' in page and "anyway" not in page


# Moving on anyway. --------------------------------------------------------------------


def test_staff_moving_on_anyway_without_a_reason_are_refused(client, make):
    participation = make.participation(stage=Stage.PLANNING)
    make.coordinator(participation.complex)
    signed_in(client, make.staff())

    response = post(
        client,
        f"/participations/{participation.id}/stage",
        {"target": "running", "override_reason": "   "},
    )

    assert response.status_code == 409
    assert PLAN_MISSING in text_of(response)
    assert stage_of(participation) is Stage.PLANNING
    assert count(StageMove) == 0


def test_staff_moving_on_anyway_with_a_reason_move_it_and_the_reason_is_logged(client, make):
    participation = make.participation(stage=Stage.PLANNING)
    make.coordinator(participation.complex)
    staff = make.staff()
    signed_in(client, staff)
    reason = "예산은 구청 보조금으로 따로 집행함 (센터 결재 2026-11-30)"

    response = post(
        client,
        f"/participations/{participation.id}/stage",
        {"target": "running", "override_reason": reason},
    )

    assert response.status_code == 302
    assert stage_of(participation) is Stage.RUNNING
    move = db.session.scalars(select(StageMove)).one()
    assert (move.to_stage, move.moved_by_id, move.note) == (Stage.RUNNING, staff.id, reason)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "stage.move")).one()
    assert entry.after["override_reason"] == reason
    assert entry.after["unmet_gates"] == (
        "a_programme_has_sessions, a_plan_has_a_programme_and_a_budget_line"
    )
    history = text_of(client.get(f"/participations/{participation.id}"))
    assert reason in history


def test_a_reason_given_when_nothing_is_missing_is_not_recorded_as_an_override(make):
    participation = make.participation()
    make.coordinator(participation.complex)
    move_stage(participation, Stage.PROBLEM_WORKSHOP, actor=make.staff(), override_reason="혹시")
    entry = db.session.scalars(select(AuditEntry)).one()
    assert "override_reason" not in entry.after
    assert db.session.scalars(select(StageMove)).one().note == ""


def test_a_coordinator_cannot_move_on_anyway_even_with_a_reason(client, make):
    participation = make.participation(stage=Stage.PLANNING)
    coordinator = make.coordinator(participation.complex)
    with pytest.raises(NotAllowed):
        move_stage(
            participation, Stage.RUNNING, actor=coordinator, override_reason="일정이 급합니다"
        )
    db.session.rollback()
    signed_in(client, coordinator)

    response = post(
        client,
        f"/participations/{participation.id}/stage",
        {"target": "running", "override_reason": "일정이 급합니다"},
    )

    assert response.status_code == 403
    assert stage_of(participation) is Stage.PLANNING
    assert count(StageMove) == 0 and count(AuditEntry) == 0


def test_moving_on_anyway_still_cannot_skip_a_stage(make):
    participation = make.participation(stage=Stage.PLANNING)
    with pytest.raises(GateNotMet):
        move_stage(participation, Stage.EVALUATION, actor=make.staff(), override_reason="급함")
    assert stage_of(participation) is Stage.PLANNING
