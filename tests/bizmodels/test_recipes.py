"""A business model as a recipe: staff publish its schedule, budget and targets with the
source's figures frozen; a coordinator adopts it, edits the draft and confirms it into a
programme of the plan; the board counts it."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from gachi.bizmodels.models import Adoption, Basis
from gachi.bizmodels.operations import (
    RecipeLine,
    adopt_model,
    confirm_adoption,
    draft_schedule,
    publish_model,
    update_draft,
)
from gachi.bizmodels.queries import model_rows
from gachi.bizmodels.recipes import Event, expected_participants, scaled_amount
from gachi.complexes.models import Tenure
from gachi.complexes.stages import Stage
from gachi.core.audit import AuditEntry
from gachi.core.errors import Conflict, DomainError
from gachi.evaluations.models import Decision
from gachi.evaluations.operations import draft_evaluation, sign_evaluation
from gachi.extensions import db
from gachi.kpi.models import Kpi, KpiTarget
from gachi.kpi.queries import participation_board
from gachi.plans.models import BudgetCategory, BudgetLine
from gachi.programs.recurrence import public_holidays
from tests.bizmodels.helpers import monday_without_holidays
from tests.conftest import post_form, sign_in, sign_in_directly
from tests.kpi.helpers import known_cohort

# A Monday-to-Friday run that meets 삼일절 (1 March 2027 is a Monday).
MARCH_2027 = date(2027, 3, 1)
FAR = date(2030, 1, 1)


def _kpi(code):
    return db.session.scalar(select(Kpi).where(Kpi.code == code))


@pytest.fixture
def scene(make):
    scene = known_cohort(make)
    scene.mapo.stage = Stage.EVALUATION
    db.session.commit()
    evaluation = draft_evaluation(scene.mapo, what_happened="운영함", actor=scene.coordinator)
    sign_evaluation(evaluation, decision=Decision.SPREAD, actor=scene.staff)
    db.session.commit()
    scene.evaluation = evaluation
    scene.eunpyeong.stage = Stage.PLANNING
    scene.eunpyeong.complex.household_count = 400
    db.session.commit()
    return scene


def _publish(scene, make, **changes):
    values = dict(
        title="공동 아이돌봄방",
        category_id=make.category("care").id,
        weeks=4,
        weekdays=(0, 1, 2, 3, 4),
        start_time=time(14),
        end_time=time(18),
        participants=10,
        lines=[
            RecipeLine(BudgetCategory.EQUIPMENT, "매트와 놀이도구", 1_800_000),
            RecipeLine(
                BudgetCategory.VOLUNTEERS, "자원봉사자 활동비", 5_000, Basis.PER_PARTICIPANT
            ),
            RecipeLine(BudgetCategory.PUBLICITY, "안내문", 1_000, Basis.PER_HOUSEHOLD),
        ],
        events=[Event("수료식", 25, time(10), time(12))],
        targets={_kpi("attendance_rate").id: Decimal(80), _kpi("sessions_held").id: Decimal(20)},
        actor=scene.staff,
    )
    values.update(changes)
    model = publish_model(scene.evaluation, **values)
    db.session.commit()
    return model


def test_the_scaling_rule_reads_as_stated():
    assert expected_participants(10, 100, 400) == 40
    assert expected_participants(10, None, 400) == 10  # source households unknown
    assert expected_participants(None, 100, 400) == 0
    assert scaled_amount(5_000, Basis.PER_PARTICIPANT, 40, 400) == 200_000
    assert scaled_amount(1_000, Basis.PER_HOUSEHOLD, 40, None) == 0
    assert scaled_amount(1_800_000, Basis.FIXED, 40, 400) == 1_800_000


def test_staff_publish_a_recipe_with_the_source_figures_frozen(scene, make):
    figures = {f.kpi.code: f.actual for f in participation_board(scene.mapo).figures}
    model = _publish(scene, make)
    assert (model.weeks, model.weekdays, model.start_time, model.end_time) == (
        4,
        "01234",
        time(14),
        time(18),
    )
    assert [line.basis for line in model.budget_lines] == [
        Basis.FIXED,
        Basis.PER_PARTICIPANT,
        Basis.PER_HOUSEHOLD,
    ]
    assert model.evidence_participants == figures["participants"]
    assert model.evidence_attendance_rate == figures["attendance_rate"]
    assert model.evidence_households == 100
    scene.mapo.complex.household_count = 250  # the source changes later
    db.session.commit()
    db.session.refresh(model)
    assert model.evidence_households == 100  # stored, not recomputed


def test_a_recipe_refuses_a_run_whose_times_are_backwards(scene, make):
    with pytest.raises(DomainError):
        _publish(scene, make, start_time=time(18), end_time=time(14))
    with pytest.raises(DomainError):
        _publish(scene, make, events=[Event("밖", 40, time(10), time(12))])  # past 4 weeks


def test_adopting_makes_a_draft_scaled_to_the_complex(scene, make):
    model = _publish(scene, make)
    coordinator = make.coordinator(scene.eunpyeong.complex)
    starts_on = monday_without_holidays(FAR)
    adoption = adopt_model(model, scene.eunpyeong, actor=coordinator, starts_on=starts_on)
    db.session.commit()
    # 10 participants where 100 households; this complex has 400: 40 expected.
    assert adoption.expected_participants == 40
    assert [line.amount for line in adoption.lines] == [1_800_000, 200_000, 400_000]
    assert {t.kpi.code: t.value for t in adoption.targets} == {
        "attendance_rate": 80,
        "sessions_held": 20,
    }
    schedule = draft_schedule(adoption)
    assert len(schedule.sessions) == 4 * 5 + 1  # the weekdays and the one-off event
    assert schedule.ends_on == starts_on + timedelta(days=27)
    assert adoption.program_id is None  # nothing in the plan until it is confirmed


def test_a_holiday_in_the_run_is_skipped():
    from gachi.bizmodels.recipes import draft_schedule as sessions_of

    holidays = public_holidays(MARCH_2027, MARCH_2027 + timedelta(days=27))
    on_weekdays = [day for day in holidays if day.weekday() < 5]
    schedule = sessions_of(MARCH_2027, 4, [0, 1, 2, 3, 4], time(14), time(18))
    assert on_weekdays  # 삼일절
    assert len(schedule.sessions) == 20 - len(on_weekdays)
    assert [h.day for h in schedule.skipped] == on_weekdays


def test_a_coordinator_edits_the_draft_and_confirms_it_into_the_plan(scene, make):
    model = _publish(scene, make)
    coordinator = make.coordinator(scene.eunpyeong.complex)
    starts_on = monday_without_holidays(FAR)
    adoption = adopt_model(model, scene.eunpyeong, actor=coordinator, starts_on=starts_on)
    db.session.commit()
    first = adoption.lines[0]
    update_draft(
        adoption,
        title="우리 단지 아이돌봄방",
        starts_on=starts_on,
        start_time=time(15),
        end_time=time(19),
        expected_participants=40,
        lines={first.id: ("매트, 놀이도구, 소독", 1_500_000)},
        targets={_kpi("attendance_rate").id: Decimal(75)},
        actor=coordinator,
    )
    db.session.commit()
    program = confirm_adoption(adoption, actor=coordinator)
    db.session.commit()
    assert program.title == "우리 단지 아이돌봄방"
    assert program.participation_id == scene.eunpyeong.id
    assert len(program.sessions) == 21
    assert program.sessions[0].starts_at.astimezone().hour is not None
    assert {s.title for s in program.sessions} == {"", "수료식"}
    lines = db.session.scalars(
        select(BudgetLine).where(BudgetLine.description == "매트, 놀이도구, 소독")
    ).all()
    assert [line.amount for line in lines] == [1_500_000]
    target = db.session.scalar(
        select(KpiTarget).where(
            KpiTarget.kpi_id == _kpi("attendance_rate").id,
            KpiTarget.complex_id == scene.eunpyeong.complex_id,
        )
    )
    assert target.value == 75
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"model.adopt", "model.draft", "model.confirm"} <= actions
    with pytest.raises(Conflict):
        confirm_adoption(adoption, actor=coordinator)
    assert [(row.adoptions, row.confirmed) for row in model_rows()] == [(1, 1)]


def test_confirming_needs_the_planning_stage(scene, make):
    model = _publish(scene, make)
    scene.eunpyeong.stage = Stage.RECRUITING
    db.session.commit()
    adoption = adopt_model(
        model, scene.eunpyeong, actor=scene.staff, starts_on=monday_without_holidays(FAR)
    )
    with pytest.raises(DomainError):
        confirm_adoption(adoption, actor=scene.staff)


def test_the_catalogue_is_linked_from_the_plan_and_filters_by_the_source_complex(
    client, scene, make
):
    _publish(scene, make)  # from 마포 단지: 100 households
    coordinator = make.coordinator(scene.eunpyeong.complex)
    sign_in(client, coordinator)
    plan = client.get(f"/participations/{scene.eunpyeong.id}/plan").get_data(as_text=True)
    assert f"/models?participation={scene.eunpyeong.id}" in plan
    tenure = scene.mapo.complex.tenure
    other = next(t for t in Tenure if t is not tenure)

    def titles(query):
        response = client.get(f"/models?participation={scene.eunpyeong.id}&{query}")
        assert response.status_code == 200
        return "공동 아이돌봄방" in response.get_data(as_text=True)

    assert titles("size=small") and not titles("size=large")
    assert titles(f"tenure={tenure.value}") and not titles(f"tenure={other.value}")
    assert titles(f"category={make.category('care').id}")
    assert not titles(f"category={make.category('waste').id}")
    assert client.get("/models?size=huge").status_code == 400
    assert client.get(f"/models?participation={scene.mapo.id}").status_code == 404


def test_the_draft_page_refuses_bad_input_with_a_message(client, scene, make):
    model = _publish(scene, make)
    coordinator = make.coordinator(scene.eunpyeong.complex)
    sign_in(client, coordinator)
    starts_on = monday_without_holidays(FAR)
    response = post_form(
        client,
        f"/models/{model.id}/adopt",
        {"participation": scene.eunpyeong.id, "starts_on": starts_on.isoformat()},
    )
    adoption = db.session.scalars(select(Adoption)).one()
    assert response.headers["Location"].endswith(f"/adoptions/{adoption.id}")
    page = client.get(f"/adoptions/{adoption.id}").get_data(as_text=True)
    assert "21 sessions" in page and 'value="1800000"' in page
    form = {
        "title": "아이돌봄방",
        "starts_on": starts_on.isoformat(),
        "start_time": "14:00",
        "end_time": "18:00",
        "expected_participants": "40",
        **{f"line_{line.id}_description": line.description for line in adoption.lines},
        **{f"line_{line.id}_amount": str(line.amount) for line in adoption.lines},
        **{f"target_{t.kpi_id}": str(t.value) for t in adoption.targets},
    }
    bad = post_form(
        client, f"/adoptions/{adoption.id}", {**form, f"line_{adoption.lines[0].id}_amount": "-5"}
    )
    assert bad.status_code == 400
    backwards = post_form(
        client, f"/adoptions/{adoption.id}", {**form, "start_time": "19:00", "end_time": "18:00"}
    )
    assert backwards.status_code == 400
    assert "The end time must come after the start time." in backwards.get_data(as_text=True)
    saved = post_form(client, f"/adoptions/{adoption.id}", form)
    assert saved.status_code == 303
    confirmed = post_form(client, f"/adoptions/{adoption.id}/confirm")
    assert confirmed.status_code == 302
    outsider = make.coordinator(scene.mapo.complex)
    sign_in_directly(client, outsider)
    assert client.get(f"/adoptions/{adoption.id}").status_code == 404


def test_staff_edit_the_recipe_when_publishing_and_bad_lines_get_a_400(client, scene, make):
    sign_in(client, scene.staff)
    page = client.get(f"/participations/{scene.mapo.id}/publish-model").get_data(as_text=True)
    assert "| fixed |" in page  # the execution plan's lines, to edit
    base = {"title": "공동 아이돌봄방", "category": make.category("care").id}
    bad = post_form(
        client,
        f"/participations/{scene.mapo.id}/publish-model",
        {**base, "budget": "equipment | sometimes | 1000 | 매트"},
    )
    assert bad.status_code == 400
    assert "1" in bad.get_data(as_text=True)
    good = post_form(
        client,
        f"/participations/{scene.mapo.id}/publish-model",
        {
            **base,
            "weeks": "4",
            "weekdays": ["0", "1", "2", "3", "4"],
            "start_time": "14:00",
            "end_time": "18:00",
            "budget": "equipment | fixed | 1,800,000 | 매트\nvolunteers | per_participant | 5000 | 활동비",
            "events": "25 | 10:00-12:00 | 수료식",
            "targets": "attendance_rate | 80",
        },
    )
    assert good.status_code == 302
    model = db.session.scalars(select(Adoption.model_id)).first()
    assert model is None  # nothing adopted yet
    detail = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "14:00–18:00" in detail and "수료식" in detail
