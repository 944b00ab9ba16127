"""Hostile values to every form and to the API: never a 500, nothing kept from a refusal.

Every POST route of the URL map is posted to, as the role that may use it, with values
hypothesis draws for the fields its form shows (read from the page's HTML) plus fields
the form doesn't have but an attacker would add (`role=staff`, another complex's id …).
For every example: no 5xx; a refused request (4xx, or the form shown again) left the
database as it was; an accepted one stored its text NFC-normalised and free of control
characters, and none of the added fields reached a row. A POST route without an entry in
ROUTES fails the first test, so a route added tomorrow is covered the day it lands.
"""

import os
import re
import time
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import quote, urlparse

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from gachi.auth.models import User
from gachi.ballots.models import Ballot
from gachi.ballots.operations import sync_ballot_state
from gachi.extensions import db
from tests.conftest import csrf_token, sign_in_directly
from tests.security.fingerprint import changes, snapshot
from tests.security.forms import Field, forms_on
from tests.security.hostile import HOSTILE_TEXT, payload
from tests.security.scene import Scene, a_scene
from tests.security.test_scoping import every_route

# `make test` draws the same examples on every run and every machine, so it passes or
# fails the same way for everyone. `make fuzz` sets GACHI_FUZZ_EXAMPLES: new random
# examples, that many per test, with the falsifying example and a blob to replay it
# (@reproduce_failure) printed for whatever it finds.
settings.register_profile(
    "bad-input",
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "bad-input-fuzz",
    settings.get_profile("bad-input"),
    derandomize=False,
    max_examples=int(os.environ.get("GACHI_FUZZ_EXAMPLES") or 15),
    print_blob=True,
)
PROFILE = settings.get_profile(
    "bad-input-fuzz" if os.environ.get("GACHI_FUZZ_EXAMPLES") else "bad-input"
)
# ... and starts no test once GACHI_FUZZ_MINUTES have passed.
FUZZ_ENDS = time.monotonic() + 60 * float(os.environ.get("GACHI_FUZZ_MINUTES") or "inf")


@pytest.fixture(autouse=True)
def within_the_fuzzing_time():
    if time.monotonic() > FUZZ_ENDS:
        pytest.skip("make fuzz: its time is spent")


@dataclass(frozen=True)
class Post:
    role: str  # who may post (a role of the scene)
    fields: tuple = ()  # fields of a form no page of the scene shows
    args: dict = field(default_factory=dict)  # URL argument → role whose user id fills it
    accepted_with_a_page: bool = False  # answers 200 on success (not a redirect)


COORDINATOR, RESIDENT, STAFF, PARTNER = "coordinator of A", "resident of A", "staff", "partner of A"
ROUTES = {
    "auth.login": Post("anonymous"),
    "auth.logout": Post(RESIDENT),
    "auth.join": Post("anonymous"),
    "auth.change_password": Post(RESIDENT),
    "auth.account_new": Post(STAFF),
    "auth.account_edit": Post(STAFF),
    "auth.account_password_reset": Post(STAFF),
    "auth.reset": Post("anonymous"),
    "auth.reset_email": Post("anonymous"),
    # The scene's token is no reset link: every post is a 404, whatever its fields.
    "auth.reset_by_link": Post("anonymous", ("password", "confirm")),
    "auth.issue_reset_code": Post(COORDINATOR, accepted_with_a_page=True),  # the code, once
    "two_factor.second_step": Post("anonymous", ("code",)),
    "two_factor.setup": Post(COORDINATOR, ("code",)),
    "two_factor.new_recovery_codes": Post(STAFF, ("password",)),
    "two_factor.switch_off": Post(STAFF, ("password", "code")),
    "two_factor.reset": Post(STAFF, args={"user_id": COORDINATOR}),
    "complexes.cohort_new": Post(STAFF),
    "complexes.cohort_edit": Post(STAFF),
    "complexes.recruit": Post(STAFF),
    "complexes.complex_new": Post(STAFF),
    "complexes.complex_edit": Post(STAFF),
    "complexes.move_participation_stage": Post(COORDINATOR),
    "complexes.household_add": Post(COORDINATOR),
    "complexes.reminder_lead_times": Post(COORDINATOR),
    "complexes.household_range_preview": Post(COORDINATOR),  # a preview: 200, writes nothing
    "complexes.household_import_preview": Post(COORDINATOR),
    "complexes.household_bulk_add": Post(COORDINATOR, ("households", "make_codes")),
    "complexes.codes_generate": Post(COORDINATOR),
    "complexes.code_regenerate": Post(COORDINATOR),
    "complexes.code_revoke": Post(COORDINATOR),
    "coordinators.place": Post(
        STAFF,
        ("complex_id", "starts_on", "ends_on", "allow_overlap", "note"),
        args={"user_id": COORDINATOR},
    ),
    "coordinators.place_at_complex": Post("district of A"),  # allowed to place in A's 구
    "coordinators.placement_end": Post(STAFF, ("ends_on",)),
    "districts.office_new": Post(STAFF),
    "districts.office_edit": Post(STAFF, args={"user_id": "district of A"}),
    "coordinators.placement_handover": Post(STAFF),
    "enterprises.enterprise_new": Post(STAFF),
    "enterprises.enterprise_edit": Post(STAFF),
    "enterprises.enterprise_import": Post(STAFF),
    "matching.make_match": Post(COORDINATOR, ("enterprise_id", "action", "message")),
    "matching.answer": Post(PARTNER, ("decision", "note")),
    "matching.start": Post(PARTNER),
    "matching.complete": Post(COORDINATOR),
    "matching.withdraw": Post(COORDINATOR, ("reason",)),
    "matching.ask_for_partner_account": Post(COORDINATOR),
    "matching.rate": Post(COORDINATOR, ("score", "comment")),
    "notifications.open_notification": Post(RESIDENT),
    "notifications.read_all": Post(RESIDENT),
    "notifications.preferences": Post(RESIDENT),
    "notifications.opt_out_do": Post("anonymous", ("token",)),
    "plans.save_goals": Post(COORDINATOR),
    "plans.add_line": Post(COORDINATOR),
    "plans.add_spending": Post(COORDINATOR),
    "privacy.delete_account": Post(RESIDENT),
    "privacy.erase_person_page": Post(STAFF),
    "proposals.problem_propose": Post(RESIDENT),
    "proposals.problem_support": Post(RESIDENT),
    "proposals.problem_unsupport": Post(RESIDENT),
    "proposals.problem_comment": Post(RESIDENT),
    "proposals.problem_edit": Post(COORDINATOR),
    "proposals.problem_move": Post(COORDINATOR),
    "proposals.problem_merge": Post(COORDINATOR, ("into",)),  # the problem page asks by GET
    "ballots.ballot_new": Post(COORDINATOR),
    # The receipt to write down is shown by the GET the vote redirects to.
    "ballots.ballot_vote": Post(RESIDENT, ("receipt", "choices", "dots_1", "dots_2")),
    "ballots.ballot_receipt": Post(RESIDENT, ("receipt",)),
    "ballots.ballot_paper_voter": Post(COORDINATOR, ("user_id",)),
    "ballots.ballot_paper_tally": Post(COORDINATOR),
    "ballots.ballot_paper_household": Post(COORDINATOR, ("household_id",)),
    "ballots.ballot_paper_household_remove": Post(COORDINATOR, ("reason",)),
    "ballots.ballot_close": Post(COORDINATOR),
    "ballots.ballot_tie": Post(COORDINATOR, ("option_id", "note")),
    "ballots.ballot_confirm": Post(COORDINATOR),
    "notices.notice_new": Post(COORDINATOR),
    "notices.notice_edit": Post(COORDINATOR),
    "notices.notice_unpin": Post(COORDINATOR),
    "notices.notice_remove": Post(COORDINATOR),
    "workshops.workshop_new": Post(COORDINATOR),
    "workshops.workshop_edit": Post(COORDINATOR),
    "workshops.workshop_check_in": Post(COORDINATOR),
    "workshops.workshop_walk_ins": Post(COORDINATOR),
    "workshops.workshop_attach": Post(COORDINATOR),
    "programs.program_new": Post(COORDINATOR),
    "programs.program_edit": Post(COORDINATOR),
    "programs.set_schedule": Post(COORDINATOR),
    "programs.add_exception": Post(COORDINATOR, ("day", "moved_to", "note")),
    "programs.add_session": Post(COORDINATOR),
    "bookings.book": Post(RESIDENT, ("party_size", "dependants", "request_key")),
    "bookings.phone_booking": Post(COORDINATOR),
    "bookings.walk_in": Post(COORDINATOR),
    "bookings.check_in_by_code": Post(COORDINATOR),
    "bookings.check_in": Post(COORDINATOR),
    "bookings.no_show": Post(COORDINATOR),
    "bookings.correct_attendance": Post(COORDINATOR, ("attendance", "reason")),
    "bookings.cancel": Post(RESIDENT),
    "rosters.volunteer": Post(RESIDENT),
    "rosters.volunteer_for_shift": Post(RESIDENT),
    "rosters.add_shift": Post(COORDINATOR),
    "rosters.remove_shift": Post(COORDINATOR),
    "rosters.remove_from_roster": Post(COORDINATOR),
    "rosters.add_to_roster": Post(COORDINATOR),
    "rosters.volunteers_needed": Post(COORDINATOR),
    "rosters.check_in": Post(COORDINATOR),
    "rosters.no_show": Post(COORDINATOR),
    "rosters.correct_attendance": Post(COORDINATOR, ("attendance", "reason")),
    "sessions.capacity": Post(COORDINATOR),
    "sessions.cancel_session": Post(COORDINATOR),
    "feedback.give_feedback": Post(RESIDENT),
    "feedback.paper_feedback": Post(COORDINATOR),
    "calendar.calendar_links": Post(RESIDENT),
    "calendar.revoke": Post(RESIDENT),
    "kpi.targets": Post(STAFF),
    "kpi.actuals": Post(STAFF, ("kpi_1", "kpi_2", "kpi_3")),
    "kpi.import_csv": Post(STAFF),
    "kpi.kpi_new": Post(STAFF),
    "evaluations.evaluation": Post(
        COORDINATOR, ("what_happened", "residents_said", "what_to_change")
    ),
    "evaluations.retake": Post(COORDINATOR),
    "evaluations.sign": Post(STAFF, ("decision", "organisers", "note")),
    "bizmodels.adopt": Post(COORDINATOR, ("participation", "starts_on")),
    "bizmodels.adoption": Post(
        COORDINATOR, ("title", "starts_on", "start_time", "end_time", "expected_participants")
    ),
    "bizmodels.confirm": Post(COORDINATOR),
    "bizmodels.withdraw": Post(STAFF),
    "bizmodels.publish": Post(
        STAFF, ("weeks", "weekdays", "start_time", "end_time", "budget", "events", "targets")
    ),
}

# Tables a refused request may write: a wrong password or invitation code is counted
# (throttling).
WRITTEN_WHEN_REFUSED = {
    endpoint: {"login_failures"}
    for endpoint in (
        "auth.login",
        "auth.join",
        "auth.change_password",
        "auth.reset",
        "privacy.delete_account",
        "two_factor.second_step",
        "two_factor.new_recovery_codes",
        "two_factor.switch_off",
    )
}
# Where a signed-out visitor, or staff without their second step, is sent instead.
GATES = ("/login", "/account/two-factor")
# Control characters no stored text may hold; a textarea's tab and line breaks are fine.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def test_make_test_draws_the_same_examples_on_every_run_ci_or_not():
    """A newcomer's `make test` passes or fails exactly as CI's does."""
    assert settings.get_profile("bad-input").derandomize
    assert PROFILE.derandomize or os.environ.get("GACHI_FUZZ_EXAMPLES")


def post_routes(app):
    with app.test_request_context():
        return {rule.endpoint: rule for rule in app.url_map.iter_rules() if "POST" in rule.methods}


def test_every_post_route_says_who_posts_to_it(app):
    missing = sorted(post_routes(app).keys() - ROUTES.keys())
    assert not missing, f"add to ROUTES (role that may post, fields): {missing}"
    assert not ROUTES.keys() - post_routes(app).keys(), "ROUTES names routes that are gone"


_FORMS = {}


def forms_seen_by(app, scene, role):
    """{action path: {field name: Field}} over every page the role may open (read once per
    role: the scene's ids are the same in every test)."""
    if role not in _FORMS:
        browser = app.test_client()
        browser.set_cookie("lang", "en")
        if scene.people[role] is not None:
            sign_in_directly(browser, scene.people[role])
        found = {}
        for endpoint, method, url, _ in every_route(app, scene.ids):
            if method != "GET" or endpoint == "auth.logout":
                continue
            page = browser.get(url)
            if page.status_code == 200 and page.mimetype == "text/html":
                for form in forms_on(url, page.get_data(as_text=True)):
                    fields = found.setdefault(form.action, {})
                    for name, one in form.fields.items():
                        fields.setdefault(name, one)
            page.close()
        db.session.remove()
        _FORMS[role] = found
    return _FORMS[role]


_SCENE_ROWS = {}
# Tables the database's own triggers fill as the others are written (migration 0008).
WRITTEN_BY_TRIGGERS = ("kpi_changes",)


def the_scene(app, make):
    """a_scene, built once and then written back row by row (ten times faster)."""
    if not _SCENE_ROWS:
        scene = a_scene(make)
        reference = app.config["TEST_REFERENCE_ROWS"]
        _SCENE_ROWS.update(
            rows={
                table: [
                    dict(row)
                    for row in db.session.execute(table.select()).mappings()
                    if dict(row) not in reference.get(table, [])
                ]
                for table in db.metadata.sorted_tables
            },
            people={role: user and user.id for role, user in scene.people.items()},
            ids=scene.ids,
        )
        return scene
    rows = _SCENE_ROWS["rows"]
    for table in rows:
        if rows[table] and table.name not in WRITTEN_BY_TRIGGERS:
            # A signed evaluation takes no figures (a trigger): sign it once they are in.
            late = {"signed_at": None} if table.name == "evaluations" else {}
            db.session.execute(table.insert(), [{**row, **late} for row in rows[table]])
    evaluations = db.metadata.tables["evaluations"]
    for row in rows[evaluations]:
        db.session.execute(
            evaluations.update()
            .where(evaluations.c.id == row["id"])
            .values(signed_at=row["signed_at"])
        )
    for table in rows:
        if table.name in WRITTEN_BY_TRIGGERS:
            db.session.execute(table.delete())
            if rows[table]:
                db.session.execute(table.insert(), rows[table])
        if db.engine.dialect.name == "postgresql" and rows[table] and "id" in table.columns:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"
                )
            )
    db.session.commit()
    return Scene(
        {
            role: user_id and db.session.get(User, user_id)
            for role, user_id in _SCENE_ROWS["people"].items()
        },
        dict(_SCENE_ROWS["ids"]),
    )


def mass_assignment(scene, make):
    """Fields no form offers, set to another complex's things or to a privilege."""
    resident_b = scene.people["resident of B"]
    return {
        "role": "staff",
        "is_admin": "y",
        "complex_id": str(resident_b.household.complex_id),
        "household_id": str(resident_b.household_id),
        "user_id": str(resident_b.id),
        "cohort_id": str(make.cohort(name="다른기수").id),
        "participation_id": "999999",
        "status": "x-hacked",
        "seats_taken": "9999",
        "enterprise_id": "999999",
        "author_id": str(resident_b.id),
        "active": "y",
    }


def the_scene_up_to_the_clock(scene):
    """The ballot opened an hour ago: the job writes that down (and so would the first
    coordinator's action on it). Do it now, so that the first example isn't blamed for it."""
    sync_ballot_state(db.session.get(Ballot, scene.ids["ballot_id"]))
    db.session.commit()


def plain(value):
    value = getattr(value, "value", value)
    return "y" if value is True else str(value)


def as_form_data(values):
    data = {}
    for name, value in values.items():
        if isinstance(value, tuple):  # a file: (bytes, filename)
            data[name] = (BytesIO(value[0]), value[1])
        else:
            data[name] = value
    return data


def problems_with(endpoint, response, before, after, sent, extra):
    status = response.status_code
    if status >= 500:
        return f"{status}"
    written = changes(before, after)
    if status >= 400 or (status == 200 and not ROUTES[endpoint].accepted_with_a_page):
        allowed = WRITTEN_WHEN_REFUSED.get(endpoint, set())
        kept = sorted({change.table for change in written if change.table not in allowed})
        return f"refused ({status}) but wrote {kept}" if kept else None
    for change in written:
        for column, value in (change.after or {}).items():
            if not isinstance(value, str) or change.changed(column) is None:
                continue
            if unicodedata.normalize("NFC", value) != value:
                return f"stored {change.table}.{column} not NFC: {value!r}"
            if CONTROL.search(value):
                return f"stored {change.table}.{column} with control characters: {value!r}"
        for name, value in extra.items():
            if (
                name in sent
                and change.changed(name) is not None
                and plain(change.changed(name)) == value
            ):
                return f"mass-assigned {change.table}.{name}={value!r}"
    return None


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_hostile_values_never_fail_and_a_refusal_keeps_nothing(app, make, endpoint):
    route = ROUTES[endpoint]
    scene = the_scene(app, make)
    extra_values = mass_assignment(scene, make)
    rule = post_routes(app)[endpoint]
    ids = {**scene.ids, **{name: scene.people[role].id for name, role in route.args.items()}}
    with app.test_request_context():
        url = url_for(endpoint, **{name: ids[name] for name in rule.arguments})
    fields = dict(forms_seen_by(app, scene, route.role).get(url, {}))
    for name in route.fields:
        fields.setdefault(name, Field(name, "text"))
    fields.pop("csrf_token", None)
    extra = {name: value for name, value in extra_values.items() if name not in fields}

    client = app.test_client()
    client.set_cookie("lang", "en")
    if scene.people[route.role] is not None:
        sign_in_directly(client, scene.people[route.role])
    token = csrf_token(client, "/no-such-page")
    the_scene_up_to_the_clock(scene)
    answers = set()
    committed = [snapshot()]  # each example's "after" is the next one's "before"

    @PROFILE
    @given(values=payload(fields, extra))
    def post(values):
        response = client.post(
            url,
            data={"csrf_token": token, **as_form_data(values)},
            content_type="multipart/form-data",
        )
        response.close()
        answers.add(urlparse(response.location).path if response.location else response.status_code)
        committed.append(snapshot())
        problem = problems_with(endpoint, response, *committed[-2:], values, extra)
        assert not problem, f"POST {url}: {problem}"

    post()
    if route.role != "anonymous":
        assert answers - set(GATES), f"{route.role} never got past {answers} on POST {url}"


API_PATHS = (
    "/api/v1/cohorts",
    "/api/v1/kpis",
    "/api/v1/cohorts/{cohort}/complexes",
    "/api/v1/cohorts/{cohort}/results",
    "/api/v1/participations/{participation}/results",
)
API_ARGUMENTS = ("page", "per_page", "by", "page[]", "")


@pytest.mark.parametrize("path", API_PATHS)
def test_the_api_answers_hostile_queries_with_json_never_a_500(app, client, make, path):
    scene = a_scene(make)
    ids = st.one_of(
        st.just(scene.ids["cohort_id"]),
        st.integers(),
        st.sampled_from(HOSTILE_TEXT),
        st.sampled_from([0, -1, 2**31 - 1, 2**31, 2**63, 10**30]),
    )
    query = st.dictionaries(
        st.sampled_from(API_ARGUMENTS),
        st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=20), st.integers().map(str)),
        max_size=3,
    )

    @PROFILE
    @given(cohort=ids, participation=ids, query=query)
    def ask(cohort, participation, query):
        url = path.format(
            cohort=quote(str(cohort), safe=""), participation=quote(str(participation), safe="")
        )
        response = client.get(url, query_string=query)
        assert response.status_code < 500, f"{url} {query!r}: {response.status_code}"
        assert response.is_json, f"{url} {query!r}: {response.status_code} {response.mimetype}"
        if response.status_code >= 400:
            assert response.json["error"]["status"] == response.status_code

    ask()


# Query-string names the list pages read (their filter forms and paging).
QUERY_NAMES = (
    "q",
    "name",
    "page",
    "per_page",
    "district",
    "cohort",
    "stage",
    "category",
    "tenure",
    "role",
    "legal_form",
    "verified",
    "by",
    "next",
    "kind",
    "year",
    "state",
    "complex_id",
    "code",
)


@pytest.mark.parametrize("role", ("anonymous", STAFF, COORDINATOR, RESIDENT, "district of A"))
def test_every_page_reads_a_hostile_query_string_without_failing(app, make, role):
    scene = the_scene(app, make)
    client = app.test_client()
    client.set_cookie("lang", "en")
    if scene.people[role] is not None:
        sign_in_directly(client, scene.people[role])
    pages = [
        url
        for endpoint, method, url, _ in every_route(app, scene.ids)
        if method == "GET" and endpoint != "auth.logout"
    ]
    db.session.remove()

    @PROFILE
    @given(
        page=st.sampled_from(pages),
        query=st.dictionaries(
            st.sampled_from(QUERY_NAMES),
            st.sampled_from(HOSTILE_TEXT) | st.text(max_size=10),
            min_size=1,
            max_size=4,
        ),
    )
    def ask(page, query):
        response = client.get(page, query_string=query)
        response.close()
        db.session.remove()
        assert response.status_code < 500, f"GET {page} {query!r}: {response.status_code}"

    ask()
