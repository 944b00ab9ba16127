"""A district support organisation's home, and the center's pages for their accounts."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.complexes.districts import in_city_order
from gachi.core.access import load_for, require, staff_required
from gachi.core.handlers import operating, unit_of_work
from gachi.districts import queries
from gachi.districts.forms import DistrictAccountForm, DistrictOfficeForm
from gachi.districts.models import DistrictOffice
from gachi.districts.operations import create_district_account, update_district_office

bp = Blueprint("districts", __name__)


def _page_number():
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 100_000:
        abort(404)
    return int(raw)


@bp.route("/district")
@login_required
def home():
    """The organisation's complexes, in its districts, and its board for each cohort."""
    office = current_user.district_office
    if office is None:
        abort(404)
    page = queries.complex_page(office.districts, page=_page_number())
    return render_template(
        "districts/home.html",
        office=office,
        districts=in_city_order(office.districts),
        page=page,
        cohorts=queries.cohort_rows(),
    )


# The center's pages ----------------------------------------------------------------------


@bp.route("/staff/districts")
@staff_required
def office_list():
    return render_template(
        "districts/office_list.html",
        offices=queries.office_rows(),
        may_manage=DistrictOffice().can_manage(current_user),
    )


def _form_page(form, office, status):
    return render_template("districts/office_form.html", form=form, office=office), status


@bp.route("/staff/districts/new", methods=["GET", "POST"])
@staff_required
@unit_of_work
def office_new():
    require(DistrictOffice().can_manage(current_user))
    form = DistrictAccountForm()
    if not form.validate_on_submit():
        return _form_page(form, None, 400 if form.is_submitted() else 200)
    with operating(lambda status: _form_page(form, None, status), form=form):
        office = create_district_account(
            form.username.data,
            form.display_name.data,
            form.password.data,
            districts=form.districts.data,
            may_place_coordinators=form.may_place_coordinators.data,
            actor=current_user,
        )
    flash(
        _(
            "The account for %(name)s is made. Give them the temporary password in person; "
            "they should change it after signing in.",
            name=form.display_name.data,
        ),
        "info",
    )
    return redirect(url_for(".office_edit", user_id=office.user_id))


@bp.route("/staff/districts/<int:user_id>", methods=["GET", "POST"])
@staff_required
@unit_of_work
def office_edit(user_id):
    office = load_for(current_user, DistrictOffice, user_id, permission="can_manage")
    form = DistrictOfficeForm(
        data={
            "districts": in_city_order(office.districts),
            "may_place_coordinators": office.may_place_coordinators,
        }
    )
    if not form.validate_on_submit():
        return _form_page(form, office, 400 if form.is_submitted() else 200)
    with operating(lambda status: _form_page(form, office, status), form=form):
        update_district_office(
            office,
            districts=form.districts.data,
            may_place_coordinators=form.may_place_coordinators.data,
            actor=current_user,
        )
    flash(_("The organisation's districts were saved."), "success")
    return redirect(url_for(".office_edit", user_id=office.user_id))
