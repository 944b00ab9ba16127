"""A person's own data: download it as JSON, or delete the account."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from gachi.auth.consent import current_notice_version, notice_template, notice_versions
from gachi.core.access import require
from gachi.core.handlers import operating, unit_of_work
from gachi.core.time import seoul_today
from gachi.privacy.forms import DeleteAccountForm
from gachi.privacy.operations import can_delete_own_account, delete_own_account
from gachi.privacy.queries import personal_data

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
