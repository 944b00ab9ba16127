"""Suggestions, offers and their answers.

A problem's suggestions and a match's management belong to the complex's coordinator
and staff; a partner sees and answers only the offers made to their own enterprise
(any other match is a 404 to them).
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.complexes.models import Participation
from gachi.core.access import load_for, require
from gachi.core.forms import ConfirmForm
from gachi.core.handlers import operating, unit_of_work
from gachi.enterprises.models import Enterprise
from gachi.extensions import db
from gachi.matching import operations, queries
from gachi.matching.forms import AnswerForm, OfferForm, RatingForm, ReasonForm
from gachi.matching.models import Match, MatchState
from gachi.proposals.models import Problem

bp = Blueprint("matching", __name__)


# Suggestions and offers ---------------------------------------------------------------


def _suggestions_page(problem, form=None, error=None, status=200):
    return render_template(
        "matching/suggestions.html",
        problem=problem,
        form=form or OfferForm(formdata=None),
        suggestions=queries.suggestions_for(problem),
        error=error,
        matches=queries.problem_match_rows(problem.id),
        matchable=problem.state in queries.MATCHABLE_PROBLEM_STATES,
    ), status


@bp.route("/problems/<int:problem_id>/suggestions")
@login_required
def suggestions(problem_id):
    problem = load_for(current_user, Problem, problem_id, permission="can_manage")
    return _suggestions_page(problem)


@bp.route("/problems/<int:problem_id>/matches", methods=["POST"])
@login_required
@unit_of_work
def make_match(problem_id):
    problem = load_for(current_user, Problem, problem_id, permission="can_manage")
    form = OfferForm()
    if not form.validate_on_submit():
        return _suggestions_page(problem, form, _("Choose an enterprise and write a message."), 400)
    enterprise = db.session.get(Enterprise, form.enterprise_id.data) or abort(404)
    with operating(
        lambda status: _suggestions_page(problem, form, " ".join(form.form_errors), status),
        form=form,
    ):
        if form.action.data == "suggest":
            match = operations.suggest_match(problem, enterprise, actor=current_user)
        else:
            match = operations.offer_match(
                problem, enterprise, message=form.message.data or "", actor=current_user
            )
    flash(
        _("%(enterprise)s is on the shortlist.", enterprise=enterprise.name)
        if match.state is MatchState.SUGGESTED
        else _("The offer was sent to %(enterprise)s.", enterprise=enterprise.name),
        "success",
    )
    return redirect(url_for(".suggestions", problem_id=problem.id))


@bp.route(
    "/problems/<int:problem_id>/enterprises/<int:enterprise_id>/partner-request",
    methods=["POST"],
)
@login_required
@unit_of_work
def ask_for_partner_account(problem_id, enterprise_id):
    """The coordinator asks the center to make the partner account an offer needs."""
    problem = load_for(current_user, Problem, problem_id, permission="can_manage")
    enterprise = db.session.get(Enterprise, enterprise_id) or abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    with operating(
        lambda status: _suggestions_page(problem, error=" ".join(form.form_errors), status=status),
        form=form,
    ):
        operations.ask_for_partner_account(problem, enterprise, actor=current_user)
    flash(
        _(
            "The center's account staff were asked to make a partner account for "
            "%(enterprise)s. You will be able to offer it the work once it exists.",
            enterprise=enterprise.name,
        ),
        "success",
    )
    return redirect(url_for(".suggestions", problem_id=problem.id))


@bp.route("/participations/<int:participation_id>/matches")
@login_required
def participation_matches(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    return render_template(
        "matching/participation_matches.html",
        participation=participation,
        problems=queries.participation_problem_rows(participation.id),
    )


# One match ----------------------------------------------------------------------------


def _match_page(match, error=None, status=200, **forms):
    return render_template(
        "matching/match.html",
        match=match,
        error=error,
        answer_form=forms.get("answer_form") or AnswerForm(formdata=None),
        reason_form=forms.get("reason_form") or ReasonForm(formdata=None),
        rating_form=forms.get("rating_form") or RatingForm(formdata=None),
        MatchState=MatchState,
    ), status


def _refusal(match, form, **forms):
    """The match's page with the refusal `operating(..., form=form)` put on `form`."""
    return lambda status: _match_page(match, " ".join(form.form_errors), status, **forms)


@bp.route("/matches/<int:match_id>")
@login_required
def match_detail(match_id):
    return _match_page(load_for(current_user, Match, match_id))


@bp.route("/matches/<int:match_id>/answer", methods=["POST"])
@login_required
@unit_of_work
def answer(match_id):
    match = load_for(current_user, Match, match_id)
    require(match.can_answer(current_user))
    form = AnswerForm()
    if not form.validate_on_submit():
        return _match_page(match, _("Choose whether you accept or decline."), 400, answer_form=form)
    with operating(_refusal(match, form, answer_form=form), form=form):
        if form.decision.data == "accept":
            operations.accept_match(match, note=form.note.data or "", actor=current_user)
        else:
            operations.decline_match(match, reason=form.note.data or "", actor=current_user)
    flash(_("Thank you: your answer was sent to the complex's coordinator."), "success")
    return redirect(url_for(".match_detail", match_id=match.id))


def _managed_step(match_id, step, message):
    """Start or complete: a button with only its CSRF token."""
    match = load_for(current_user, Match, match_id)
    require(match.can_manage(current_user))
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    with operating(_refusal(match, form), form=form):
        step(match, actor=current_user)
    flash(message, "success")
    return redirect(url_for(".match_detail", match_id=match.id))


@bp.route("/matches/<int:match_id>/start", methods=["POST"])
@login_required
@unit_of_work
def start(match_id):
    return _managed_step(match_id, operations.start_match, _("The work has started."))


@bp.route("/matches/<int:match_id>/complete", methods=["POST"])
@login_required
@unit_of_work
def complete(match_id):
    return _managed_step(
        match_id, operations.complete_match, _("The work is completed. Please rate the enterprise.")
    )


@bp.route("/matches/<int:match_id>/withdraw", methods=["POST"])
@login_required
@unit_of_work
def withdraw(match_id):
    match = load_for(current_user, Match, match_id)
    require(match.can_manage(current_user))
    form = ReasonForm()
    if not form.validate_on_submit():
        return _match_page(match, _("Say why the offer is withdrawn."), 400, reason_form=form)
    with operating(_refusal(match, form, reason_form=form), form=form):
        operations.withdraw_match(match, reason=form.reason.data, actor=current_user)
    flash(_("The offer was withdrawn."), "success")
    return redirect(url_for(".suggestions", problem_id=match.problem_id))


@bp.route("/matches/<int:match_id>/rating", methods=["POST"])
@login_required
@unit_of_work
def rate(match_id):
    match = load_for(current_user, Match, match_id)
    require(match.can_manage(current_user))
    form = RatingForm()
    if not form.validate_on_submit():
        return _match_page(match, _("Choose a rating from 1 to 5."), 400, rating_form=form)
    with operating(_refusal(match, form, rating_form=form), form=form):
        operations.rate_match(
            match, score=form.score.data, comment=form.comment.data or "", actor=current_user
        )
    flash(_("Thank you for the rating."), "success")
    return redirect(url_for(".match_detail", match_id=match.id))


# The enterprise partner's offers ------------------------------------------------------


@bp.route("/partner/offers")
@login_required
def partner_offers():
    if not current_user.is_partner:
        abort(404)
    return render_template(
        "matching/partner_offers.html",
        enterprise=current_user.enterprise,
        offers=queries.partner_offer_rows(current_user.enterprise_id),
    )
