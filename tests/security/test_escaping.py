"""User text with markup in it is escaped on every page that shows it.

Every text a person can write in complex A's scene is replaced by markup, then every
page of the URL map is read by each role: the raw tags never reach an HTML page.
"""

import itertools

import pytest
from sqlalchemy import select

from gachi.auth.models import User
from gachi.ballots.models import Ballot, PaperTally
from gachi.bizmodels.models import BusinessModel, ModelBudgetLine
from gachi.complexes.models import Cohort, Complex
from gachi.coordinators.models import Placement
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from gachi.matching.models import Match, Rating
from gachi.plans.models import BudgetLine, ExecutionPlan, SpendingEntry
from gachi.programs.bookings.models import Booking
from gachi.programs.feedback.models import Feedback
from gachi.programs.models import Program
from gachi.programs.rosters.models import RosterEntry
from gachi.programs.sessions.models import ProgramSession
from gachi.proposals.models import Problem, ProblemComment
from gachi.workshops.models import Workshop, WorkshopAttachment, WorkshopAttendance
from tests.conftest import sign_in
from tests.security.scene import a_scene
from tests.security.test_scoping import every_route

MARKUP = ("<script>alert(1)</script>", '"><img src=x onerror=1>')
RAW = ("<script>alert(1)</script>", "<img src=x onerror=1>")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

# What people write: names, titles, descriptions, notes, minutes, comments.
USER_TEXT = {
    User: ("display_name",),
    Cohort: ("name", "description"),
    Complex: ("name", "address", "description"),
    Placement: ("note",),
    Enterprise: ("name", "description", "contact"),
    Problem: ("title", "description"),
    ProblemComment: ("body",),
    Ballot: ("title", "tie_note"),
    PaperTally: ("note",),
    Workshop: ("place", "facilitator", "agenda", "minutes"),
    WorkshopAttendance: ("name",),
    WorkshopAttachment: ("filename",),
    Match: ("offer_message", "answer_note"),
    Rating: ("comment",),
    ExecutionPlan: ("goals",),
    BudgetLine: ("description",),
    SpendingEntry: ("payee", "receipt_note", "over_budget_reason"),
    Program: ("title", "description", "venue", "audience"),
    ProgramSession: ("title",),
    Booking: ("name", "dependants"),
    RosterEntry: ("name",),
    Feedback: ("comment", "change_note"),
    BusinessModel: ("title", "summary", "audience", "schedule_shape"),
    ModelBudgetLine: ("description",),
}


def write_markup_everywhere():
    """Every user text of every row becomes markup, each value unique (some are)."""
    numbers = itertools.count(1)
    for model, fields in USER_TEXT.items():
        for row in db.session.scalars(select(model)):
            for name in fields:
                number = next(numbers)
                setattr(row, name, f"{MARKUP[number % 2]} {number}")
    db.session.commit()


def html_pages(client, app, ids):
    for endpoint, method, url, _ in every_route(app, ids):
        if method != "GET" or endpoint == "auth.logout":
            continue
        response = client.get(url)
        response.close()
        if response.mimetype == "text/html":
            yield url, response.get_data(as_text=True)


@pytest.mark.parametrize(
    "role",
    ["resident of A", "coordinator of A", "partner of A", "staff", "resident of B", "anonymous"],
)
def test_markup_in_user_text_is_escaped_on_every_page(app, client, make, role):
    scene = a_scene(make, evaluation_text=MARKUP[1], program_title=MARKUP[0])
    write_markup_everywhere()
    if scene.people[role] is not None:
        sign_in(client, scene.people[role])
    raw, escaped_somewhere = [], False
    for url, body in html_pages(client, app, scene.ids):
        raw += [f"{url}: {tag}" for tag in RAW if tag in body]
        escaped_somewhere = escaped_somewhere or ESCAPED in body
    assert not raw, "\n".join(raw)
    assert escaped_somewhere, "no page showed any of the markup: is the scene still written?"
