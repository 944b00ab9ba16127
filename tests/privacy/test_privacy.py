"""A resident downloads everything the app holds about them, and deletes their account."""

import json

import pytest
from sqlalchemy import select

from gachi.auth.models import User
from gachi.auth.operations import WrongPassword
from gachi.ballots.models import BallotVoter
from gachi.ballots.operations import cast_vote
from gachi.ballots.queries import ballot_results
from gachi.core.audit import AuditEntry
from gachi.core.errors import NotAllowed
from gachi.extensions import db
from gachi.privacy.operations import FORMER_RESIDENT_NAME, delete_own_account
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.bookings.operations import book_seat
from gachi.proposals.models import Problem
from tests.ballots.helpers import a_ballot, ballot_scene, option_ids
from tests.conftest import post_form, sign_in
from tests.factories import PASSWORD
from tests.programs.helpers import program_scene


def _download(client):
    response = client.get("/account/data")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "application/json"
    return response.get_data(as_text=True)


def test_a_resident_downloads_their_booking_and_problem_and_nobody_elses(client, make):
    scene = program_scene(make)
    neighbour = make.resident(scene.participation.complex, display_name="이웃사람")
    book_seat(
        scene.program_session, actor=scene.resident, resident=scene.resident, dependants="민준, 4세"
    )
    book_seat(scene.program_session, actor=neighbour, resident=neighbour, dependants="서윤, 5세")
    make.problem(scene.participation, title="놀이터가 어두워요", proposed_by_id=scene.resident.id)
    make.problem(scene.participation, title="이웃의 다른 문제", proposed_by_id=neighbour.id)
    db.session.commit()
    sign_in(client, scene.resident)

    body = _download(client)
    data = json.loads(body)
    assert "민준, 4세" in body and "놀이터가 어두워요" in body  # UTF-8, not \\u escapes
    assert data["account"]["display_name"] == "박서진"
    assert "password_hash" not in data["account"] and scene.resident.password_hash not in body
    assert [b["session"]["id"] for b in data["bookings"]] == [scene.program_session.id]
    assert "서윤" not in body and "이웃의 다른 문제" not in body and "이웃사람" not in body
    assert data["household"]["complex"]["id"] == scene.participation.complex.id


def test_the_download_says_which_ballots_they_voted_in_but_never_what_they_chose(client, make):
    scene = ballot_scene(make)
    ballot = a_ballot(scene)
    voter = scene.residents[0]
    receipt = cast_vote(ballot, voter=voter, choices={option_ids(ballot)[1]: 1})
    db.session.commit()
    sign_in(client, voter)

    body = _download(client)
    voted = json.loads(body)["ballots_voted_in"]
    assert voted == [{"ballot_id": ballot.id, "title": ballot.title, "channel": "online"}]
    assert receipt not in body and "option" not in body and "points" not in body


def test_the_download_needs_signing_in(client):
    assert client.get("/account/data").status_code in (302, 401)


def test_deleting_cancels_a_future_booking_and_moves_the_first_waiting_person_up(make):
    scene = program_scene(make, capacity=1)
    waiting_resident = make.resident(scene.participation.complex)
    mine = book_seat(
        scene.program_session, actor=scene.resident, resident=scene.resident, dependants="민준"
    )
    theirs = book_seat(scene.program_session, actor=waiting_resident, resident=waiting_resident)
    db.session.commit()
    assert theirs.status is BookingStatus.WAITING

    delete_own_account(scene.resident, PASSWORD, actor=scene.resident)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Booking, mine.id).status is BookingStatus.CANCELLED
    assert db.session.get(Booking, mine.id).dependants == ""
    assert db.session.get(Booking, theirs.id).status is BookingStatus.CONFIRMED


def test_a_deleted_resident_cannot_sign_in_and_their_problem_stays_under_a_pseudonym(client, make):
    scene = program_scene(make)
    problem = make.problem(
        scene.participation, title="놀이터가 어두워요", proposed_by_id=scene.resident.id
    )
    resident_id, old_username, old_version = (
        scene.resident.id,
        scene.resident.username,
        scene.resident.session_version,
    )
    sign_in(client, scene.resident)

    response = post_form(client, "/account/delete", {"current_password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, resident_id)
    assert user.display_name == FORMER_RESIDENT_NAME and user.username != old_username
    assert (user.phone, user.email, user.active) == (None, None, False)
    assert user.session_version > old_version
    assert db.session.get(Problem, problem.id).proposed_by.display_name == FORMER_RESIDENT_NAME
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "account.deleted")
    ).one()
    assert (entry.object_id, entry.before, entry.after) == (resident_id, None, None)

    login = post_form(client, "/login", {"username": old_username, "password": PASSWORD})
    assert login.status_code == 401
    assert client.get("/account/data").status_code in (302, 401)


def test_a_deleted_residents_vote_stays_counted(make):
    scene = ballot_scene(make)
    ballot = a_ballot(scene)
    voter = scene.residents[0]
    cast_vote(ballot, voter=voter, choices={option_ids(ballot)[1]: 1})
    db.session.commit()
    before = [(o.option_id, o.online) for o in ballot_results(ballot).options]

    delete_own_account(voter, PASSWORD, actor=voter)
    db.session.commit()
    assert [(o.option_id, o.online) for o in ballot_results(ballot).options] == before
    assert db.session.scalars(select(BallotVoter).where(BallotVoter.user_id == voter.id)).one()


def test_a_wrong_password_changes_nothing(client, make):
    scene = program_scene(make)
    booking = book_seat(scene.program_session, actor=scene.resident, resident=scene.resident)
    db.session.commit()
    with pytest.raises(WrongPassword):
        delete_own_account(scene.resident, "not the password", actor=scene.resident)
    db.session.rollback()
    sign_in(client, scene.resident)

    response = post_form(client, "/account/delete", {"current_password": "not the password"})
    assert response.status_code == 400
    assert "Your current password is not right." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, scene.resident.id).active
    assert db.session.get(User, scene.resident.id).display_name == "박서진"
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED


def test_staff_cannot_delete_their_own_account_this_way(client, make):
    staff = make.staff()
    with pytest.raises(NotAllowed):
        delete_own_account(staff, PASSWORD, actor=staff)
    db.session.rollback()
    sign_in(client, staff)
    page = client.get("/account/delete")
    assert page.status_code == 200 and "closed by the center" in page.get_data(as_text=True)
    assert post_form(client, "/account/delete", {"current_password": PASSWORD}).status_code == 403
    assert db.session.get(User, staff.id).active


def test_the_account_page_links_to_the_download_and_the_deletion(client, make):
    resident = make.resident()
    sign_in(client, resident)
    page = client.get("/account/password").get_data(as_text=True)
    assert "/account/data" in page and "/account/delete" in page
    explanation = client.get("/account/delete").get_data(as_text=True)
    assert "Your votes stay counted." in explanation
