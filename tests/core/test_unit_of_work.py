"""The unit-of-work edge (gachi.core.handlers): what a handler gets without writing any
transaction code, told through a tiny blueprint of its own, and the rule that every
handler that accepts a write goes through it."""

from pathlib import Path

import pytest
from flask import Blueprint, flash, get_flashed_messages
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from config import TestConfig
from gachi import create_app
from gachi.complexes.models import Cohort
from gachi.core.db import SAFE_METHODS
from gachi.core.errors import Conflict
from gachi.core.handlers import operating, read_that_writes, unit_of_work
from gachi.extensions import db

GACHI = Path(__file__).resolve().parents[2] / "gachi"

demo = Blueprint("uow_demo", __name__)


def _cohorts():
    return db.session.scalar(select(func.count(Cohort.id)))


def _cohort_names():
    return db.session.scalars(select(Cohort.name).order_by(Cohort.name)).all()


def _page(status):
    form_errors = getattr(_page, "form", None)
    errors = " | ".join(form_errors.form_errors) if form_errors else ""
    return f"page {errors} {' | '.join(get_flashed_messages())}", status


@demo.route("/adds", methods=["POST"])
@unit_of_work
def adds():
    with operating(_page):
        db.session.add(Cohort(name="committed", year=2030))
    return "added", 201


@demo.route("/refuses", methods=["POST"])
@unit_of_work
def refuses():
    with operating(_page):
        db.session.add(Cohort(name="never", year=2030))
        db.session.flush()
        raise Conflict("Someone else changed it.")


@demo.route("/refuses-on-the-form", methods=["POST"])
@unit_of_work
def refuses_on_the_form():
    form = _page.form = FlaskForm(meta={"csrf": False})
    with operating(_page, form=form):
        raise Conflict("Not now.")


@demo.route("/refuses-without-a-page", methods=["POST"])
@unit_of_work
def refuses_without_a_page():
    with operating():
        db.session.add(Cohort(name="never", year=2030))
        raise Conflict("Not now.")


class NameForm(FlaskForm):
    name = StringField()


class NameTaken(Conflict):
    field = "name"
    default_message = "That name is taken."


@demo.route("/refuses-next-to-the-field", methods=["POST"])
@unit_of_work
def refuses_next_to_the_field():
    form = NameForm(meta={"csrf": False})
    with operating(lambda status: (f"name: {' | '.join(form.name.errors)}", status), form=form):
        raise NameTaken()


@demo.route("/refuses-and-records-the-refusal", methods=["POST"])
@unit_of_work
def refuses_and_records_the_refusal():
    def record(error):
        db.session.add(Cohort(name=f"refused: {error}", year=2030))

    with operating(_page, on_refusal=record):
        db.session.add(Cohort(name="never", year=2030))
        db.session.flush()
        raise Conflict("Not now.")


@demo.route("/shows", methods=["GET"])
@unit_of_work
def shows():
    db.session.add(Cohort(name="never", year=2030))
    return "shown", 200


@demo.route("/shows-and-records", methods=["GET"])
@unit_of_work
def shows_and_records():
    with read_that_writes():
        db.session.add(Cohort(name="seen", year=2030))
    return "shown", 200


@demo.route("/answers-400", methods=["POST"])
@unit_of_work
def answers_400():
    with operating():
        db.session.add(Cohort(name="never", year=2030))
    flash("Check what you entered.")
    return "invalid", 400


@demo.route("/writes-too-early", methods=["POST"])
@unit_of_work
def writes_too_early():
    db.session.add(Cohort(name="never", year=2030))
    db.session.flush()
    return "unreachable", 200


@pytest.fixture
def demo_client(app):
    class SameDatabase(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        WTF_CSRF_ENABLED = False

    edge_app = create_app(SameDatabase)
    edge_app.register_blueprint(demo, url_prefix="/uow")
    with edge_app.app_context():
        yield edge_app.test_client()
        # Its own engine: closed here, not left to the garbage collector of a later test.
        db.session.remove()
        db.engine.dispose()


def test_an_answer_below_400_commits(demo_client):
    assert demo_client.post("/uow/adds").status_code == 201
    assert _cohorts() == 1


def test_a_refusal_rolls_back_and_shows_the_page_with_the_message_and_its_status(demo_client):
    response = demo_client.post("/uow/refuses")
    assert response.status_code == 409
    assert "Someone else changed it." in response.get_data(as_text=True)
    assert _cohorts() == 0


def test_a_refusal_with_a_form_puts_the_message_on_the_form(demo_client):
    response = demo_client.post("/uow/refuses-on-the-form")
    assert response.status_code == 409
    assert response.get_data(as_text=True).startswith("page Not now.")


def test_a_refusal_without_a_page_is_the_error_page_with_its_status(demo_client):
    response = demo_client.post("/uow/refuses-without-a-page")
    assert response.status_code == 409
    assert "Not now." in response.get_data(as_text=True)
    assert _cohorts() == 0


def test_a_refusal_about_one_field_puts_the_message_next_to_it(demo_client):
    response = demo_client.post("/uow/refuses-next-to-the-field")
    assert response.status_code == 409
    assert response.get_data(as_text=True) == "name: That name is taken."


def test_a_refusal_that_leaves_a_record_keeps_only_the_record(demo_client):
    response = demo_client.post("/uow/refuses-and-records-the-refusal")
    assert response.status_code == 409
    assert "Not now." in response.get_data(as_text=True)
    assert _cohort_names() == ["refused: Not now."]


def test_a_page_that_is_only_read_never_commits(demo_client):
    assert demo_client.get("/uow/shows").status_code == 200
    assert _cohorts() == 0


def test_a_read_that_writes_on_purpose_keeps_what_it_wrote(demo_client):
    assert demo_client.get("/uow/shows-and-records").status_code == 200
    assert _cohort_names() == ["seen"]


def test_an_answer_of_400_or_more_rolls_back_what_was_written(demo_client):
    assert demo_client.post("/uow/answers-400").status_code == 400
    assert _cohorts() == 0


def test_writing_before_operating_is_a_mistake_refused_loudly(demo_client, caplog):
    assert demo_client.post("/uow/writes-too-early").status_code == 500
    assert "wrote before operating()" in caplog.text
    assert _cohorts() == 0


def test_every_handler_that_accepts_a_write_goes_through_the_edge(app):
    outside = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        writes = set(rule.methods or ()) - SAFE_METHODS
        if writes and not getattr(view, "unit_of_work", False):
            outside.append(rule.endpoint)
    assert outside == []


def _undeclared_commits(source):
    """Lines that commit with no comment saying it is deliberate just above them."""
    lines = source.splitlines()
    return [
        number
        for number, line in enumerate(lines, start=1)
        if "db.session.commit" in line
        and not any("deliberately" in above.lower() for above in lines[max(0, number - 4) : number])
    ]


def test_no_handler_module_commits_by_itself():
    """...unless a comment right above the commit says why it deliberately does."""
    committing = []
    for module in sorted(GACHI.glob("*/**/*views.py")):  # sub-areas too (programs/bookings)
        if _undeclared_commits(module.read_text(encoding="utf-8")):
            committing.append(str(module.relative_to(GACHI)))
    assert committing == []


def test_a_commit_in_a_handler_module_needs_its_reason_said():
    assert _undeclared_commits("x = 1\n    db.session.commit()\n") == [2]
    deliberate = (
        "    # Deliberately committed here: the answer is a 4xx.\n    db.session.commit()\n"
    )
    assert _undeclared_commits(deliberate) == []
