"""Workshops: the list and plan of each, check-in, walk-ins, minutes and attachments.

Attachments live under the instance folder and are sent only through `attachment`,
which checks the reader may see the workshop.
"""

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.complexes.models import Household, Participation
from gachi.core.access import load_for, require
from gachi.core.audit import no_store, personal_data_shown
from gachi.core.forms import options
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import to_seoul, utcnow
from gachi.extensions import db
from gachi.workshops import queries, uploads
from gachi.workshops.forms import AttachmentForm, CheckInForm, WalkInForm, WorkshopForm
from gachi.workshops.models import Workshop, WorkshopAttachment
from gachi.workshops.operations import (
    add_attachment,
    check_in_guest,
    check_in_resident,
    create_workshop,
    set_walk_ins,
    update_workshop,
)

bp = Blueprint("workshops", __name__)


@bp.route("/participations/<int:participation_id>/workshops")
@login_required
def workshop_list(participation_id):
    participation = load_for(current_user, Participation, participation_id)
    return render_template(
        "workshops/workshop_list.html",
        participation=participation,
        workshops=queries.participation_workshops(participation.id),
        manages=participation.can_manage(current_user),
    )


def _form_page(participation, form, workshop=None, status=200):
    return render_template(
        "workshops/workshop_form.html", participation=participation, form=form, workshop=workshop
    ), status


@bp.route("/participations/<int:participation_id>/workshops/new", methods=["GET", "POST"])
@login_required
@unit_of_work
def workshop_new(participation_id):
    participation = load_for(current_user, Participation, participation_id, permission="can_manage")
    form = WorkshopForm()
    if form.validate_on_submit():
        with operating():
            workshop = create_workshop(participation, actor=current_user, **form.workshop_fields())
        flash(_("The workshop was added."), "success")
        return redirect(url_for(".workshop_detail", workshop_id=workshop.id))
    return _form_page(participation, form, status=400 if form.is_submitted() else 200)


@bp.route("/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@login_required
@unit_of_work
def workshop_edit(workshop_id):
    workshop = load_for(current_user, Workshop, workshop_id, permission="can_manage")
    form = WorkshopForm(obj=workshop)
    if not form.is_submitted():
        form.held_at.data = to_seoul(workshop.held_at).replace(tzinfo=None)
    if form.validate_on_submit():
        with operating():
            update_workshop(workshop, actor=current_user, **form.workshop_fields())
        flash(_("The workshop was saved."), "success")
        return redirect(url_for(".workshop_detail", workshop_id=workshop.id))
    return _form_page(workshop.participation, form, workshop, 400 if form.is_submitted() else 200)


def _check_in_form(workshop):
    form = CheckInForm()
    form.resident_id.choices = options(
        [(0, _l("(none)")), *queries.residents_not_checked_in(workshop)]
    )
    form.household_id.choices = options(
        [(0, _l("(not known)")), *queries.household_choices(workshop.participation.complex_id)]
    )
    return form


def _detail_page(workshop, *, check_in_form=None, error=None, status=200):
    manages = workshop.can_manage(current_user)
    return no_store(
        (
            render_template(
                "workshops/workshop_detail.html",
                workshop=workshop,
                manages=manages,
                error=error,
                check_in_form=check_in_form or (_check_in_form(workshop) if manages else None),
                walk_in_form=WalkInForm(count=workshop.walk_in_count),
                now=utcnow(),
                attachment_form=AttachmentForm(),
            ),
            status,
        )
    )


@bp.route("/workshops/<int:workshop_id>")
@login_required
def workshop_detail(workshop_id):
    workshop = load_for(current_user, Workshop, workshop_id)
    page = _detail_page(workshop)
    if not workshop.can_manage(current_user):
        return page  # the check-in list and the residents to pick from are for managers only
    return personal_data_shown(
        page,
        "workshop_attendance.view",
        workshop,
        actor=current_user,
        complex_id=workshop.participation.complex_id,
        subject_ids=[person.user_id for person in workshop.attendances],
    )


def _managed(workshop_id):
    workshop = load_for(current_user, Workshop, workshop_id)
    require(workshop.can_manage(current_user))
    return workshop


@bp.route("/workshops/<int:workshop_id>/attendances", methods=["POST"])
@login_required
@unit_of_work
def workshop_check_in(workshop_id):
    workshop = _managed(workshop_id)
    form = _check_in_form(workshop)
    if not form.validate_on_submit() or not (form.resident_id.data or form.name.data):
        return _detail_page(
            workshop,
            check_in_form=form,
            status=400,
            error=_("Choose a registered resident or write a name."),
        )
    resident = db.session.get(User, form.resident_id.data) if form.resident_id.data else None
    household = (
        db.session.get(Household, form.household_id.data) if form.household_id.data else None
    )

    def refused(status):
        return _detail_page(
            workshop, check_in_form=form, error=" ".join(form.form_errors), status=status
        )

    with operating(refused, form=form):
        if form.resident_id.data:
            check_in_resident(workshop, resident=resident, actor=current_user)
        else:
            check_in_guest(workshop, name=form.name.data, household=household, actor=current_user)
    name = resident.display_name if form.resident_id.data else form.name.data
    flash(_("%(name)s is checked in.", name=name), "success")
    return redirect(url_for(".workshop_detail", workshop_id=workshop.id) + "#attendance")


@bp.route("/workshops/<int:workshop_id>/walk-ins", methods=["POST"])
@login_required
@unit_of_work
def workshop_walk_ins(workshop_id):
    workshop = _managed(workshop_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _detail_page(workshop, error=_("Enter the number of walk-ins."), status=400)
    with operating(
        lambda status: _detail_page(workshop, error=" ".join(form.form_errors), status=status),
        form=form,
    ):
        set_walk_ins(workshop, count=form.count.data, actor=current_user)
    flash(_("The number of walk-ins was saved."), "success")
    return redirect(url_for(".workshop_detail", workshop_id=workshop.id) + "#attendance")


@bp.route("/workshops/<int:workshop_id>/attachments", methods=["POST"])
@login_required
@unit_of_work
def workshop_attach(workshop_id):
    workshop = _managed(workshop_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _detail_page(workshop, error=_("Choose a file to attach."), status=400)
    upload = form.file.data
    data = upload.stream.read(uploads.MAX_ATTACHMENT_BYTES + 1)
    with operating(
        lambda status: _detail_page(workshop, error=" ".join(form.form_errors), status=status),
        form=form,
    ):
        add_attachment(workshop, filename=upload.filename or "", data=data, actor=current_user)
    flash(_("The file was attached."), "success")
    return redirect(url_for(".workshop_detail", workshop_id=workshop.id) + "#attachments")


@bp.route("/workshops/<int:workshop_id>/attachments/<int:attachment_id>")
@login_required
def attachment(workshop_id, attachment_id):
    workshop = load_for(current_user, Workshop, workshop_id)
    item = db.session.get(WorkshopAttachment, attachment_id)
    if item is None or item.workshop_id != workshop.id:
        abort(404)
    path = uploads.stored_path(item.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=item.content_type,
        download_name=item.filename,
        as_attachment=item.content_type == "application/pdf",
        max_age=0,
    )
