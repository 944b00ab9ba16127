"""Every form refuses a POST without its CSRF token: read from the URL map, so a new
route is covered the day it is added."""

import pytest

from tests.conftest import sign_in

PEOPLE = {
    "staff": lambda make: make.staff(admin=True),
    "coordinator": lambda make: make.coordinator(make.complex_()),
    "resident": lambda make: make.resident(),
    "partner": lambda make: make.partner(),
}


def post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint != "static":
            arguments = dict.fromkeys(rule.arguments, 1)
            yield rule, arguments


@pytest.mark.parametrize("role", PEOPLE)
def test_every_post_route_refuses_a_request_without_a_csrf_token(app, client, make, role):
    sign_in(client, PEOPLE[role](make))
    routes = list(post_routes(app))
    assert routes, "the app has no POST routes?"
    with app.test_request_context():
        from flask import url_for

        urls = [url_for(rule.endpoint, **arguments) for rule, arguments in routes]
    refused = {url: client.post(url, data={"anything": "1"}).status_code for url in urls}
    assert refused == dict.fromkeys(urls, 400)


def test_anonymous_posts_without_a_token_are_refused_too(app, client):
    with app.test_request_context():
        from flask import url_for

        urls = [url_for(rule.endpoint, **arguments) for rule, arguments in post_routes(app)]
    assert {url: client.post(url).status_code for url in urls} == dict.fromkeys(urls, 400)
