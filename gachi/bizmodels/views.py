"""The catalogue of business models: publish, withdraw, adopt."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.bizmodels import queries
from gachi.bizmodels.forms import AdoptForm, PublishForm
from gachi.bizmodels.models import Adoption, BusinessModel
from gachi.bizmodels.operations import adopt_model, publish_model, withdraw_model
from gachi.complexes.models import Participation
from gachi.core.access import load_for, require, staff_required
from gachi.core.forms import ConfirmForm, options
from gachi.core.handlers import operating, unit_of_work
from gachi.evaluations.queries import evaluation_for
from gachi.extensions import db
from gachi.proposals.queries import category_choices

bp = Blueprint("bizmodels", __name__)


@bp.route("/models")
@login_required
def catalogue():
    require(BusinessModel.can_browse(current_user))
    return render_template("bizmodels/catalogue.html", models=queries.model_rows())


def _adopt_form(model):
    form = AdoptForm()
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
        adoption = adopt_model(model, participation, actor=current_user)
    flash(_("%(complex)s adopted the model.", complex=participation.complex.name), "success")
    return redirect(url_for(".adoption", adoption_id=adoption.id))


@bp.route("/adoptions/<int:adoption_id>")
@login_required
def adoption(adoption_id):
    adoption = db.session.get(Adoption, adoption_id)
    if adoption is None or not adoption.participation.can_manage(current_user):
        abort(404)
    participation = adoption.participation
    return render_template(
        "bizmodels/adoption.html",
        adoption=adoption,
        model=adoption.model,
        participation=participation,
        enterprises=queries.suggested_enterprises(adoption.model, participation.complex.district),
    )


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
    form = PublishForm()
    form.category.choices = options(category_choices())
    if form.validate_on_submit():
        if evaluation is None:
            abort(409)
        with operating():
            model = publish_model(evaluation, **form.model_fields(), actor=current_user)
        flash(_("The model %(title)s was published.", title=model.title), "success")
        return redirect(url_for(".detail", model_id=model.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "bizmodels/publish.html", form=form, participation=participation, evaluation=evaluation
    ), status
