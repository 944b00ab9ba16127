"""The reads behind the inbox and the header's unread count."""

from sqlalchemy import false, func, select

from gachi.core.pagination import Page
from gachi.extensions import db
from gachi.notifications.models import Notification, OutboxMessage

NOTIFICATIONS_SHOWN = 100
OUTBOX_PER_PAGE = 50


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


def outbox_page(user, page=1, per_page=OUTBOX_PER_PAGE):
    """The outbox as `user` may see it, newest first: staff all of it, a coordinator the
    messages of the complexes they manage today (gachi/core/access.py's scope)."""
    if user.is_staff:
        scope = True
    elif user.managed_complex_ids:
        scope = OutboxMessage.complex_id.in_(user.managed_complex_ids)
    else:
        scope = false()
    total = db.session.scalar(select(func.count(OutboxMessage.id)).where(scope))
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(scope)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(rows=rows, number=page, total=total, per_page=per_page)
