"""An id in a URL is a number an id column holds; a bigger one is an unknown page."""

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/participations/2147483648/results",
        "/api/v1/cohorts/99999999999999999999/results",
        "/ballots/2147483648",
        "/problems/2147483648",
    ],
)
def test_an_id_too_large_for_the_database_is_a_404_not_a_500(client, path):
    # PostgreSQL's integer stops at 2147483647; comparing an id column with more was a 500.
    assert client.get(path).status_code == 404


def test_a_post_with_such_an_id_is_refused_too(client):
    assert client.post("/problems/2147483648/support").status_code in (400, 404)


def test_the_largest_id_is_looked_up_like_any_other(client):
    assert client.get("/api/v1/participations/2147483647/results").status_code == 404
