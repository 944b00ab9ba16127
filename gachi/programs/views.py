"""Programmes: the list per participation, creating and editing one, its schedule, skipped
and moved days, and one-off events. Its sessions, bookings, rosters, feedback and calendar
links have their own sub-areas (gachi/programs/*/views.py)."""

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.complexes.models import Participation
from gachi.core.access import load_for, require
from gachi.core.forms import options
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import seoul_label, seoul_to_utc, utcnow, within_window
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from gachi.programs import operations, queries, recurrence
from gachi.programs.forms import ExceptionForm, OneOffForm, ProgramForm, ScheduleForm
from gachi.programs.models import Program
from gachi.programs.sessions.queries import program_sessions
from gachi.proposals.models import Problem

bp = Blueprint("programs", __name__)


@bp.route("/participations/<int:participation_id>/programs")
@login_required
def program_list(participation_id):
    participation = load_for(current_user, Participation, participation_id)
    return render_template(
        "programs/program_list.html",
        participation=participation,
        programs=queries.participation_programs(participation.id),
        manages=participation.can_manage(current_user),
    )


def _program_form(participation, program=None):
    form = ProgramForm(obj=program) if program else ProgramForm()
    form.problem_id.choices = options(queries.problem_choices(participation.id))
    form.enterprise_ids.choices = options(queries.enterprise_choices(participation.id))
    if program and not form.is_submitted():
        form.enterprise_ids.data = [link.enterprise_id for link in program.enterprise_links]
    return form


def _chosen_enterprises(form):
    allowed = {choice.value for choice in form.enterprise_ids.choices}
    return [
        db.session.get(Enterprise, eid) for eid in form.enterprise_ids.data or [] if eid in allowed
    ]


@bp.route("/participations/<int:participation_id>/programs/new", methods=["GET", "POST"])
@login_required
@unit_of_work
def program_new(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    form = _program_form(participation)
    if form.validate_on_submit():
        problem = db.session.get(Problem, form.problem_id.data)
        enterprises = _chosen_enterprises(form)
        with operating():
            program = operations.create_program(
                participation,
                problem=problem,
                enterprises=enterprises,
                actor=current_user,
                **form.program_values(),
            )
        flash(_("The programme was created. Now set its schedule."), "success")
        return redirect(url_for(".program_detail", program_id=program.id))
    return render_template(
        "programs/program_form.html", participation=participation, form=form, program=None
    ), 400 if form.is_submitted() else 200


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@login_required
@unit_of_work
def program_edit(program_id):
    program = load_for(current_user, Program, program_id, permission="can_manage")
    form = _program_form(program.participation, program)
    del form.problem_id  # a programme keeps the problem it was made for
    if form.validate_on_submit():
        enterprises = _chosen_enterprises(form)
        with operating():
            operations.update_program(
                program, enterprises=enterprises, actor=current_user, **form.program_values()
            )
        flash(_("The programme was saved."), "success")
        return redirect(url_for(".program_detail", program_id=program.id))
    return render_template(
        "programs/program_form.html",
        participation=program.participation,
        form=form,
        program=program,
    ), 400 if form.is_submitted() else 200


def _holiday_language():
    """The language the holidays package names a holiday in for this reader."""
    return "ko" if str(get_locale()) == "ko" else "en_US"


def _holiday_label(holiday):
    """2026. 12. 25. (금) 기독탄신일"""
    return (
        f"{format_date(holiday.day, 'medium')} ({format_date(holiday.day, 'EEE')}) {holiday.name}"
    )


def _in_reader_language(holidays):
    if not holidays:
        return []
    names = recurrence.public_holidays(holidays[0].day, holidays[-1].day, _holiday_language())
    return [replace(holiday, name=names.get(holiday.day, holiday.name)) for holiday in holidays]


def _schedule_holidays(program, form, sent):
    """The public holidays on the days of the schedule the form holds (the programme's
    own, or the one `sent`), held as the form sent says, else as the programme holds them."""
    starts_on, ends_on = form.starts_on.data, form.ends_on.data
    if not (starts_on and ends_on and form.weekdays.data) or not (
        within_window(starts_on)
        and within_window(ends_on)
        and 0 <= (ends_on - starts_on).days < recurrence.MAX_SCHEDULE_DAYS
    ):
        return []
    return recurrence.holidays_on_schedule(
        starts_on,
        ends_on,
        form.weekdays.data,
        {exception.day: exception.moved_to for exception in program.exceptions},
        held=(form.held_holidays.data or []) if sent else None,
        language=_holiday_language(),
    )


def _detail_page(program, status=200, *, removals=None, preview=None, **forms):
    """The programme's page; `removals`, a SchedulePlan, asks to confirm the sessions a
    schedule change would remove; `preview`, a SchedulePreview, shows what saving the
    schedule sent would do."""
    manages = program.can_manage(current_user)
    schedule_form = forms.get("schedule_form") or ScheduleForm(
        formdata=None,
        starts_on=program.starts_on,
        ends_on=program.ends_on,
        weekdays=program.weekday_numbers,
        start_time=program.start_time,
        end_time=program.end_time,
    )
    if preview is not None:
        removals = preview.plan if preview.plan.to_remove else None
        holidays = _in_reader_language(preview.holidays)
    else:
        holidays = _schedule_holidays(program, schedule_form, sent="schedule_form" in forms)
    schedule_form.held_holidays.choices = [
        (holiday.day, _holiday_label(holiday)) for holiday in holidays
    ]
    schedule_form.held_holidays.data = [holiday.day for holiday in holidays if holiday.held]
    if removals is not None:
        schedule_form.confirmed.data = removals.removal_token
    return render_template(
        "programs/program_detail.html",
        program=program,
        manages=manages,
        rows=program_sessions(program.id),
        now=utcnow(),
        removals=removals,
        preview=preview,
        skipped_holidays=[holiday for holiday in holidays if not holiday.held],
        schedule_form=schedule_form,
        exception_form=forms.get("exception_form") or ExceptionForm(formdata=None),
        one_off_form=forms.get("one_off_form")
        or OneOffForm(formdata=None, capacity=program.default_capacity),
    ), status


@bp.route("/programs/<int:program_id>")
@login_required
def program_detail(program_id):
    return _detail_page(load_for(current_user, Program, program_id))


def _managed(program_id):
    program = load_for(current_user, Program, program_id)
    require(program.can_manage(current_user))
    return program


def _report_schedule_change(change):
    flash(
        _(
            "Sessions: %(created)s added, %(moved)s moved, %(removed)s removed.",
            created=change.created,
            moved=change.moved,
            removed=change.removed,
        ),
        "success",
    )
    if change.skipped_holidays:
        flash(
            _(
                "No sessions on these public holidays: %(days)s. To hold one anyway, tick it "
                "under the schedule and save it again.",
                days=", ".join(
                    _holiday_label(holiday)
                    for holiday in _in_reader_language(change.skipped_holidays)
                ),
            ),
            "info",
        )
    if change.kept:
        flash(
            _(
                "%(count)s sessions were kept as they were because people booked them or are on "
                "their roster: %(days)s. Cancel them one by one if they must go.",
                count=len(change.kept),
                days=", ".join(seoul_label(s.starts_at) for s in change.kept),
            ),
            "warning",
        )


def _on_the_programme_page(program, **forms):
    """The page an operation's refusal shows: the programme's, with the form that was sent."""
    return lambda status: _detail_page(program, status, **forms)


@bp.route("/programs/<int:program_id>/schedule", methods=["POST"])
@login_required
@unit_of_work
def set_schedule(program_id):
    program = _managed(program_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _detail_page(program, 400, schedule_form=form)
    schedule = {
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "weekdays": form.weekdays.data or [],
        "start_time": form.start_time.data,
        "end_time": form.end_time.data,
        "held_holidays": form.held_holidays.data or [],
    }
    with operating(_on_the_programme_page(program, schedule_form=form), form=form):
        if form.preview.data:
            preview = operations.preview_schedule(program, **schedule)
            return _detail_page(program, preview=preview, schedule_form=form)
        try:
            change = operations.set_schedule(
                program, confirmed=form.confirmed.data or None, actor=current_user, **schedule
            )
        except operations.RemovalsToConfirm as asked:
            # Not a refusal but a question: set_schedule wrote nothing (its savepoint is
            # undone), and the page asks the coordinator to confirm the removals.
            return _detail_page(program, removals=asked.plan, schedule_form=form)
    _report_schedule_change(change)
    return redirect(url_for(".program_detail", program_id=program.id))


@bp.route("/programs/<int:program_id>/exceptions", methods=["POST"])
@login_required
@unit_of_work
def add_exception(program_id):
    program = _managed(program_id)
    form = ExceptionForm()
    if not form.validate_on_submit():
        return _detail_page(program, 400, exception_form=form)
    with operating(_on_the_programme_page(program, exception_form=form), form=form):
        change = operations.add_exception(
            program,
            day=form.day.data,
            moved_to=form.moved_to.data,
            note=form.note.data or "",
            actor=current_user,
        )
    _report_schedule_change(change)
    return redirect(url_for(".program_detail", program_id=program.id))


@bp.route("/programs/<int:program_id>/sessions", methods=["POST"])
@login_required
@unit_of_work
def add_session(program_id):
    program = _managed(program_id)
    form = OneOffForm()
    if not form.validate_on_submit():
        return _detail_page(program, 400, one_off_form=form)
    with operating(_on_the_programme_page(program, one_off_form=form), form=form):
        operations.add_session(
            program,
            title=form.title.data or "",
            starts_at=seoul_to_utc(form.starts_at.data),
            ends_at=seoul_to_utc(form.ends_at.data),
            capacity=form.capacity.data,
            actor=current_user,
        )
    flash(_("The event was added."), "success")
    return redirect(url_for(".program_detail", program_id=program.id))
