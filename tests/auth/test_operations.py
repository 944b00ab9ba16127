"""Account operations called directly: joining, password rules, changes, account admin."""

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from gachi.auth import operations
from gachi.auth.models import Role, User
from gachi.auth.passwords import needs_rehash, verify_password
from gachi.core.audit import AuditEntry
from gachi.core.time import utcnow
from gachi.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "blue kettle on the balcony"


def audit_entries(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def join(code, username="younghee", display_name="김영희", password=NEW_PASSWORD):
    user = operations.join_household(code, username, display_name, password)
    db.session.commit()
    return user


# Joining with a code ----------------------------------------------------------------


def test_resident_joins_the_household_whose_code_they_typed(make):
    invitation = make.invitation(code="ABCDEFGH")
    user = join("ABCD-EFGH")
    assert user.role is Role.RESIDENT
    assert user.household_id == invitation.household_id
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.password_changed_at is not None
    db.session.refresh(invitation)
    assert invitation.use_count == 1
    [entry] = audit_entries("account.join")
    assert entry.actor_id == user.id
    assert entry.complex_id == invitation.household.complex_id


@pytest.mark.parametrize(
    "typed",
    [
        "abcd-efgh",
        "ABCDEFGH",
        "abcd efgh",
        " Abcd-Efgh ",
        "abcdefgh",
        "abcd–efgh",
        "ＡＢＣＤ－ＥＦＧＨ",
    ],
)
def test_code_is_accepted_in_any_case_with_or_without_dash_or_spaces(make, typed):
    invitation = make.invitation(code="ABCDEFGH")
    assert join(typed).household_id == invitation.household_id


def test_revoked_code_is_refused(make):
    invitation = make.invitation(code="ABCDEFGH")
    invitation.revoked_at = utcnow()
    db.session.commit()
    with pytest.raises(operations.InvalidCode):
        join("ABCD-EFGH")


def test_unknown_code_is_refused(make):
    make.invitation(code="ABCDEFGH")
    with pytest.raises(operations.InvalidCode):
        join("ZZZZ-ZZZZ")


def test_another_complexs_code_makes_the_resident_a_member_of_that_complex_only(make):
    here, there = make.complex_(), make.complex_()
    make.invitation(make.household(here), code="HEREHERE")
    theirs = make.invitation(make.household(there), code="THERE234")
    user = join("there-234")
    assert user.household_id == theirs.household_id
    assert user.complex_id == there.id
    assert user.complex_id != here.id


def test_a_taken_user_name_is_refused_whatever_its_case(make):
    make.resident(username="younghee")
    make.invitation(code="ABCDEFGH")
    with pytest.raises(operations.UsernameTaken):
        join("ABCDEFGH", username="YoungHee")


def test_the_unique_constraint_catches_a_name_taken_in_the_meantime(make, monkeypatch):
    make.resident(username="younghee")
    invitation = make.invitation(code="ABCDEFGH")
    monkeypatch.setattr(operations, "_check_username_free", lambda username: None)
    with pytest.raises(operations.UsernameTaken):
        join("ABCDEFGH", username="younghee")
    db.session.rollback()
    db.session.refresh(invitation)
    assert invitation.use_count == 0
    assert db.session.scalar(select(User.id).where(User.display_name == "김영희")) is None


def test_user_name_is_stored_lower_case(make):
    make.invitation(code="ABCDEFGH")
    assert join("ABCDEFGH", username="Kim.YoungHee").username == "kim.younghee"


def test_joining_with_a_common_password_is_refused_and_the_code_is_not_used(make):
    invitation = make.invitation(code="ABCDEFGH")
    with pytest.raises(operations.PasswordRejected):
        join("ABCDEFGH", password="qlalfqjsgh1234")  # 비밀번호1234 in English mode
    db.session.rollback()
    db.session.refresh(invitation)
    assert invitation.use_count == 0


# The rules for a new password -------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["QwertyAsdfgh", "1qaz2wsx3edc", "peanutbutter", "qlalfqjsgh1234", "012345678910"]
)
def test_common_passwords_are_refused_whatever_their_case(password):
    with pytest.raises(operations.PasswordRejected):
        operations.check_new_password(password, username="younghee")


def test_new_passwords_need_twelve_characters_as_asvs_asks(app):
    assert app.config["PASSWORD_MIN_LENGTH"] == 12  # OWASP ASVS 2.1.1
    with pytest.raises(operations.PasswordRejected, match="at least 12 characters"):
        operations.check_new_password("kettle-blue", username="kim")
    operations.check_new_password("kettle-blue!", username="kim")


def test_a_password_shorter_than_the_minimum_is_refused(app):
    with pytest.raises(operations.PasswordRejected, match="at least"):
        operations.check_new_password("a" * (app.config["PASSWORD_MIN_LENGTH"] - 1), username="kim")


def test_a_password_longer_than_the_maximum_is_refused(app):
    with pytest.raises(operations.PasswordRejected, match="at most"):
        operations.check_new_password("maple " * 40, username="kim")


def test_the_user_name_is_not_a_password():
    with pytest.raises(operations.PasswordRejected, match="user name"):
        operations.check_new_password("Younghee.Kim", username="younghee.kim")


@pytest.mark.parametrize(
    "password",
    [
        "blue kettle on the balcony",
        "onlylowercaseletters",
        "우리 아파트 놀이터 그네",
        "19570312 is my day",
    ],
)
def test_long_uncommon_passwords_need_no_digits_capitals_or_symbols(password):
    operations.check_new_password(password, username="younghee")


# Signing in -------------------------------------------------------------------------


def test_authenticate_finds_the_user_whatever_the_case_of_the_name(make):
    user = make.staff(username="center.lee")
    assert operations.authenticate("Center.LEE", PASSWORD) == user
    assert operations.authenticate("center.lee", "wrong password") is None
    assert operations.authenticate("nobody", PASSWORD) is None


def test_signing_in_upgrades_a_hash_made_with_weaker_parameters(make):
    weak = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(PASSWORD)
    user = make.staff()
    user.password_hash = weak
    db.session.commit()
    operations.record_sign_in(user, PASSWORD)
    db.session.commit()
    assert user.last_login_at is not None
    assert not needs_rehash(user.password_hash)
    assert verify_password(user.password_hash, PASSWORD)


# Password change and sessions ---------------------------------------------------------


def test_changing_the_password_needs_the_current_one(make):
    user = make.resident()
    with pytest.raises(operations.WrongPassword):
        operations.change_password(user, "not my password", NEW_PASSWORD, actor=user)


def test_changing_the_password_ends_every_session_and_is_logged_without_the_password(make):
    user = make.resident()
    version = user.session_version
    operations.change_password(user, PASSWORD, NEW_PASSWORD, actor=user)
    db.session.commit()
    assert user.session_version == version + 1
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.password_changed_at is not None
    [entry] = audit_entries("account.password_change")
    assert entry.actor_id == user.id
    assert NEW_PASSWORD not in repr((entry.before, entry.after))
    assert user.password_hash not in repr((entry.before, entry.after))


def test_ending_all_sessions_bumps_the_version_in_the_database(make):
    user = make.resident()
    operations.end_all_sessions(user)
    operations.end_all_sessions(user)
    db.session.commit()
    assert user.session_version == 3


# Account admin -------------------------------------------------------------------------


def test_admin_makes_a_coordinator_with_a_temporary_password(make):
    admin = make.staff(admin=True)
    user = operations.create_account(
        Role.COORDINATOR, "Coord.Kim", "김코디", NEW_PASSWORD, actor=admin, phone="010-1234-5678"
    )
    db.session.commit()
    assert user.username == "coord.kim"
    assert user.password_changed_at is None  # temporary
    assert not user.is_admin
    [entry] = audit_entries("account.create")
    assert entry.actor_id == admin.id and entry.after["role"] == "coordinator"
    assert "010-1234-5678" not in repr(entry.after)


def test_an_enterprise_partner_needs_an_enterprise(make):
    admin = make.staff(admin=True)
    with pytest.raises(operations.EnterpriseRequired):
        operations.create_account(Role.PARTNER, "partner.x", "파트너", NEW_PASSWORD, actor=admin)
    enterprise = make.enterprise()
    user = operations.create_account(
        Role.PARTNER, "partner.x", "파트너", NEW_PASSWORD, actor=admin, enterprise=enterprise
    )
    assert user.enterprise_id == enterprise.id


def test_only_staff_accounts_can_carry_the_admin_flag(make):
    admin = make.staff(admin=True)
    coordinator = operations.create_account(
        Role.COORDINATOR, "coord.x", "코디", NEW_PASSWORD, actor=admin, is_admin=True
    )
    staff = operations.create_account(
        Role.STAFF, "staff.x", "직원", NEW_PASSWORD, actor=admin, is_admin=True
    )
    assert not coordinator.is_admin
    assert staff.is_admin


def test_residents_are_not_made_by_staff(make):
    admin = make.staff(admin=True)
    with pytest.raises(operations.AccountChangeRefused):
        operations.create_account(Role.RESIDENT, "resident.x", "주민", NEW_PASSWORD, actor=admin)


def test_turning_an_account_off_ends_its_sessions_and_is_logged_without_the_phone(make):
    admin, user = make.staff(admin=True), make.coordinator(phone="010-1111-2222")
    version, old_name = user.session_version, user.display_name
    operations.update_account(
        user,
        actor=admin,
        display_name="새 이름",
        phone="010-3333-4444",
        email=None,
        active=False,
        is_admin=False,
    )
    db.session.commit()
    assert not user.active and user.display_name == "새 이름"
    assert user.session_version == version + 1
    [entry] = audit_entries("account.update")
    assert (entry.before["display_name"], entry.after["display_name"]) == (old_name, "새 이름")
    assert (entry.before["active"], entry.after["active"]) == (True, False)
    assert "010" not in repr((entry.before, entry.after))


def test_saving_an_account_unchanged_writes_no_audit_entry(make):
    admin, user = make.staff(admin=True), make.coordinator()
    operations.update_account(
        user,
        actor=admin,
        display_name=user.display_name,
        phone=None,
        email=None,
        active=True,
        is_admin=False,
    )
    assert audit_entries("account.update") == []


def test_an_admin_cannot_turn_off_their_own_account_or_drop_their_own_admin_right(make):
    admin = make.staff(admin=True)
    with pytest.raises(operations.AccountChangeRefused):
        operations.update_account(
            admin,
            actor=admin,
            display_name="관리자",
            phone=None,
            email=None,
            active=False,
            is_admin=True,
        )
    with pytest.raises(operations.AccountChangeRefused):
        operations.update_account(
            admin,
            actor=admin,
            display_name="관리자",
            phone=None,
            email=None,
            active=True,
            is_admin=False,
        )


def test_a_password_reset_gives_a_temporary_password_and_ends_every_session(make):
    admin, user = make.staff(admin=True), make.resident()
    version = user.session_version
    operations.reset_password(user, NEW_PASSWORD, actor=admin)
    db.session.commit()
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.password_changed_at is None
    assert user.session_version == version + 1
    [entry] = audit_entries("account.password_reset")
    assert entry.actor_id == admin.id


def test_a_password_reset_follows_the_password_rules(make):
    admin, user = make.staff(admin=True), make.resident()
    with pytest.raises(operations.PasswordRejected):
        operations.reset_password(user, "12345678", actor=admin)
