"""The evaluation of a participation, and the printable reports per complex and cohort."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.complexes.models import Cohort, Participation
from gachi.core import pdf
from gachi.core.access import load_for, require, staff_required
from gachi.core.errors_views import render_error
from gachi.core.forms import ConfirmForm, options
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import utcnow
from gachi.evaluations import queries, reports
from gachi.evaluations.forms import DraftForm, SignForm
from gachi.evaluations.models import Decision, Evaluation
from gachi.evaluations.operations import draft_evaluation, retake_figures, sign_evaluation
from gachi.extensions import db
from gachi.kpi import queries as kpi_queries
from gachi.kpi import tables
from gachi.kpi.achievement import achievement_rate, arrow
from gachi.plans.queries import plan_figures, plan_for

bp = Blueprint("evaluations", __name__)


def _managed(participation_id):
    participation = load_for(current_user, Participation, participation_id)
    require(participation.can_manage(current_user))
    return participation


def _sign_form(participation):
    form = SignForm()
    form.organisers.choices = options(queries.organiser_choices(participation.complex_id))
    return form


def _page(participation, evaluation, draft=None, sign=None, status=200):
    if draft is None:
        draft = DraftForm(obj=evaluation)
    return render_template(
        "evaluations/evaluation.html",
        participation=participation,
        evaluation=evaluation,
        drafting=Evaluation.is_drafted_in(participation),
        draft=draft,
        sign=sign or _sign_form(participation),
        confirm=ConfirmForm(),
    ), status


@bp.route("/participations/<int:participation_id>/evaluation", methods=["GET", "POST"])
@login_required
@unit_of_work
def evaluation(participation_id):
    participation = _managed(participation_id)
    evaluation = queries.evaluation_for(participation.id)
    form = DraftForm(obj=evaluation)
    if not form.validate_on_submit():
        return _page(participation, evaluation, form, status=400 if form.is_submitted() else 200)
    require(evaluation is None or evaluation.can_edit(current_user))
    with operating(
        lambda status: _page(
            participation, queries.evaluation_for(participation.id), form, status=status
        ),
        form=form,
    ):
        draft_evaluation(participation, **form.texts(), actor=current_user)
    flash(_("The evaluation was saved."), "success")
    return redirect(url_for(".evaluation", participation_id=participation.id))


@bp.route("/participations/<int:participation_id>/evaluation/figures", methods=["POST"])
@login_required
@unit_of_work
def retake(participation_id):
    participation = _managed(participation_id)
    evaluation = queries.evaluation_for(participation.id)
    if evaluation is None or not ConfirmForm().validate_on_submit():
        return redirect(url_for(".evaluation", participation_id=participation.id)), 303
    require(evaluation.can_edit(current_user) or evaluation.is_signed)
    with operating():  # a signed one: Conflict → the 409 page
        retake_figures(evaluation, actor=current_user)
    flash(_("The figures were taken again as they stand now."), "success")
    return redirect(url_for(".evaluation", participation_id=participation.id))


@bp.route("/participations/<int:participation_id>/evaluation/sign", methods=["POST"])
@staff_required
@unit_of_work
def sign(participation_id):
    participation = _managed(participation_id)
    evaluation = queries.evaluation_for(participation.id)
    if evaluation is None:
        flash(_("There is no evaluation to sign off yet."), "error")
        return redirect(url_for(".evaluation", participation_id=participation.id)), 303
    form = _sign_form(participation)
    if not form.validate_on_submit():
        return _page(participation, evaluation, sign=form, status=400)
    organisers = [db.session.get(User, user_id) for user_id in form.organisers.data]
    with operating(
        lambda status: _page(
            participation, queries.evaluation_for(participation.id), sign=form, status=status
        ),
        form=form,
    ):
        sign_evaluation(
            evaluation,
            decision=Decision(form.decision.data),
            note=form.note.data or "",
            organisers=organisers,
            actor=current_user,
        )
    flash(_("The evaluation was signed off."), "success")
    return redirect(url_for(".evaluation", participation_id=participation.id))


@bp.route("/participations/<int:participation_id>/report")
@login_required
def complex_report(participation_id):
    participation = _managed(participation_id)
    board = kpi_queries.participation_board(participation)
    plan = plan_for(participation.id)
    return render_template(
        "evaluations/complex_report.html",
        participation=participation,
        evaluation=queries.evaluation_for(participation.id),
        table=tables.kpi_table(board),
        plan=plan_figures(plan.id) if plan else None,
    )


@bp.route("/staff/cohorts/<int:cohort_id>/report")
@staff_required
def cohort_report(cohort_id):
    cohort = load_for(current_user, Cohort, cohort_id)
    board = kpi_queries.cohort_board(cohort.id)
    districts = kpi_queries.rollup(cohort.id, board.kpis, "district")
    return render_template(
        "evaluations/cohort_report.html",
        cohort=cohort,
        table=tables.kpi_table(board),
        districts=tables.district_table(board.kpis, districts),
        budget=board.totals.figures.get("execution_rate"),
        evaluations=queries.signed_evaluations(cohort.id),
        as_of=board.as_of,
    )


@bp.route("/participations/<int:participation_id>/evaluation.pdf")
@login_required
def complex_report_pdf(participation_id):
    """The complex's evaluation report as a PDF: whoever may open the printable one."""
    participation = _managed(participation_id)
    html = reports.complex_report_html(participation, now=utcnow())
    return _pdf(html, f"evaluation-{participation.id}.pdf")


@bp.route("/staff/cohorts/<int:cohort_id>/report.pdf")
@staff_required
def cohort_report_pdf(cohort_id):
    cohort = load_for(current_user, Cohort, cohort_id)
    return _pdf(reports.cohort_report_html(cohort, now=utcnow()), f"cohort-{cohort.id}-report.pdf")


def _pdf(html, filename):
    """The PDF, or a 503 saying why not when the server cannot draw one."""
    try:
        return pdf.pdf_response(html, filename)
    except pdf.PdfUnavailable as error:
        current_app.logger.warning("PDF unavailable: %s", error)
        return render_error(
            503,
            _(
                "The PDF cannot be made on this server right now. Open the printable "
                "report and use your browser's print command instead."
            ),
        )


@bp.app_template_filter("rate")
def rate_filter(figure):
    """The achievement rate of a frozen figure, by the board's rule."""
    return achievement_rate(figure.actual, figure.target, figure.direction)


@bp.app_template_filter("arrow")
def arrow_filter(figure):
    return arrow(figure.actual, figure.target, figure.direction)
