"""Rosters: a resident volunteers for a session's shift (or leaves it), the coordinator puts
instructors and volunteers on it and says how many it needs; the complex's volunteer hours."""

from datetime import datetime

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.complexes.models import Participation
from gachi.core.access import load_for, require, staff_required
from gachi.core.audit import no_store, personal_data_shown
from gachi.core.handlers import operating, unit_of_work
from gachi.core.pdf import PdfUnavailable, pdf_response
from gachi.core.spreadsheets import csv_response
from gachi.core.time import seoul_to_utc, seoul_today, to_seoul, utcnow
from gachi.extensions import db
from gachi.programs.bookings.forms import CorrectAttendanceForm
from gachi.programs.rosters import operations, queries
from gachi.programs.rosters.forms import (
    RosterForm,
    ShiftForm,
    StatementForm,
    VolunteersNeededForm,
)
from gachi.programs.rosters.models import RosterEntry, VolunteerShift
from gachi.programs.sessions.pages import (
    back_to,
    confirmed,
    load_session,
    managed_session,
    on_the_session_page,
    session_page,
    with_residents,
)

bp = Blueprint("rosters", __name__)


@bp.route("/sessions/<int:session_id>/volunteer", methods=["POST"])
@login_required
@unit_of_work
def volunteer(session_id):
    program_session = load_session(session_id)
    require(program_session.can_volunteer(current_user))
    confirmed()
    with operating():
        operations.volunteer_for(program_session, resident=current_user, actor=current_user)
    flash(_("Thank you! You are on this session's volunteer shift."), "success")
    return back_to(program_session)


@bp.route("/shifts/<int:shift_id>/volunteer", methods=["POST"])
@login_required
@unit_of_work
def volunteer_for_shift(shift_id):
    shift = load_for(current_user, VolunteerShift, shift_id)
    program_session = shift.program_session
    require(program_session.can_volunteer(current_user))
    confirmed()
    with operating(on_the_session_page(program_session)):
        operations.volunteer_for(shift, resident=current_user, actor=current_user)
    flash(_("Thank you! You are on this volunteer shift."), "success")
    return back_to(program_session)


@bp.route("/sessions/<int:session_id>/shifts", methods=["POST"])
@login_required
@unit_of_work
def add_shift(session_id):
    """The coordinator opens a volunteer shift inside the session (times on its day)."""
    program_session = managed_session(session_id)
    form = ShiftForm()
    if not form.validate_on_submit():
        return session_page(program_session, status=400, shift_form=form)
    day = to_seoul(program_session.starts_at).date()
    with operating(on_the_session_page(program_session, shift_form=form), form=form):
        operations.add_shift(
            program_session,
            starts_at=seoul_to_utc(datetime.combine(day, form.starts_at.data)),
            ends_at=seoul_to_utc(datetime.combine(day, form.ends_at.data)),
            needed=form.needed.data,
            actor=current_user,
        )
    flash(_("The volunteer shift is open."), "success")
    return back_to(program_session)


@bp.route("/shifts/<int:shift_id>/remove", methods=["POST"])
@login_required
@unit_of_work
def remove_shift(shift_id):
    shift = load_for(current_user, VolunteerShift, shift_id, permission="can_manage")
    program_session = shift.program_session
    confirmed()
    with operating(on_the_session_page(program_session)):
        operations.remove_shift(shift, actor=current_user)
    flash(_("The volunteer shift is taken away."), "success")
    return back_to(program_session)


# A resident's own volunteering, and the center's figures --------------------------------


def _resident_only():
    """Pages of a resident's own: nobody else has them."""
    if not current_user.is_resident:
        abort(404)


def _my_volunteering_page(form, status=200):
    lines = queries.volunteering_of(current_user.id)
    page = render_template(
        "programs/rosters/my_volunteering.html",
        lines=lines,
        total_minutes=sum(line.minutes for line in lines),
        form=form,
    )
    return no_store((page, status))


@bp.route("/my/volunteering")
@login_required
def my_volunteering():
    _resident_only()
    today = seoul_today()
    return _my_volunteering_page(
        StatementForm(formdata=None, since=today.replace(month=1, day=1), until=today)
    )


def _statement(person, since, until):
    """The statement of `person`'s hours between two Seoul dates, as a PDF (503 when this
    server cannot make PDFs)."""
    lines = queries.volunteering_of(person.id, since, until)
    html = render_template(
        "pdf/volunteer_statement.html",
        person_name=person.display_name,
        complex_name=queries.complex_name(person.complex_id),
        lines=[line for line in lines if line.attended],
        total_minutes=sum(line.minutes for line in lines),
        since=since,
        until=until,
        issued_on=seoul_today(),
    )
    try:
        return pdf_response(html, f"volunteer-hours-{person.id}-{since:%Y%m%d}-{until:%Y%m%d}.pdf")
    except PdfUnavailable:
        page = render_template(
            "errors/error.html",
            title=_("The statement cannot be made right now"),
            status=503,
            detail=_("PDFs cannot be made on this server at the moment. Please try again later."),
        )
        return no_store((page, 503))


@bp.route("/my/volunteering/statement.pdf")
@login_required
def my_statement():
    """A statement of the resident's own hours over a period, as a PDF."""
    _resident_only()
    form = StatementForm(request.args)
    if not form.validate():
        return _my_volunteering_page(form, 400)
    return _statement(current_user, form.since.data, form.until.data)


@bp.route("/volunteers/<int:user_id>/statement.pdf")
@login_required
def statement(user_id):
    """A resident's statement printed by the center or their complex's coordinator."""
    person = db.session.get(User, user_id)
    if person is None or not person.is_resident:
        abort(404)
    # Whoever manages the resident's complex (Complex.can_manage: staff, its coordinator).
    require(person.household is not None and person.household.complex.can_manage(current_user))
    form = StatementForm(request.args)
    if not form.validate():
        page = render_template(
            "errors/error.html",
            title=_("Statement of hours"),
            status=400,
            detail=" ".join(str(error) for errors in form.errors.values() for error in errors),
        )
        return no_store((page, 400))
    answer = _statement(person, form.since.data, form.until.data)
    return personal_data_shown(
        answer,
        "volunteer_statement.print",
        person,
        actor=current_user,
        complex_id=person.complex_id,
        subject_ids=[person.id],
    )


@bp.route("/volunteer-hours.csv")
@login_required
@staff_required
def every_volunteers_hours():
    """The center's CSV: every volunteer's hours, by person (an account's id)."""
    rows = queries.every_volunteers_hours()
    answer = csv_response(
        [
            (_("Account number"), _("Name"), _("Complex"), _("Shifts"), _("Hours")),
            *(
                (row.user_id or "", row.name, row.complex_name, row.shifts, row.hours)
                for row in rows
            ),
        ],
        f"volunteer-hours-{seoul_today():%Y%m%d}.csv",
    )
    return personal_data_shown(
        answer,
        "volunteer_hours.download",
        RosterEntry,
        actor=current_user,
        subject_ids=[row.user_id for row in rows],
    )


@bp.route("/roster/<int:entry_id>/remove", methods=["POST"])
@login_required
@unit_of_work
def remove_from_roster(entry_id):
    entry = load_for(current_user, RosterEntry, entry_id)
    require(entry.may_remove(current_user))
    confirmed()
    program_session = entry.program_session
    with operating():
        operations.remove_from_roster(entry, actor=current_user)
    flash(_("Taken off the roster."), "success")
    return back_to(program_session)


@bp.route("/sessions/<int:session_id>/roster", methods=["POST"])
@login_required
@unit_of_work
def add_to_roster(session_id):
    program_session = managed_session(session_id)
    form = with_residents(RosterForm(), program_session)
    if not form.validate_on_submit():
        return session_page(program_session, status=400, roster_form=form)
    user = db.session.get(User, form.resident_id.data) if form.resident_id.data else None
    with operating(on_the_session_page(program_session, roster_form=form), form=form):
        operations.add_to_roster(
            program_session,
            role=form.role.data,
            user=user,
            name=form.name.data or "",
            actor=current_user,
        )
    flash(_("Added to the roster."), "success")
    return back_to(program_session)


@bp.route("/sessions/<int:session_id>/volunteers-needed", methods=["POST"])
@login_required
@unit_of_work
def volunteers_needed(session_id):
    program_session = managed_session(session_id)
    form = VolunteersNeededForm()
    if not form.validate_on_submit():
        abort(400)
    with operating():
        operations.set_volunteers_needed(program_session, count=form.count.data, actor=current_user)
    flash(_("Saved."), "success")
    return back_to(program_session)


@bp.route("/participations/<int:participation_id>/volunteer-hours")
@login_required
def volunteer_hours(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    hours = queries.volunteer_hours(participation.complex_id, utcnow())
    page = render_template(
        "programs/rosters/volunteer_hours.html",
        participation=participation,
        hours=hours,
        total_minutes=sum(row.minutes for row in hours),
        today=seoul_today(),
        year_start=seoul_today().replace(month=1, day=1),
    )
    return personal_data_shown(
        page,
        "volunteer_hours.view",
        participation,
        actor=current_user,
        complex_id=participation.complex_id,
        subject_ids=[row.user_id for row in hours],
    )


# At the door: volunteers are checked in like those who booked -------------------------------


def _entry_at_the_door(entry_id):
    entry = load_for(current_user, RosterEntry, entry_id, permission="can_check_in")
    confirmed()
    return entry


@bp.route("/roster/<int:entry_id>/check-in", methods=["POST"])
@login_required
@unit_of_work
def check_in(entry_id):
    entry = _entry_at_the_door(entry_id)
    with operating(on_the_session_page(entry.program_session)):
        changed = operations.check_in_volunteer(entry, actor=current_user)
    flash(
        _("%(name)s is checked in.", name=entry.who)
        if changed
        else _("%(name)s was already checked in.", name=entry.who),
        "success",
    )
    return back_to(entry.program_session)


@bp.route("/roster/<int:entry_id>/no-show", methods=["POST"])
@login_required
@unit_of_work
def no_show(entry_id):
    entry = _entry_at_the_door(entry_id)
    with operating(on_the_session_page(entry.program_session)):
        operations.mark_volunteer_no_show(entry, actor=current_user)
    flash(_("%(name)s is marked as not come.", name=entry.who), "success")
    return back_to(entry.program_session)


def _correction_page(entry, form, status=200):
    page = render_template(
        "programs/bookings/correct_attendance.html",
        subject=entry,
        form=form,
        action=url_for(".correct_attendance", entry_id=entry.id),
        now=utcnow(),
    )
    return no_store((page, status))


@bp.route("/roster/<int:entry_id>/attendance")
@login_required
def correction_form(entry_id):
    entry = load_for(current_user, RosterEntry, entry_id, permission="can_check_in")
    return _correction_page(entry, CorrectAttendanceForm.the_other(entry.attendance))


@bp.route("/roster/<int:entry_id>/attendance", methods=["POST"])
@login_required
@unit_of_work
def correct_attendance(entry_id):
    """Change what was recorded for a volunteer, with a reason (its own audit entry)."""
    entry = load_for(current_user, RosterEntry, entry_id, permission="can_check_in")
    form = CorrectAttendanceForm()
    if not form.validate_on_submit():
        return _correction_page(entry, form, 400)
    with operating(lambda status: _correction_page(entry, form, status), form=form):
        operations.correct_volunteer_attendance(
            entry, form.attendance.data, actor=current_user, reason=form.reason.data or ""
        )
    flash(
        _(
            "%(name)s's attendance is corrected to “%(attendance)s”.",
            name=entry.who,
            attendance=entry.attendance.label,
        ),
        "success",
    )
    return back_to(entry.program_session)
