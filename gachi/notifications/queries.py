"""The reads behind the inbox and the header's unread count."""

from sqlalchemy import func, select

from gachi.extensions import db
from gachi.notifications.models import Notification

NOTIFICATIONS_SHOWN = 100


def unread_count(user_id):
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )


def latest_notifications(user_id, limit=NOTIFICATIONS_SHOWN):
    """The newest first; unread ones are marked by the template."""
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()
