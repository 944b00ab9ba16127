"""The verbs of calendar links: make one (a person's own feed, or their complex's) and
revoke it."""

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from gachi.core.audit import log_change
from gachi.core.errors import DomainError, NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.programs.calendar.models import CalendarKind, CalendarToken


def create_calendar_link(user, *, kind, complex_=None, actor):
    """A private link to an iCalendar feed; whoever has the link can read the feed."""
    if kind is CalendarKind.COMPLEX and (complex_ is None or not complex_.can_view(user)):
        raise NotAllowed()
    if kind is CalendarKind.PERSONAL and not user.is_resident:
        raise DomainError(_l("Only residents have bookings and shifts to put in a calendar."))
    token = CalendarToken(
        token=secrets.token_urlsafe(24),
        user_id=user.id,
        kind=kind,
        complex_id=complex_.id if kind is CalendarKind.COMPLEX else None,
    )
    db.session.add(token)
    db.session.flush()
    log_change("calendar.create", token, actor=actor, after={"kind": kind.value})
    return token


def revoke_calendar_link(token, *, actor, now=None):
    result = db.session.execute(
        update(CalendarToken)
        .where(CalendarToken.id == token.id, CalendarToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(token)
    if result.rowcount == 1:
        log_change("calendar.revoke", token, actor=actor, after={"kind": token.kind.value})
    return token
