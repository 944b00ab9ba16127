"""A session's page, and what its coordinator does to the session itself: change its places,
cancel it; and a partner's list of the sessions their enterprise delivers. Booking,
rosters and feedback on the page are handled by their own sub-areas."""

from flask import Blueprint, abort, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.core.audit import no_store, personal_data_shown
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import utcnow
from gachi.programs.sessions import queries
from gachi.programs.sessions.forms import CancelSessionForm, CapacityForm
from gachi.programs.sessions.operations import cancel_session as cancel_program_session
from gachi.programs.sessions.operations import change_capacity
from gachi.programs.sessions.pages import (
    back_to,
    load_session,
    managed_session,
    on_the_session_page,
    session_context,
)

bp = Blueprint("sessions", __name__)


@bp.route("/sessions/<int:session_id>")
@login_required
def session_detail(session_id):
    program_session = load_session(session_id)
    context = session_context(program_session)
    page = render_template("programs/sessions/session_detail.html", **context)
    people = [*context["bookings"], *context["roster"]]
    # Those who run the session see the bookings and the complex's residents to pick from;
    # anyone else sees the roster, which may name only themselves.
    if not context["runs"] and all(person.user_id == current_user.id for person in people):
        return no_store(page)
    return personal_data_shown(
        page,
        "session_people.view",
        program_session,
        actor=current_user,
        complex_id=program_session.program.complex_id,
        subject_ids=[person.user_id for person in people],
    )


@bp.route("/sessions/<int:session_id>/capacity", methods=["POST"])
@login_required
@unit_of_work
def capacity(session_id):
    program_session = managed_session(session_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        abort(400)
    with operating(on_the_session_page(program_session)):
        moved = change_capacity(program_session, capacity=form.capacity.data, actor=current_user)
    flash(
        _(
            "The session now has %(count)s places; %(moved)s people moved up from the waiting list.",
            count=program_session.capacity,
            moved=len(moved),
        ),
        "success",
    )
    return back_to(program_session)


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
@unit_of_work
def cancel_session(session_id):
    program_session = managed_session(session_id)
    form = CancelSessionForm()
    if not form.validate_on_submit():
        abort(400)
    with operating():
        cancel_program_session(program_session, reason=form.reason.data or "", actor=current_user)
    flash(_("The session is cancelled and everyone booked was told."), "success")
    return back_to(program_session)


@bp.route("/partner/sessions")
@login_required
def partner_sessions():
    if not current_user.is_partner:
        abort(404)
    return render_template(
        "programs/sessions/partner_sessions.html",
        rows=queries.partner_sessions(current_user.enterprise_id, utcnow()),
    )
