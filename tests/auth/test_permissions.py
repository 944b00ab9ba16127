"""Who may manage accounts: staff with the admin flag, and nobody else."""

import pytest

from gachi.auth.models import User
from tests.conftest import sign_in


@pytest.fixture
def people(make):
    complex_ = make.complex_()
    return {
        "admin": make.staff(admin=True),
        "staff": make.staff(),
        "coordinator": make.coordinator(complex_),
        "resident": make.resident(complex_),
        "partner": make.partner(),
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("staff", False),
        ("coordinator", False),
        ("resident", False),
        ("partner", False),
    ],
)
def test_only_admin_staff_may_manage_accounts(people, who, allowed):
    account = people["resident"]
    assert account.can_manage_accounts(people[who]) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("staff", False),
        ("coordinator", False),
        ("resident", False),
        ("partner", False),
    ],
)
def test_only_admin_staff_may_read_the_audit_log(people, who, allowed):
    assert people["resident"].can_read_audit_log(people[who]) is allowed


def test_an_anonymous_visitor_may_not_manage_accounts(app, people):
    from flask_login import AnonymousUserMixin

    assert not people["resident"].can_manage_accounts(AnonymousUserMixin())


@pytest.mark.parametrize("who", ["staff", "coordinator", "resident", "partner"])
def test_others_are_refused_every_account_admin_page(client, people, who):
    target = people["coordinator"]
    sign_in(client, people[who])
    assert client.get("/staff/accounts").status_code == 403
    assert client.get("/staff/accounts/new").status_code == 403
    edit = client.get(f"/staff/accounts/{target.id}").status_code
    assert edit in (403, 404)


def test_non_admin_staff_get_404_for_an_account_id(client, people):
    sign_in(client, people["staff"])
    assert client.get(f"/staff/accounts/{people['resident'].id}").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, people):
    for path in (
        "/staff/accounts",
        "/staff/accounts/new",
        f"/staff/accounts/{people['resident'].id}",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_an_admin_sees_every_account_admin_page(client, people):
    sign_in(client, people["admin"])
    assert client.get("/staff/accounts").status_code == 200
    assert client.get("/staff/accounts/new").status_code == 200
    for person in people.values():
        assert client.get(f"/staff/accounts/{person.id}").status_code == 200


def test_an_unknown_account_id_is_a_404_for_an_admin(client, people):
    sign_in(client, people["admin"])
    missing = max(person.id for person in people.values()) + 100
    assert client.get(f"/staff/accounts/{missing}").status_code == 404
    assert isinstance(people["admin"], User)
