"""Feedback: someone who attended a session says what they thought; the coordinator reads a
programme's summary."""

from flask import Blueprint, flash, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from gachi.core.access import load_for, require
from gachi.core.audit import personal_data_shown
from gachi.core.errors import DomainError
from gachi.core.handlers import operating, unit_of_work
from gachi.extensions import db
from gachi.people.models import Person
from gachi.programs.feedback import queries
from gachi.programs.feedback.forms import FeedbackForm, PaperFeedbackForm
from gachi.programs.feedback.operations import enter_paper_feedback
from gachi.programs.feedback.operations import give_feedback as give
from gachi.programs.models import Program
from gachi.programs.sessions.pages import (
    back_to,
    load_session,
    on_the_session_page,
    session_page,
    with_paper_people,
)

bp = Blueprint("feedback", __name__)


@bp.route("/sessions/<int:session_id>/feedback", methods=["POST"])
@login_required
@unit_of_work
def give_feedback(session_id):
    program_session = load_session(session_id)
    require(program_session.can_give_feedback(current_user))
    form = FeedbackForm()
    if not form.validate_on_submit():
        return session_page(program_session, status=400, feedback_form=form)
    with operating(on_the_session_page(program_session, feedback_form=form), form=form):
        give(
            program_session,
            resident=current_user,
            rating=form.rating.data,
            change_topic=form.change_topic.data,
            comment=form.comment.data or "",
            change_note=form.change_note.data or "",
            actor=current_user,
        )
    flash(_("Thank you for your feedback!"), "success")
    return back_to(program_session)


@bp.route("/sessions/<int:session_id>/paper-feedback", methods=["POST"])
@login_required
@unit_of_work
def paper_feedback(session_id):
    """The coordinator enters feedback a person without an account gave on paper."""
    program_session = load_session(session_id)
    require(program_session.can_manage(current_user))
    form = with_paper_people(PaperFeedbackForm(), program_session)
    if not form.validate_on_submit():
        return session_page(program_session, status=400, paper_feedback_form=form)
    with operating(on_the_session_page(program_session, paper_feedback_form=form), form=form):
        person = db.session.get(Person, form.person_id.data)
        if person is None:
            raise DomainError(_l("Choose who gave it."))
        enter_paper_feedback(
            program_session,
            person=person,
            rating=form.rating.data,
            change_topic=form.change_topic.data,
            comment=form.comment.data or "",
            change_note=form.change_note.data or "",
            actor=current_user,
        )
    flash(_("The feedback of %(name)s is entered.", name=person.name), "success")
    return back_to(program_session)


@bp.route("/programs/<int:program_id>/feedback")
@login_required
def feedback_summary(program_id):
    program = load_for(current_user, Program, program_id)
    require(program.can_manage(current_user))
    page = render_template(
        "programs/feedback/feedback_summary.html",
        program=program,
        summary=queries.feedback_summary(program.id),
    )
    # The comments are shown without names, so the entry names nobody either: listing their
    # writers here would tie each comment to a person for whoever reads the audit log.
    return personal_data_shown(
        page, "feedback.view", program, actor=current_user, complex_id=program.complex_id
    )
