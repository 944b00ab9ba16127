"""E-mail for notifications: sent through SMTP when it is configured, logged when not.

Messages are queued on the database session and sent only after it commits, so a
rolled-back change never e-mails anyone; nothing here touches the database.
"""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

OUTBOX = "gachi_outbox"
SMTP_TIMEOUT_SECONDS = 10


def queue_email(session, *, to, message, params, link=""):
    """Send after `session` commits: `message` is an English message id, as in notify()."""
    session.info.setdefault(OUTBOX, []).append((to, message, dict(params), link))


def _render(message, params, link):
    """The recipient's language is not stored: e-mail goes out in the default one."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = gettext(message, **params)
        subject = gettext("Gachi living: a new notification")
    if link:
        body = f"{body}\n\n{link}"
    return subject, body


def send_email(to, subject, body):
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("E-mail not sent (no SMTP configured) to %s: %s | %s", to, subject, body)
        return False
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = config["MAIL_FROM"], to, subject
    email.set_content(body)
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS
        ) as smtp:
            if config.get("MAIL_USERNAME"):
                smtp.starttls()
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException):
        # The in-app notification stands; a mail server that is down must not fail the work.
        log.exception("E-mail to %s could not be sent", to)
        return False
    return True


@event.listens_for(Session, "after_commit")
def _send_queued(session):
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction itself has not committed yet
    queued = session.info.pop(OUTBOX, None)
    for to, message, params, link in queued or ():
        send_email(to, *_render(message, params, link))


@event.listens_for(Session, "after_rollback")
def _drop_queued(session):
    if not session.in_nested_transaction():
        session.info.pop(OUTBOX, None)
