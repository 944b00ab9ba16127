"""Programmes: the list per participation, creating and editing one, its schedule, skipped
and moved days, one-off events, its feedback summary and the complex's volunteer hours."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.complexes.models import Participation
from gachi.core.access import load_for, require
from gachi.core.audit import personal_data_shown
from gachi.core.errors import DomainError
from gachi.core.forms import options
from gachi.core.time import seoul_to_utc, utcnow
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from gachi.matching.models import AGREED_STATES, Match
from gachi.matching.queries import MATCHABLE_PROBLEM_STATES
from gachi.programs import operations, queries
from gachi.programs.forms import ExceptionForm, OneOffForm, ProgramForm, ScheduleForm
from gachi.programs.models import Program
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
    problems = db.session.scalars(
        db.select(Problem)
        .where(
            Problem.participation_id == participation.id,
            Problem.state.in_(MATCHABLE_PROBLEM_STATES),
        )
        .order_by(Problem.title)
    ).all()
    form.problem_id.choices = options((problem.id, problem.title) for problem in problems)
    enterprises = db.session.execute(
        db.select(Enterprise.id, Enterprise.name)
        .join(Match, Match.enterprise_id == Enterprise.id)
        .join(Problem, Problem.id == Match.problem_id)
        .where(Problem.participation_id == participation.id, Match.state.in_(AGREED_STATES))
        .distinct()
        .order_by(Enterprise.name)
    ).all()
    form.enterprise_ids.choices = options(enterprises)
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
def program_new(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    form = _program_form(participation)
    if form.validate_on_submit():
        problem = db.session.get(Problem, form.problem_id.data)
        program = operations.create_program(
            participation,
            problem=problem,
            enterprises=_chosen_enterprises(form),
            actor=current_user,
            **form.program_values(),
        )
        db.session.commit()
        flash(_("The programme was created. Now set its schedule."), "success")
        return redirect(url_for(".program_detail", program_id=program.id))
    return render_template(
        "programs/program_form.html", participation=participation, form=form, program=None
    ), 400 if form.is_submitted() else 200


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@login_required
def program_edit(program_id):
    program = load_for(current_user, Program, program_id, permission="can_manage")
    form = _program_form(program.participation, program)
    del form.problem_id  # a programme keeps the problem it was made for
    if form.validate_on_submit():
        operations.update_program(
            program,
            enterprises=_chosen_enterprises(form),
            actor=current_user,
            **form.program_values(),
        )
        db.session.commit()
        flash(_("The programme was saved."), "success")
        return redirect(url_for(".program_detail", program_id=program.id))
    return render_template(
        "programs/program_form.html",
        participation=program.participation,
        form=form,
        program=program,
    ), 400 if form.is_submitted() else 200


def _detail_page(program, *, status=200, error=None, removals=None, **forms):
    """The programme's page; `removals`, a SchedulePlan, asks to confirm the sessions a
    schedule change would remove."""
    manages = program.can_manage(current_user)
    schedule_form = forms.get("schedule_form") or ScheduleForm(
        formdata=None,
        starts_on=program.starts_on,
        ends_on=program.ends_on,
        weekdays=program.weekday_numbers,
        start_time=program.start_time,
        end_time=program.end_time,
    )
    if removals is not None:
        schedule_form.confirmed.data = removals.removal_token
    return render_template(
        "programs/program_detail.html",
        program=program,
        manages=manages,
        error=error,
        rows=queries.program_sessions(program.id),
        now=utcnow(),
        removals=removals,
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
    if change.kept:
        flash(
            _(
                "%(count)s sessions were kept as they were because people booked them or are on "
                "their roster: %(days)s. Cancel them one by one if they must go.",
                count=len(change.kept),
                days=", ".join(operations.seoul_label(s.starts_at) for s in change.kept),
            ),
            "warning",
        )


@bp.route("/programs/<int:program_id>/schedule", methods=["POST"])
@login_required
def set_schedule(program_id):
    program = _managed(program_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _detail_page(program, status=400, schedule_form=form)
    try:
        change = operations.set_schedule(
            program,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            weekdays=form.weekdays.data or [],
            start_time=form.start_time.data,
            end_time=form.end_time.data,
            confirmed=form.confirmed.data or None,
            actor=current_user,
        )
    except operations.RemovalsToConfirm as asked:
        db.session.rollback()  # nothing saved until the coordinator confirms
        return _detail_page(program, removals=asked.plan, schedule_form=form)
    except DomainError as error:
        db.session.rollback()
        return _detail_page(program, status=error.status, error=str(error), schedule_form=form)
    db.session.commit()
    _report_schedule_change(change)
    return redirect(url_for(".program_detail", program_id=program.id))


@bp.route("/programs/<int:program_id>/exceptions", methods=["POST"])
@login_required
def add_exception(program_id):
    program = _managed(program_id)
    form = ExceptionForm()
    if not form.validate_on_submit():
        return _detail_page(program, status=400, exception_form=form)
    try:
        change = operations.add_exception(
            program,
            day=form.day.data,
            moved_to=form.moved_to.data,
            note=form.note.data or "",
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        return _detail_page(program, status=error.status, error=str(error), exception_form=form)
    db.session.commit()
    _report_schedule_change(change)
    return redirect(url_for(".program_detail", program_id=program.id))


@bp.route("/programs/<int:program_id>/sessions", methods=["POST"])
@login_required
def add_session(program_id):
    program = _managed(program_id)
    form = OneOffForm()
    if not form.validate_on_submit():
        return _detail_page(program, status=400, one_off_form=form)
    try:
        operations.add_session(
            program,
            title=form.title.data or "",
            starts_at=seoul_to_utc(form.starts_at.data),
            ends_at=seoul_to_utc(form.ends_at.data),
            capacity=form.capacity.data,
            actor=current_user,
        )
    except DomainError as error:
        db.session.rollback()
        return _detail_page(program, status=error.status, error=str(error), one_off_form=form)
    db.session.commit()
    flash(_("The event was added."), "success")
    return redirect(url_for(".program_detail", program_id=program.id))


@bp.route("/programs/<int:program_id>/feedback")
@login_required
def feedback_summary(program_id):
    program = _managed(program_id)
    page = render_template(
        "programs/feedback_summary.html",
        program=program,
        summary=queries.feedback_summary(program.id),
    )
    # The comments are shown without names, so the entry names nobody either: listing their
    # writers here would tie each comment to a person for whoever reads the audit log.
    return personal_data_shown(
        page, "feedback.view", program, actor=current_user, complex_id=program.complex_id
    )


@bp.route("/participations/<int:participation_id>/volunteer-hours")
@login_required
def volunteer_hours(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    hours = queries.volunteer_hours(participation.complex_id, utcnow())
    page = render_template(
        "programs/volunteer_hours.html",
        participation=participation,
        hours=hours,
        total_minutes=sum(row.minutes for row in hours),
    )
    return personal_data_shown(
        page,
        "volunteer_hours.view",
        participation,
        actor=current_user,
        complex_id=participation.complex_id,
        subject_ids=[row.user_id for row in hours],
    )


@bp.route("/partner/sessions")
@login_required
def partner_sessions():
    if not current_user.is_partner:
        abort(404)
    return render_template(
        "programs/partner_sessions.html",
        rows=queries.partner_sessions(current_user.enterprise_id, utcnow()),
    )
