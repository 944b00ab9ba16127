"""Suggestions: the 2018 pilot's enterprises come first for its problems, for stated reasons."""

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from gachi.complexes.districts import District
from gachi.complexes.models import Complex, Participation
from gachi.demo.matching import PILOT_MATCHES
from gachi.extensions import db
from gachi.matching import operations, queries, scoring
from gachi.proposals.models import Problem, ProblemState
from tests.complexes.helpers import signed_in, text_of
from tests.conftest import counted_queries
from tests.matching.helpers import matching_scene, serving

# The pilot problems the participation area's demo seeds, with their categories.
PILOT_PROBLEMS = {
    ("아현동 P아파트", "반려식물로 어르신 돌봄"): "care",
    ("아현동 P아파트", "재개발 공사 비산먼지"): "environment",
    ("전농동 R아파트", "청소년 안심 먹거리"): "food",
    ("응암동 H아파트", "아이 돌봄(육아)"): "care",
    ("청량리 H아파트", "어르신 운동 시설 부족"): "health",
}


@pytest.fixture
def pilot_problems(make, demo):
    """The demo's problems, made here when the participation area's demo does not seed them."""
    problems = {}
    for (complex_name, title), code in PILOT_PROBLEMS.items():
        participation = db.session.scalars(
            select(Participation).join(Participation.complex).where(Complex.name == complex_name)
        ).one()
        problem = db.session.scalar(
            select(Problem).where(
                Problem.participation_id == participation.id, Problem.title == title
            )
        )
        problems[(complex_name, title)] = problem or make.problem(
            participation, title=title, category_code=code, state=ProblemState.SELECTED
        )
    return problems


def test_the_pilot_problems_get_the_report_enterprises_ranked_first(pilot_problems):
    # Every pilot problem on one demo: playing the pilot's year takes seconds.
    for complex_name, title, enterprises in PILOT_MATCHES:
        ranked = queries.suggestions_for(pilot_problems[(complex_name, title)])
        first = {suggestion.name for suggestion in ranked[: len(enterprises)]}
        assert first == set(enterprises), title
        assert ranked[len(enterprises)].score < ranked[len(enterprises) - 1].score, title


def test_the_explanation_names_the_real_reasons(pilot_problems):
    ranked = queries.suggestions_for(pilot_problems[("응암동 H아파트", "아이 돌봄(육아)")])
    agaya = next(suggestion for suggestion in ranked if suggestion.name == "YMCA서울아가야")
    with force_locale("en"):
        reasons = [str(reason) for reason in agaya.reasons]
    assert "Care is its category" in reasons
    assert "Serves Eunpyeong-gu" in reasons
    assert "Verified by the center" in reasons


def test_ratings_and_load_are_explained_and_counted(make):
    scene = matching_scene(make)
    rated = make.enterprise(name="별점 기업")
    serving(make, rated, categories=("care",), districts=(District.EUNPYEONG,))
    for stars, complex_name in ((5, "갑 단지"), (4, "을 단지")):
        earlier = make.participation(make.complex_(name=complex_name))
        earlier.stage = scene.participation.stage
        problem = make.problem(earlier, state=ProblemState.SELECTED)
        coordinator = make.coordinator(earlier.complex)
        partner = make.partner(rated)
        match = operations.offer_match(problem, rated, message="부탁합니다.", actor=coordinator)
        operations.accept_match(match, actor=partner)
        operations.start_match(match, actor=coordinator)
        operations.complete_match(match, actor=coordinator)
        operations.rate_match(match, score=stars, actor=coordinator)
    busy = operations.offer_match(
        scene.problem, scene.enterprise, message="부탁합니다.", actor=scene.coordinator
    )
    operations.accept_match(busy, actor=scene.partner)
    db.session.commit()

    ranked = {suggestion.name: suggestion for suggestion in queries.suggestions_for(scene.problem)}
    with force_locale("en"):
        rated_reasons = [str(reason) for reason in ranked["별점 기업"].reasons]
        busy_reasons = [str(reason) for reason in ranked["YMCA서울아가야"].reasons]
    assert "Rated 4.5 by 2 complexes" in rated_reasons
    assert "1 active matches" in busy_reasons
    # 4.5 stars: 1.5 above neutral, 5 points a star, 7.5 rounded half up to 8.
    assert ranked["별점 기업"].score == (scoring.CATEGORY_FIT + scoring.DISTRICT_FIT + 8)
    assert ranked["YMCA서울아가야"].score == (
        scoring.CATEGORY_FIT + scoring.DISTRICT_FIT + scoring.VERIFIED - scoring.LOAD_PENALTY
    )
    assert ranked["YMCA서울아가야"].open_match_id == busy.id


def test_an_enterprise_with_neither_the_category_nor_the_district_is_not_suggested(make):
    scene = matching_scene(make)
    serving(
        make, make.enterprise(name="먼 기업"), categories=("food",), districts=(District.SONGPA,)
    )
    serving(make, make.enterprise(name="서울 음식"), categories=("food",), seoul_wide=True)
    names = [suggestion.name for suggestion in queries.suggestions_for(scene.problem)]
    assert names == ["YMCA서울아가야"]


def test_a_suggestion_list_costs_one_query_however_many_enterprises(make):
    scene = matching_scene(make)
    category_id, problem_id = scene.problem.category_id, scene.problem.id

    def count():
        with counted_queries() as statements:
            queries.suggestion_rows(category_id, District.EUNPYEONG, problem_id)
        return len(statements)

    few = count()
    for number in range(12):
        serving(make, make.enterprise(name=f"기업 {number}"), categories=("care",), seoul_wide=True)
    assert count() == few == 1


def test_each_reason_shows_its_points_and_the_card_adds_them_up(client, make):
    scene = matching_scene(make)
    busy = operations.offer_match(
        scene.problem, scene.enterprise, message="부탁합니다.", actor=scene.coordinator
    )
    operations.accept_match(busy, actor=scene.partner)
    db.session.commit()
    agaya = queries.suggestions_for(scene.problem)[0]
    assert [(reason.kind, reason.points) for reason in agaya.reasons] == [
        ("category", scoring.CATEGORY_FIT),
        ("district", scoring.DISTRICT_FIT),
        ("verified", scoring.VERIFIED),
        ("load", -scoring.LOAD_PENALTY),
    ]
    assert agaya.score == sum(reason.points for reason in agaya.reasons) == 82

    signed_in(client, scene.coordinator)
    html = text_of(client.get(f"/problems/{scene.problem.id}/suggestions"))
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Care is its category +50" in page
    assert "Serves Eunpyeong-gu +30" in page
    assert "Verified by the center +5" in page
    assert "1 active matches \u22123" in page
    assert "Score = 82" in page
