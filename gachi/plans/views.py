"""The execution plan of a participation: for its coordinator and the center."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.complexes.models import Participation
from gachi.core.access import load_for
from gachi.core.forms import options
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import seoul_today
from gachi.extensions import db
from gachi.plans import operations, queries
from gachi.plans.forms import BudgetLineForm, GoalsForm, SpendingForm
from gachi.plans.models import BudgetLine

bp = Blueprint("plans", __name__)


def _participation(participation_id):
    return load_for(current_user, Participation, participation_id, permission="can_manage")


def _line_choice(line):
    """A budget line as the spending form offers it, with what is left to spend on it."""
    name = f"{line.category.label} · {line.description}"
    if line.over:
        return _("%(line)s (over by %(over)s won)", line=name, over=f"{line.over:,}")
    return _("%(line)s (%(remaining)s won left)", line=name, remaining=f"{line.remaining:,}")


def _spending_form(figures, *, fresh=False):
    form = SpendingForm(formdata=None) if fresh else SpendingForm()
    form.budget_line_id.choices = options((line.id, _line_choice(line)) for line in figures.lines)
    if fresh or not form.is_submitted():
        form.spent_on.data = seoul_today()
    return form


def _plan_page(participation, status=200, **forms):
    """The plan, with the forms given in `forms` as submitted (and the refusal on them)."""
    plan = queries.plan_for(participation.id)
    figures = queries.plan_figures(plan.id) if plan else None
    goals_form = forms.get("goals_form") or GoalsForm(
        formdata=None, goals=plan.goals if plan else ""
    )
    return render_template(
        "plans/plan.html",
        participation=participation,
        plan=plan,
        figures=figures,
        error=" ".join(message for form in forms.values() for message in form.form_errors),
        goals_form=goals_form,
        line_form=forms.get("line_form") or BudgetLineForm(formdata=None),
        spending_form=forms.get("spending_form")
        or (_spending_form(figures, fresh=True) if figures else None),
    ), status


def _refusal(participation, **forms):
    return lambda status: _plan_page(participation, status, **forms)


@bp.route("/participations/<int:participation_id>/plan")
@login_required
def plan(participation_id):
    return _plan_page(_participation(participation_id))


@bp.route("/participations/<int:participation_id>/plan/goals", methods=["POST"])
@login_required
@unit_of_work
def save_goals(participation_id):
    participation = _participation(participation_id)
    form = GoalsForm()
    if not form.validate_on_submit():
        return _plan_page(participation, 400, goals_form=form)
    with operating(_refusal(participation, goals_form=form), form=form):
        operations.save_goals(participation, goals=form.goals.data or "", actor=current_user)
    flash(_("The goals were saved."), "success")
    return redirect(url_for(".plan", participation_id=participation.id))


@bp.route("/participations/<int:participation_id>/plan/lines", methods=["POST"])
@login_required
@unit_of_work
def add_line(participation_id):
    participation = _participation(participation_id)
    form = BudgetLineForm()
    if not form.validate_on_submit():
        return _plan_page(participation, 400, line_form=form)
    with operating(_refusal(participation, line_form=form), form=form):
        operations.add_budget_line(
            participation,
            category=form.category.data,
            description=form.description.data,
            amount=form.amount.data,
            actor=current_user,
        )
    flash(_("The budget line was added."), "success")
    return redirect(url_for(".plan", participation_id=participation.id))


@bp.route("/participations/<int:participation_id>/plan/spending", methods=["POST"])
@login_required
@unit_of_work
def add_spending(participation_id):
    participation = _participation(participation_id)
    plan = queries.plan_for(participation.id) or abort(404)
    form = _spending_form(queries.plan_figures(plan.id))
    if not form.validate_on_submit():
        return _plan_page(participation, 400, spending_form=form)
    line = db.session.get(BudgetLine, form.budget_line_id.data)
    if line is None or line.plan_id != plan.id:
        abort(404)
    with operating(_refusal(participation, spending_form=form), form=form):
        operations.record_spending(
            line,
            spent_on=form.spent_on.data,
            amount=form.amount.data,
            payee=form.payee.data,
            receipt_note=form.receipt_note.data or "",
            over_budget_reason=form.over_budget_reason.data or "",
            actor=current_user,
        )
    flash(_("The spending was recorded."), "success")
    return redirect(url_for(".plan", participation_id=participation.id))
