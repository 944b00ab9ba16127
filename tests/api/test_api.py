"""The read-only JSON API: public aggregates, paginated, no personal data."""

import pytest

from gachi.extensions import db
from gachi.kpi.refresh import refresh_all
from tests.kpi.helpers import known_cohort


@pytest.fixture
def scene(make):
    scene = known_cohort(make)
    refresh_all()  # the figures as the scheduler's job computes them
    return scene


def test_cohorts_are_listed_a_page_at_a_time(client, scene):
    first = client.get("/api/v1/cohorts?per_page=1").get_json()
    assert first["total"] == 2 and len(first["items"]) == 1 and first["next"]
    second = client.get(first["next"]).get_json()
    assert second["next"] is None
    assert {first["items"][0]["name"], second["items"][0]["name"]} == {"2018 시범사업", "2019 사업"}


def test_a_cohorts_results_and_roll_ups(client, scene):
    body = client.get(f"/api/v1/cohorts/{scene.cohort.id}/results?by=district").get_json()
    figures = {figure["code"]: figure for figure in body["figures"]}
    assert figures["problems"]["actual"] == 3 and figures["turnout"]["actual"] == 42.9
    assert {row["key"]: row["complex_count"] for row in body["rows"]} == {"mapo": 1, "eunpyeong": 1}


def test_kpis_carry_both_names_and_their_definitions(client, scene):
    kpis = {kpi["code"]: kpi for kpi in client.get("/api/v1/kpis").get_json()["items"]}
    assert kpis["business_models"]["name_ko"] == "사업모델 개발"
    assert kpis["turnout"]["unit_ko"] == "%"


def test_no_personal_data_is_given(client, scene):
    text = "".join(
        client.get(path).get_data(as_text=True)
        for path in (
            f"/api/v1/cohorts/{scene.cohort.id}/complexes",
            f"/api/v1/participations/{scene.mapo.id}/results",
            f"/api/v1/cohorts/{scene.cohort.id}/results?by=category",
        )
    )
    assert scene.resident.display_name not in text and scene.resident.username not in text
    assert scene.coordinator.display_name not in text


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=500", "by=person"])
def test_bad_parameters_are_a_400_in_json(client, scene, query):
    path = (
        f"/api/v1/cohorts/{scene.cohort.id}/results?{query}"
        if query.startswith("by")
        else f"/api/v1/cohorts/{scene.cohort.id}/complexes?{query}"
    )
    response = client.get(path)
    assert response.status_code == 400 and "error" in response.get_json()


def test_an_unknown_cohort_is_a_404_in_json(client, scene):
    response = client.get("/api/v1/cohorts/999/results")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cohorts/abc/results",
        "/api/v1/cohorts//complexes",
        "/api/v1/participations/-1/results",
        "/api/v1/no-such-thing",
    ],
)
def test_a_url_under_the_api_that_matches_no_route_is_a_404_in_json(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_the_api_only_reads(client, scene):
    assert client.post(f"/api/v1/cohorts/{scene.cohort.id}/results").status_code in (400, 405)
    db.session.rollback()
