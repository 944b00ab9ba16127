"""A person's own data: download it as JSON, or delete the account."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from gachi.auth.consent import current_notice_version, notice_template, notice_versions
from gachi.complexes.models import Complex
from gachi.core.access import load_for, require
from gachi.core.audit import personal_data_shown
from gachi.core.forms import BaseForm
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import seoul_today
from gachi.people.models import Person
from gachi.people.queries import people_of_complex
from gachi.privacy.forms import DeleteAccountForm
from gachi.privacy.operations import can_delete_own_account, delete_own_account, erase_person
from gachi.privacy.queries import person_data, personal_data

bp = Blueprint("privacy", __name__)


@bp.route("/privacy-policy")
def privacy_policy():
    """개인정보 처리방침: public, linked from every page's footer."""
    version = current_notice_version()
    return render_template(
        "privacy/policy.html",
        notice=notice_template(version),
        notice_version=version,
        versions=notice_versions(),
    )


@bp.route("/account/data")
@login_required
def download_data():
    user = current_user._get_current_object()
    body = json.dumps(personal_data(user), ensure_ascii=False, indent=2)
    filename = f"gachi-my-data-{seoul_today():%Y%m%d}.json"
    return Response(
        body,
        mimetype="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@unit_of_work
def delete_account():
    user = current_user._get_current_object()
    may_delete = can_delete_own_account(user)
    if request.method == "POST":
        require(may_delete)  # staff, coordinators and partners: the center closes those
    form = DeleteAccountForm()

    def page(status):
        template = "privacy/delete_account.html"
        return render_template(template, form=form, may_delete=may_delete), status

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    with operating(page, form=form):
        delete_own_account(user, form.current_password.data, actor=user)
    logout_user()
    flash(_("Your account is deleted. Thank you for taking part."), "info")
    return redirect(url_for("public.index"))


# People without an account (gachi/people) ------------------------------------------------


@bp.route("/complexes/<int:complex_id>/people")
@login_required
def complex_people(complex_id):
    """The complex's people written down by phone, at the door or on paper; phones masked."""
    place = load_for(current_user, Complex, complex_id, permission="can_manage")
    people = people_of_complex(place.id)
    page = render_template("privacy/people.html", complex=place, people=people)
    return personal_data_shown(
        page,
        "people.view",
        place,
        actor=current_user,
        complex_id=place.id,
        subject_ids=[person.user_id for person in people],
    )


def _person_for_staff(person_id):
    person = load_for(current_user, Person, person_id)
    require(current_user.is_staff)
    return person


@bp.route("/people/<int:person_id>/data")
@login_required
def person_data_download(person_id):
    """What the app holds about a person without an account, for staff to hand over."""
    person = _person_for_staff(person_id)
    body = json.dumps(person_data(person), ensure_ascii=False, indent=2)
    response = Response(
        body,
        mimetype="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="gachi-person-{person.id}.json"'},
    )
    return personal_data_shown(
        response,
        "person_data.download",
        person,
        actor=current_user,
        complex_id=person.complex_id,
        subject_ids=[person.user_id],
    )


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@login_required
@unit_of_work
def erase_person_page(person_id):
    """Asking first, then erasing a person without an account at their request."""
    person = _person_for_staff(person_id)
    require(person.can_erase(current_user))
    form = BaseForm()

    def page(status):
        return render_template("privacy/erase_person.html", person=person, form=form), status

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    complex_id = person.complex_id
    with operating(page, form=form):
        erase_person(person, actor=current_user)
    flash(_("The person's name and phone number are erased."), "success")
    return redirect(url_for(".complex_people", complex_id=complex_id))
