"""A person's inbox, and the unread count every page's header shows."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gachi.auth.models import User
from gachi.core.access import load_for
from gachi.core.forms import BaseForm
from gachi.core.handlers import operating, unit_of_work
from gachi.notifications import queries
from gachi.notifications.forms import PreferencesForm, preferences_form
from gachi.notifications.models import Notification
from gachi.notifications.operations import (
    mark_all_read,
    mark_read,
    preferences_of,
    save_preferences,
)

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


def _preferences_page(form, status):
    has_email = bool(current_user.email)
    return render_template("notifications/preferences.html", form=form, has_email=has_email), status


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
@unit_of_work
def preferences():
    if request.method != "POST":
        return _preferences_page(preferences_form(preferences_of(current_user)), 200)
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _preferences_page(form, 400)
    with operating(lambda status: _preferences_page(form, status), form=form):
        save_preferences(current_user, form.choices(), actor=current_user)
    flash(_("Your notification choices were saved."), "success")
    return redirect(url_for(".preferences"))
