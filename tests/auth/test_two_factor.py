"""Two-factor sign-in: staff must, coordinators and partners may, residents keep a password."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from gachi.auth import two_factor
from gachi.auth.models import LoginFailure, RecoveryCode, User
from gachi.auth.operations import end_all_sessions
from gachi.auth.sessions import PENDING, PENDING_LIFETIME
from gachi.core.audit import AuditEntry
from gachi.core.time import utcnow
from gachi.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from gachi.extensions import db
from tests.auth.test_views import is_signed_in, login, retry_after, text
from tests.conftest import csrf_token, post_form, sign_in, sign_in_directly
from tests.core.test_database import run_together
from tests.factories import PASSWORD, TOTP_SECRET

RECOVERY_CODE = re.compile(r"\b[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}\b")


def second_step(client, code):
    return client.post(
        "/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login")}
    )


def fresh(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def switched_on(user):
    """`user` has enrolled (as on the page); returns their recovery codes."""
    codes = two_factor.switch_on(user, two_factor.code_for(two_factor.pending_secret(user)))
    db.session.commit()
    return codes


def audit_actions(user):
    return db.session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "User", AuditEntry.object_id == user.id
        )
    ).all()


# Enrolment ---------------------------------------------------------------------------------


def test_coordinator_turns_it_on_with_a_current_code_and_sees_ten_recovery_codes_once(client, make):
    coordinator = make.coordinator()
    sign_in(client, coordinator)
    page = client.get("/account/two-factor")
    secret = fresh(coordinator).totp_secret
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert secret in text(page) and "data:image/svg+xml" in text(page)
    assert fresh(coordinator).totp_secret == secret, "a reload keeps the secret already scanned"
    client.get("/account/two-factor")
    assert fresh(coordinator).totp_secret == secret

    shown = post_form(client, "/account/two-factor", {"code": two_factor.code_for(secret)})
    codes = RECOVERY_CODE.findall(text(shown))
    assert shown.status_code == 200 and len(set(codes)) == 10
    assert fresh(coordinator).has_two_factor and is_signed_in(client)
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    again = text(client.get("/account/two-factor"))
    assert "Recovery codes left: 10" in again and not RECOVERY_CODE.search(again)
    assert "account.two_factor_on" in audit_actions(coordinator)


def test_a_wrong_code_does_not_turn_it_on(client, make):
    coordinator = make.coordinator()
    sign_in(client, coordinator)
    client.get("/account/two-factor")
    response = post_form(client, "/account/two-factor", {"code": "000000"})
    assert response.status_code == 401 and "This code is not right" in text(response)
    assert not fresh(coordinator).has_two_factor


def test_turning_it_on_signs_out_every_other_device(client, app, make):
    partner = make.partner()
    elsewhere = app.test_client()
    sign_in_directly(elsewhere, partner)
    sign_in(client, partner)
    client.get("/account/two-factor")
    post_form(
        client, "/account/two-factor", {"code": two_factor.code_for(fresh(partner).totp_secret)}
    )
    assert is_signed_in(client) and not is_signed_in(elsewhere)


def test_residents_are_not_offered_it(client, make):
    resident = make.resident()
    sign_in(client, resident)
    assert client.get("/account/two-factor").status_code == 404
    assert "two-factor" not in text(client.get("/account/password"))


# Signing in --------------------------------------------------------------------------------


def test_after_the_password_nobody_is_signed_in_until_the_code(client, make):
    staff = make.staff()
    response = login(client, staff.username, PASSWORD, remember=True)
    assert response.location.endswith("/login/code")
    assert client.get_cookie("remember_token") is None
    with client.session_transaction() as session:
        assert "_user_id" not in session and session[PENDING]["user"] == staff.id
    assert not is_signed_in(client)

    response = second_step(client, two_factor.code_for(TOTP_SECRET))
    assert response.status_code == 302 and response.location.endswith("/home")
    assert client.get_cookie("remember_token") is not None
    assert client.get("/staff/cohorts").status_code == 200


def test_a_wrong_code_is_refused_and_counted(client, make):
    staff = make.staff()
    login(client, staff.username, PASSWORD)
    response = second_step(client, "123456")
    assert response.status_code == 401 and "This code is not right" in text(response)
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 1
    assert not is_signed_in(client)


def test_a_code_cannot_be_used_twice(client, app, make):
    staff = make.staff()
    code = two_factor.code_for(TOTP_SECRET)
    login(client, staff.username, PASSWORD)
    assert second_step(client, code).status_code == 302
    overheard = app.test_client()
    login(overheard, staff.username, PASSWORD)
    assert second_step(overheard, code).status_code == 401
    assert not is_signed_in(overheard)


def test_a_phone_clock_one_step_off_is_forgiven_two_steps_is_not(make):
    staff, now, step = make.staff(), utcnow(), timedelta(seconds=two_factor.STEP_SECONDS)
    assert not two_factor.use_code(staff, two_factor.code_for(TOTP_SECRET, now - 2 * step), now=now)
    assert two_factor.use_code(staff, two_factor.code_for(TOTP_SECRET, now - step), now=now)
    assert two_factor.use_code(staff, two_factor.code_for(TOTP_SECRET, now + step), now=now)


def test_the_second_step_expires_after_five_minutes(client, make):
    staff = make.staff()
    login(client, staff.username, PASSWORD)
    with client.session_transaction() as session:
        pending = dict(session[PENDING])
        pending["at"] -= PENDING_LIFETIME.total_seconds() + 1
        session[PENDING] = pending
    response = second_step(client, two_factor.code_for(TOTP_SECRET))
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "took too long" in text(client.get("/login"))
    assert not is_signed_in(client)


def test_the_second_step_ends_when_the_password_changes_meanwhile(client, make):
    staff = make.staff()
    login(client, staff.username, PASSWORD)
    end_all_sessions(staff)
    db.session.commit()
    response = second_step(client, two_factor.code_for(TOTP_SECRET))
    assert response.location.endswith("/login") and not is_signed_in(client)


def test_digits_of_another_script_are_a_wrong_code_not_an_error(client, make):
    staff = make.staff()
    login(client, staff.username, PASSWORD)
    assert second_step(client, "١٢٣٤٥٦").status_code == 401


def test_the_second_step_without_a_csrf_token_is_refused(client, make):
    staff = make.staff()
    login(client, staff.username, PASSWORD)
    response = client.post("/login/code", data={"code": two_factor.code_for(TOTP_SECRET)})
    assert response.status_code == 400 and not is_signed_in(client)


def test_a_recovery_code_works_once(client, app, make):
    coordinator = make.coordinator()
    codes = switched_on(coordinator)
    login(client, coordinator.username, PASSWORD)
    typed = codes[0].lower().replace("-", " ")
    assert second_step(client, typed).status_code == 302 and is_signed_in(client)
    assert two_factor.recovery_codes_left(coordinator) == 9

    misread = codes[1].replace("O", "0").replace("I", "1").replace("B", "8")
    assert two_factor.use_code(fresh(coordinator), misread), "a 0 typed for an O still works"

    later = app.test_client()
    login(later, coordinator.username, PASSWORD)
    assert second_step(later, codes[0]).status_code == 401
    assert not is_signed_in(later)


def test_two_racing_uses_of_one_code_let_one_through(app, make):
    staff_id = make.staff().id
    code = two_factor.code_for(TOTP_SECRET)

    def use(index):
        accepted = two_factor.use_code(db.session.get(User, staff_id), code)
        db.session.commit()
        return accepted

    results = run_together(app, 8, use)
    assert results.count(True) == 1 and results.count(False) == 7, results


def test_two_racing_uses_of_one_recovery_code_let_one_through(app, make):
    coordinator = make.coordinator()
    code, coordinator_id = switched_on(coordinator)[0], coordinator.id

    def use(index):
        accepted = two_factor.use_code(db.session.get(User, coordinator_id), code)
        db.session.commit()
        return accepted

    results = run_together(app, 8, use)
    assert results.count(True) == 1 and results.count(False) == 7, results


def test_wrong_codes_are_throttled_like_passwords(client, app, make):
    staff = make.staff()
    allowed = app.config["LOGIN_LIMIT_ACCOUNT_ADDRESS"][0]
    login(client, staff.username, PASSWORD)
    for _ in range(allowed):
        assert second_step(client, "000000").status_code == 401
    refused = second_step(client, two_factor.code_for(TOTP_SECRET))
    assert refused.status_code == 429 and 50 <= retry_after(refused) <= 60
    # The right password again does not wipe the count of wrong codes.
    assert login(client, staff.username, PASSWORD).status_code == 429
    assert not is_signed_in(client)


# Required for staff, optional for others ----------------------------------------------------


def test_staff_without_it_must_enrol_before_any_other_page(client, make):
    staff = make.staff(two_factor=False)
    sign_in(client, staff)
    for path in ("/staff/cohorts", "/home", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.endswith("/account/two-factor")
    token = csrf_token(client, "/account/two-factor")
    assert client.post("/logout", data={"csrf_token": token}).location.endswith("/")


def test_a_staff_session_begun_before_the_rule_is_sent_to_enrol(client, make):
    staff = make.staff(two_factor=False)
    sign_in_directly(client, staff)
    assert client.get("/staff/complexes").location.endswith("/account/two-factor")


def test_a_coordinator_may_leave_it_off_and_turn_it_off_again(client, make):
    coordinator = make.coordinator()
    sign_in(client, coordinator)
    assert is_signed_in(client)
    switched_on(fresh(coordinator))
    sign_in(client, fresh(coordinator))
    response = post_form(
        client, "/account/two-factor/off", {"password": PASSWORD, "code": "000000"}
    )
    assert response.status_code == 401 and fresh(coordinator).has_two_factor
    next_code = two_factor.code_for(
        fresh(coordinator).totp_secret,  # this one signed in
        utcnow() + timedelta(seconds=two_factor.STEP_SECONDS),
    )
    response = post_form(
        client, "/account/two-factor/off", {"password": PASSWORD, "code": next_code}
    )
    assert response.status_code == 302 and not fresh(coordinator).has_two_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


def test_staff_cannot_turn_it_off(client, make):
    staff = make.staff()
    sign_in(client, staff)
    response = post_form(
        client,
        "/account/two-factor/off",
        {"password": PASSWORD, "code": two_factor.code_for(TOTP_SECRET)},
    )
    assert response.status_code == 403 and fresh(staff).has_two_factor


def test_new_recovery_codes_need_the_password_and_replace_the_old(client, make):
    coordinator = make.coordinator()
    old_codes = switched_on(coordinator)
    sign_in(client, fresh(coordinator))
    wrong = post_form(client, "/account/two-factor/recovery-codes", {"password": "not it"})
    assert wrong.status_code == 400 and "not right" in text(wrong)
    shown = post_form(client, "/account/two-factor/recovery-codes", {"password": PASSWORD})
    new_codes = RECOVERY_CODE.findall(text(shown))
    assert len(set(new_codes)) == 10 and not set(new_codes) & set(old_codes)
    assert not two_factor.use_code(fresh(coordinator), old_codes[1])
    assert two_factor.use_code(fresh(coordinator), new_codes[1])


# Admin reset ---------------------------------------------------------------------------------


def test_an_admin_resets_a_lost_phone_and_it_is_logged(client, app, make):
    admin, person = make.staff(admin=True), make.staff()
    phone_lost = app.test_client()
    sign_in_directly(phone_lost, person)
    sign_in(client, admin)
    response = post_form(client, f"/staff/accounts/{person.id}/two-factor/reset")
    assert response.status_code == 302
    person = fresh(person)
    assert person.totp_secret is None and not person.has_two_factor
    assert not is_signed_in(phone_lost)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "account.two_factor_reset")
    ).one()
    assert (entry.actor_id, entry.object_id) == (admin.id, person.id)

    # They sign in with the password and must set it up again.
    again = app.test_client()
    assert login(again, person.username, PASSWORD).location.endswith("/home")
    assert again.get("/home").location.endswith("/account/two-factor")


def test_only_another_admin_may_reset_it(client, app, make):
    admin, person = make.staff(admin=True), make.staff()
    sign_in(client, person)
    # Accounts are outside a non-admin's scope, as on the account pages.
    assert post_form(client, f"/staff/accounts/{admin.id}/two-factor/reset").status_code == 404
    admin_browser = app.test_client()
    sign_in(admin_browser, admin)
    own = post_form(admin_browser, f"/staff/accounts/{admin.id}/two-factor/reset")
    assert own.status_code == 403 and fresh(admin).has_two_factor


# The demo ----------------------------------------------------------------------------------


def test_the_demo_staff_sign_in_with_the_published_key(app, client, demo):
    printed = app.test_cli_runner().invoke(args=["gachi", "totp-code", "center"])
    assert printed.exit_code == 0
    assert printed.output.strip() == two_factor.code_for(DEMO_TOTP_SECRET)
    login(client, "center", DEMO_PASSWORD)
    assert second_step(client, printed.output.strip()).status_code == 302
    assert client.get("/staff/cohorts").status_code == 200


def test_totp_code_is_off_in_production_config(app, monkeypatch, make):
    make.staff(username="someone")
    monkeypatch.setitem(app.config, "DEMO_TOTP_CODES", False)
    printed = app.test_cli_runner().invoke(args=["gachi", "totp-code", "someone"])
    assert printed.exit_code != 0 and "turned off" in printed.output
