"""Every role's key pages pass axe-core's WCAG 2.1 A/AA rules with no serious or critical
violation, in Korean (the default) and once in English; key pages reflow on a 360 px phone
and at 200% zoom, their main action within reach (screenshots: see SCREEN_SHOTS).

axe-core comes from the npm registry and lives in tests/browser/vendor/axe-core/: it is
injected into the page under test only, never served by the app.
"""

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from gachi.auth.models import User
from gachi.ballots.models import Eligibility, Method, TieRule
from gachi.ballots.operations import open_ballot
from gachi.complexes.models import Complex
from gachi.complexes.stages import Stage
from gachi.core.time import utcnow
from gachi.demo import DEMO_PASSWORD
from gachi.extensions import db
from gachi.matching.models import Match
from gachi.programs.bookings.models import Booking
from gachi.programs.models import Program
from gachi.programs.sessions.models import ProgramSession
from gachi.proposals.models import Problem, ProblemState
from tests.browser.conftest import sign_in_in_browser
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def new_page(browser, live_server, language=None, **options):
    """A page whose Content-Security-Policy lets the injected axe script run."""
    options.setdefault("viewport", {"width": 1024, "height": 900})
    context = browser.new_context(bypass_csp=True, **options)
    if language:
        context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    return context, context.new_page()


def serious_violations(page):
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [violation for violation in results["violations"] if violation["impact"] in BLOCKING]


def describe(path, violations):
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        lines.append(
            f"{path}: [{violation['impact']}] {violation['id']}: {violation['help']} — {targets}"
        )
    return lines


@dataclass
class Pilot:
    """The pilot demo plus an open ballot, and the ids the key pages live at."""

    cohort: int
    ahyeon: int
    ahyeon_participation: int
    ahyeon_problem: int
    ahyeon_code: int  # a live invitation code (the page asking to stop it)
    ahyeon_duplicate: tuple  # (a duplicate problem, the one to merge it into)
    ahyeon_program: int
    ahyeon_session: int
    cheongnyangni_session: int
    cheongnyangni_booking: int
    treeplanet_match: int
    ballot: int
    ballot_problem: int
    voter: str


@pytest.fixture
def pilot(make, demo):
    cohort = demo.cohort
    ahyeon = db.session.scalar(select(Complex).where(Complex.name == "아현동 P아파트"))
    participation = ahyeon.participations[0]
    program = db.session.scalar(
        select(Program).where(Program.participation_id == participation.id).order_by(Program.id)
    )
    cheongnyangni_upcoming = db.session.scalar(
        select(ProgramSession)
        .join(Program)
        .where(ProgramSession.starts_at > utcnow())
        .order_by(ProgramSession.starts_at)
    )
    booking = db.session.scalar(
        select(Booking)
        .join(User, Booking.user_id == User.id)
        .where(User.username == "resident.cheongnyangni")
        .order_by(Booking.id)
    )
    match = db.session.scalar(select(Match).order_by(Match.id))

    # The demo's ballots closed in 2018: a complex in its problem workshop votes today.
    voting = make.complex_(name="응암동 새싹아파트", household_count=40)
    voting_participation = make.participation(voting, cohort, stage=Stage.PROBLEM_WORKSHOP)
    coordinator = make.coordinator(voting)
    problems = [
        make.problem(
            voting_participation, title=title, category_code=code, state=ProblemState.SHORTLISTED
        )
        for title, code in [
            ("아이 돌봄(육아)", "care"),
            ("쓰레기 분리배출", "waste"),
            ("주차 문제", "housing"),
        ]
    ]
    voter = make.resident(voting, display_name="박서진")
    opens_at = utcnow() - timedelta(hours=1)
    ballot = open_ballot(
        voting_participation,
        title="1차 워크숍 투표",
        problems=problems,
        method=Method.SINGLE,
        eligibility=Eligibility.RESIDENT,
        tie_rule=TieRule.EARLIEST,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=7),
        actor=coordinator,
    )
    # Two problems raised again this year: the page asking to merge one into the other.
    duplicate, keep = (
        make.problem(participation, title=title) for title in ("오후 돌봄", "아이 돌봄 공간")
    )
    ids = Pilot(
        cohort=cohort.id,
        ahyeon_code=make.invitation(make.household(ahyeon, building="999", unit="101")).id,
        ahyeon_duplicate=(duplicate.id, keep.id),
        ahyeon=ahyeon.id,
        ahyeon_participation=participation.id,
        ahyeon_problem=db.session.scalar(
            select(Problem.id)
            .where(Problem.participation_id == participation.id)
            .order_by(Problem.id)
        ),
        ahyeon_program=program.id,
        ahyeon_session=db.session.scalar(
            select(ProgramSession.id)
            .where(ProgramSession.program_id == program.id)
            .order_by(ProgramSession.starts_at)
        ),
        cheongnyangni_session=cheongnyangni_upcoming.id,
        cheongnyangni_booking=booking.id,
        treeplanet_match=match.id,
        ballot=ballot.id,
        ballot_problem=problems[0].id,
        voter=voter.username,
    )
    # End the reading transaction: outside a request it holds SQLite's write lock.
    db.session.commit()
    return ids


# role → (account, its password is the demo's, the key pages as functions of the pilot's ids)
ROLE_PAGES = {
    "anonymous": (
        None,
        lambda ids: ["/", "/login", "/join", f"/cohorts/{ids.cohort}", "/no-such-page"],
    ),
    "resident": (
        "resident.cheongnyangni",
        lambda ids: [
            "/my/complex",
            "/my/problems",
            f"/sessions/{ids.cheongnyangni_session}",
            "/my/bookings",
            f"/bookings/{ids.cheongnyangni_booking}",
            "/notifications",
            "/notifications/preferences",
            "/account/password",
            "/account/delete",
            "/my/calendar",
        ],
    ),
    "voter": (
        "voter",
        lambda ids: ["/my/ballots", f"/ballots/{ids.ballot}", f"/problems/{ids.ballot_problem}"],
    ),
    "coordinator": (
        "coord.park",
        lambda ids: [
            "/my/complexes",
            f"/complexes/{ids.ahyeon}",
            f"/complexes/{ids.ahyeon}/households",
            f"/participations/{ids.ahyeon_participation}",
            f"/participations/{ids.ahyeon_participation}/problems",
            f"/problems/{ids.ahyeon_problem}",
            f"/participations/{ids.ahyeon_participation}/plan",
            f"/participations/{ids.ahyeon_participation}/ballots",
            f"/participations/{ids.ahyeon_participation}/programs",
            f"/programs/{ids.ahyeon_program}",
            f"/sessions/{ids.ahyeon_session}",
            f"/participations/{ids.ahyeon_participation}/matches",
            f"/complexes/{ids.ahyeon}/codes/{ids.ahyeon_code}/revoke",
            "/problems/{}/merge?into={}".format(*ids.ahyeon_duplicate),
        ],
    ),
    "partner": (
        "partner.treeplanet",
        lambda ids: [
            "/partner",
            "/partner/offers",
            "/partner/sessions",
            f"/matches/{ids.treeplanet_match}",
        ],
    ),
    "staff": (
        "center",
        lambda ids: [
            "/staff/cohorts",
            f"/staff/cohorts/{ids.cohort}",
            "/staff/complexes",
            f"/staff/cohorts/{ids.cohort}/board",
            "/staff/coordinators",
            "/staff/accounts",
            "/enterprises",
            "/staff/kpis",
            "/account/two-factor",
        ],
    ),
}


# Reflow (WCAG 1.4.10) and resize text (1.4.4). A 360 px phone is emulated as itself; 200%
# zoom of a 1280×800 window is emulated as what the browser does when zooming: a layout
# viewport of 640×400 CSS px drawn at device scale 2, so media queries and wrapping respond
# exactly as they would (document.body.style.zoom would not re-run media queries).
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
ZOOM_200 = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
SCREENSHOT_HEIGHT = 2000  # CSS px: the top of a long page is enough to judge its layout
# Saved to tests/screenshots/a11y/ (git-ignored); with GACHI_README_SCREENSHOTS=1 (`make
# screenshots`) to docs/screenshots/a11y/, the committed pictures.
ROOT = Path(__file__).resolve().parents[2]
SCREEN_SHOTS = (
    ROOT
    / ("docs" if os.environ.get("GACHI_README_SCREENSHOTS") else "tests")
    / "screenshots"
    / "a11y"
)

# role → (screen, name of the screenshot, path, the page's main action); the sign-out
# button in the header is checked on every signed-in page as well.
SMALL_SCREEN_PAGES = {
    "anonymous": [
        (PHONE, "front-page-phone", lambda ids: "/", "main a.button"),
        (ZOOM_200, "login-zoom200", lambda ids: "/login", "main button[type=submit]"),
    ],
    "resident": [
        (
            PHONE,
            "resident-booking-phone",
            lambda ids: f"/sessions/{ids.cheongnyangni_session}",
            "main form[action$='/book'] button[type=submit]",
        ),
    ],
    "voter": [
        (
            PHONE,
            "resident-ballot-phone",
            lambda ids: f"/ballots/{ids.ballot}",
            "main form button[type=submit]",
        ),
    ],
    "coordinator": [
        (
            PHONE,
            "coordinator-households-phone",
            lambda ids: f"/complexes/{ids.ahyeon}/households",
            "main form[action$='/codes/generate'] button",
        ),
        (
            ZOOM_200,
            "coordinator-plan-zoom200",
            lambda ids: f"/participations/{ids.ahyeon_participation}/plan",
            "main form[action$='/plan/goals'] button[type=submit]",
        ),
        (
            PHONE,
            "coordinator-attendance-phone",
            # A 2018 session: its check-in window has closed, so the page offers the
            # attendance list with its corrections rather than the door's check-in form.
            lambda ids: f"/sessions/{ids.ahyeon_session}",
            "main table.bookings",
        ),
    ],
    "partner": [
        (PHONE, "partner-offers-phone", lambda ids: "/partner/offers", "main h1"),
    ],
    "staff": [
        (PHONE, "staff-cohorts-phone", lambda ids: "/staff/cohorts", "main a.button"),
        (
            PHONE,
            "staff-complexes-phone",
            lambda ids: "/staff/complexes",
            "main form button[type=submit]",
        ),
        (
            ZOOM_200,
            "staff-board-zoom200",
            lambda ids: f"/staff/cohorts/{ids.cohort}/board",
            "main h1",
        ),
    ],
}


def horizontal_overflow(page):
    """How many CSS px the page is wider than the screen (0 when it reflows)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def sign_in_as(page, live_server, role, ids):
    username, _pages = ROLE_PAGES[role]
    if username == "voter":
        sign_in_in_browser(page, live_server, ids.voter, PASSWORD)
    elif username is not None:
        sign_in_in_browser(page, live_server, username, DEMO_PASSWORD)


def desktop_problems(page, live_server, paths, language="ko"):
    found = []
    for path in paths:
        response = page.goto(f"{live_server}{path}")
        assert response.status == (404 if path == "/no-such-page" else 200), path
        assert page.get_attribute("html", "lang") == language, path
        found += describe(path, serious_violations(page))
    return found


def small_screen_problems(page, screen, name, path, main_action, signed_in):
    """Reflow, the main action within reach, axe again at this size; a screenshot to look at."""
    found = []
    page.goto(path)
    height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_HEIGHT)
    page.screenshot(
        path=str(SCREEN_SHOTS / f"{name}.png"),
        scale="css",
        full_page=True,
        clip={"x": 0, "y": 0, "width": screen["viewport"]["width"], "height": height},
    )
    if (overflow := horizontal_overflow(page)) > 0:
        found.append(f"{name}: the page is {overflow} px wider than the screen")
    found += describe(name, serious_violations(page))
    for selector in [main_action] + (["header button[type=submit]"] if signed_in else []):
        action = page.locator(selector).first
        action.scroll_into_view_if_needed()
        box = action.bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > screen["viewport"]["width"]:
            found.append(f"{name}: {selector} is off the screen: {box}")
        else:
            action.click(trial=True)  # visible, enabled and not covered by anything
    return found


@pytest.mark.parametrize("role", ROLE_PAGES)
def test_each_roles_key_pages_pass_axe_in_korean_and_reflow_on_a_phone_and_at_200_percent_zoom(
    browser, live_server, pilot, role
):
    SCREEN_SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = new_page(browser, live_server)
    try:
        sign_in_as(page, live_server, role, pilot)
        signed_in = context.storage_state()  # the small screens reuse this sign-in
        found = desktop_problems(page, live_server, ROLE_PAGES[role][1](pilot))
    finally:
        context.close()
    for screen, name, path_of, main_action in SMALL_SCREEN_PAGES[role]:
        context, page = new_page(browser, live_server, storage_state=signed_in, **screen)
        page.set_default_timeout(5000)
        try:
            found += small_screen_problems(
                page,
                screen,
                name,
                f"{live_server}{path_of(pilot)}",
                main_action,
                signed_in=role != "anonymous",
            )
        finally:
            context.close()
    assert not found, "\n".join(found)


def test_english_pages_have_no_serious_accessibility_violation(browser, live_server, pilot):
    context, page = new_page(browser, live_server, "en")
    try:
        sign_in_in_browser(page, live_server, "coord.park", DEMO_PASSWORD)
        found = desktop_problems(
            page,
            live_server,
            [
                "/my/complexes",
                f"/complexes/{pilot.ahyeon}/households",
                f"/participations/{pilot.ahyeon_participation}/plan",
                "/no-such-page",
            ],
            "en",
        )
    finally:
        context.close()
    assert not found, "\n".join(found)
