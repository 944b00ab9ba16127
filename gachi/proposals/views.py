"""Problems: the list a complex's residents propose into, each problem's page, and the
coordinator's edits, shortlist, states and merges."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.complexes.models import Participation
from gachi.complexes.queries import latest_participation
from gachi.core.access import load_for, require
from gachi.core.errors import Conflict
from gachi.core.forms import ConfirmForm, options
from gachi.core.handlers import operating, unit_of_work
from gachi.extensions import db
from gachi.proposals import queries
from gachi.proposals.forms import (
    CommentForm,
    MergeForm,
    ProblemEntryForm,
    ProblemForm,
    ProblemStateForm,
)
from gachi.proposals.models import PROBLEM_MOVES, Category, Problem
from gachi.proposals.operations import (
    add_comment,
    edit_problem,
    merge_problems,
    move_problem,
    propose_problem,
    support_problem,
    withdraw_support,
)

bp = Blueprint("proposals", __name__)


def _problem_form(participation):
    manages = participation.can_manage(current_user)
    form = (ProblemEntryForm if manages else ProblemForm)()
    form.category.choices = options(queries.category_choices())
    if manages:
        form.on_behalf_of.choices = options(
            [
                (0, _l("Someone without an account, or said in the room")),
                *queries.resident_choices(participation.complex_id),
            ]
        )
    return form


def _list_page(participation, form, status=200):
    return render_template(
        "proposals/problem_list.html",
        participation=participation,
        form=form,
        lines=queries.problem_lines(participation.id, current_user.id),
        can_propose=Problem.can_propose(participation, current_user),
        manages=participation.can_manage(current_user),
    ), status


@bp.route("/my/problems")
@login_required
def my_problems():
    if not current_user.is_resident:
        abort(404)
    participation = latest_participation(current_user.complex_id)
    if participation is None:
        flash(_("Your complex is not taking part in a cohort yet."), "warning")
        return redirect(url_for("public.my_complex"))
    return redirect(url_for(".problem_list", participation_id=participation.id))


@bp.route("/participations/<int:participation_id>/problems")
@login_required
def problem_list(participation_id):
    participation = load_for(current_user, Participation, participation_id)
    return _list_page(participation, _problem_form(participation))


@bp.route("/participations/<int:participation_id>/problems", methods=["POST"])
@login_required
@unit_of_work
def problem_propose(participation_id):
    participation = load_for(current_user, Participation, participation_id)
    require(Problem.can_propose(participation, current_user))
    form = _problem_form(participation)
    if not form.validate_on_submit():
        return _list_page(participation, form, 400)
    on_behalf_of = getattr(form, "on_behalf_of", None)
    with operating(lambda status: _list_page(participation, form, status)):
        problem = propose_problem(
            participation,
            title=form.title.data,
            description=form.description.data or "",
            category=db.session.get(Category, form.category.data),
            actor=current_user,
            on_behalf_of=db.session.get(User, on_behalf_of.data)
            if on_behalf_of and on_behalf_of.data
            else None,
        )
    flash(_("Your problem was added: %(title)s", title=problem.title), "success")
    return redirect(url_for(".problem_detail", problem_id=problem.id))


def _merge_form(problem, **kwargs):
    form = MergeForm(**kwargs)
    form.into.choices = options(queries.merge_targets(problem))
    return form


def _detail_page(problem, comment_form=None, status=200, *, merge_form=None):
    manages = problem.can_manage(current_user)
    if merge_form is None:
        merge_form = _merge_form(problem)
    return render_template(
        "proposals/problem_detail.html",
        problem=problem,
        manages=manages,
        supports=queries.support_count(problem.id),
        supported=queries.supported_by(problem.id, current_user.id),
        comments=queries.comments(problem.id),
        comment_form=comment_form or CommentForm(),
        moves=sorted(PROBLEM_MOVES[problem.state], key=lambda state: state.value),
        merge_form=merge_form,
    ), status


@bp.route("/problems/<int:problem_id>")
@login_required
def problem_detail(problem_id):
    return _detail_page(load_for(current_user, Problem, problem_id))


def _confirmed():
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.route("/problems/<int:problem_id>/support", methods=["POST"])
@login_required
@unit_of_work
def problem_support(problem_id):
    problem = load_for(current_user, Problem, problem_id)
    require(problem.can_support(current_user))
    _confirmed()
    with operating():
        support_problem(problem, actor=current_user)
    flash(_("You support this problem."), "success")
    return redirect(url_for(".problem_detail", problem_id=problem.id))


@bp.route("/problems/<int:problem_id>/support/withdraw", methods=["POST"])
@login_required
@unit_of_work
def problem_unsupport(problem_id):
    problem = load_for(current_user, Problem, problem_id)
    require(problem.can_support(current_user))
    _confirmed()
    with operating():
        withdraw_support(problem, actor=current_user)
    flash(_("Your support was withdrawn."), "success")
    return redirect(url_for(".problem_detail", problem_id=problem.id))


@bp.route("/problems/<int:problem_id>/comments", methods=["POST"])
@login_required
@unit_of_work
def problem_comment(problem_id):
    problem = load_for(current_user, Problem, problem_id)
    require(problem.can_comment(current_user))
    form = CommentForm()
    if not form.validate_on_submit():
        return _detail_page(problem, form, 400)
    with operating():
        add_comment(problem, body=form.body.data, actor=current_user)
    flash(_("Your comment was added."), "success")
    return redirect(url_for(".problem_detail", problem_id=problem.id) + "#comments")


@bp.route("/problems/<int:problem_id>/edit", methods=["GET", "POST"])
@login_required
@unit_of_work
def problem_edit(problem_id):
    problem = load_for(current_user, Problem, problem_id)
    require(problem.can_manage(current_user))
    form = ProblemForm(obj=problem, category=problem.category_id)
    form.category.choices = options(queries.category_choices())
    if form.validate_on_submit():
        with operating():
            edit_problem(
                problem,
                title=form.title.data,
                description=form.description.data or "",
                category=db.session.get(Category, form.category.data),
                actor=current_user,
            )
        flash(_("The problem was saved."), "success")
        return redirect(url_for(".problem_detail", problem_id=problem.id))
    status = 400 if form.is_submitted() else 200
    return render_template("proposals/problem_form.html", problem=problem, form=form), status


@bp.route("/problems/<int:problem_id>/state", methods=["POST"])
@login_required
@unit_of_work
def problem_move(problem_id):
    problem = load_for(current_user, Problem, problem_id)
    require(problem.can_manage(current_user))
    form = ProblemStateForm()
    if not form.validate_on_submit():
        abort(400)
    with operating(lambda status: _detail_page(problem, status=status)):
        move_problem(problem, form.target.data, actor=current_user)
    flash(
        _("%(title)s is now: %(state)s", title=problem.title, state=problem.state.label), "success"
    )
    return redirect(url_for(".problem_list", participation_id=problem.participation_id))


@bp.route("/problems/<int:problem_id>/merge")
@login_required
def problem_merge_ask(problem_id):
    """Merging cannot be undone: this page says which problem goes into which and what
    moves with it, and its button posts the merge."""
    problem = load_for(current_user, Problem, problem_id)
    require(problem.can_manage(current_user))
    if not problem.is_mergeable:
        raise Conflict(_("Only proposed or shortlisted problems can be merged."))
    form = _merge_form(problem, formdata=request.args, meta={"csrf": False})
    if not form.validate():
        return _detail_page(problem, merge_form=form, status=400)
    return render_template(
        "proposals/merge.html",
        problem=problem,
        into=db.session.get(Problem, form.into.data),
        supports=queries.support_count(problem.id),
        comments=queries.comment_count(problem.id),
    )


@bp.route("/problems/<int:problem_id>/merge", methods=["POST"])
@login_required
@unit_of_work
def problem_merge(problem_id):
    problem = load_for(current_user, Problem, problem_id)
    require(problem.can_manage(current_user))
    form = _merge_form(problem)
    if not form.validate_on_submit():
        return _detail_page(problem, merge_form=form, status=400)
    with operating(lambda status: _detail_page(problem, status=status)):
        into = merge_problems(problem, db.session.get(Problem, form.into.data), actor=current_user)
    flash(_("The problem was merged into %(title)s.", title=into.title), "success")
    return redirect(url_for(".problem_detail", problem_id=into.id))
