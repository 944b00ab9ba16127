"""A session's page and what is done on it: book, cancel, volunteer, give feedback; and for
those running it, phone bookings, walk-ins, check-in (by list, code or QR), rosters,
capacity and cancellation. A resident's own bookings and shifts."""

import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.complexes.codes import format_code
from gachi.core.access import load_for, require
from gachi.core.audit import no_store, personal_data_shown
from gachi.core.db import begin_writing, reads_first
from gachi.core.errors import DomainError
from gachi.core.forms import BaseForm, options
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs import bookings, feedback, operations, queries, rosters
from gachi.programs.forms import (
    BookForm,
    CancelSessionForm,
    CapacityForm,
    CodeForm,
    FeedbackForm,
    PhoneBookingForm,
    RosterForm,
    VolunteersNeededForm,
    WalkInForm,
)
from gachi.programs.models import (
    Booking,
    BookingChannel,
    BookingStatus,
    ProgramSession,
    RosterEntry,
)
from gachi.programs.qr import qr_svg

bp = Blueprint("sessions", __name__)


def _with_residents(form, session):
    form.resident_id.choices = options(
        [(0, _l("(none)")), *queries.complex_residents(session.program.complex_id)]
    )
    return form


def _load(session_id):
    return load_for(current_user, ProgramSession, session_id, options=queries.SESSION_WITH_SCOPE)


def _managed(session_id):
    session = _load(session_id)
    require(session.can_manage(current_user))
    return session


def _fresh_key():
    return secrets.token_urlsafe(16)


def _session_page(session, *, status=200, error=None, **forms):
    return no_store(
        (
            render_template(
                "programs/session_detail.html", **_session_context(session, error=error, **forms)
            ),
            status,
        )
    )


def _session_context(session, *, error=None, **forms):
    user = current_user
    runs, manages = session.can_check_in(user), session.can_manage(user)
    my_booking = queries.active_booking(session.id, user.id) if user.is_resident else None
    context = dict(
        session=session,
        program=session.program,
        runs=runs,
        manages=manages,
        error=error,
        now=utcnow(),
        my_booking=my_booking,
        my_position=bookings.waiting_position(my_booking) if my_booking else None,
        my_shift=rosters.entry_for(session, user) if user.is_resident else None,
        attended=user.is_resident and feedback.attended(session, user),
        book_form=forms.get("book_form") or BookForm(formdata=None, request_key=_fresh_key()),
        feedback_form=forms.get("feedback_form") or FeedbackForm(formdata=None),
        bookings=queries.session_bookings(session.id) if runs else [],
        roster=queries.session_roster(session.id),
    )
    if runs:
        context.update(
            walk_in_form=forms.get("walk_in_form")
            or _with_residents(WalkInForm(formdata=None), session),
            code_form=forms.get("code_form") or CodeForm(formdata=None),
        )
    if manages:
        context.update(
            phone_form=forms.get("phone_form")
            or _with_residents(PhoneBookingForm(formdata=None, request_key=_fresh_key()), session),
            roster_form=forms.get("roster_form")
            or _with_residents(RosterForm(formdata=None), session),
            capacity_form=CapacityForm(formdata=None, capacity=session.capacity),
            volunteers_form=VolunteersNeededForm(formdata=None, count=session.volunteers_needed),
            cancel_form=CancelSessionForm(formdata=None),
        )
    return context


def _refused(session, error, **forms):
    db.session.rollback()
    return _session_page(session, status=error.status, error=str(error), **forms)


def _back(session):
    return redirect(url_for(".session_detail", session_id=session.id))


def _confirmed():
    if not BaseForm().validate_on_submit():
        abort(400)


@bp.route("/sessions/<int:session_id>")
@login_required
def session_detail(session_id):
    session = _load(session_id)
    context = _session_context(session)
    page = render_template("programs/session_detail.html", **context)
    people = [*context["bookings"], *context["roster"]]
    # Those who run the session see the bookings and the complex's residents to pick from;
    # anyone else sees the roster, which may name only themselves.
    if not context["runs"] and all(person.user_id == current_user.id for person in people):
        return no_store(page)
    return personal_data_shown(
        page,
        "session_people.view",
        session,
        actor=current_user,
        complex_id=session.program.complex_id,
        subject_ids=[person.user_id for person in people],
    )


def _booking_message(booking):
    """(message, category) to flash; read before the commit, which expires the booking.
    The place in line is left to the booking's page, its one source: the flash and the
    status line could otherwise be counted a moment apart and disagree."""
    if booking.status is BookingStatus.CONFIRMED:
        return _(
            "Booked. Your booking code is %(code)s.", code=format_code(booking.code)
        ), "success"
    return _(
        "The session is full: you are on the waiting list, at the place shown below. We "
        "will tell you when a place comes free."
    ), "warning"


@bp.route("/sessions/<int:session_id>/book", methods=["POST"])
@login_required
@reads_first
def book(session_id):
    session = _load(session_id)
    require(session.can_book(current_user))
    form = BookForm()
    if not form.validate_on_submit():
        return _session_page(session, status=400, book_form=form)
    begin_writing(db.session)
    try:
        booking = bookings.book_seat(
            session,
            actor=current_user,
            resident=current_user,
            party_size=form.party_size.data,
            dependants=form.dependants.data or "",
            request_key=f"{current_user.id}:{form.request_key.data}",
        )
    except DomainError as error:
        return _refused(session, error, book_form=form)
    message, where = _booking_message(booking), url_for(".booking_detail", booking_id=booking.id)
    db.session.commit()
    flash(*message)
    return redirect(where)


@bp.route("/sessions/<int:session_id>/phone-bookings", methods=["POST"])
@login_required
def phone_booking(session_id):
    session = _load(session_id)
    require(session.can_book_for_others(current_user))
    form = _with_residents(PhoneBookingForm(), session)
    if not form.validate_on_submit():
        return _session_page(session, status=400, phone_form=form)
    resident = db.session.get(User, form.resident_id.data) if form.resident_id.data else None
    try:
        booking = bookings.book_seat(
            session,
            actor=current_user,
            resident=resident,
            name=form.name.data or "",
            party_size=form.party_size.data,
            dependants=form.dependants.data or "",
            channel=BookingChannel.PHONE,
            request_key=f"{current_user.id}:{form.request_key.data}",
        )
    except DomainError as error:
        return _refused(session, error, phone_form=form)
    db.session.commit()
    flash(
        _(
            "%(name)s is booked (%(status)s). Booking code %(code)s.",
            name=booking.who,
            status=booking.status.label,
            code=format_code(booking.code),
        ),
        "success",
    )
    return _back(session)


@bp.route("/sessions/<int:session_id>/walk-ins", methods=["POST"])
@login_required
def walk_in(session_id):
    session = _load(session_id)
    require(session.can_check_in(current_user))
    form = _with_residents(WalkInForm(), session)
    if not form.validate_on_submit():
        return _session_page(session, status=400, walk_in_form=form)
    resident = db.session.get(User, form.resident_id.data) if form.resident_id.data else None
    try:
        booking = bookings.add_walk_in(
            session,
            actor=current_user,
            resident=resident,
            name=form.name.data or "",
            party_size=form.party_size.data,
        )
    except DomainError as error:
        return _refused(session, error, walk_in_form=form)
    db.session.commit()
    flash(_("%(name)s came without booking and is checked in.", name=booking.who), "success")
    return _back(session)


@bp.route("/sessions/<int:session_id>/check-in-code", methods=["POST"])
@login_required
def check_in_by_code(session_id):
    session = _load(session_id)
    require(session.can_check_in(current_user))
    form = CodeForm()
    booking = (
        bookings.booking_by_code(session, form.code.data) if form.validate_on_submit() else None
    )
    if booking is None:
        form.code.errors = [*form.code.errors, _("No booking of this session has that code.")]
        return _session_page(session, status=400, code_form=form)
    return _check_in(booking)


def _booking(booking_id, permission="can_view"):
    return load_for(current_user, Booking, booking_id, permission=permission)


def _check_in(booking):
    try:
        changed = bookings.check_in(booking, actor=current_user)
    except DomainError as error:
        return _refused(booking.session, error)
    db.session.commit()
    flash(
        _("%(name)s is checked in.", name=booking.who)
        if changed
        else _("%(name)s was already checked in.", name=booking.who),
        "success",
    )
    return _back(booking.session)


@bp.route("/bookings/<int:booking_id>/check-in", methods=["POST"])
@login_required
def check_in(booking_id):
    booking = _booking(booking_id, "can_check_in")
    _confirmed()
    return _check_in(booking)


@bp.route("/bookings/<int:booking_id>/no-show", methods=["POST"])
@login_required
def no_show(booking_id):
    booking = _booking(booking_id, "can_check_in")
    _confirmed()
    try:
        bookings.mark_no_show(booking, actor=current_user)
    except DomainError as error:
        return _refused(booking.session, error)
    db.session.commit()
    flash(_("%(name)s is marked as not come.", name=booking.who), "success")
    return _back(booking.session)


@bp.route("/bookings/<int:booking_id>")
@login_required
def booking_detail(booking_id):
    booking = _booking(booking_id)
    page = render_template(
        "programs/booking_detail.html",
        booking=booking,
        position=bookings.waiting_position(booking),
        code=format_code(booking.code),
        now=utcnow(),
    )
    return _booking_shown(page, booking)


def _booking_shown(page, booking):
    """A booking's page: the resident's own is only kept out of caches; anyone else's
    (staff, the coordinator, the partner at the door) is also logged."""
    if booking.user_id == current_user.id:
        return no_store(page)
    return personal_data_shown(
        page,
        "booking.view",
        booking,
        actor=current_user,
        complex_id=booking.session.program.complex_id,
        subject_ids=[booking.user_id],
    )


@bp.route("/bookings/<int:booking_id>/qr.svg")
@login_required
def booking_qr(booking_id):
    booking = _booking(booking_id)
    url = url_for(".check_in_page", code=booking.code, _external=True)
    return Response(
        qr_svg(url), mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"}
    )


@bp.route("/check-in/<code>")
@login_required
def check_in_page(code):
    """Where a booking's QR code leads: for whoever runs the session, its check-in."""
    from gachi.complexes.codes import normalise_code

    booking = db.session.scalar(db.select(Booking).where(Booking.code == normalise_code(code)))
    if booking is None or not booking.can_check_in(current_user):
        abort(404)
    page = render_template(
        "programs/check_in.html", booking=booking, code=format_code(booking.code)
    )
    return _booking_shown(page, booking)


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@login_required
def cancel(booking_id):
    booking = _booking(booking_id)
    require(booking.can_cancel(current_user))
    _confirmed()
    try:
        moved = bookings.cancel_booking(booking, actor=current_user)
    except DomainError as error:
        return _refused(booking.session, error)
    db.session.commit()
    flash(_("The booking is cancelled."), "success")
    if moved:
        flash(
            _("%(count)s people were moved up from the waiting list and told.", count=len(moved)),
            "success",
        )
    if booking.user_id == current_user.id:
        return redirect(url_for(".my_bookings"))
    return _back(booking.session)


@bp.route("/sessions/<int:session_id>/volunteer", methods=["POST"])
@login_required
def volunteer(session_id):
    session = _load(session_id)
    require(session.can_volunteer(current_user))
    _confirmed()
    rosters.volunteer_for(session, resident=current_user, actor=current_user)
    db.session.commit()
    flash(_("Thank you! You are on this session's volunteer shift."), "success")
    return _back(session)


@bp.route("/roster/<int:entry_id>/remove", methods=["POST"])
@login_required
def remove_from_roster(entry_id):
    entry = load_for(current_user, RosterEntry, entry_id)
    require(entry.can_remove(current_user))
    _confirmed()
    session = entry.session
    rosters.remove_from_roster(entry, actor=current_user)
    db.session.commit()
    flash(_("Taken off the roster."), "success")
    return _back(session)


@bp.route("/sessions/<int:session_id>/roster", methods=["POST"])
@login_required
def add_to_roster(session_id):
    session = _managed(session_id)
    form = _with_residents(RosterForm(), session)
    if not form.validate_on_submit():
        return _session_page(session, status=400, roster_form=form)
    user = db.session.get(User, form.resident_id.data) if form.resident_id.data else None
    try:
        rosters.add_to_roster(
            session, role=form.role.data, user=user, name=form.name.data or "", actor=current_user
        )
    except DomainError as error:
        return _refused(session, error, roster_form=form)
    db.session.commit()
    flash(_("Added to the roster."), "success")
    return _back(session)


@bp.route("/sessions/<int:session_id>/volunteers-needed", methods=["POST"])
@login_required
def volunteers_needed(session_id):
    session = _managed(session_id)
    form = VolunteersNeededForm()
    if not form.validate_on_submit():
        abort(400)
    rosters.set_volunteers_needed(session, count=form.count.data, actor=current_user)
    db.session.commit()
    flash(_("Saved."), "success")
    return _back(session)


@bp.route("/sessions/<int:session_id>/capacity", methods=["POST"])
@login_required
def capacity(session_id):
    session = _managed(session_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        moved = operations.change_capacity(session, capacity=form.capacity.data, actor=current_user)
    except DomainError as error:
        return _refused(session, error)
    db.session.commit()
    flash(
        _(
            "The session now has %(count)s places; %(moved)s people moved up from the waiting list.",
            count=session.capacity,
            moved=len(moved),
        ),
        "success",
    )
    return _back(session)


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel_session(session_id):
    session = _managed(session_id)
    form = CancelSessionForm()
    if not form.validate_on_submit():
        abort(400)
    operations.cancel_session(session, reason=form.reason.data or "", actor=current_user)
    db.session.commit()
    flash(_("The session is cancelled and everyone booked was told."), "success")
    return _back(session)


@bp.route("/sessions/<int:session_id>/feedback", methods=["POST"])
@login_required
def give_feedback(session_id):
    session = _load(session_id)
    require(session.can_give_feedback(current_user))
    form = FeedbackForm()
    if not form.validate_on_submit():
        return _session_page(session, status=400, feedback_form=form)
    try:
        feedback.give_feedback(
            session,
            resident=current_user,
            rating=form.rating.data,
            change_topic=form.change_topic.data,
            comment=form.comment.data or "",
            change_note=form.change_note.data or "",
            actor=current_user,
        )
    except DomainError as error:
        return _refused(session, error, feedback_form=form)
    db.session.commit()
    flash(_("Thank you for your feedback!"), "success")
    return _back(session)


@bp.route("/my/bookings")
@login_required
def my_bookings():
    if not current_user.is_resident:
        abort(404)
    now = utcnow()
    return no_store(
        render_template(
            "programs/my_bookings.html",
            now=now,
            bookings=queries.my_bookings(current_user.id),
            shifts=queries.my_shifts(current_user.id),
            upcoming=queries.upcoming_sessions_of_complex(current_user.complex_id, now, limit=30),
        )
    )
