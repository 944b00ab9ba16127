"""Joining, signing in and getting back in, as older residents do: a Korean user name,
the phone number instead of a user name, a form that keeps what was typed, the privacy
notice they agree to, and a new password through a code from their coordinator or a
link by e-mail."""

import re
import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import select

from gachi.auth import operations
from gachi.auth.consent import current_notice_version, notice_versions
from gachi.auth.models import PasswordResetCode, PrivacyConsent, User
from gachi.auth.passwords import verify_password
from gachi.auth.phones import phone_key
from gachi.core.audit import AuditEntry
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.notifications.models import Channel, OutboxMessage
from gachi.notifications.outbox import rendered
from tests.conftest import csrf_token, sign_in, sign_in_directly
from tests.factories import PASSWORD

NEW_PASSWORD = "blue kettle on the balcony"
WRONG_GUESSES_ALLOWED = 9  # LOGIN_LIMIT_ACCOUNT_ADDRESS


def text(response):
    return response.get_data(as_text=True)


def is_signed_in(client):
    return client.get("/account/password").status_code == 200


def join(client, code="ABCD-EFGH", **typed):
    data = {
        "code": code,
        "display_name": "101동 김영희",
        "username": "김영희",
        "phone": "010-1234-5678",
        "email": "",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "privacy_notice": current_notice_version(),
        "consent": "y",
    }
    data.update(typed)
    data = {name: value for name, value in data.items() if value is not None}
    return client.post("/join", data={"csrf_token": csrf_token(client, "/join"), **data})


def login(client, account, password, address="127.0.0.1"):
    return client.post(
        "/login",
        environ_base={"REMOTE_ADDR": address},
        data={
            "csrf_token": csrf_token(client, "/login"),
            "username": account,
            "password": password,
        },
    )


def audit_entries(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def account(username):
    return db.session.scalar(select(User).where(User.username == username))


# Joining -------------------------------------------------------------------------------


def test_a_grandmother_joins_with_a_korean_name_and_signs_in_with_her_phone(app, client, make):
    make.invitation(code="ABCDEFGH")
    assert join(client).status_code == 302
    grandmother = account("김영희")
    assert grandmother.phone == "010-1234-5678" and grandmother.phone_key == "01012345678"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert not is_signed_in(client)

    # On another day she types the number without dashes.
    assert login(client, "01012345678", NEW_PASSWORD).status_code == 302
    assert is_signed_in(client)
    # ... or with spaces, on her grandson's phone.
    other = app.test_client()
    assert login(other, "010 1234 5678", NEW_PASSWORD).status_code == 302


def test_her_consent_is_recorded_with_the_version_and_the_time(client, make):
    make.invitation(code="ABCDEFGH")
    before = utcnow()
    join(client)
    [consent] = db.session.scalars(
        select(PrivacyConsent).where(PrivacyConsent.user_id == account("김영희").id)
    ).all()
    assert consent.version == current_notice_version()
    assert before <= consent.agreed_at <= utcnow()
    [entry] = audit_entries("account.join")
    assert entry.after["privacy_notice"] == current_notice_version()


def test_a_mistyped_join_keeps_her_household_name_and_code_but_not_the_passwords(client, make):
    make.invitation(code="ABCDEFGH")
    response = join(client, confirm="blue kettle on the balcon")  # one letter short
    assert response.status_code == 400
    page = text(response)
    assert "The two passwords are not the same." in page
    for kept in ("ABCD-EFGH", "101동 김영희", "김영희", "010-1234-5678"):
        assert f'value="{kept}"' in page
    assert NEW_PASSWORD not in page  # never written back into a page
    assert "please type it again" in page.lower()
    tick = re.search(r'<input[^>]*name="consent"[^>]*>', page).group(0)
    assert "checked" in tick  # her tick stays too
    assert response.headers["Cache-Control"] == "no-store"
    assert account("김영희") is None


def test_the_join_page_shows_the_notice_and_asks_for_consent_in_korean(korean_client):
    page = text(korean_client.get("/join"))
    assert "개인정보 수집·이용 동의" in page
    for heading in ("수집 항목", "수집·이용 목적", "보유·이용 기간", "동의를 거부할 권리와 불이익"):
        assert heading in page
    assert f'name="privacy_notice" type="hidden" value="{current_notice_version()}"' in page
    assert 'href="/privacy-policy"' in page


def test_joining_without_the_tick_is_refused_and_says_what_refusing_means(client, make):
    make.invitation(code="ABCDEFGH")
    response = join(client, consent=None)
    assert response.status_code == 400
    assert "you can still take part by phone or in person" in text(response)
    assert account("김영희") is None


def test_a_tick_under_a_notice_since_replaced_is_asked_again(client, make):
    make.invitation(code="ABCDEFGH")
    response = join(client, privacy_notice="2020-01-01")
    assert response.status_code == 400
    assert "The privacy notice has changed" in text(response)
    assert account("김영희") is None


def test_the_newest_notice_file_is_the_one_asked_for(app):
    versions = notice_versions()
    assert versions == sorted(versions) and current_notice_version() == versions[-1]
    assert "2026-12-03" in versions


def test_a_korean_user_name_is_one_name_however_it_was_typed(client, make):
    make.invitation(code="ABCDEFGH")
    make.invitation(code="HJKMNPQR")
    decomposed = unicodedata.normalize("NFD", "김영희")
    assert join(client, username=decomposed).status_code == 302
    assert account("김영희") is not None
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    response = join(client, code="HJKM-NPQR", username="김영희", phone="")
    assert response.status_code == 409
    assert "This user name is already taken." in text(response)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("YoungHee", "younghee"), ("할머니.Kim", "할머니.kim"), ("영희_1203", "영희_1203")],
)
def test_user_names_are_stored_case_folded(client, make, typed, stored):
    make.invitation(code="ABCDEFGH")
    assert join(client, username=typed).status_code == 302
    assert account(stored) is not None


@pytest.mark.parametrize("typed", ["01012345678", "010-1234", "김", "영희!", "_영희"])
def test_a_user_name_a_phone_number_could_be_mistaken_for_is_refused(client, make, typed):
    make.invitation(code="ABCDEFGH")
    response = join(client, username=typed)
    assert response.status_code == 400
    assert "at least one letter" in text(response)


# Signing in by phone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("010-1234-5678", "01012345678"),
        ("010 1234 5678", "01012345678"),
        ("+82 10-1234-5678", "01012345678"),
        ("０１０－１２３４－５６７８", "01012345678"),
        ("02-123-4567", "021234567"),
        ("1234", None),
        ("younghee", None),
    ],
)
def test_a_phone_number_is_one_key_however_it_is_written(typed, key):
    assert phone_key(typed) == key


def test_a_phone_two_accounts_share_asks_for_the_user_name(client, make):
    household = make.household()
    make.resident(household_obj=household, username="grandma", phone="010-2222-3333")
    make.resident(household_obj=household, username="grandpa", phone="01022223333")
    refused = login(client, "010-2222-3333", PASSWORD)
    assert refused.status_code == 409
    assert "Please sign in with your user name." in text(refused)
    assert not is_signed_in(client)
    # A wrong password is only wrong: it tells nobody that the phone is shared.
    wrong = login(client, "010-2222-3333", "not the password at all")
    assert wrong.status_code == 401
    assert "user name or the password is not right" in text(wrong)
    assert login(client, "grandma", PASSWORD).status_code == 302


def test_guessing_by_phone_is_throttled_however_the_number_is_written(client, make):
    make.resident(phone="010-4444-5555")
    for number in range(WRONG_GUESSES_ALLOWED):
        typed = "010-4444-5555" if number % 2 else "01044445555"
        assert login(client, typed, f"wrong guess {number}").status_code == 401
    refused = login(client, "010 4444 5555", PASSWORD)
    assert refused.status_code == 429


# A code from the coordinator -----------------------------------------------------------


def issue_code(client, resident):
    path = f"/accounts/{resident.id}/reset-code"
    asked = client.get(path)
    assert asked.status_code == 200 and "Make the code" in text(asked)
    response = client.post(path, data={"csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return re.search(r'<span class="code">([A-Z0-9-]+)</span>', text(response)).group(1)


def english(app):
    browser = app.test_client()
    browser.set_cookie("lang", "en")
    return browser


def reset(client, account_typed, code, password=NEW_PASSWORD, address="127.0.0.1"):
    return client.post(
        "/reset",
        environ_base={"REMOTE_ADDR": address},
        data={
            "csrf_token": csrf_token(client, "/reset"),
            "account": account_typed,
            "code": code,
            "password": password,
            "confirm": password,
        },
    )


@pytest.fixture
def grandmother_and_coordinator(make):
    complex_ = make.complex_()
    grandmother = make.resident(complex_, username="김영희", phone="010-1234-5678")
    return grandmother, make.coordinator(complex_)


def test_a_coordinator_hands_a_code_and_she_chooses_a_new_password(
    app, client, make, grandmother_and_coordinator
):
    grandmother, coordinator = grandmother_and_coordinator
    her_old_phone = app.test_client()
    sign_in(her_old_phone, grandmother)

    sign_in(client, coordinator)
    listed = client.get(f"/complexes/{grandmother.household.complex_id}/password-help")
    assert listed.status_code == 200 and "김영희" in text(listed)
    code = issue_code(client, grandmother)
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    [row] = db.session.scalars(select(PasswordResetCode)).all()
    assert code.replace("-", "") not in row.code_hash  # kept as a digest only
    assert row.issued_by_id == coordinator.id
    [issued] = audit_entries("account.reset_code_issue")
    assert issued.actor_id == coordinator.id and issued.object_id == grandmother.id

    resident_browser = app.test_client()
    answer = reset(resident_browser, "01012345678", code.lower())
    assert answer.status_code == 302 and answer.location.endswith("/login")
    db.session.expire_all()
    assert verify_password(account("김영희").password_hash, NEW_PASSWORD)
    assert not is_signed_in(her_old_phone)  # every other session ends
    [used] = audit_entries("account.password_reset_by_code")
    assert used.actor_id == grandmother.id
    assert login(resident_browser, "김영희", NEW_PASSWORD).status_code == 302


def test_the_code_works_once(app, client, grandmother_and_coordinator):
    grandmother, coordinator = grandmother_and_coordinator
    sign_in(client, coordinator)
    code = issue_code(client, grandmother)
    assert reset(english(app), "김영희", code).status_code == 302
    again = reset(english(app), "김영희", code, password="another long password here")
    assert again.status_code == 400
    assert "This code does not work for this account" in text(again)


def test_the_code_expires_after_a_day(grandmother_and_coordinator):
    grandmother, coordinator = grandmother_and_coordinator
    issued_at = utcnow() - timedelta(days=3)
    code = operations.issue_reset_code(grandmother, actor=coordinator, now=issued_at)
    db.session.commit()
    with pytest.raises(operations.InvalidResetCode):
        operations.reset_with_code(
            "김영희", code, NEW_PASSWORD, now=issued_at + timedelta(hours=24)
        )
    db.session.rollback()
    user = operations.reset_with_code(
        "김영희", code, NEW_PASSWORD, now=issued_at + timedelta(hours=23, minutes=59)
    )
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_a_new_code_ends_the_earlier_one(grandmother_and_coordinator):
    grandmother, coordinator = grandmother_and_coordinator
    first = operations.issue_reset_code(grandmother, actor=coordinator)
    second = operations.issue_reset_code(grandmother, actor=coordinator)
    db.session.commit()
    with pytest.raises(operations.InvalidResetCode):
        operations.reset_with_code("김영희", first, NEW_PASSWORD)
    db.session.rollback()
    operations.reset_with_code("김영희", second, NEW_PASSWORD)


def test_a_code_for_one_account_does_not_open_another(app, client, make):
    complex_ = make.complex_()
    grandmother = make.resident(complex_, username="김영희")
    make.resident(complex_, username="이영수")
    sign_in(client, make.coordinator(complex_))
    code = issue_code(client, grandmother)
    refused = reset(app.test_client(), "이영수", code)
    assert refused.status_code == 400


def test_a_code_for_a_shared_phone_opens_the_account_it_was_made_for(app, client, make):
    household = make.household()
    grandmother = make.resident(household_obj=household, username="grandma", phone="010-2222-3333")
    make.resident(household_obj=household, username="grandpa", phone="010-2222-3333")
    sign_in(client, make.coordinator(household.complex))
    code = issue_code(client, grandmother)
    assert reset(app.test_client(), "01022223333", code).status_code == 302
    db.session.expire_all()
    assert verify_password(account("grandma").password_hash, NEW_PASSWORD)
    assert not verify_password(account("grandpa").password_hash, NEW_PASSWORD)


def test_an_unknown_account_gets_the_same_answer_as_a_wrong_code(client, make):
    unknown = reset(client, "nobody-here", "ABCDE-FGH23")
    wrong = reset(client, make.resident().username, "ABCDE-FGH23")
    assert unknown.status_code == wrong.status_code == 400
    message = "This code does not work for this account"
    assert message in text(unknown) and message in text(wrong)


def test_guessing_codes_is_throttled_like_passwords(client, make):
    resident = make.resident()
    for number in range(WRONG_GUESSES_ALLOWED):
        assert reset(client, resident.username, f"WRONG{number:05d}").status_code == 400
    assert reset(client, resident.username, "ABCDE-FGH23").status_code == 429
    # and the sign-in with the same name from the same address waits too
    assert login(client, resident.username, PASSWORD).status_code == 429


def test_only_her_coordinator_or_staff_may_make_a_code(client, make, grandmother_and_coordinator):
    grandmother, _ = grandmother_and_coordinator
    path = f"/accounts/{grandmother.id}/reset-code"
    sign_in(client, make.coordinator(make.complex_()))
    assert client.post(path, data={"csrf_token": csrf_token(client)}).status_code == 404
    neighbour = make.resident(grandmother.household.complex)
    sign_in_directly(client, neighbour)
    assert client.get(path).status_code == 404
    staff = make.staff()
    assert grandmother.can_issue_reset_code(staff)
    assert not staff.can_issue_reset_code(staff)  # staff get a temporary password instead
    assert db.session.scalars(select(PasswordResetCode)).all() == []


# A link by e-mail ----------------------------------------------------------------------


@pytest.fixture
def sent():
    """The e-mails queued in the outbox so far, as (address, body in its language)."""

    def emails():
        db.session.expire_all()
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == Channel.EMAIL)
            .order_by(OutboxMessage.id)
        )
        return [(row.address, rendered(row)[1]) for row in rows]

    return emails


def ask_for_link(client, account_typed):
    return client.post(
        "/reset/email",
        data={"csrf_token": csrf_token(client, "/reset/email"), "account": account_typed},
    )


def test_an_emailed_link_works_once(app, client, make, sent):
    resident = make.resident(username="younghee", email="younghee@example.org")
    answer = ask_for_link(client, "younghee")
    assert answer.status_code == 302
    [(to, body)] = sent()
    assert to == "younghee@example.org"
    link = re.search(r"http://\S+/reset/email/\S+", body).group(0)
    path = link.removeprefix("http://localhost")

    assert client.get(path).status_code == 200
    done = client.post(
        path,
        data={"csrf_token": csrf_token(client), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert verify_password(account("younghee").password_hash, NEW_PASSWORD)
    [entry] = audit_entries("account.password_reset_by_email")
    assert entry.object_id == resident.id

    used = client.get(path)
    assert used.status_code == 404
    assert "This link does not work any more" in text(used)


def test_the_answer_never_says_whether_the_account_exists(client, make, sent):
    make.resident(username="noemail")
    said = set()
    for name in ("younghee-not-here", "noemail", "010-9999-0000"):
        answer = ask_for_link(client, name)
        assert answer.status_code == 302
        page = text(client.get(answer.location))
        said.add(re.search(r'flash-info" role="status">([^<]+)', page).group(1))
    assert len(said) == 1 and "If that account has an e-mail address" in said.pop()
    assert sent() == []


def test_a_link_older_than_two_hours_is_dead(make):
    resident = make.resident(email="a@example.org")
    made_at = utcnow() - timedelta(days=1)
    token = operations.reset_link_token(resident, now=made_at)
    assert operations.user_for_reset_link(token, now=made_at + timedelta(hours=1)) == resident
    with pytest.raises(operations.ResetLinkDead):
        operations.user_for_reset_link(token, now=made_at + timedelta(hours=2, seconds=1))


def test_a_forged_link_is_dead(client):
    response = client.get("/reset/email/not-a-signed-token")
    assert response.status_code == 404
    assert "This link does not work any more" in text(response)


def test_asking_for_links_is_throttled(client, make, sent):
    make.resident(username="younghee", email="younghee@example.org")
    for _ in range(WRONG_GUESSES_ALLOWED):
        assert ask_for_link(client, "younghee").status_code == 302
    assert ask_for_link(client, "younghee").status_code == 429
    assert len(sent()) == WRONG_GUESSES_ALLOWED


# The privacy policy --------------------------------------------------------------------


def test_the_privacy_policy_is_public_and_linked_from_every_page(korean_client, client, make):
    page = text(korean_client.get("/privacy-policy"))
    assert "개인정보 처리방침" in page and "보유·이용 기간" in page
    for path in ("/", "/login", "/join"):
        assert 'href="/privacy-policy"' in text(client.get(path))
    sign_in(client, make.staff())
    assert 'href="/privacy-policy"' in text(client.get("/staff/cohorts"))
