"""The plan page: forms in won as people write them, scope and errors."""

import pytest
from sqlalchemy import select

from gachi.complexes.stages import Stage
from gachi.extensions import db
from gachi.plans.models import BudgetLine, SpendingEntry
from tests.complexes.helpers import post, signed_in, text_of
from tests.conftest import sign_in_directly


@pytest.fixture
def scene(make):
    participation = make.participation(make.complex_(name="응암동 H아파트"), stage=Stage.PLANNING)
    return participation, make.coordinator(participation.complex)


def test_the_coordinator_enters_a_budget_and_a_spending_line(client, make, scene):
    participation, coordinator = scene
    signed_in(client, coordinator)
    base = f"/participations/{participation.id}/plan"
    assert post(client, f"{base}/goals", {"goals": "평일 오후 공동 아이돌봄"}).status_code == 302
    assert (
        post(
            client,
            f"{base}/lines",
            {"category": "equipment", "description": "매트와 놀이도구", "amount": "1,800,000원"},
        ).status_code
        == 302
    )
    line = db.session.scalars(select(BudgetLine)).one()
    assert line.amount == 1_800_000
    response = post(
        client,
        f"{base}/spending",
        {
            "budget_line_id": line.id,
            "spent_on": "2018-11-09",
            "amount": "1 720 000",
            "payee": "YMCA서울아가야",
            "receipt_note": "세금계산서",
        },
    )
    assert response.status_code == 302
    page = text_of(client.get(base))
    assert "1,800,000원" in page and "1,720,000원" in page and "95.6%" in page
    assert "평일 오후 공동 아이돌봄" in page


@pytest.mark.parametrize("amount", ["", "12.5", "abc", "-100", "1e6", "99999999999999"])
def test_an_amount_that_is_not_whole_won_is_refused(client, scene, amount):
    participation, coordinator = scene
    signed_in(client, coordinator)
    response = post(
        client,
        f"/participations/{participation.id}/plan/lines",
        {"category": "food", "description": "다과", "amount": amount},
    )
    assert response.status_code == 400
    assert db.session.scalars(select(BudgetLine)).all() == []


def test_spending_over_budget_without_a_reason_is_refused_with_the_amount(client, make, scene):
    participation, coordinator = scene
    signed_in(client, coordinator)
    base = f"/participations/{participation.id}/plan"
    post(client, f"{base}/lines", {"category": "food", "description": "다과", "amount": "100000"})
    line = db.session.scalars(select(BudgetLine)).one()
    response = post(
        client,
        f"{base}/spending",
        {"budget_line_id": line.id, "spent_on": "2018-11-09", "amount": "120000", "payee": "떡집"},
    )
    assert response.status_code == 400
    assert "over its budget by 20,000" in text_of(response)
    assert db.session.scalars(select(SpendingEntry)).all() == []


def test_overspending_is_refused_in_korean_next_to_the_note_then_recorded_with_it(
    korean_client, make, scene
):
    participation, coordinator = scene
    sign_in_directly(korean_client, coordinator)
    base = f"/participations/{participation.id}/plan"
    post(
        korean_client,
        f"{base}/lines",
        {"category": "food", "description": "다과", "amount": "100000"},
    )
    post(
        korean_client,
        f"{base}/lines",
        {"category": "venue", "description": "강당", "amount": "50000"},
    )
    snacks, _hall = db.session.scalars(select(BudgetLine).order_by(BudgetLine.id)).all()
    spending = {"budget_line_id": snacks.id, "spent_on": "2018-11-09", "payee": "떡집"}
    assert (
        post(korean_client, f"{base}/spending", {**spending, "amount": "70000"}).status_code == 302
    )
    form_page = text_of(korean_client.get(base))
    assert "다과 (30,000원 남음)" in form_page and "강당 (50,000원 남음)" in form_page

    response = post(korean_client, f"{base}/spending", {**spending, "amount": "50000"})
    assert response.status_code == 400
    page = text_of(response)
    note_field = page[page.index('id="over_budget_reason"') - 600 :]
    assert "이 집행으로 항목 예산을 20,000원 넘습니다. 사유를 적어 주세요." in note_field
    assert db.session.scalars(select(SpendingEntry.amount)).all() == [70_000]

    reason = "참석자가 예상보다 많아 떡을 더 샀습니다."
    response = post(
        korean_client,
        f"{base}/spending",
        {**spending, "amount": "50000", "over_budget_reason": reason},
    )
    assert response.status_code == 302
    page = text_of(korean_client.get(base))
    assert reason in page and "20,000원 초과" in page and "다과 (20,000원 초과)" in page
    assert "-20,000원" in page  # remaining, below zero
    assert db.session.scalars(select(SpendingEntry.over_budget_reason)).all() == ["", reason]


def test_spending_on_another_plans_line_is_refused(client, make, scene):
    participation, coordinator = scene
    other = make.participation(stage=Stage.PLANNING)
    signed_in(client, make.staff())
    post(
        client,
        f"/participations/{other.id}/plan/lines",
        {"category": "food", "description": "남의 예산", "amount": "1000"},
    )
    post(
        client,
        f"/participations/{participation.id}/plan/lines",
        {"category": "food", "description": "우리 예산", "amount": "1000"},
    )
    foreign = db.session.scalars(
        select(BudgetLine).where(BudgetLine.description == "남의 예산")
    ).one()
    signed_in(client, coordinator)
    response = post(
        client,
        f"/participations/{participation.id}/plan/spending",
        {"budget_line_id": foreign.id, "spent_on": "2018-11-09", "amount": "10", "payee": "x"},
    )
    assert response.status_code in (400, 404)
    assert db.session.scalars(select(SpendingEntry)).all() == []


def test_a_coordinator_of_another_complex_gets_404(client, make, scene):
    participation, _coordinator = scene
    signed_in(client, make.coordinator(make.complex_()))
    assert client.get(f"/participations/{participation.id}/plan").status_code == 404
    response = post(client, f"/participations/{participation.id}/plan/goals", {"goals": "x"})
    assert response.status_code == 404
