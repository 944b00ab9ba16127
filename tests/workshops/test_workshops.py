"""Workshops: planning, check-in, walk-ins, and attachments kept out of static and
served only to those who may see the workshop."""

import io
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from gachi.complexes.stages import Stage
from gachi.core.attendance import AttendanceClosed
from gachi.core.errors import Conflict
from gachi.core.time import as_aware, utcnow
from gachi.extensions import db
from gachi.workshops.models import Workshop, WorkshopAttachment, WorkshopAttendance, WorkshopRound
from gachi.workshops.operations import (
    check_in_guest,
    check_in_resident,
    create_workshop,
    set_walk_ins,
)
from tests.complexes.helpers import TOKEN_PAGE, post, signed_in, text_of
from tests.conftest import csrf_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture
def uploads_in_tmp(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


@pytest.fixture
def room(make):
    complex_ = make.complex_()
    participation = make.participation(complex_, stage=Stage.PROBLEM_WORKSHOP)
    coordinator = make.coordinator(complex_)
    workshop = create_workshop(
        participation,
        round=WorkshopRound.PROBLEMS,
        place="관리사무소 2층",
        held_at=utcnow() - timedelta(minutes=30),  # under way: people are checked in
        actor=coordinator,
    )
    db.session.commit()
    return complex_, participation, coordinator, workshop


def upload(client, workshop, name, data):
    # Our own builder, so the encoded body is closed even when the app refuses to read it.
    builder = EnvironBuilder(
        path=f"/workshops/{workshop.id}/attachments",
        method="POST",
        data={"csrf_token": csrf_token(client, TOKEN_PAGE), "file": (io.BytesIO(data), name)},
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def test_the_coordinator_plans_a_workshop_through_the_form(client, room):
    _complex, participation, coordinator, _workshop = room
    signed_in(client, coordinator)
    response = post(
        client,
        f"/participations/{participation.id}/workshops/new",
        {
            "round": "solutions",
            "held_at": "2018-10-20T14:00",
            "place": "경로당",
            "facilitator": "정홍권",
            "agenda": "해결 방안 찾기",
            "minutes": "",
        },
    )
    assert response.status_code == 302
    created = db.session.scalars(
        select(Workshop).where(Workshop.round == WorkshopRound.SOLUTIONS)
    ).one()
    assert as_aware(created.held_at) == datetime(2018, 10, 20, 5, 0, tzinfo=UTC)  # 14:00 Seoul
    assert (
        post(
            client,
            f"/participations/{participation.id}/workshops/new",
            {"round": "x", "held_at": "soon"},
        ).status_code
        == 400
    )


def test_check_in_a_resident_a_guest_and_walk_ins(client, room, make):
    complex_, _participation, coordinator, workshop = room
    resident = make.resident(complex_, display_name="박서진")
    household = make.household(complex_, building="102", unit="301")
    signed_in(client, coordinator)
    assert (
        post(
            client, f"/workshops/{workshop.id}/attendances", {"resident_id": str(resident.id)}
        ).status_code
        == 302
    )
    assert (
        post(
            client,
            f"/workshops/{workshop.id}/attendances",
            {"name": "이웃 어르신", "household_id": str(household.id)},
        ).status_code
        == 302
    )
    assert post(client, f"/workshops/{workshop.id}/attendances", {}).status_code == 400
    assert post(client, f"/workshops/{workshop.id}/walk-ins", {"count": "12"}).status_code == 302
    assert post(client, f"/workshops/{workshop.id}/walk-ins", {"count": "-1"}).status_code == 400
    page = text_of(client.get(f"/workshops/{workshop.id}"))
    assert "박서진" in page and "이웃 어르신" in page and "102동 301호" in page
    assert db.session.get(Workshop, workshop.id).walk_in_count == 12


def test_a_resident_is_checked_in_once(room, make):
    complex_, _participation, coordinator, workshop = room
    resident = make.resident(complex_)
    check_in_resident(workshop, resident=resident, actor=coordinator)
    db.session.commit()
    with pytest.raises(Conflict):
        check_in_resident(workshop, resident=resident, actor=coordinator)
    db.session.rollback()
    assert len(db.session.scalars(select(WorkshopAttendance)).all()) == 1


def test_attachments_are_stored_under_instance_and_served_only_in_scope(
    app, client, room, make, uploads_in_tmp
):
    complex_, _participation, coordinator, workshop = room
    signed_in(client, coordinator)
    assert upload(client, workshop, "현장사진.png", PNG).status_code == 302
    assert upload(client, workshop, "회의록.pdf", PDF).status_code == 302
    stored = db.session.scalars(select(WorkshopAttachment).order_by(WorkshopAttachment.id)).all()
    assert [a.content_type for a in stored] == ["image/png", "application/pdf"]
    files = list((uploads_in_tmp / "uploads" / "workshops").iterdir())
    assert len(files) == 2 and all(f.name.endswith((".png", ".pdf")) for f in files)

    path = f"/workshops/{workshop.id}/attachments/{stored[0].id}"
    resident = signed_in(app.test_client(), make.resident(complex_))
    served = resident.get(path)
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    served.close()
    assert signed_in(app.test_client(), make.resident()).get(path).status_code == 404
    assert client.get(f"/workshops/{workshop.id}/attachments/999").status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("script.png", b"#!/bin/sh\necho hi", 400),  # the content is not a PNG
        ("photo.gif", b"GIF89a" + b"0" * 20, 400),  # not an allowed type
        ("photo.jpg", PNG, 400),  # extension and content disagree
        ("page.html", b"<html><script>x</script>", 400),
        ("big.pdf", b"%PDF-" + b"0" * (6 * 1024 * 1024), 413),
        ("huge.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), 413),
    ],
)
def test_a_wrong_or_large_file_is_refused(client, room, uploads_in_tmp, name, data, status):
    _complex, _participation, coordinator, workshop = room
    signed_in(client, coordinator)
    response = upload(client, workshop, name, data)
    assert response.status_code == status
    assert db.session.scalars(select(WorkshopAttachment)).all() == []
    if status == 413:
        assert "too large" in text_of(response)


def test_residents_see_the_workshop_but_not_the_check_in_list(client, room, make):
    complex_, _participation, coordinator, workshop = room
    check_in_resident(
        workshop, resident=make.resident(complex_, display_name="김비공개"), actor=coordinator
    )
    db.session.commit()
    signed_in(client, make.resident(complex_))
    page = text_of(client.get(f"/workshops/{workshop.id}"))
    assert "관리사무소 2층" in page and "김비공개" not in page
    assert post(client, f"/workshops/{workshop.id}/walk-ins", {"count": "3"}).status_code == 403
    signed_in(client, make.resident())
    assert client.get(f"/workshops/{workshop.id}").status_code == 404


def test_the_coordinators_pages_open(client, room, make):
    complex_, participation, coordinator, workshop = room
    problem = make.problem(participation)
    signed_in(client, coordinator)
    for path in (
        f"/participations/{participation.id}/workshops",
        f"/participations/{participation.id}/workshops/new",
        f"/workshops/{workshop.id}/edit",
        f"/workshops/{workshop.id}",
        f"/participations/{participation.id}/ballots/new",
        f"/participations/{participation.id}/problems",
        f"/problems/{problem.id}",
        f"/problems/{problem.id}/edit",
        f"/complexes/{complex_.id}",
        f"/participations/{participation.id}",
    ):
        assert client.get(path).status_code == 200, path
    resident = signed_in(client, make.resident(complex_))
    for path in ("/my/complex", "/my/problems", "/my/ballots"):
        assert resident.get(path).status_code in (200, 302), path
    assert "/my/problems" in text_of(resident.get("/my/complex"))


def test_a_file_name_sent_decomposed_is_stored_nfc(client, room, uploads_in_tmp):
    # macOS browsers send file names as NFD: "사진" would not match a search for "사진".
    _complex, _participation, coordinator, workshop = room
    signed_in(client, coordinator)
    assert (
        upload(client, workshop, unicodedata.normalize("NFD", "현장사진.png"), PNG).status_code
        == 302
    )
    assert db.session.scalars(select(WorkshopAttachment)).one().filename == "현장사진.png"


# The attendance window: from an hour before the workshop until a week after it ---------


@pytest.fixture
def planned(make):
    """A workshop on Monday 7 December 2026 at 19:00 (Seoul)."""
    complex_ = make.complex_()
    participation = make.participation(complex_, stage=Stage.PROBLEM_WORKSHOP)
    coordinator = make.coordinator(complex_)
    workshop = create_workshop(
        participation,
        round=WorkshopRound.PROBLEMS,
        place="경로당",
        held_at=datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
        actor=coordinator,
    )
    db.session.commit()
    return complex_, coordinator, workshop


def test_nobody_is_checked_in_days_before_the_workshop(planned, make):
    complex_, coordinator, workshop = planned
    resident = make.resident(complex_)
    days_before = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    with pytest.raises(AttendanceClosed, match="Check-in opens on 2026-12-07 18:00"):
        check_in_resident(workshop, resident=resident, actor=coordinator, now=days_before)
    with pytest.raises(AttendanceClosed):
        check_in_guest(workshop, name="이웃", actor=coordinator, now=days_before)
    with pytest.raises(AttendanceClosed):
        set_walk_ins(workshop, count=5, actor=coordinator, now=days_before)
    db.session.rollback()
    assert db.session.scalars(select(WorkshopAttendance)).all() == []
    assert db.session.get(Workshop, workshop.id).walk_in_count == 0


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 12, 7, 8, 59, tzinfo=UTC), False),
        (datetime(2026, 12, 7, 9, 0, tzinfo=UTC), True),
        (datetime(2026, 12, 14, 9, 59, tzinfo=UTC), True),
        (datetime(2026, 12, 14, 10, 0, tzinfo=UTC), False),
    ],
)
def test_check_in_is_taken_from_an_hour_before_until_a_week_after(planned, make, moment, open_):
    complex_, coordinator, workshop = planned
    assert workshop.takes_attendance(moment) is open_
    resident = make.resident(complex_)
    try:
        check_in_resident(workshop, resident=resident, actor=coordinator, now=moment)
    except AttendanceClosed:
        assert not open_
    else:
        assert open_


def test_the_page_says_when_check_in_opens_and_refuses_a_check_in_before(client, make):
    complex_ = make.complex_()
    participation = make.participation(complex_, stage=Stage.PROBLEM_WORKSHOP)
    coordinator = make.coordinator(complex_)
    workshop = create_workshop(
        participation,
        round=WorkshopRound.PROBLEMS,
        held_at=utcnow() + timedelta(days=4),
        actor=coordinator,
    )
    resident = make.resident(complex_)
    db.session.commit()
    signed_in(client, coordinator)
    page = text_of(client.get(f"/workshops/{workshop.id}"))
    assert "Check-in opens on" in page
    assert f"/workshops/{workshop.id}/attendances" not in page
    response = post(
        client, f"/workshops/{workshop.id}/attendances", {"resident_id": str(resident.id)}
    )
    assert response.status_code == 409 and "Check-in opens on" in text_of(response)
    response = post(client, f"/workshops/{workshop.id}/walk-ins", {"count": "4"})
    assert response.status_code == 409
    assert db.session.scalars(select(WorkshopAttendance)).all() == []
    assert db.session.get(Workshop, workshop.id).walk_in_count == 0
