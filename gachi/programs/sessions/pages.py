"""The session page, which each sub-area's handlers re-render when an operation refuses:
the session, the reader's own booking, shift and feedback, and for those who run it the
bookings and the coordinator's forms. Its controls are shown by the models' state
predicates, so it offers a form exactly when the operation behind it accepts."""

import secrets

from flask import abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from gachi.coordinators.contacts import coordinator_contacts
from gachi.core.access import load_for, require
from gachi.core.audit import no_store
from gachi.core.forms import BaseForm, options
from gachi.core.time import seoul_today, utcnow
from gachi.programs.bookings import queries as booking_queries
from gachi.programs.bookings.forms import BookForm, CodeForm, PhoneBookingForm, WalkInForm
from gachi.programs.bookings.operations import waiting_position
from gachi.programs.feedback import queries as feedback_queries
from gachi.programs.feedback.forms import FeedbackForm, PaperFeedbackForm
from gachi.programs.rosters import queries as roster_queries
from gachi.programs.rosters.forms import RosterForm, ShiftForm, VolunteersNeededForm
from gachi.programs.sessions import queries
from gachi.programs.sessions.forms import CancelSessionForm, CapacityForm
from gachi.programs.sessions.models import ProgramSession


def load_session(session_id):
    return load_for(current_user, ProgramSession, session_id, options=queries.SESSION_WITH_SCOPE)


def managed_session(session_id):
    program_session = load_session(session_id)
    require(program_session.can_manage(current_user))
    return program_session


def with_residents(form, program_session):
    complex_id = program_session.program.complex_id
    form.resident_id.choices = options([(0, _l("(none)")), *queries.complex_residents(complex_id)])
    if hasattr(form, "person_id"):  # someone without an account (gachi/people)
        form.person_id.choices = options(
            [(0, _l("(none)")), *queries.complex_people_choices(complex_id)]
        )
        form.household_id.choices = options(
            [(0, _l("(not known)")), *queries.household_choices(complex_id)]
        )
    return form


def with_paper_people(form, program_session):
    """The paper feedback form, offering who attended without an account."""
    form.person_id.choices = options(feedback_queries.paper_feedback_choices(program_session))
    return form


def fresh_key():
    return secrets.token_urlsafe(16)


def confirmed():
    """A button's form (its CSRF token) came with the request, else 400."""
    if not BaseForm().validate_on_submit():
        abort(400)


def back_to(program_session):
    return redirect(url_for("sessions.session_detail", session_id=program_session.id))


def on_the_session_page(program_session, **forms):
    """The page an operation's refusal shows: the session page, with the form that was sent."""
    return lambda status: session_page(program_session, status, **forms)


def session_page(program_session, status=200, **forms):
    return no_store(
        (
            render_template(
                "programs/sessions/session_detail.html",
                **session_context(program_session, **forms),
            ),
            status,
        )
    )


def _resident_context(program_session, user):
    if not user.is_resident:
        return dict(
            my_booking=None, my_position=None, my_shift=None, attended=False, gave_feedback=False
        )
    my_booking = booking_queries.active_booking(program_session.id, user.id)
    attended = feedback_queries.attended(program_session, user)
    return dict(
        my_booking=my_booking,
        my_position=waiting_position(my_booking) if my_booking else None,
        my_shift=roster_queries.entry_for(program_session, user),
        attended=attended,
        gave_feedback=attended and feedback_queries.has_given_feedback(program_session, user),
    )


def session_context(program_session, **forms):
    user = current_user
    runs, manages = program_session.can_check_in(user), program_session.can_manage(user)
    context = dict(
        program_session=program_session,
        program=program_session.program,
        runs=runs,
        manages=manages,
        now=utcnow(),
        **_resident_context(program_session, user),
        book_form=forms.get("book_form") or BookForm(formdata=None, request_key=fresh_key()),
        feedback_form=forms.get("feedback_form") or FeedbackForm(formdata=None),
        bookings=booking_queries.session_bookings(program_session.id) if runs else [],
        roster=roster_queries.session_roster(program_session.id),
        shifts=roster_queries.session_shifts(program_session.id),
        # Residents told to book by phone are given the number to call.
        contacts=[]
        if program_session.program.residents_may_book
        else coordinator_contacts(program_session.program.complex_id, seoul_today()),
    )
    if runs:
        context.update(
            walk_in_form=forms.get("walk_in_form")
            or with_residents(WalkInForm(formdata=None), program_session),
            code_form=forms.get("code_form") or CodeForm(formdata=None),
        )
    if manages:
        context.update(
            phone_form=forms.get("phone_form")
            or with_residents(
                PhoneBookingForm(formdata=None, request_key=fresh_key()), program_session
            ),
            roster_form=forms.get("roster_form")
            or with_residents(RosterForm(formdata=None), program_session),
            capacity_form=CapacityForm(formdata=None, capacity=program_session.capacity),
            shift_form=forms.get("shift_form") or ShiftForm(formdata=None),
            volunteers_form=VolunteersNeededForm(
                formdata=None, count=program_session.volunteers_needed
            ),
            cancel_form=CancelSessionForm(formdata=None),
            paper_feedback_form=forms.get("paper_feedback_form")
            or with_paper_people(PaperFeedbackForm(formdata=None), program_session),
        )
    return context
