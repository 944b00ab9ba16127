"""What only HTTP shows: sign-in, throttling, cookies after logout, forms, status codes."""

import unicodedata

import pytest
from sqlalchemy import func, select

from gachi.auth import throttle
from gachi.auth.consent import current_notice_version
from gachi.auth.models import LoginFailure, User
from gachi.auth.two_factor import code_for
from gachi.core.time import utcnow
from gachi.extensions import db
from tests.conftest import csrf_token, sign_in
from tests.core.test_database import run_together
from tests.factories import PASSWORD

NEW_PASSWORD = "blue kettle on the balcony"
WRONG_PASSWORDS_ALLOWED = 9  # LOGIN_LIMIT_ACCOUNT_ADDRESS


def login(client, username, password, *, address="127.0.0.1", next_url=None, remember=False):
    environ = {"REMOTE_ADDR": address}
    token = csrf_token(client, "/login")
    path = f"/login?next={next_url}" if next_url else "/login"
    return client.post(
        path,
        environ_base=environ,
        data={
            "username": username,
            "password": password,
            "csrf_token": token,
            "remember": "y" if remember else "",
        },
    )


def is_signed_in(client):
    """The password page answers only a signed-in browser."""
    return client.get("/account/password").status_code == 200


def text(response):
    return response.get_data(as_text=True)


def copy_cookies(app, client, *names):
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        other.set_cookie(name, cookie.value)
    return other


# Signing in ---------------------------------------------------------------------------


def test_resident_signs_in_and_is_sent_home(client, make):
    user = make.resident()
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/home")
    assert is_signed_in(client)
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_user_names_are_not_case_sensitive_at_sign_in(client, make):
    user = make.coordinator(username="center.lee")
    assert login(client, "Center.Lee", PASSWORD).status_code == 302
    assert is_signed_in(client)
    assert user.username == "center.lee"


def test_sign_in_goes_on_to_the_page_asked_for(client, make):
    user = make.resident()
    response = login(client, user.username, PASSWORD, next_url="/account/password")
    assert response.headers["Location"].endswith("/account/password")


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_sign_in_never_sends_anyone_to_another_site(client, make, next_url):
    user = make.resident()
    response = login(client, user.username, PASSWORD, next_url=next_url)
    assert response.headers["Location"].endswith("/home")


def test_wrong_password_and_unknown_name_get_the_same_message(client, make):
    user = make.resident()
    wrong_password = login(client, user.username, "not the password")
    unknown_name = login(client, "nobody.here", PASSWORD)
    assert wrong_password.status_code == unknown_name.status_code == 401
    message = "The user name or the password is not right."
    assert message in text(wrong_password) and message in text(unknown_name)
    assert not is_signed_in(client)
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 2


def test_an_inactive_user_cannot_sign_in(client, make):
    user = make.coordinator(active=False)
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 403
    assert "This account is turned off" in text(response)
    assert not is_signed_in(client)


def test_an_inactive_user_with_a_wrong_password_learns_nothing_about_the_account(client, make):
    user = make.coordinator(active=False)
    response = login(client, user.username, "not the password")
    assert response.status_code == 401
    assert "turned off" not in text(response)


def test_an_empty_sign_in_form_is_a_400_with_messages(client):
    response = login(client, "", "")
    assert response.status_code == 400
    assert "Please fill this in." in text(response)


def test_the_sign_in_page_helps_password_managers_and_keeps_the_field_names(client):
    page = text(client.get("/login"))
    for snippet in (
        'name="username"',
        'autocomplete="username"',
        'name="password"',
        'autocomplete="current-password"',
        'name="remember"',
        'type="checkbox"',
    ):
        assert snippet in page


# Throttling -----------------------------------------------------------------------------


def test_the_tenth_wrong_password_in_a_minute_gets_429(client, make, monkeypatch):
    user = make.resident()
    # The ten tries happen within one second on the throttle's clock, however slow the
    # machine is (the figures below would otherwise depend on it).
    moment = utcnow()
    monkeypatch.setattr(throttle, "utcnow", lambda: moment)
    for _ in range(WRONG_PASSWORDS_ALLOWED):
        assert login(client, user.username, "not the password").status_code == 401
    refused = login(client, user.username, PASSWORD)  # even the right one, until the window passes
    assert refused.status_code == 429
    assert not is_signed_in(client)
    # Told how long: until the first of the nine failures leaves the minute's window.
    assert retry_after(refused) == 60
    assert "Please try again in 1 minute." in text(refused)


def test_twelve_wrong_passwords_at_once_get_no_more_than_nine_tries(app, make):
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("on PostgreSQL a burst may overshoot by the requests served at once")
    username = make.resident().username
    guessers = [app.test_client() for _ in range(12)]
    tokens = [csrf_token(guesser, "/login") for guesser in guessers]

    def guess(index):
        return (
            guessers[index]
            .post(
                "/login",
                data={"username": username, "password": "not it", "csrf_token": tokens[index]},
            )
            .status_code
        )

    statuses = run_together(app, 12, guess)
    assert sorted(statuses) == [401] * WRONG_PASSWORDS_ALLOWED + [429] * 3
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 9


def retry_after(response):
    """The Retry-After header in seconds (every 429 carries one)."""
    assert response.headers.get("Retry-After", "").isdigit(), response.headers
    return int(response.headers["Retry-After"])


def test_failures_from_one_address_do_not_lock_the_resident_out_at_another(client, app, make):
    user = make.resident()
    for _ in range(WRONG_PASSWORDS_ALLOWED):
        login(client, user.username, "not the password", address="203.0.113.9")
    assert login(client, user.username, PASSWORD, address="203.0.113.9").status_code == 429
    at_home = app.test_client()
    assert login(at_home, user.username, PASSWORD, address="198.51.100.20").status_code == 302


def test_old_failures_do_not_count(client, make):
    user = make.resident()
    long_ago = utcnow().replace(year=utcnow().year - 1)
    db.session.add_all(
        [
            LoginFailure(account=user.username, address="127.0.0.1", created_at=long_ago)
            for _ in range(50)
        ]
    )
    db.session.commit()
    assert login(client, user.username, PASSWORD).status_code == 302


def test_signing_in_clears_that_addresss_failures_for_the_account(client, make):
    user = make.resident()
    for _ in range(WRONG_PASSWORDS_ALLOWED - 1):
        login(client, user.username, "not the password")
    assert login(client, user.username, PASSWORD).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0


# Logout ----------------------------------------------------------------------------------


def test_logout_makes_a_copied_session_cookie_useless(client, app, make):
    user = make.resident()
    sign_in(client, user)
    copy = copy_cookies(app, client, "session")
    assert is_signed_in(copy)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert not is_signed_in(client)
    replayed = copy.get("/account/password")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_logout_makes_a_copied_remember_me_cookie_useless(client, app, make):
    user = make.resident()
    sign_in(client, user, remember=True)
    remembered = client.get_cookie("remember_token").value
    copy = copy_cookies(app, client, "remember_token")
    assert is_signed_in(copy)  # the remember cookie alone signs in
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    replay = app.test_client()
    replay.set_cookie("remember_token", remembered)
    assert not is_signed_in(replay)
    assert not is_signed_in(copy)  # nor the session it had started


def test_logout_is_post_only(client, make):
    sign_in(client, make.resident())
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)


# Password change ---------------------------------------------------------------------------


def change_password(client, current, new, confirm=None):
    return client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current_password": current,
            "password": new,
            "confirm": new if confirm is None else confirm,
        },
    )


def test_password_change_keeps_this_browser_and_signs_out_every_other(client, app, make):
    user = make.resident()
    other_device = app.test_client()
    sign_in(client, user)
    sign_in(other_device, user, remember=True)
    copied_remember = copy_cookies(app, other_device, "remember_token")
    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)
    assert not is_signed_in(other_device)
    assert not is_signed_in(copied_remember)
    assert login(app.test_client(), user.username, NEW_PASSWORD).status_code == 302


SHORT_OLD_PASSWORD = "kettle-blue"  # 11 characters: enough before ASVS 2.1.1, not now


def test_staff_with_a_short_password_must_choose_a_longer_one_before_anything_else(client, make):
    admin = make.staff(admin=True, password=SHORT_OLD_PASSWORD)
    sign_in(client, admin, password=SHORT_OLD_PASSWORD)  # still works: no one is locked out
    held_back = client.get("/staff/accounts")
    assert held_back.status_code == 302 and held_back.location.endswith("/account/password")
    page = text(client.get("/account/password"))
    assert "Passwords now need at least 12 characters" in page
    assert change_password(client, SHORT_OLD_PASSWORD, "short-again").status_code == 400
    assert client.get("/staff/cohorts").status_code == 302  # still held back
    assert change_password(client, SHORT_OLD_PASSWORD, NEW_PASSWORD).status_code == 302
    assert client.get("/staff/accounts").status_code == 200


def test_staff_held_back_by_a_short_password_can_still_sign_out(client, make):
    staff = make.staff(password=SHORT_OLD_PASSWORD)
    sign_in(client, staff, password=SHORT_OLD_PASSWORD)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    assert response.status_code == 302 and not is_signed_in(client)


def test_staff_enrolling_in_two_factor_are_asked_for_a_longer_password_afterwards(client, make):
    staff = make.staff(two_factor=False, password=SHORT_OLD_PASSWORD)
    sign_in(client, staff, password=SHORT_OLD_PASSWORD)
    first = client.get("/staff/cohorts", follow_redirects=True)  # no loop between the gates
    assert first.request.path == "/account/two-factor"  # the secret to scan is kept from here on
    db.session.refresh(staff)
    enrolled = client.post(
        "/account/two-factor",
        data={
            "code": code_for(staff.totp_secret),
            "csrf_token": csrf_token(client, "/account/two-factor"),
        },
    )
    assert enrolled.status_code == 200  # the recovery codes
    assert client.get("/staff/cohorts").location.endswith("/account/password")


def test_residents_with_a_short_password_sign_in_as_before(client, make):
    resident = make.resident(password="kettle-b")  # 8 characters, from before the rule
    sign_in(client, resident, password="kettle-b")
    assert client.get("/my/bookings").status_code == 200


def test_password_change_keeps_remember_me_on_this_browser(client, app, make):
    user = make.resident()
    sign_in(client, user, remember=True)
    change_password(client, PASSWORD, NEW_PASSWORD)
    assert is_signed_in(copy_cookies(app, client, "remember_token"))


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", "at least 12 characters"),
        ("eleven-char", "at least 12 characters"),  # 8 were enough before ASVS 2.1.1
        ("QwertyAsdfgh", "one of the most common"),
        ("qlalfqjsgh1234", "one of the most common"),  # 비밀번호1234 typed in English mode
    ],
)
def test_password_change_refuses_short_and_common_passwords(client, make, new, message):
    user = make.resident()
    sign_in(client, user)
    response = change_password(client, PASSWORD, new)
    assert response.status_code == 400
    assert message in text(response)
    assert is_signed_in(client)
    db.session.refresh(user)
    assert user.session_version == 1


def test_password_change_needs_the_right_current_password(client, make):
    user = make.resident()
    sign_in(client, user)
    response = change_password(client, "not my password", NEW_PASSWORD)
    assert response.status_code == 400
    assert "Your current password is not right." in text(response)


def test_guessing_the_current_password_is_throttled_with_the_wait_said(client, make):
    user = make.resident()
    sign_in(client, user)
    for _ in range(WRONG_PASSWORDS_ALLOWED):
        assert change_password(client, "not my password", NEW_PASSWORD).status_code == 400
    refused = change_password(client, PASSWORD, NEW_PASSWORD)
    assert refused.status_code == 429 and 50 <= retry_after(refused) <= 60


def test_password_change_needs_the_same_password_twice(client, make):
    sign_in(client, make.resident())
    response = change_password(client, PASSWORD, NEW_PASSWORD, confirm=NEW_PASSWORD + "!")
    assert response.status_code == 400
    assert "The two passwords are not the same." in text(response)


def test_the_password_page_needs_sign_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Joining with a code -------------------------------------------------------------------------


def join(
    client,
    code,
    *,
    display_name="김영희",
    username="younghee",
    password=NEW_PASSWORD,
    address="127.0.0.1",
):
    return client.post(
        "/join",
        environ_base={"REMOTE_ADDR": address},
        data={
            "csrf_token": csrf_token(client, "/join"),
            "code": code,
            "display_name": display_name,
            "username": username,
            "password": password,
            "confirm": password,
            "privacy_notice": current_notice_version(),
            "consent": "y",
        },
    )


def test_a_resident_joins_with_a_code_and_is_signed_in(client, make):
    invitation = make.invitation(code="ABCDEFGH")
    response = join(client, "abcd-efgh")
    assert response.status_code == 302
    assert is_signed_in(client)
    user = db.session.scalar(select(User).where(User.username == "younghee"))
    assert user.household_id == invitation.household_id


def test_joining_with_an_eleven_character_password_is_refused_and_says_twelve(client, make):
    make.invitation(code="ABCDEFGH")
    response = join(client, "ABCDEFGH", password="kettle-blue")
    assert response.status_code == 400
    assert "at least 12 characters" in text(response)
    assert not is_signed_in(client)


def test_a_revoked_code_shows_a_clear_message(client, make):
    invitation = make.invitation(code="ABCDEFGH")
    invitation.revoked_at = utcnow()
    db.session.commit()
    response = join(client, "ABCD-EFGH")
    assert response.status_code == 400
    assert "This code is not valid" in text(response)
    assert not is_signed_in(client)


def test_a_taken_user_name_is_a_form_error_not_a_500(client, make):
    make.resident(username="younghee")
    make.invitation(code="ABCDEFGH")
    response = join(client, "ABCDEFGH", username="YOUNGHEE")
    assert response.status_code == 409
    assert "This user name is already taken." in text(response)


def test_a_korean_name_typed_decomposed_is_stored_composed(client, make):
    make.invitation(code="ABCDEFGH")
    decomposed = unicodedata.normalize("NFD", "김영희")
    assert decomposed != "김영희"
    assert join(client, "ABCDEFGH", display_name=decomposed).status_code == 302
    user = db.session.scalar(select(User).where(User.username == "younghee"))
    assert user.display_name == "김영희"


def test_a_name_with_a_nul_byte_is_refused_with_a_message(client, make):
    make.invitation(code="ABCDEFGH")
    response = join(client, "ABCDEFGH", display_name="김영\x00희")
    assert response.status_code == 400
    assert "Control characters are not allowed." in text(response)
    assert db.session.scalar(select(User).where(User.username == "younghee")) is None


def test_guessing_codes_is_throttled_per_address(client, app, make):
    make.invitation(code="ABCDEFGH")
    for number in range(WRONG_PASSWORDS_ALLOWED):
        assert join(client, f"WRONG{number:03d}", address="203.0.113.9").status_code == 400
    refused = join(client, "ABCDEFGH", address="203.0.113.9")
    assert refused.status_code == 429 and 50 <= retry_after(refused) <= 60
    assert join(app.test_client(), "ABCDEFGH", address="198.51.100.20").status_code == 302


def test_the_join_page_fills_in_a_code_from_the_link(client):
    page = text(client.get("/join?code=ABCD-EFGH"))
    assert 'value="ABCD-EFGH"' in page
    assert 'autocomplete="new-password"' in page


def test_a_signed_in_user_is_not_offered_to_join_again(client, make):
    sign_in(client, make.resident())
    assert client.get("/join").status_code == 302


# CSRF ------------------------------------------------------------------------------------------


def test_every_form_of_ours_refuses_a_post_without_its_csrf_token(client, make):
    admin = make.staff(admin=True)
    target = make.coordinator()
    anonymous_paths = ["/login", "/join"]
    for path in anonymous_paths:
        assert client.post(path, data={"username": "x"}).status_code == 400, path
    sign_in(client, admin)
    signed_in_paths = [
        "/account/password",
        "/staff/accounts/new",
        f"/staff/accounts/{target.id}",
        f"/staff/accounts/{target.id}/password",
        "/logout",
    ]
    for path in signed_in_paths:
        response = client.post(path, data={"password": NEW_PASSWORD, "display_name": "x"})
        assert response.status_code == 400, path
        assert "Your form expired" in text(response)
    assert is_signed_in(client)
    db.session.refresh(target)
    assert target.display_name != "x"


# Account admin -------------------------------------------------------------------------------


def admin_post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/staff/accounts"), **data})


def account_data(**fields):
    return {
        "role": "coordinator",
        "enterprise_id": "",
        "username": "coord.kim",
        "display_name": "김코디",
        "phone": "010-1234-5678",
        "email": "",
        "password": NEW_PASSWORD,
        **fields,
    }


def test_an_admin_makes_a_coordinator_who_can_then_sign_in(client, app, make):
    sign_in(client, make.staff(admin=True))
    response = admin_post(client, "/staff/accounts/new", account_data())
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "coord.kim"))
    assert user.is_coordinator and user.phone == "010-1234-5678"
    assert response.headers["Location"].endswith(f"/staff/accounts/{user.id}")
    newcomer = app.test_client()
    newcomer.set_cookie("lang", "en")
    assert login(newcomer, "coord.kim", NEW_PASSWORD).status_code == 302
    assert "temporary password" in text(newcomer.get("/account/password"))


def test_an_admin_makes_an_enterprise_partner_for_the_chosen_enterprise(client, make):
    enterprise = make.enterprise(name="트리플래닛")
    sign_in(client, make.staff(admin=True))
    missing = admin_post(
        client, "/staff/accounts/new", account_data(role="partner", username="p.one")
    )
    assert missing.status_code == 400
    assert "Choose the enterprise this partner works for." in text(missing)
    made = admin_post(
        client,
        "/staff/accounts/new",
        account_data(role="partner", username="p.one", enterprise_id=str(enterprise.id)),
    )
    assert made.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "p.one"))
    assert user.enterprise_id == enterprise.id


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "resident"}, 'class="field has-error"'),  # WTForms' own message, in Korean
        ({"enterprise_id": "99999"}, 'class="field has-error"'),
        ({"username": "x"}, "A user name has 2 to 30 Korean or Latin letters"),
        ({"phone": "call me"}, "Enter a phone number"),
        ({"email": "nobody"}, "Enter an e-mail address"),
        ({"password": "qwertyasdfgh"}, "one of the most common"),
        ({"password": "eleven-char"}, "at least 12 characters"),
    ],
)
def test_a_wrong_new_account_form_gets_a_message_and_saves_nothing(client, make, fields, message):
    sign_in(client, make.staff(admin=True))
    response = admin_post(client, "/staff/accounts/new", account_data(**fields))
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_taken_user_name_on_the_new_account_form_is_a_message(client, make):
    make.coordinator(username="coord.kim")
    sign_in(client, make.staff(admin=True))
    response = admin_post(client, "/staff/accounts/new", account_data(username="Coord.Kim"))
    assert response.status_code == 409
    assert "This user name is already taken." in text(response)


def test_the_account_list_masks_phone_numbers_and_filters_by_role(client, make):
    make.coordinator(display_name="박코디", phone="010-1234-5678")
    make.resident(display_name="김주민", phone="01098765432")
    sign_in(client, make.staff(admin=True))
    page = text(client.get("/staff/accounts"))
    assert "010-****-5678" in page and "010****5432" in page
    assert "010-1234-5678" not in page and "01098765432" not in page
    coordinators = text(client.get("/staff/accounts?role=coordinator"))
    assert "박코디" in coordinators and "김주민" not in coordinators
    found = text(client.get("/staff/accounts?q=김주"))
    assert "김주민" in found and "박코디" not in found


def test_an_unknown_role_in_the_account_list_is_a_400_with_a_message(client, make):
    sign_in(client, make.staff(admin=True))
    response = client.get("/staff/accounts?role=emperor")
    assert response.status_code == 400
    assert 'class="field has-error"' in text(response)  # WTForms' own message, in Korean


@pytest.mark.parametrize("page", ["99999999999999999999", "-5", "x"])
def test_a_page_number_past_any_list_is_an_empty_page_not_a_500(client, make, page):
    # The offset of page 10**20 overflowed SQLite's and PostgreSQL's integers.
    sign_in(client, make.staff(admin=True))
    assert client.get(f"/staff/accounts?page={page}").status_code in (200, 400)


def test_the_account_list_costs_the_same_queries_for_five_or_forty_accounts(client, app, make):
    from sqlalchemy import event

    sign_in(client, make.staff(admin=True))
    enterprise, complex_ = make.enterprise(), make.complex_()

    def queries_for_list():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/staff/accounts").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    for _ in range(2):
        make.resident(complex_), make.partner(enterprise)
    few = queries_for_list()
    for _ in range(18):
        make.resident(make.complex_()), make.partner(make.enterprise())
    assert queries_for_list() == few


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("010-1234-5678", "010-****-5678"),
        ("01012345678", "010****5678"),
        ("02-123-4567", "02-***-4567"),
        ("+82 10 1234 5678", "+82 1* **** 5678"),
        (None, ""),
    ],
)
def test_phone_numbers_are_masked_in_lists(phone, masked):
    from gachi.auth.views import masked_phone

    assert masked_phone(phone) == masked


def test_turning_an_account_off_signs_the_person_out_at_once(client, app, make):
    person = make.coordinator()
    their_browser = app.test_client()
    sign_in(their_browser, person)
    sign_in(client, make.staff(admin=True))
    response = admin_post(
        client,
        f"/staff/accounts/{person.id}",
        {
            "display_name": person.display_name,
            "phone": "",
            "email": "",
        },
    )  # "active" left unticked
    assert response.status_code == 302
    db.session.refresh(person)
    assert not person.active
    assert not is_signed_in(their_browser)
    assert login(app.test_client(), person.username, PASSWORD).status_code == 403


def test_an_admin_cannot_turn_off_their_own_account(client, make):
    admin = make.staff(admin=True)
    sign_in(client, admin)
    response = admin_post(
        client,
        f"/staff/accounts/{admin.id}",
        {
            "display_name": admin.display_name,
            "is_admin": "y",
        },
    )
    assert response.status_code == 403
    assert "You cannot turn off your own account." in text(response)
    db.session.refresh(admin)
    assert admin.active


def test_a_password_reset_signs_the_person_out_and_the_new_password_works(client, app, make):
    person = make.resident()
    their_browser = app.test_client()
    sign_in(their_browser, person, remember=True)
    sign_in(client, make.staff(admin=True))
    response = admin_post(
        client, f"/staff/accounts/{person.id}/password", {"password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not is_signed_in(their_browser)
    assert login(app.test_client(), person.username, NEW_PASSWORD).status_code == 302


def test_a_weak_reset_password_is_refused_on_the_account_page(client, make):
    person = make.resident()
    sign_in(client, make.staff(admin=True))
    response = admin_post(
        client, f"/staff/accounts/{person.id}/password", {"password": "eleven-char"}
    )
    assert response.status_code == 400
    assert "at least 12 characters" in text(response)
    assert person.display_name in text(response)


def test_an_admin_opening_an_account_page_is_logged_as_access_to_personal_data(client, make):
    from gachi.core.audit import AuditEntry

    admin = make.staff(admin=True)
    person = make.coordinator(phone="010-1234-5678")
    sign_in(client, admin)
    assert client.get(f"/staff/accounts/{person.id}").status_code == 200
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "personal_data.view")
    ).one()
    assert (entry.actor_id, entry.object_id) == (admin.id, person.id)
