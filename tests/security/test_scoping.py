"""Every route of the URL map, asked by every role with the ids of complex A's objects.

Outsiders (B's people, a partner serving nowhere in A, anonymous visitors) get a 404, a
403, a 405 or the sign-in page, never A's data; nobody ever gets a 500. The routes are
read from the URL map, so a route added tomorrow is covered the day it lands. One test
per role walks every route and names each failing one in its message.
"""

from urllib.parse import urlparse

import pytest
from flask import url_for

from tests.conftest import csrf_token, sign_in
from tests.security.scene import COMPLEX_A, PRIVATE_TO_A, a_scene

OUTSIDERS = (
    "anonymous",
    "resident of B",
    "coordinator of B",
    "partner elsewhere",
    "district of B",
)
INSIDERS = ("resident of A", "coordinator of A", "partner of A", "staff", "district of A")

# Routes that show anyone what the programme publishes: the overview, cohorts and their
# complexes, the JSON API, enterprises and the catalogue of business models (which any
# coordinator may adopt in their own complex). They may name complex A, nothing private.
PUBLIC_ENDPOINTS = {
    "public.index",
    "public.set_language",
    "bizmodels.adopt",
    "public.cohort_complexes",
    "enterprises.enterprise_list",
    "enterprises.enterprise_detail",
    "bizmodels.catalogue",
    "bizmodels.detail",
    "api.cohorts",
    "api.cohort_complexes",
    "api.cohort_results",
    "api.kpis",
    "api.participation_results",
}
# A cohort's board as a district support organisation sees it: the cohort is shared by A
# and B, and the page narrows it to the asker's own districts. It may answer an outsider,
# but never with anything of A's.
OWN_SCOPE_ENDPOINTS = {"kpi.district_board", "kpi.district_export"}
# A private calendar link is its own key: whoever holds it reads the feed (as the
# resident chose); a guessed one is a 404 (test below).
BEARER_ENDPOINTS = {"calendar.feed"}
# Arguments whose name means something else on one route.
ARGUMENT_OVERRIDES = {"public.set_language": {"code": "en"}}
REFUSED = (403, 404, 405)


def every_route(app, ids):
    """(endpoint, method, url, takes ids) for each rule and method, sign-out last."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            missing = rule.arguments - ids.keys()
            assert not missing, f"{rule.rule}: give scene.py an id of A's for {missing}"
            values = {name: ids[name] for name in rule.arguments}
            values.update(ARGUMENT_OVERRIDES.get(rule.endpoint, {}))
            url = url_for(rule.endpoint, **values)
            routes += [
                (rule.endpoint, method, url, bool(rule.arguments))
                for method in ("GET", "POST")
                if method in rule.methods and rule.endpoint not in BEARER_ENDPOINTS
            ]
    return sorted(routes, key=lambda route: route[0] == "auth.logout")


def is_sign_in_page(response):
    return response.status_code == 302 and urlparse(response.location).path == "/login"


def leaked(body, words):
    return [word for word in words if word in body]


def outsider_problem(endpoint, takes_ids, response):
    """What is wrong with an outsider's answer, or None. A page without ids in its URL
    shows the asker's own things: it may answer, but not with A's."""
    body = response.get_data(as_text=True) if response.status_code == 200 else ""
    if endpoint in PUBLIC_ENDPOINTS or endpoint in OWN_SCOPE_ENDPOINTS or not takes_ids:
        words = leaked(
            body, PRIVATE_TO_A if endpoint in PUBLIC_ENDPOINTS else (*PRIVATE_TO_A, COMPLEX_A)
        )
        return f"shows {words}" if words else None
    if response.status_code in REFUSED or is_sign_in_page(response):
        return None
    words = leaked(body, (*PRIVATE_TO_A, COMPLEX_A))
    return f"{response.status_code} {response.location or ''} {words}"


def walk(app, client, scene, role):
    user = scene.people[role]
    if user is not None:
        sign_in(client, user)
    token = csrf_token(client, "/no-such-page")  # any page carries it; a 404 too
    failures = []
    for endpoint, method, url, takes_ids in every_route(app, scene.ids):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "anything": "<garbage>"})
        response.close()  # a file sent from disk stays open until then
        if response.status_code >= 500:
            failures.append(f"{method} {url} ({endpoint}): {response.status_code}")
        elif role in OUTSIDERS:
            problem = outsider_problem(endpoint, takes_ids, response)
            if problem:
                failures.append(f"{method} {url} ({endpoint}): {problem}")
    return failures


@pytest.mark.parametrize("role", OUTSIDERS + INSIDERS)
def test_no_route_shows_complex_a_to_outsiders_or_fails_for_anyone(app, client, make, role):
    scene = a_scene(make)
    failures = walk(app, client, scene, role)
    assert not failures, f"{role}:\n" + "\n".join(failures)


def test_a_guessed_calendar_link_is_not_found(client, make):
    a_scene(make)
    assert client.get("/calendar/guessed-token-of-32-characters-xx.ics").status_code == 404


def _get_statuses(app, client, scene, role):
    sign_in(client, scene.people[role])
    statuses = {}
    for endpoint, method, url, takes_ids in every_route(app, scene.ids):
        if method == "GET" and takes_ids:
            response = client.get(url)
            response.close()
            statuses[endpoint] = response.status_code
    client.post("/logout", data={"csrf_token": csrf_token(client, "/no-such-page")})
    return statuses


def test_a_district_account_of_as_district_is_let_in_wherever_as_coordinator_is(app, client, make):
    """In scope: the support organisation covering A's district opens every page of A's
    that A's coordinator opens (it supports the complex as the coordinator does)."""
    scene = a_scene(make)
    coordinator = _get_statuses(app, client, scene, "coordinator of A")
    district = _get_statuses(app, client, scene, "district of A")
    refused = sorted(
        f"{endpoint}: {district[endpoint]}"
        for endpoint, status in coordinator.items()
        if status == 200 and district[endpoint] != 200
    )
    assert refused == []
    assert district["complexes.complex_detail"] == 200
    assert district["kpi.participation_results"] == 200
