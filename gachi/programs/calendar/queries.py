"""The reads behind calendar links."""

from sqlalchemy import select

from gachi.extensions import db
from gachi.programs.calendar.models import CalendarToken


def live_links(user):
    """`user`'s calendar links that are not revoked, oldest first."""
    return db.session.scalars(
        select(CalendarToken)
        .where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.id)
    ).all()
