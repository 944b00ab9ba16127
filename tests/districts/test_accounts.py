"""The center makes district accounts and assigns their districts: a form, audited, and
a 400 with a message for bad input."""

from sqlalchemy import select

from gachi.auth.models import Role, User
from gachi.complexes.districts import District
from gachi.core.audit import AuditEntry
from gachi.districts.models import DistrictOffice
from gachi.extensions import db
from tests.conftest import post_form, sign_in

GOOD = {
    "username": "district.mapo",
    "display_name": "마포구 사회적경제지원센터",
    "password": "a long enough password 2018",
    "districts": ["mapo", "seodaemun"],
}


def _entries(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_staff_admin_makes_a_district_account_and_it_signs_in_to_its_districts(client, make):
    admin = make.staff(admin=True)
    sign_in(client, admin)
    response = post_form(client, "/staff/districts/new", GOOD)
    assert response.status_code == 302

    account = db.session.scalars(select(User).where(User.username == "district.mapo")).one()
    assert account.role is Role.DISTRICT
    office = db.session.get(DistrictOffice, account.id)
    assert office.districts == {District.MAPO, District.SEODAEMUN}
    assert office.may_place_coordinators is False
    [entry] = _entries("district_office.create")
    assert (entry.actor_id, entry.object_id) == (admin.id, account.id)
    assert entry.after == {"districts": "seodaemun,mapo", "may_place_coordinators": False}
    assert "마포구 사회적경제지원센터" in client.get("/staff/districts").get_data(as_text=True)


def test_the_center_changes_the_districts_and_allows_placing_coordinators(client, make):
    admin = make.staff(admin=True)
    account = make.district_account(District.MAPO)
    sign_in(client, admin)

    response = post_form(
        client,
        f"/staff/districts/{account.id}",
        {"districts": ["eunpyeong"], "may_place_coordinators": "y"},
    )

    assert response.status_code == 302
    office = db.session.get(DistrictOffice, account.id)
    db.session.refresh(office)
    assert office.districts == {District.EUNPYEONG} and office.may_place_coordinators
    [entry] = _entries("district_office.update")
    assert entry.before == {"districts": "mapo", "may_place_coordinators": False}
    assert entry.after == {"districts": "eunpyeong", "may_place_coordinators": True}


def test_bad_input_is_a_400_with_a_message_and_makes_nothing(client, make):
    sign_in(client, make.staff(admin=True))
    for change, message in (
        ({"districts": []}, "Choose at least one district."),
        ({"districts": ["atlantis"]}, "Invalid choice"),
        ({"username": "Bad Name!"}, "A user name has 2 to 30"),
        ({"password": "short"}, "characters"),
    ):
        response = post_form(client, "/staff/districts/new", {**GOOD, **change})
        assert response.status_code == 400, change
        assert message in response.get_data(as_text=True), change
    assert db.session.scalars(select(DistrictOffice)).all() == []
    assert _entries("district_office.create") == []


def test_only_staff_admins_manage_district_accounts(client, make):
    account = make.district_account(District.MAPO)
    sign_in(client, make.staff(admin=False))
    assert client.get("/staff/districts").status_code == 200
    assert post_form(client, "/staff/districts/new", GOOD).status_code == 403
    assert client.get(f"/staff/districts/{account.id}").status_code == 404
