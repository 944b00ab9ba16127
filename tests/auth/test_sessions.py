"""Session lifetimes: idle and absolute limits, and remember-me starting a new session;
the cookie sent back only when the session changed."""

from datetime import timedelta

from gachi.auth.sessions import LOGIN_AT, SEEN_AT
from gachi.core.time import utcnow
from tests.ballots.helpers import a_ballot, ballot_scene
from tests.complexes.helpers import TOKEN_PAGE
from tests.conftest import csrf_token, sign_in


def age_session(client, *, signed_in_ago, seen_ago):
    now = utcnow()
    with client.session_transaction() as session:
        session[LOGIN_AT] = (now - signed_in_ago).timestamp()
        session[SEEN_AT] = (now - seen_ago).timestamp()


def is_signed_in(client):
    return (
        client.get("/home").status_code == 302
        and "/login" not in client.get("/home").headers["Location"]
    )


def test_a_resident_active_within_the_idle_limit_stays_signed_in(client, make):
    sign_in(client, make.resident())
    age_session(client, signed_in_ago=timedelta(hours=3), seen_ago=timedelta(minutes=90))
    assert is_signed_in(client)


def test_two_idle_hours_sign_a_resident_out(client, make):
    sign_in(client, make.resident())
    age_session(client, signed_in_ago=timedelta(hours=3), seen_ago=timedelta(hours=2, minutes=1))
    assert not is_signed_in(client)


def test_twelve_hours_after_signing_in_the_session_ends_however_active(client, make):
    sign_in(client, make.resident())
    age_session(client, signed_in_ago=timedelta(hours=12, minutes=1), seen_ago=timedelta(minutes=1))
    assert not is_signed_in(client)


def test_remember_me_starts_a_new_session_when_the_old_one_has_expired(client, make):
    sign_in(client, make.resident(), remember=True)
    age_session(client, signed_in_ago=timedelta(hours=13), seen_ago=timedelta(hours=3))
    assert is_signed_in(client)
    with client.session_transaction() as session:
        assert utcnow().timestamp() - session[LOGIN_AT] < 60  # a fresh session, fresh clock


def test_a_tampered_session_id_signs_nobody_in(client, make):
    resident = make.resident()
    with client.session_transaction() as session:
        session["_user_id"] = f"{resident.id}:not-a-version"
    assert not is_signed_in(client)


def session_cookies_sent(response):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]


def test_the_session_cookie_is_signed_and_sent_only_when_the_session_changes(client, make):
    scene = ballot_scene(make, resident_count=1)
    ballot = a_ballot(scene)
    sign_in(client, scene.residents[0])
    token = csrf_token(client, TOKEN_PAGE)  # the CSRF token is kept once, then read

    # A page, and a POST that is refused and changes nothing: no cookie is sent back.
    assert session_cookies_sent(client.get(f"/ballots/{ballot.id}")) == []
    refused = client.post(
        f"/ballots/{ballot.id}/receipt", data={"csrf_token": token, "receipt": "AAAA-BBBB-CCCC"}
    )
    assert refused.status_code == 400 and session_cookies_sent(refused) == []

    # Two minutes on, the next request moves the idle clock on: the cookie is renewed.
    age_session(client, signed_in_ago=timedelta(hours=1), seen_ago=timedelta(minutes=2))
    renewed = client.get(f"/ballots/{ballot.id}")
    assert len(session_cookies_sent(renewed)) == 1
    assert session_cookies_sent(client.get(f"/ballots/{ballot.id}")) == []
