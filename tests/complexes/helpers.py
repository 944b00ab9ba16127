"""Helpers shared by the complexes and coordinators tests."""

import html
from urllib.parse import urlparse

from tests.conftest import csrf_token, sign_in_directly
from tests.security.forms import forms_on

# Any path that renders a page: a 404 page carries the session's CSRF token too.
TOKEN_PAGE = "/no-such-page"


def signed_in(client, user):
    """`client`, signed in as `user`, reading pages in English (the messages we assert)."""
    client.set_cookie("lang", "en")
    sign_in_directly(client, user)
    return client


def post(client, path, data=None):
    """POST with this session's CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, TOKEN_PAGE), **(data or {})})


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def confirm_on_page(client, path):
    """Open the page that asks to confirm (`path`, a GET) and press its button: post its
    form back to the same address with the fields the page put in it."""
    page = client.get(path)
    assert page.status_code == 200, text_of(page)[:1000]
    (form,) = [
        form
        for form in forms_on(urlparse(path).path, page.get_data(as_text=True))
        if form.action == urlparse(path).path
    ]
    return client.post(form.action, data={name: f.values[0] for name, f in form.fields.items()})


def management_scene(make):
    """A complex with a participation, a household and its live code; the ids by name."""
    complex_ = make.complex_(name="아현동 P아파트")
    participation = make.participation(complex_)
    household = make.household(complex_, building="101", unit="1203")
    code = make.invitation(household)
    return {
        "complex": complex_.id,
        "participation": participation.id,
        "household": household.id,
        "code": code.id,
        "complex_obj": complex_,
    }


# Every route that manages one complex: (method, path template).
MANAGEMENT_ROUTES = [
    ("GET", "/complexes/{complex}"),
    ("GET", "/complexes/{complex}/households"),
    ("POST", "/complexes/{complex}/households"),
    ("GET", "/complexes/{complex}/households/bulk"),
    ("POST", "/complexes/{complex}/codes/generate"),
    ("POST", "/complexes/{complex}/households/{household}/code/regenerate"),
    ("GET", "/complexes/{complex}/codes/{code}/revoke"),
    ("POST", "/complexes/{complex}/codes/{code}/revoke"),
    ("GET", "/complexes/{complex}/codes/print"),
    ("GET", "/participations/{participation}"),
    ("POST", "/participations/{participation}/stage"),
]

# What each POST sends when it is meant to go through.
POST_DATA = {
    "/complexes/{complex}/households": {"lines": "102 301"},
    "/participations/{participation}/stage": {"target": "problem_workshop"},
}


def request_route(client, method, template, ids):
    path = template.format(**ids)
    if method == "GET":
        return client.get(path)
    return post(client, path, POST_DATA.get(template, {}))
