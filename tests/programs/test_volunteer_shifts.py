"""Volunteer shifts inside a session, the number they need (enforced, even when many sign
up at once), hours only for shifts attended and totalled by person, a resident's own
volunteering with a PDF statement, and the center's CSV of every volunteer's hours."""

import csv
import io
from datetime import date, timedelta

import pytest
from flask import template_rendered
from sqlalchemy import func, select

from gachi.core.errors import Conflict
from gachi.extensions import db
from gachi.programs.rosters.models import RosterEntry, RosterRole, VolunteerShift
from gachi.programs.rosters.operations import (
    add_shift,
    add_to_roster,
    check_in_volunteer,
    mark_volunteer_no_show,
    volunteer_for,
)
from gachi.programs.rosters.queries import volunteer_hours
from tests.conftest import post_form, sign_in
from tests.core.test_database import run_together
from tests.programs.helpers import add_session, days_ahead, program_scene


def shift_of(scene, program_session=None, *, hours=(0, 4), needed=2):
    program_session = program_session or scene.program_session
    shift = add_shift(
        program_session,
        starts_at=program_session.starts_at + timedelta(hours=hours[0]),
        ends_at=program_session.starts_at + timedelta(hours=hours[1]),
        needed=needed,
        actor=scene.coordinator,
    )
    db.session.commit()
    return shift


def count(model):
    return db.session.scalar(select(func.count(model.id)))


def test_a_shift_needing_two_refuses_the_third(make):
    scene = program_scene(make)
    shift = shift_of(scene, needed=2)
    first, second, third = (make.resident(scene.participation.complex) for _ in range(3))
    for resident in (first, second):
        volunteer_for(shift, resident=resident, actor=resident)
    with pytest.raises(Conflict, match="This shift is full"):
        volunteer_for(shift, resident=third, actor=third)
    db.session.commit()
    assert (shift.taken, count(RosterEntry)) == (2, 2)


def test_the_coordinator_cannot_overfill_a_shift_either(make):
    scene = program_scene(make)
    shift = shift_of(scene, needed=1)
    add_to_roster(
        scene.program_session,
        role=RosterRole.VOLUNTEER,
        name="이웃",
        shift=shift,
        actor=scene.coordinator,
    )
    with pytest.raises(Conflict, match="This shift is full"):
        add_to_roster(
            scene.program_session,
            role=RosterRole.VOLUNTEER,
            name="이웃 둘",
            shift=shift,
            actor=scene.coordinator,
        )


def test_many_signing_up_at_once_never_put_more_on_a_shift_than_it_needs(app, make):
    scene = program_scene(make)
    shift_id = shift_of(scene, needed=2).id
    residents = [make.resident(scene.participation.complex).id for _ in range(5)]
    db.session.commit()

    def sign_up(index):
        from gachi.auth.models import User

        resident = db.session.get(User, residents[index])
        volunteer_for(db.session.get(VolunteerShift, shift_id), resident=resident, actor=resident)
        db.session.commit()
        return "ok"

    results = run_together(app, 5, sign_up)
    assert results.count("ok") == 2
    assert all(isinstance(result, Conflict) for result in results if result != "ok")
    db.session.expire_all()
    assert db.session.get(VolunteerShift, shift_id).taken == 2
    assert count(RosterEntry) == 2


def test_leaving_a_shift_gives_its_place_back(make, client):
    scene = program_scene(make)
    shift = shift_of(scene, needed=1)
    sign_in(client, scene.resident)
    assert post_form(client, f"/shifts/{shift.id}/volunteer", {}).status_code == 302
    entry = db.session.scalars(select(RosterEntry)).one()
    assert post_form(client, f"/roster/{entry.id}/remove", {}).status_code == 302
    db.session.expire_all()
    assert (shift.taken, count(RosterEntry)) == (0, 0)


def test_a_full_shift_is_refused_on_the_page_in_korean(make, korean_client):
    scene = program_scene(make)
    shift = shift_of(scene, needed=1)
    neighbour = make.resident(scene.participation.complex)
    volunteer_for(shift, resident=neighbour, actor=neighbour)
    db.session.commit()
    sign_in(korean_client, scene.resident)
    page = korean_client.get(f"/sessions/{scene.program_session.id}").get_data(as_text=True)
    assert "마감" in page and f"/shifts/{shift.id}/volunteer" not in page
    response = post_form(korean_client, f"/shifts/{shift.id}/volunteer", {})
    assert response.status_code == 409 and "봉사 인원이 다 찼습니다" in response.get_data(True)
    assert count(RosterEntry) == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"starts_at": "13:00", "ends_at": "15:00", "needed": "2"}, "회차 시간 안에서"),
        ({"starts_at": "16:00", "ends_at": "15:00", "needed": "2"}, "끝나는 시간이 시작 시간보다"),
        ({"starts_at": "14:00", "ends_at": "15:00", "needed": "0"}, ""),
        ({"starts_at": "", "ends_at": "15:00", "needed": "2"}, ""),
    ],
)
def test_a_shift_outside_the_session_or_ending_first_or_needing_nobody_is_refused(
    make, korean_client, data, message
):
    scene = program_scene(make)  # 14:00–18:00 Seoul
    sign_in(korean_client, scene.coordinator)
    response = post_form(korean_client, f"/sessions/{scene.program_session.id}/shifts", data)
    assert response.status_code in (400, 409, 422)
    assert message in response.get_data(as_text=True)
    assert count(VolunteerShift) == 0


def test_the_coordinator_opens_a_shift_in_the_afternoon_and_it_counts_its_own_hours(make, client):
    scene = program_scene(make)
    sign_in(client, scene.coordinator)
    data = {"starts_at": "15:00", "ends_at": "17:30", "needed": "3"}
    response = post_form(client, f"/sessions/{scene.program_session.id}/shifts", data)
    assert response.status_code == 302
    shift = db.session.scalars(select(VolunteerShift)).one()
    assert (shift.minutes, shift.needed, scene.program_session.volunteers_needed) == (150, 3, 3)
    entry = volunteer_for(shift, resident=scene.resident, actor=scene.resident)
    assert entry.minutes == 150


def held_shift(scene, days_ago=1, hours=(0, 2)):
    program_session = add_session(scene.program, days_ahead(-days_ago))
    return shift_of(scene, program_session, hours=hours, needed=3)


def test_two_volunteers_with_the_same_name_keep_separate_totals(make):
    scene = program_scene(make)
    other = make.resident(scene.participation.complex, display_name="박서진")
    for resident, shift in (
        (scene.resident, held_shift(scene)),
        (other, held_shift(scene, 2, (0, 3))),
    ):
        entry = add_to_roster(
            shift.program_session,
            role=RosterRole.VOLUNTEER,
            user=resident,
            shift=shift,
            actor=scene.coordinator,
        )
        check_in_volunteer(entry, actor=scene.coordinator)
    db.session.commit()
    hours = volunteer_hours(scene.participation.complex_id)
    assert sorted((row.user_id, row.hours) for row in hours) == sorted(
        [(scene.resident.id, 2.0), (other.id, 3.0)]
    )


def test_a_volunteer_who_did_not_come_gets_no_hours(make):
    scene = program_scene(make)
    shift = held_shift(scene)
    late, absent = make.resident(scene.participation.complex), scene.resident
    came = add_to_roster(
        shift.program_session,
        role=RosterRole.VOLUNTEER,
        user=late,
        shift=shift,
        actor=scene.coordinator,
    )
    no_show = add_to_roster(
        shift.program_session,
        role=RosterRole.VOLUNTEER,
        user=absent,
        shift=shift,
        actor=scene.coordinator,
    )
    add_to_roster(
        shift.program_session,
        role=RosterRole.VOLUNTEER,
        name="이웃",
        shift=shift,
        actor=scene.coordinator,
    )  # nobody said whether they came: no hours either
    check_in_volunteer(came, actor=scene.coordinator)
    mark_volunteer_no_show(no_show, actor=scene.coordinator)
    db.session.commit()
    assert [
        (row.user_id, row.hours) for row in volunteer_hours(scene.participation.complex_id)
    ] == [(late.id, 2.0)]


def a_resident_who_volunteered(make):
    scene = program_scene(make)
    shift = held_shift(scene, days_ago=2, hours=(1, 3))
    entry = add_to_roster(
        shift.program_session,
        role=RosterRole.VOLUNTEER,
        user=scene.resident,
        shift=shift,
        actor=scene.coordinator,
    )
    check_in_volunteer(entry, actor=scene.coordinator)
    missed = held_shift(scene, days_ago=1)
    entry = add_to_roster(
        missed.program_session,
        role=RosterRole.VOLUNTEER,
        user=scene.resident,
        shift=missed,
        actor=scene.coordinator,
    )
    mark_volunteer_no_show(entry, actor=scene.coordinator)
    db.session.commit()
    return scene


def test_a_resident_sees_their_shifts_and_hours(make, korean_client):
    scene = a_resident_who_volunteered(make)
    sign_in(korean_client, scene.resident)
    page = korean_client.get("/my/volunteering").get_data(as_text=True)
    assert "내 봉사활동" in page and "2.0시간" in page
    assert page.count("공동 아이돌봄") == 2 and "인정되지 않음" in page


def test_the_statement_is_a_pdf_with_the_centre_programme_dates_and_hours(app, make, korean_client):
    scene = a_resident_who_volunteered(make)
    sign_in(korean_client, scene.resident)
    rendered = []

    def keep(sender, template, context, **extra):
        rendered.append((template.name, context))

    today = date.today()
    with template_rendered.connected_to(keep, app):
        response = korean_client.get(
            f"/my/volunteering/statement.pdf?since={today - timedelta(days=30)}&until={today}"
        )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    name, context = next(item for item in rendered if item[0] == "pdf/volunteer_statement.html")
    html = app.jinja_env.get_template(name).render(context)
    for text in (
        "서울시사회적경제지원센터",
        "공동 아이돌봄",
        "박서진",
        "2.0시간",
        "봉사시간 확인서",
    ):
        assert text in html
    assert context["total_minutes"] == 120 and len(context["lines"]) == 1


@pytest.mark.parametrize(
    "query", ["since=2026-13-01&until=2026-12-31", "since=2026-12-31&until=2026-01-01", ""]
)
def test_a_statement_for_a_bad_period_is_refused_in_korean(make, korean_client, query):
    scene = a_resident_who_volunteered(make)
    sign_in(korean_client, scene.resident)
    response = korean_client.get(f"/my/volunteering/statement.pdf?{query}")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "봉사시간 확인서" in response.get_data(as_text=True)


def test_only_a_resident_has_a_volunteering_page(make, client):
    scene = a_resident_who_volunteered(make)
    sign_in(client, scene.coordinator)
    assert client.get("/my/volunteering").status_code == 404


def test_the_center_downloads_every_volunteers_hours_by_person(make, client, korean_client):
    scene = program_scene(make)
    other = make.resident(scene.participation.complex, display_name="박서진")
    for resident in (scene.resident, other):
        shift = held_shift(scene)
        entry = add_to_roster(
            shift.program_session,
            role=RosterRole.VOLUNTEER,
            user=resident,
            shift=shift,
            actor=scene.coordinator,
        )
        check_in_volunteer(entry, actor=scene.coordinator)
    db.session.commit()
    sign_in(client, scene.coordinator)
    assert client.get("/volunteer-hours.csv").status_code in (403, 404)
    sign_in(korean_client, make.staff())
    response = korean_client.get("/volunteer-hours.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    complex_name = scene.participation.complex.name
    assert sorted(rows[1:]) == sorted(
        [
            [str(scene.resident.id), "박서진", complex_name, "1", "2.0"],
            [str(other.id), "박서진", complex_name, "1", "2.0"],
        ]
    )


def test_without_pango_the_statement_is_a_503_saying_so(make, korean_client, monkeypatch):
    from gachi.core import pdf

    def no_pango(html):
        raise pdf.PdfUnavailable("libpango not found")

    monkeypatch.setattr(pdf, "pdf_bytes", no_pango)
    scene = a_resident_who_volunteered(make)
    sign_in(korean_client, scene.resident)
    response = korean_client.get("/my/volunteering/statement.pdf?since=2026-01-01&until=2026-12-31")
    assert response.status_code == 503
    assert "PDF를 만들 수 없습니다" in response.get_data(as_text=True)


def test_the_coordinator_prints_a_residents_statement_and_it_is_logged(make, korean_client):
    from gachi.core.audit import AuditEntry

    scene = a_resident_who_volunteered(make)
    sign_in(korean_client, scene.coordinator)
    page = korean_client.get(f"/participations/{scene.participation.id}/volunteer-hours")
    assert f"/volunteers/{scene.resident.id}/statement.pdf" in page.get_data(as_text=True)
    response = korean_client.get(
        f"/volunteers/{scene.resident.id}/statement.pdf?since=2026-01-01&until=2026-13-01"
    )
    assert response.status_code == 400 and "날짜" in response.get_data(as_text=True)
    today = date.today()
    response = korean_client.get(
        f"/volunteers/{scene.resident.id}/statement.pdf?since={today.replace(month=1, day=1)}"
        f"&until={today}"
    )
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    logged = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "volunteer_statement.print")
    ).all()
    assert len(logged) == 1


def test_another_residents_statement_is_not_theirs_to_print(make, client):
    scene = a_resident_who_volunteered(make)
    neighbour = make.resident(scene.participation.complex)
    sign_in(client, neighbour)
    response = client.get(
        f"/volunteers/{scene.resident.id}/statement.pdf?since=2026-01-01&until=2026-12-31"
    )
    assert response.status_code in (403, 404)
