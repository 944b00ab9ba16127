"""The enterprise directory: anyone signed in may browse it; the center keeps it."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from gachi.core.access import load_for, staff_required
from gachi.core.forms import options
from gachi.core.handlers import operating, unit_of_work
from gachi.core.spreadsheets import csv_response
from gachi.core.time import utcnow
from gachi.enterprises import queries
from gachi.enterprises.forms import EnterpriseFilterForm, EnterpriseForm, ImportForm
from gachi.enterprises.models import Enterprise, ImportJob
from gachi.enterprises.operations import create_enterprise, queue_import, update_enterprise
from gachi.matching.queries import enterprise_match_counts

bp = Blueprint("enterprises", __name__)


@bp.route("/enterprises")
@login_required
def enterprise_list():
    form = EnterpriseFilterForm(formdata=request.args)
    form.category.choices = options([("", _l("All categories")), *queries.category_choices()])
    status = 200
    if form.validate():
        page = queries.enterprise_page(**form.filters(), page=form.page.data or 1)
    else:
        # Filters we cannot read are left out, with a message, rather than guessed at.
        page, status = queries.enterprise_page(), 400
    filter_args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "enterprises/enterprise_list.html",
        form=form,
        page=page,
        filters_refused=status == 400,
        filter_args=filter_args,
    ), status


@bp.route("/enterprises/<int:enterprise_id>")
@login_required
def enterprise_detail(enterprise_id):
    enterprise = load_for(current_user, Enterprise, enterprise_id)
    staff_view = enterprise.can_manage(current_user)
    return render_template(
        "enterprises/enterprise_detail.html",
        enterprise=enterprise,
        partners=queries.partner_rows(enterprise.id) if staff_view else [],
        match_counts=enterprise_match_counts(enterprise.id) if staff_view else {},
    )


def _enterprise_form(enterprise=None):
    form = EnterpriseForm(obj=enterprise)
    form.category_ids.choices = options(queries.category_choices())
    if enterprise is not None and not form.is_submitted():
        form.category_ids.data = [link.category_id for link in enterprise.category_links]
        form.districts.data = enterprise.districts
    return form


def _form_page(form, enterprise, status):
    return render_template(
        "enterprises/enterprise_form.html", form=form, enterprise=enterprise
    ), status


@bp.route("/staff/enterprises/new", methods=["GET", "POST"])
@staff_required
@unit_of_work
def enterprise_new():
    form = _enterprise_form()
    if not form.validate_on_submit():
        return _form_page(form, None, 400 if form.is_submitted() else 200)
    with operating(lambda status: _form_page(form, None, status), form=form):
        enterprise = create_enterprise(
            **form.enterprise_fields(),
            category_ids=form.category_ids.data,
            districts=form.districts.data,
            actor=current_user,
        )
    flash(_("%(name)s was added to the directory.", name=enterprise.name), "success")
    return redirect(url_for(".enterprise_detail", enterprise_id=enterprise.id))


@bp.route("/staff/enterprises/<int:enterprise_id>/edit", methods=["GET", "POST"])
@staff_required
@unit_of_work
def enterprise_edit(enterprise_id):
    enterprise = load_for(current_user, Enterprise, enterprise_id, permission="can_manage")
    form = _enterprise_form(enterprise)
    if not form.validate_on_submit():
        return _form_page(form, enterprise, 400 if form.is_submitted() else 200)
    with operating(lambda status: _form_page(form, enterprise, status), form=form):
        update_enterprise(
            enterprise,
            **form.enterprise_fields(),
            category_ids=form.category_ids.data,
            districts=form.districts.data,
            actor=current_user,
        )
    flash(_("The enterprise was saved."), "success")
    return redirect(url_for(".enterprise_detail", enterprise_id=enterprise.id))


@bp.route("/staff/enterprises/import", methods=["GET", "POST"])
@staff_required
@unit_of_work
def enterprise_import():
    """The upload only checks the file and keeps it as an import job: 5,000 lines take
    about a minute, too near the proxy's and gunicorn's timeouts for one request. The
    scheduler imports it (gachi.enterprises.jobs); the job's page shows how far it is."""
    form = ImportForm()

    def page(status):
        return render_template(
            "enterprises/import.html", form=form, imports=queries.recent_imports()
        ), status

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    upload = form.file.data
    with operating(page, form=form):
        job = queue_import(
            upload.read(),
            filename=upload.filename or "",
            locale=str(get_locale()),
            actor=current_user,
            now=utcnow(),
        )
    return redirect(url_for(".import_job", job_id=job.id), code=303)


@bp.route("/staff/imports/<int:job_id>")
@staff_required
def import_job(job_id):
    job = load_for(current_user, ImportJob, job_id)
    return render_template(
        "enterprises/import_job.html", job=job, unclaimed=job.unclaimed_for_long(utcnow())
    )


@bp.route("/staff/imports/<int:job_id>/skipped.csv")
@staff_required
def import_job_skipped(job_id):
    job = load_for(current_user, ImportJob, job_id)
    rows = [(_("Line"), _("Text"), _("Reason"))]
    rows += [(line["line"], line["text"], line["reason"]) for line in job.skipped_lines]
    return csv_response(rows, f"import-{job.id}-skipped.csv")
