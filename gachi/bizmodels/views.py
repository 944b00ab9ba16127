"""The catalogue of business models: publish, withdraw, adopt."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from gachi.bizmodels import queries
from gachi.bizmodels.forms import (
    AGEING_SHARE,
    SIZES,
    AdoptForm,
    CatalogueFilterForm,
    PublishForm,
    draft_form,
    draft_values,
    weekday_names,
)
from gachi.bizmodels.models import Adoption, BusinessModel
from gachi.bizmodels.operations import (
    adopt_model,
    confirm_adoption,
    draft_schedule,
    publish_model,
    update_draft,
    withdraw_model,
)
from gachi.complexes.models import Participation, Tenure
from gachi.core.access import load_for, require, staff_required
from gachi.core.forms import ConfirmForm, options
from gachi.core.handlers import operating, unit_of_work
from gachi.evaluations.queries import evaluation_for
from gachi.extensions import db
from gachi.kpi.models import Kpi
from gachi.kpi.queries import targets as kpi_targets
from gachi.plans.queries import plan_for
from gachi.proposals.queries import category_choices

bp = Blueprint("bizmodels", __name__)


def _catalogue_filters(form):
    data = form.data
    return queries.CatalogueFilters(
        category_id=data["category"],
        size=SIZES.get(data["size"] or ""),
        tenure=Tenure(data["tenure"]) if data["tenure"] else None,
        ageing=(AGEING_SHARE, data["age"] == "ageing") if data["age"] else None,
    )


@bp.route("/models")
@login_required
def catalogue():
    """The catalogue, filtered by the problem category and by the size, tenure and age
    profile of the complex each model comes from; `participation` names the complex the
    coordinator is looking for (from its plan page)."""
    require(BusinessModel.can_browse(current_user))
    form = CatalogueFilterForm(formdata=request.args)
    form.category.choices = options([("", _("All categories")), *category_choices()])
    if not form.validate():
        abort(400)
    participation = None
    if form.participation.data is not None:
        participation = load_for(
            current_user, Participation, form.participation.data, permission="can_manage"
        )
    return render_template(
        "bizmodels/catalogue.html",
        form=form,
        participation=participation,
        models=queries.model_rows(filters=_catalogue_filters(form)),
    )


def _adopt_form(model):
    form = AdoptForm(data={"participation": request.args.get("participation", type=int)})
    form.participation.choices = options(
        [
            (p.id, f"{p.complex.name} · {p.cohort.name}")
            for p in queries.adoptable_participations(current_user, model)
        ]
    )
    return form


@bp.route("/models/<int:model_id>")
@login_required
def detail(model_id):
    model = load_for(current_user, BusinessModel, model_id)
    return render_template(
        "bizmodels/detail.html",
        model=model,
        adopt=_adopt_form(model),
        confirm=ConfirmForm(),
        adoptions=queries.adopting_complexes(model.id),
        weekday_names=weekday_names,
    )


@bp.route("/models/<int:model_id>/adopt", methods=["POST"])
@login_required
@unit_of_work
def adopt(model_id):
    model = load_for(current_user, BusinessModel, model_id)
    form = _adopt_form(model)
    if not form.validate_on_submit():
        flash(_("Choose a complex to adopt the model in."), "error")
        return redirect(url_for(".detail", model_id=model.id)), 303
    participation = load_for(
        current_user, Participation, form.participation.data, permission="can_manage"
    )
    with operating():
        adoption = adopt_model(
            model, participation, actor=current_user, starts_on=form.starts_on.data
        )
    flash(_("%(complex)s adopted the model.", complex=participation.complex.name), "success")
    return redirect(url_for(".adoption", adoption_id=adoption.id))


def _adoption_page(adoption, form=None, status=200):
    participation = adoption.participation
    return render_template(
        "bizmodels/adoption.html",
        adoption=adoption,
        model=adoption.model,
        participation=participation,
        form=form or draft_form(adoption),
        confirm=ConfirmForm(),
        schedule=draft_schedule(adoption, language=str(get_locale())),
        weekday_names=weekday_names,
        enterprises=queries.suggested_enterprises(adoption.model, participation.complex.district),
    ), status


@bp.route("/adoptions/<int:adoption_id>", methods=["GET", "POST"])
@login_required
@unit_of_work
def adoption(adoption_id):
    """The draft of an adopted model: its sessions, budget lines and targets, editable
    until confirmed; after that, what it became."""
    adoption = load_for(current_user, Adoption, adoption_id, permission="can_manage")
    if request.method == "GET":
        return _adoption_page(adoption)
    form = draft_form(adoption, formdata=request.form)
    if not form.validate_on_submit():
        return _adoption_page(adoption, form, 400)
    refusal = lambda status: _adoption_page(adoption, form, status)  # noqa: E731
    with operating(refusal, form=form):
        update_draft(adoption, **draft_values(form, adoption), actor=current_user)
    flash(_("The draft was saved."), "success")
    return redirect(url_for(".adoption", adoption_id=adoption.id)), 303


@bp.route("/adoptions/<int:adoption_id>/confirm", methods=["POST"])
@login_required
@unit_of_work
def confirm(adoption_id):
    adoption = load_for(current_user, Adoption, adoption_id, permission="can_manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refusal = lambda status: _adoption_page(adoption, status=status)  # noqa: E731
    with operating(refusal):
        program = confirm_adoption(adoption, actor=current_user)
    flash(_("The programme %(title)s is now part of the plan.", title=program.title), "success")
    return redirect(url_for("programs.program_detail", program_id=program.id))


@bp.route("/models/<int:model_id>/withdraw", methods=["POST"])
@staff_required
@unit_of_work
def withdraw(model_id):
    model = load_for(current_user, BusinessModel, model_id, permission="can_manage")
    if ConfirmForm().validate_on_submit():
        with operating():
            withdraw_model(model, actor=current_user)
        flash(_("The model was withdrawn."), "success")
    return redirect(url_for(".detail", model_id=model.id)), 303


@bp.route("/participations/<int:participation_id>/publish-model", methods=["GET", "POST"])
@staff_required
@unit_of_work
def publish(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    evaluation = evaluation_for(participation.id)
    kpis = db.session.scalars(select(Kpi).order_by(Kpi.position, Kpi.id)).all()
    form = PublishForm(data=_recipe_defaults(participation, kpis))
    form.category.choices = options(category_choices())
    form.enterprise_categories.choices = options(category_choices())
    recipe = None
    if form.validate_on_submit():
        if evaluation is None:
            abort(409)
        recipe = form.recipe_fields({kpi.code: kpi.id for kpi in kpis})
    if recipe is not None and evaluation is not None:
        refusal = lambda status: _publish_page(participation, evaluation, form, status)  # noqa: E731
        with operating(refusal, form=form):
            model = publish_model(evaluation, **form.model_fields(), **recipe, actor=current_user)
        flash(_("The model %(title)s was published.", title=model.title), "success")
        return redirect(url_for(".detail", model_id=model.id))
    return _publish_page(participation, evaluation, form, 400 if form.is_submitted() else 200)


def _recipe_defaults(participation, kpis):
    """The recipe's lines as the publisher starts from: the execution plan's budget lines
    (fixed) and the source complex's KPI targets."""
    plan = plan_for(participation.id)
    lines = plan.budget_lines if plan is not None else []
    codes = {kpi.id: kpi.code for kpi in kpis}
    goals = kpi_targets(participation.cohort_id, participation.complex_id)
    return {
        "budget": "\n".join(
            f"{line.category.value} | fixed | {line.amount} | {line.description}" for line in lines
        ),
        "targets": "\n".join(
            f"{codes[kpi_id]} | {value.normalize():f}"
            for kpi_id, value in goals.items()
            if kpi_id in codes and value is not None
        ),
    }


def _publish_page(participation, evaluation, form, status):
    return render_template(
        "bizmodels/publish.html", form=form, participation=participation, evaluation=evaluation
    ), status
