"""The outbox: queue a message to one address on one channel, in the caller's transaction.

Nothing here sends: the scheduler's `outbox.send` job (gachi/notifications/jobs.py) does,
so a rolled-back change messages nobody and a request never waits on a mail server or a
text provider. `queue_message` is the one way in, for people with an account (through
notify()) and without one (a phone booking gives only a phone number).
"""

import re

from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.notifications.models import (
    Channel,
    NoticeOptOut,
    NotificationKind,
    OutboxMessage,
    OutboxStatus,
)

OPT_OUT_SALT = "gachi.notices.opt-out"
OPT_OUT_PATH = "/notices/stop?t="
LANGUAGES = ("ko", "en")


def normalized_address(channel, address):
    """A phone number as its digits ("010-1234-5678" → "01012345678"); an e-mail trimmed."""
    address = (address or "").strip()
    if Channel(channel) is Channel.EMAIL:
        return address
    return re.sub(r"\D", "", address)


def absolute_link(link):
    """`/sessions/9` → `https://…/sessions/9`: a message is read far from any request."""
    if not link or "://" in link:
        return link or ""
    return current_app.config["PUBLIC_URL"].rstrip("/") + "/" + link.lstrip("/")


def is_opted_out(channel, address):
    return (
        db.session.scalar(
            select(NoticeOptOut.id).where(
                NoticeOptOut.channel == Channel(channel), NoticeOptOut.address == address
            )
        )
        is not None
    )


def queue_message(
    *,
    channel,
    address,
    message,
    params=None,
    link="",
    kind=NotificationKind.GENERAL,
    language="ko",
    urgent=False,
    user_id=None,
    complex_id=None,
    dedupe_key=None,
):
    """Queue `message` for `address` on `channel` (a Channel or "email"/"sms"/"kakao").

    `message` is an English message id marked with N_(), `params` its %(name)s values
    (plain strings and numbers): both are rendered when sent, in `language` ("ko"/"en").
    `link` may be relative; it is stored absolute (PUBLIC_URL). `urgent` texts are sent
    in the quiet hours too. `user_id` is None for a person without an account;
    `complex_id` lets that complex's coordinators see the message. `dedupe_key` (e.g.
    "session-cancelled:<session id>:<address>") queues the same notice once: a second
    call returns the first message. An address that opted out gets a row marked
    skipped, so the coordinator sees why. Flushes; the caller's transaction commits.
    """
    channel = Channel(channel)
    address = normalized_address(channel, address)
    if dedupe_key is not None:
        existing = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    row = OutboxMessage(
        kind=kind,
        channel=channel,
        address=address,
        user_id=user_id,
        complex_id=complex_id,
        language=language if language in LANGUAGES else "ko",
        message=message,
        params=dict(params or {}),
        link=absolute_link(link),
        urgent=urgent,
        status=OutboxStatus.QUEUED,
        next_attempt_at=utcnow(),
        dedupe_key=dedupe_key,
    )
    if not address:
        row.status, row.reason = OutboxStatus.SKIPPED, "no address"
    elif is_opted_out(channel, address):
        row.status, row.reason = OutboxStatus.SKIPPED, "opted out"
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # the same dedupe key queued by a concurrent transaction
        return db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
    return row


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt=OPT_OUT_SALT)


def opt_out_token(channel, address):
    return _serializer().dumps([Channel(channel).value, address])


def read_opt_out_token(token):
    """(channel, address) from a token made by opt_out_token, or None if it is not one."""
    try:
        channel, address = _serializer().loads(token)
        return Channel(channel), str(address)
    except (BadSignature, ValueError, TypeError):
        return None


def opt_out_link(channel, address):
    return absolute_link(OPT_OUT_PATH + opt_out_token(channel, address))


def rendered(row):
    """(subject, body) of an outbox message in its language, with its absolute link and
    the link that stops such messages."""
    with force_locale(row.language):
        text = gettext(row.message, **(row.params or {}))
        subject = gettext("Gachi living: a new notification")
        stop = gettext(
            "To stop these messages: %(link)s", link=opt_out_link(row.channel, row.address)
        )
    parts = [text, row.link, stop] if row.link else [text, stop]
    return subject, "\n\n".join(parts)


def opt_out(channel, address):
    """Stop `channel` messages to `address`; what is queued for it is skipped. Idempotent."""
    if not is_opted_out(channel, address):
        db.session.add(NoticeOptOut(channel=channel, address=address))
        db.session.flush()
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.address == address,
            OutboxMessage.status == OutboxStatus.QUEUED,
        )
        .values(status=OutboxStatus.SKIPPED, reason="opted out")
        .execution_options(synchronize_session=False)
    )
