"""A person's inbox and the unread count every page's header shows; their profile (contact
details, language, consent, which notices by which channel); stopping messages from a
message's link without signing in; and the outbox's status for coordinators and staff."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.core.access import load_for, require
from gachi.core.forms import BaseForm
from gachi.core.handlers import operating, unit_of_work
from gachi.notifications import queries
from gachi.notifications.forms import OptOutForm, ProfileForm, profile_form
from gachi.notifications.models import Channel, Notification
from gachi.notifications.operations import (
    current_consent,
    mark_all_read,
    mark_read,
    preferences_of,
    save_profile,
)
from gachi.notifications.outbox import opt_out, read_opt_out_token

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_notifications():
    user = current_user._get_current_object() if current_user else None
    if not isinstance(user, User):  # signed out, or only as the session shows them (a 503)
        return {"unread_notification_count": 0}
    return {"unread_notification_count": queries.unread_count(user.id)}


def _confirmed():
    if not BaseForm().validate_on_submit():
        abort(400)


@bp.route("/notifications")
@login_required
def inbox():
    return render_template(
        "notifications/inbox.html", notifications=queries.latest_notifications(current_user.id)
    )


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
@unit_of_work
def open_notification(notification_id):
    notification = load_for(current_user, Notification, notification_id)
    _confirmed()
    with operating():
        mark_read(notification, actor=current_user)
    return redirect(notification.link or url_for(".inbox"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
@unit_of_work
def read_all():
    _confirmed()
    with operating():
        mark_all_read(current_user)
    flash(_("Every notification is marked as read."), "success")
    return redirect(url_for(".inbox"))


def _profile_page(form, status):
    return render_template(
        "notifications/preferences.html", form=form, consent=current_consent(current_user)
    ), status


@bp.route("/my/profile", methods=["GET", "POST"])
@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
@unit_of_work
def preferences():
    if request.method != "POST":
        consents = current_consent(current_user) is not None
        return _profile_page(
            profile_form(current_user, preferences_of(current_user), consents), 200
        )
    form = ProfileForm()
    if not form.validate_on_submit():
        return _profile_page(form, 400)
    with operating(lambda status: _profile_page(form, status), form=form):
        save_profile(
            current_user,
            phone=form.phone.data,
            email=form.email.data,
            language=form.language.data,
            consents=form.consent.data,
            choices=form.choices(),
            actor=current_user,
        )
    flash(_("Your notification choices were saved."), "success")
    return redirect(url_for(".preferences"))


def _opt_out_page(token, status=200, done=False):
    found = read_opt_out_token(token or "")
    if found is None:
        abort(404)
    channel, address = found
    return render_template(
        "notifications/opt_out.html",
        form=OptOutForm(data={"token": token}),
        channel=channel,
        address=address,
        is_email=channel is Channel.EMAIL,
        done=done,
    ), status


@bp.route("/notices/stop")
def opt_out_confirm():
    """The link in every message: says what will stop, with a button (no sign-in)."""
    return _opt_out_page(request.args.get("t"))


@bp.route("/notices/stop", methods=["POST"])
@unit_of_work
def opt_out_do():
    form = OptOutForm()
    if not form.validate_on_submit() or read_opt_out_token(form.token.data) is None:
        abort(400)
    channel, address = read_opt_out_token(form.token.data)
    with operating():
        opt_out(channel, address)
    return _opt_out_page(form.token.data, done=True)


@bp.route("/notifications/outbox")
@login_required
def outbox():
    """Messages sent and waiting, with why one was not sent: staff see all, a coordinator
    their complexes'."""
    require(current_user.is_staff or current_user.is_coordinator)
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "notifications/outbox.html", page=queries.outbox_page(current_user, max(page, 1))
    )
