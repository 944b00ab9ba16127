"""The verbs of notifications: notify people as each has chosen, mark what they have read,
and keep their choices."""

from sqlalchemy import select, update

from gachi.auth.models import User
from gachi.core.audit import log_change
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.notifications.mail import queue_email
from gachi.notifications.models import (
    DEFAULT_BY_EMAIL,
    DEFAULT_IN_APP,
    Notification,
    NotificationKind,
    NotificationPreference,
)


def notify(user_ids, message, *, link="", kind=NotificationKind.GENERAL, **params):
    """Tell each (active) user in `user_ids`, in the app and by e-mail as they have chosen.

    `message` is an English message id marked with N_(); it is translated when read,
    with `params` (plain strings and numbers) filled into its %(name)s places. E-mail
    goes out only after the transaction commits (gachi/notifications/mail.py).
    """
    if not user_ids:
        return []
    rows = db.session.execute(
        select(User.id, User.email, NotificationPreference.in_app, NotificationPreference.by_email)
        .outerjoin(
            NotificationPreference,
            (NotificationPreference.user_id == User.id) & (NotificationPreference.kind == kind),
        )
        .where(User.id.in_(set(user_ids)), User.active.is_(True))
        .order_by(User.id)
    ).all()
    notifications = []
    for user_id, email, in_app, by_email in rows:
        if DEFAULT_IN_APP if in_app is None else in_app:
            notifications.append(
                Notification(user_id=user_id, kind=kind, message=message, params=params, link=link)
            )
        if email and (DEFAULT_BY_EMAIL if by_email is None else by_email):
            queue_email(db.session, to=email, message=message, params=params, link=link)
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


def preferences_of(user):
    """{kind: (in_app, by_email)} for every kind, the defaults where nothing was chosen."""
    chosen = {
        row.kind: (row.in_app, row.by_email)
        for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    return {kind: chosen.get(kind, (DEFAULT_IN_APP, DEFAULT_BY_EMAIL)) for kind in NotificationKind}


def save_preferences(user, choices, *, actor):
    """`choices`: {kind: (in_app, by_email)}; kinds left out keep what they had."""
    before = preferences_of(user)
    for kind, (in_app, by_email) in choices.items():
        preference = db.session.get(NotificationPreference, (user.id, kind))
        if preference is None:
            preference = NotificationPreference(user_id=user.id, kind=kind)
            db.session.add(preference)
        preference.in_app, preference.by_email = bool(in_app), bool(by_email)
    log_change(
        "notifications.preferences",
        user,
        actor=actor,
        before={kind.value: str(value) for kind, value in before.items()},
        after={kind.value: str(value) for kind, value in choices.items()},
    )
    return preferences_of(user)
