"""Bookings: a resident books or cancels online, the coordinator books by phone, and those
running a session take walk-ins and check people in (from the list, by code or by the
booking's QR code). A booking's page and a resident's own bookings."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.complexes.models import Household
from gachi.coordinators.contacts import coordinator_contacts
from gachi.core.access import load_for, require
from gachi.core.audit import no_store, personal_data_shown
from gachi.core.codes import format_code, normalise_code
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import seoul_today, utcnow
from gachi.extensions import db
from gachi.people.models import Person
from gachi.programs.bookings import operations, queries
from gachi.programs.bookings.forms import (
    BookForm,
    CodeForm,
    CorrectAttendanceForm,
    PhoneBookingForm,
    WalkInForm,
)
from gachi.programs.bookings.models import Booking, BookingChannel
from gachi.programs.bookings.qr import qr_svg
from gachi.programs.rosters.queries import my_shifts
from gachi.programs.sessions.pages import (
    back_to,
    confirmed,
    load_session,
    on_the_session_page,
    session_page,
    with_residents,
)
from gachi.programs.sessions.queries import upcoming_sessions_of_complex

bp = Blueprint("bookings", __name__)


def _booking_message(booking):
    """(message, category) to flash. The place in line is left to the booking's page, its
    one source: the flash and the status line could otherwise be counted a moment apart
    and disagree."""
    if booking.is_confirmed:
        return _(
            "Booked. Your booking code is %(code)s.", code=format_code(booking.code)
        ), "success"
    return _(
        "The session is full: you are on the waiting list, at the place shown below. We "
        "will tell you when a place comes free."
    ), "warning"


@bp.route("/sessions/<int:session_id>/book", methods=["POST"])
@login_required
@unit_of_work
def book(session_id):
    program_session = load_session(session_id)
    require(program_session.can_book(current_user))
    form = BookForm()
    if not form.validate_on_submit():
        return session_page(program_session, status=400, book_form=form)
    with operating(on_the_session_page(program_session, book_form=form), form=form):
        booking = operations.book_seat(
            program_session,
            actor=current_user,
            resident=current_user,
            party_size=form.party_size.data,
            dependants=form.dependants.data or "",
            request_key=f"{current_user.id}:{form.request_key.data}",
        )
    flash(*_booking_message(booking))
    return redirect(url_for(".booking_detail", booking_id=booking.id))


def _someone_without_account(form):
    """The person-of-a-household fields of a phone-booking or walk-in form (the choices
    offered are the complex's, so the ids are checked against it by the operation)."""
    return dict(
        person=db.session.get(Person, form.person_id.data) if form.person_id.data else None,
        household=(
            db.session.get(Household, form.household_id.data) if form.household_id.data else None
        ),
        phone=form.phone.data or None,
        consent=bool(form.consent.data),
    )


@bp.route("/sessions/<int:session_id>/phone-bookings", methods=["POST"])
@login_required
@unit_of_work
def phone_booking(session_id):
    program_session = load_session(session_id)
    require(program_session.can_book_for_others(current_user))
    form = with_residents(PhoneBookingForm(), program_session)
    if not form.validate_on_submit():
        return session_page(program_session, status=400, phone_form=form)
    resident = db.session.get(User, form.resident_id.data) if form.resident_id.data else None
    with operating(on_the_session_page(program_session, phone_form=form), form=form):
        booking = operations.book_seat(
            program_session,
            actor=current_user,
            resident=resident,
            name=form.name.data or "",
            **_someone_without_account(form),
            party_size=form.party_size.data,
            dependants=form.dependants.data or "",
            channel=BookingChannel.PHONE,
            request_key=f"{current_user.id}:{form.request_key.data}",
        )
    flash(
        _(
            "%(name)s is booked (%(status)s). Booking code %(code)s.",
            name=booking.who,
            status=booking.status.label,
            code=format_code(booking.code),
        ),
        "success",
    )
    return back_to(program_session)


@bp.route("/sessions/<int:session_id>/walk-ins", methods=["POST"])
@login_required
@unit_of_work
def walk_in(session_id):
    program_session = load_session(session_id)
    require(program_session.can_check_in(current_user))
    form = with_residents(WalkInForm(), program_session)
    if not form.validate_on_submit():
        return session_page(program_session, status=400, walk_in_form=form)
    resident = db.session.get(User, form.resident_id.data) if form.resident_id.data else None
    with operating(on_the_session_page(program_session, walk_in_form=form), form=form):
        booking = operations.add_walk_in(
            program_session,
            actor=current_user,
            resident=resident,
            name=form.name.data or "",
            **_someone_without_account(form),
            party_size=form.party_size.data,
        )
    flash(_("%(name)s came without booking and is checked in.", name=booking.who), "success")
    return back_to(program_session)


@bp.route("/sessions/<int:session_id>/check-in-code", methods=["POST"])
@login_required
@unit_of_work
def check_in_by_code(session_id):
    program_session = load_session(session_id)
    require(program_session.can_check_in(current_user))
    form = CodeForm()
    booking = (
        operations.booking_by_code(program_session, form.code.data)
        if form.validate_on_submit()
        else None
    )
    if booking is None:
        form.code.errors = [*form.code.errors, _("No booking of this session has that code.")]
        return session_page(program_session, status=400, code_form=form)
    return _check_in(booking)


def _booking(booking_id, permission="can_view"):
    return load_for(current_user, Booking, booking_id, permission=permission)


def _check_in(booking):
    with operating(on_the_session_page(booking.program_session)):
        changed = operations.check_in(booking, actor=current_user)
    flash(
        _("%(name)s is checked in.", name=booking.who)
        if changed
        else _("%(name)s was already checked in.", name=booking.who),
        "success",
    )
    return back_to(booking.program_session)


@bp.route("/bookings/<int:booking_id>/check-in", methods=["POST"])
@login_required
@unit_of_work
def check_in(booking_id):
    booking = _booking(booking_id, "can_check_in")
    confirmed()
    return _check_in(booking)


@bp.route("/bookings/<int:booking_id>/no-show", methods=["POST"])
@login_required
@unit_of_work
def no_show(booking_id):
    booking = _booking(booking_id, "can_check_in")
    confirmed()
    with operating(on_the_session_page(booking.program_session)):
        operations.mark_no_show(booking, actor=current_user)
    flash(_("%(name)s is marked as not come.", name=booking.who), "success")
    return back_to(booking.program_session)


@bp.route("/bookings/<int:booking_id>")
@login_required
def booking_detail(booking_id):
    booking = _booking(booking_id)
    page = render_template(
        "programs/bookings/booking_detail.html",
        booking=booking,
        position=operations.waiting_position(booking),
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
        complex_id=booking.program_session.program.complex_id,
        subject_ids=[booking.user_id],
        # A person without an account (gachi/people): their phone is on the page.
        after={"person_id": booking.person_id} if booking.person_id else None,
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
    booking = db.session.scalar(db.select(Booking).where(Booking.code == normalise_code(code)))
    if booking is None or not booking.can_check_in(current_user):
        abort(404)
    page = render_template(
        "programs/bookings/check_in.html",
        booking=booking,
        code=format_code(booking.code),
        now=utcnow(),
    )
    return _booking_shown(page, booking)


def _correction_page(booking, form):
    return render_template(
        "programs/bookings/correct_attendance.html",
        subject=booking,
        form=form,
        action=url_for(".correct_attendance", booking_id=booking.id),
        now=utcnow(),
    )


@bp.route("/bookings/<int:booking_id>/attendance")
@login_required
def correction_form(booking_id):
    booking = _booking(booking_id, "can_check_in")
    form = CorrectAttendanceForm.the_other(booking.attendance)
    return _booking_shown(_correction_page(booking, form), booking)


def _correction_refused(booking, form, status):
    """The form again with what was wrong (its GET logged who saw the booking; a refusal
    writes nothing)."""
    return no_store((_correction_page(booking, form), status))


@bp.route("/bookings/<int:booking_id>/attendance", methods=["POST"])
@login_required
@unit_of_work
def correct_attendance(booking_id):
    """Change attendance already recorded, with a reason (its own audit entry)."""
    booking = _booking(booking_id, "can_check_in")
    form = CorrectAttendanceForm()
    if not form.validate_on_submit():
        return _correction_refused(booking, form, 400)
    with operating(lambda status: _correction_refused(booking, form, status), form=form):
        operations.correct_attendance(
            booking, form.attendance.data, actor=current_user, reason=form.reason.data or ""
        )
    flash(
        _(
            "%(name)s's attendance is corrected to “%(attendance)s”.",
            name=booking.who,
            attendance=booking.attendance.label,
        ),
        "success",
    )
    return back_to(booking.program_session)


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
@unit_of_work
def cancel(booking_id):
    """GET asks first (a page with the button, no JavaScript needed); only the POST cancels."""
    booking = _booking(booking_id)
    require(booking.may_cancel(current_user))
    if request.method == "GET":
        return _cancel_page(booking)
    confirmed()
    with operating(on_the_session_page(booking.program_session)):
        moved = operations.cancel_booking(booking, actor=current_user)
    flash(_("The booking is cancelled."), "success")
    if moved:
        flash(
            _("%(count)s people were moved up from the waiting list and told.", count=len(moved)),
            "success",
        )
    if booking.user_id == current_user.id:
        return redirect(url_for(".my_bookings"))
    return back_to(booking.program_session)


def _cancel_page(booking):
    program_session = booking.program_session
    page = render_template(
        "programs/bookings/cancel.html",
        booking=booking,
        code=format_code(booking.code),
        now=utcnow(),
        contacts=coordinator_contacts(program_session.program.complex_id, seoul_today()),
    )
    return _booking_shown(page, booking)


@bp.route("/my/bookings")
@login_required
def my_bookings():
    if not current_user.is_resident:
        abort(404)
    now = utcnow()
    return no_store(
        render_template(
            "programs/bookings/my_bookings.html",
            now=now,
            bookings=queries.my_bookings(current_user.id),
            shifts=my_shifts(current_user.id),
            upcoming=upcoming_sessions_of_complex(current_user.complex_id, now, limit=30),
        )
    )
