"""Calendar links: each person makes and revokes their private feed links; the feeds
themselves need no login (the token is the key) and a revoked token is a 404."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from gachi.core.access import load_for, require
from gachi.core.forms import BaseForm
from gachi.core.handlers import operating, unit_of_work
from gachi.extensions import db
from gachi.programs.bookings.queries import my_bookings
from gachi.programs.calendar import ical, queries
from gachi.programs.calendar.forms import CalendarLinkForm
from gachi.programs.calendar.models import CalendarKind, CalendarToken
from gachi.programs.calendar.operations import create_calendar_link, revoke_calendar_link
from gachi.programs.rosters.queries import my_shifts
from gachi.programs.sessions.queries import complex_public_sessions

bp = Blueprint("calendar", __name__)


@bp.app_template_filter("webcal")
def webcal(url):
    """The feed's address as webcal://: a phone opens it in its calendar app and
    subscribes, instead of downloading a file once."""
    return "webcal://" + url.split("://", 1)[-1]


@bp.route("/my/calendar", methods=["GET", "POST"])
@login_required
@unit_of_work
def calendar_links():
    if not current_user.is_resident:
        abort(404)
    form = CalendarLinkForm()
    if form.validate_on_submit():
        kind = CalendarKind(form.kind.data)
        with operating():
            create_calendar_link(
                current_user, kind=kind, complex_=current_user.household.complex, actor=current_user
            )
        flash(
            _(
                "Your new calendar link is below. Keep it private: anyone with it can read the "
                "calendar."
            ),
            "success",
        )
        return redirect(url_for(".calendar_links"))
    return render_template(
        "programs/calendar/calendar_links.html", form=form, links=queries.live_links(current_user)
    ), 400 if form.is_submitted() else 200


@bp.route("/my/calendar/<int:token_id>/revoke", methods=["POST"])
@login_required
@unit_of_work
def revoke(token_id):
    token = load_for(current_user, CalendarToken, token_id)
    require(token.can_revoke(current_user))
    if not BaseForm().validate_on_submit():
        abort(400)
    with operating():
        revoke_calendar_link(token, actor=current_user)
    flash(_("The link is revoked: calendars that used it stop updating."), "success")
    return redirect(url_for(".calendar_links"))


@bp.route("/calendar/<token>.ics")
def feed(token):
    link = db.session.scalar(select(CalendarToken).where(CalendarToken.token == token))
    if link is None or not link.is_live or not link.user.active:
        abort(404)
    owner = link.user
    if link.kind is CalendarKind.COMPLEX:
        # A resident who moved away no longer reads their old complex's calendar.
        if not link.complex.can_view(owner):
            abort(404)
        body = ical.complex_feed(
            link.complex, complex_public_sessions(link.complex_id), host=request.host
        )
    else:
        body = ical.personal_feed(
            owner, my_bookings(owner.id), my_shifts(owner.id), host=request.host
        )
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="gachi.ics"',
        },
    )
