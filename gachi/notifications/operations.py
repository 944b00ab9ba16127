"""The verbs of the in-app inbox: notify people, mark what they have read."""
from sqlalchemy import select, update

from gachi.auth.models import User
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.notifications.models import Notification


def notify(user_ids, message, *, link="", **params):
    """One notification per (active) user in `user_ids`.

    `message` is an English message id marked with N_(); it is translated when read,
    with `params` (plain strings and numbers) filled into its %(name)s places.
    """
    recipients = db.session.scalars(
        select(User.id).where(User.id.in_(set(user_ids)), User.active.is_(True)).order_by(User.id)
    ).all() if user_ids else []
    notifications = [Notification(user_id=user_id, message=message, params=params, link=link)
                     for user_id in recipients]
    db.session.add_all(notifications)
    return notifications


def mark_read(notification, *, actor):
    """Read by its reader; reading twice changes nothing."""
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(notification)
    return notification


def mark_all_read(user):
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
