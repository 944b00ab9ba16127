"""With the database out of reach the app answers a 503 page, and recovers by itself."""

from contextlib import contextmanager

import pytest
from flask_babel import force_locale
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from gachi.core.errors_views import ERROR_TEXTS, RETRY_AFTER_SECONDS, is_database_unavailable
from gachi.extensions import db
from tests.conftest import sign_in, sign_in_directly


@contextmanager
def database_out_of_reach():
    """Every new connection goes to a place where no database answers (a closed
    port, a folder that does not exist); the pool is emptied on the way in and out."""

    def unreachable(dialect, _record, cargs, cparams):
        if dialect.name == "postgresql":
            cparams.update(host="127.0.0.1", port=1, connect_timeout=2)
        else:
            cargs[:] = ["/nonexistent-gachi-folder/gone.sqlite3"]

    db.session.remove()
    db.engine.dispose()
    event.listen(db.engine, "do_connect", unreachable)
    try:
        yield
    finally:
        event.remove(db.engine, "do_connect", unreachable)
        db.session.remove()
        db.engine.dispose()


def test_a_visitor_gets_a_korean_503_page_while_the_database_is_away(korean_client, make):
    resident = make.resident()
    sign_in_directly(korean_client, resident)  # loading the user needs the database
    with database_out_of_reach():
        response = korean_client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert '<html lang="ko">' in page and "첫 화면으로 가기" in page
    with force_locale("ko"):
        assert str(ERROR_TEXTS[503][0]) in page


def test_a_connection_that_cannot_even_roll_back_is_dropped_and_the_page_is_a_503(
    client, monkeypatch
):
    def connection_gone():
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection"))

    with database_out_of_reach():
        monkeypatch.setattr(db.session, "rollback", connection_gone)
        response = client.get("/")
        monkeypatch.undo()
    assert response.status_code == 503


def test_the_page_and_the_header_give_the_same_wait(korean_client, client):
    with database_out_of_reach():
        korean = korean_client.get("/")
        english = client.get("/")
    for response in (korean, english):
        assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert f"{RETRY_AFTER_SECONDS}초 뒤에 다시 시도해 주세요" in korean.get_data(as_text=True)
    assert "1분" not in korean.get_data(as_text=True)
    assert f"Please try again in {RETRY_AFTER_SECONDS} seconds." in english.get_data(as_text=True)


def test_the_api_answers_its_own_json_error_while_the_database_is_away(client):
    with database_out_of_reach():
        response = client.get("/api/v1/cohorts")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["status"] == 503 and str(RETRY_AFTER_SECONDS) in error["message"]


def test_a_signed_in_resident_still_sees_themselves_signed_in_on_the_503_page(client, make):
    sign_in(client, make.resident())
    with database_out_of_reach():
        page = client.get("/my/bookings").get_data(as_text=True)
    assert "Sign out" in page and "My bookings" in page  # not the signed-out header
    assert "Sign in" not in page.replace("Sign out", "")


def test_a_signed_in_admin_sees_the_staff_header_on_the_503_page(client, make):
    sign_in(client, make.staff(admin=True))
    with database_out_of_reach():
        page = client.get("/staff/accounts").get_data(as_text=True)
    assert "Sign out" in page and "Accounts" in page and "My bookings" not in page


def test_a_signed_out_visitor_sees_the_signed_out_header_on_the_503_page(client):
    with database_out_of_reach():
        page = client.get("/").get_data(as_text=True)
    assert "Sign in" in page and "Sign out" not in page


def test_the_app_answers_again_once_the_database_is_back(client, make):
    resident = make.resident()
    sign_in_directly(client, resident)
    with database_out_of_reach():
        assert client.get("/").status_code == 503
    response = client.get("/")
    assert response.status_code == 200
    assert "Sign out" in response.get_data(as_text=True)  # the user loaded again


def test_a_broken_statement_is_still_a_bug_not_an_outage(app, client, monkeypatch):
    def broken():
        db.session.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setitem(app.view_functions, "public.index", broken)
    assert client.get("/").status_code == 500


def test_a_constraint_violation_is_not_mistaken_for_an_outage(make):
    cohort = make.cohort()
    with pytest.raises(IntegrityError) as raised:
        make.cohort(name=cohort.name)
    db.session.rollback()
    assert not is_database_unavailable(raised.value)


def test_a_refused_connection_counts_as_an_outage():
    with database_out_of_reach(), pytest.raises(OperationalError) as raised:
        db.session.execute(text("SELECT 1"))
    assert is_database_unavailable(raised.value)
