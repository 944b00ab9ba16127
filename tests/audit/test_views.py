"""The audit log page: for staff admins only, filtered by person, action, complex and
date, paged, and downloadable as a CSV file that no spreadsheet reads as formulas."""

import csv
import io
import pathlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from gachi.audit.actions import ACTION_LABELS
from gachi.core.audit import AuditEntry, AuditSubject
from gachi.core.time import SEOUL
from gachi.extensions import db
from tests.audit.helpers import get_logged
from tests.complexes.helpers import signed_in, text_of
from tests.conftest import counted_queries

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=SEOUL)


def entry(action="booking.view", *, actor=None, complex_=None, about=(), at=NOON, object_id=1):
    logged = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        object_type="Booking",
        object_id=object_id,
        complex_id=complex_.id if complex_ else None,
        created_at=at,
    )
    db.session.add(logged)
    db.session.flush()
    db.session.add_all(AuditSubject(entry_id=logged.id, user_id=person.id) for person in about)
    db.session.commit()
    return logged


def rows_of(response):
    """The log's table rows, as text."""
    page = text_of(response)
    body = page[page.index("<tbody>") : page.index("</tbody>")] if "<tbody>" in page else ""
    return [re.sub(r"<[^>]+>|\s+", " ", row) for row in body.split("<tr>")[1:]]


@pytest.fixture
def admin(make):
    return make.staff(admin=True, display_name="감사 관리자")


# Who may read it ------------------------------------------------------------------------------


def test_a_staff_admin_reads_the_audit_log_and_finds_it_in_the_navigation(client, admin):
    signed_in(client, admin)
    response = client.get("/staff/audit")
    assert response.status_code == 200
    assert 'href="/staff/audit"' in text_of(client.get("/staff/cohorts"))


@pytest.mark.parametrize("who", ["staff", "coordinator", "resident", "partner"])
def test_anyone_but_a_staff_admin_is_refused_the_audit_log_and_its_file(client, make, who):
    person = {
        "staff": lambda: make.staff(),
        "coordinator": lambda: make.coordinator(),
        "resident": lambda: make.resident(),
        "partner": lambda: make.partner(),
    }[who]()
    signed_in(client, person)
    assert client.get("/staff/audit").status_code == 403
    assert client.get("/staff/audit.csv").status_code == 403
    assert 'href="/staff/audit"' not in text_of(
        client.get("/my/complex" if who == "resident" else "/")
    )


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    assert client.get("/staff/audit").status_code == 302


def test_reading_the_audit_log_is_itself_logged_and_not_cached(client, admin):
    signed_in(client, admin)
    logged = get_logged(client, "/staff/audit?action=booking.view")
    assert (logged.entry.action, logged.entry.actor_id) == ("audit_log.view", admin.id)
    assert logged.entry.after == {"action": "booking.view"}
    assert logged.response.headers["Cache-Control"] == "no-store"


# Filters --------------------------------------------------------------------------------------


def test_an_admin_filters_by_the_person_who_acted_or_whom_it_is_about(client, make, admin):
    coordinator = make.coordinator(display_name="박경화")
    resident = make.resident(display_name="김민지")
    entry("booking.view", actor=coordinator, object_id=11)
    entry(
        "session_people.view",
        actor=make.staff(display_name="이순신"),
        about=[resident],
        object_id=12,
    )
    entry("households.view", actor=make.staff(display_name="정약용"), object_id=13)
    signed_in(client, admin)

    by_actor = rows_of(client.get("/staff/audit?person=박경"))
    about = rows_of(client.get(f"/staff/audit?person={resident.username}"))

    assert len(by_actor) == 1 and "Booking 11" in by_actor[0]
    assert len(about) == 1 and "Booking 12" in about[0] and "김민지" in about[0]


def test_an_admin_filters_by_action_and_complex(client, make, admin):
    mapo, jongno = make.complex_(name="마포 A아파트"), make.complex_(name="종로 B아파트")
    entry("booking.view", complex_=mapo, object_id=21)
    entry("households.view", complex_=mapo, object_id=22)
    entry("booking.view", complex_=jongno, object_id=23)
    signed_in(client, admin)

    views = rows_of(client.get("/staff/audit?action=booking.view"))
    in_mapo = rows_of(client.get("/staff/audit?complex_name=마포"))

    assert sorted(re.findall(r"Booking (\d+)", " ".join(views))) == ["21", "23"]
    assert sorted(re.findall(r"Booking (\d+)", " ".join(in_mapo))) == ["21", "22"]


def test_an_admin_filters_by_seoul_days_both_ends_included(client, admin):
    day = NOON.replace(hour=0)
    entry(at=day - timedelta(minutes=1), object_id=31)  # 23:59 the day before, in Seoul
    entry(at=day, object_id=32)
    entry(at=day + timedelta(days=1, minutes=-1), object_id=33)  # 23:59 the same day
    entry(at=day + timedelta(days=1), object_id=34)
    signed_in(client, admin)

    rows = rows_of(client.get("/staff/audit?since=2026-03-10&until=2026-03-10"))

    assert sorted(re.findall(r"Booking (\d+)", " ".join(rows))) == ["32", "33"]


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "until=2026-13-01",
        "action=no.such",
        "since=2026-03-10&until=2026-03-01",
        "page=0",
    ],
)
def test_a_filter_that_cannot_be_read_is_a_400_with_a_message(client, admin, query):
    signed_in(client, admin)
    response = client.get(f"/staff/audit?{query}")
    assert response.status_code == 400
    assert "could not be read" in text_of(response)


# Paging and the file --------------------------------------------------------------------------


def test_the_log_is_paged_newest_first(client, admin):
    for number in range(55):
        entry(at=NOON + timedelta(minutes=number), object_id=100 + number)
    signed_in(client, admin)

    first = client.get("/staff/audit?action=booking.view")
    second = client.get("/staff/audit?action=booking.view&page=2")

    assert len(rows_of(first)) == 50 and "Booking 154" in rows_of(first)[0]
    assert [re.search(r"Booking (\d+)", row).group(1) for row in rows_of(second)] == [
        "104",
        "103",
        "102",
        "101",
        "100",
    ]
    assert "page=2" in text_of(first) and "Page 2 of 2" in text_of(second)


def test_the_log_costs_the_same_queries_for_few_entries_or_many(client, make, admin):
    signed_in(client, admin)
    resident = make.resident()

    def queries_for_page():
        with counted_queries() as statements:
            assert client.get("/staff/audit?action=booking.view").status_code == 200
        return len(statements)

    entry(actor=make.staff(), about=[resident])
    few = queries_for_page()
    for number in range(30):
        entry(actor=make.coordinator(), about=[resident, make.resident()], object_id=number)
    assert queries_for_page() == few


def test_the_csv_file_holds_the_filtered_entries_in_korean_and_formula_safe(client, make, admin):
    prankster = make.coordinator(display_name='=HYPERLINK("http://x")')
    neighbour = make.resident(display_name="@SUM(1)")
    entry("booking.view", actor=prankster, about=[neighbour], complex_=make.complex_(name="+cmd"))
    entry("households.view", actor=prankster)
    signed_in(client, admin)

    logged = get_logged(client, "/staff/audit.csv?action=booking.view")

    assert logged.response.mimetype == "text/csv"
    assert logged.response.headers["Cache-Control"] == "no-store"
    assert logged.entry.action == "audit_log.export"
    rows = list(csv.reader(io.StringIO(logged.response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["시각", "누가", "역할", "한 일", "대상", "단지", "관련된 사람"]
    assert len(rows) == 2
    assert rows[1][0] == "2026-03-10 12:00:00"
    assert rows[1][1:] == [
        '\'=HYPERLINK("http://x")',
        "코디네이터",
        "다른 사람의 예약을 열어 봄",
        "Booking 1",
        "'+cmd",
        "'@SUM(1)",
    ]


def test_the_page_shows_actions_in_korean(korean_client, make, admin):
    entry("volunteer_hours.view", actor=make.coordinator())
    signed_in(korean_client, admin)
    korean_client.set_cookie("lang", "ko")
    assert "자원봉사 시간을 열어 봄" in text_of(korean_client.get("/staff/audit"))


def test_every_action_the_code_writes_has_a_label():
    written = set()
    for path in pathlib.Path("gachi").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        written |= set(re.findall(r'log_change\(\s*"([^"]+)"', source))
        written |= set(re.findall(r'personal_data_shown\([^,]+,\s*"([^"]+)"', source))
    assert written and written <= set(ACTION_LABELS)


# A resident's own export -------------------------------------------------------------------


def test_a_residents_data_export_lists_who_looked_at_their_data(client, make):
    resident = make.resident()
    coordinator = make.coordinator(display_name="박경화")
    entry("session_people.view", actor=coordinator, about=[resident])
    entry("households.view", actor=coordinator)  # names nobody
    signed_in(client, resident)

    data = client.get("/account/data").get_json()

    assert data["seen_by_others"] == [
        {
            "when": NOON.astimezone(UTC).isoformat(),
            "who": "박경화",
            "role": "Coordinator",
            "what": "Opened a session's bookings and roster",
            "complex": None,
        }
    ]
