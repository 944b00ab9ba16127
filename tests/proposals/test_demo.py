"""The pilot's problems, workshops and ballots in the demo data."""

from sqlalchemy import select

from gachi.ballots.models import Ballot
from gachi.ballots.queries import ballot_results
from gachi.complexes.models import Complex, Participation
from gachi.complexes.stages import Stage, unmet_gates
from gachi.extensions import db
from gachi.proposals.models import Problem
from gachi.workshops.models import Workshop, WorkshopRound

EXPECTED = {
    "아현동 P아파트": {
        ("반려식물로 어르신 돌봄", "care", "selected"),
        ("재개발 공사 비산먼지", "environment", "selected"),
    },
    "전농동 R아파트": {("청소년 안심 먹거리", "food", "selected")},
    "응암동 H아파트": {
        ("아이 돌봄(육아)", "care", "selected"),
        ("쓰레기 분리배출", "waste", "not_selected"),
        ("주차 문제", "housing", "not_selected"),
        ("쉴 곳 부족", "other", "not_selected"),
    },
    "청량리 H아파트": {
        ("어르신 운동 시설 부족", "health", "selected"),
        ("불법 쓰레기 투기", "waste", "selected"),
        ("어르신 건강 먹거리", "food", "selected"),
    },
}


def participation_of(name):
    return db.session.scalars(
        select(Participation).join(Participation.complex).where(Complex.name == name)
    ).one()


def test_the_report_complexes_have_their_problems_with_categories_and_outcomes(demo):
    for name, expected in EXPECTED.items():
        problems = db.session.scalars(
            select(Problem).where(Problem.participation_id == participation_of(name).id)
        ).all()
        reported = {
            (p.title, p.category.code, p.state.value) for p in problems if p.source == "report"
        }
        assert reported == expected, name
        # A ballot picks fewer problems than it offers: where the report names only the
        # chosen ones, the demo adds one invented problem that lost.
        invented = {p.state.value for p in problems if p.source == "demo"}
        assert invented <= {"not_selected"}, name


def test_each_report_complex_had_a_september_workshop_and_a_confirmed_valid_ballot(demo):
    for name in EXPECTED:
        participation = participation_of(name)
        workshop = db.session.scalars(
            select(Workshop).where(
                Workshop.participation_id == participation.id,
                Workshop.round == WorkshopRound.PROBLEMS,
            )
        ).one()
        assert (workshop.held_at.year, workshop.held_at.month) == (2018, 9)
        ballot = db.session.scalars(
            select(Ballot).where(Ballot.participation_id == participation.id)
        ).one()
        results = ballot_results(ballot)
        assert ballot.confirmed_at is not None and ballot.source == "demo"
        assert results.quorum_met and results.online_voters > 0 and results.paper_ballots > 0
        assert all(o.online + o.paper == o.total for o in results.options)
        selected = {o.title for o in results.selected}
        assert selected == {title for title, _code, state in EXPECTED[name] if state == "selected"}
        assert "No ballot" not in " ".join(unmet_gates(participation, Stage.SOLUTION_WORKSHOP))


def test_childcare_had_the_most_support_in_eungam(demo):
    ballot = db.session.scalars(
        select(Ballot).where(Ballot.participation_id == participation_of("응암동 H아파트").id)
    ).one()
    results = ballot_results(ballot)
    assert results.options[0].title == "아이 돌봄(육아)"
    assert results.options[0].total > results.options[1].total


def test_invented_complexes_have_problems_under_discussion(demo):
    problems = db.session.scalars(
        select(Problem)
        .join(Problem.participation)
        .where(Participation.stage.in_([Stage.RECRUITING, Stage.PROBLEM_WORKSHOP]))
    ).all()
    assert problems and {p.source for p in problems} == {"demo"}
    assert {p.state.value for p in problems} == {"proposed", "shortlisted"}


def test_every_complex_past_its_first_workshop_confirmed_a_ballot_to_get_there(demo):
    past = db.session.scalars(
        select(Participation).where(
            Participation.stage.not_in([Stage.RECRUITING, Stage.PROBLEM_WORKSHOP])
        )
    ).all()
    assert len(past) == 6
    for participation in past:
        ballot = db.session.scalars(
            select(Ballot).where(Ballot.participation_id == participation.id)
        ).one()
        assert ballot.confirmed_at is not None and ballot_results(ballot).quorum_met
