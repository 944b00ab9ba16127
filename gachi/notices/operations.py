"""The verbs of the notice board: post a notice (and send it), edit, unpin, remove."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from gachi.core.audit import log_change
from gachi.core.errors import DomainError, NotAllowed
from gachi.extensions import db
from gachi.notices.models import Notice, NoticeChannel
from gachi.notices.queries import resident_ids_of
from gachi.notifications.models import N_, Channel, NotificationKind
from gachi.notifications.operations import IN_APP, notify


class ExpiryInThePast(DomainError):
    code = "notice_expired"
    field = "expires_on"
    default_message = _l("The last day on the board cannot be in the past.")


def notice_link(notice: Notice) -> str:
    return f"/notices/{notice.id}"


def _check(complex_, actor, expires_on: date | None, today: date) -> None:
    if not complex_.can_manage(actor):
        raise NotAllowed()
    if expires_on is not None and expires_on < today:
        raise ExpiryInThePast()


def _values(notice: Notice) -> dict:
    return {
        "title": notice.title,
        "body": notice.body,
        "pinned": notice.pinned,
        "expires_on": notice.expires_on,
        "channels": ",".join(notice.channels or []),
    }


# The coordinator's ticks as the ways notify() knows; each resident still gets only
# those of them they chose for notices.
WAYS = {
    NoticeChannel.IN_APP: IN_APP,
    NoticeChannel.EMAIL: Channel.EMAIL,
    NoticeChannel.TEXT: Channel.SMS,
    NoticeChannel.KAKAO: Channel.KAKAO,
}


def post_notice(
    complex_,
    *,
    title: str,
    body: str,
    pinned: bool,
    expires_on: date | None,
    channels: list[NoticeChannel],
    actor,
    now: datetime,
    today: date,
) -> Notice:
    """Put a notice on the complex's board and tell every resident account of the
    complex by the ways ticked (in the app, e-mail, text, KakaoTalk), each as far as they
    chose those ways for notices: the outbox sends all but the inbox."""
    _check(complex_, actor, expires_on, today)
    notice = Notice(
        complex_id=complex_.id,
        title=title,
        body=body,
        pinned=pinned,
        expires_on=expires_on,
        channels=[channel.value for channel in NoticeChannel if channel in channels],
        author_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(notice)
    db.session.flush()
    log_change("notices.post", notice, actor=actor, after=_values(notice), complex_id=complex_.id)
    via = {WAYS[channel] for channel in channels}
    if via:
        notify(
            resident_ids_of(complex_.id),
            N_("Notice from %(complex)s: %(title)s"),
            link=notice_link(notice),
            kind=NotificationKind.NOTICES,
            via=via,
            complex=complex_.name,
            title=title,
        )
    return notice


def edit_notice(
    notice: Notice,
    *,
    title: str,
    body: str,
    pinned: bool,
    expires_on: date | None,
    actor,
    now: datetime,
    today: date,
) -> Notice:
    """Correct what a notice says; it is not sent again."""
    if notice.is_removed:
        raise NotAllowed()
    if expires_on != notice.expires_on:  # an old notice keeps its past last day
        _check(notice.complex, actor, expires_on, today)
    elif not notice.can_manage(actor):
        raise NotAllowed()
    before = _values(notice)
    notice.title, notice.body, notice.pinned, notice.expires_on = title, body, pinned, expires_on
    notice.updated_at = now
    log_change(
        "notices.edit",
        notice,
        actor=actor,
        before=before,
        after=_values(notice),
        complex_id=notice.complex_id,
    )
    return notice


def unpin_notice(notice: Notice, *, actor, now: datetime) -> Notice:
    if not notice.can_unpin(actor):
        raise NotAllowed()
    notice.pinned, notice.updated_at = False, now
    log_change(
        "notices.unpin",
        notice,
        actor=actor,
        before={"pinned": True},
        after={"pinned": False},
        complex_id=notice.complex_id,
    )
    return notice


def remove_notice(notice: Notice, *, actor, now: datetime) -> Notice:
    """Take a notice off the board. The row stays, for the audit log and its links."""
    if not notice.can_remove(actor):
        raise NotAllowed()
    notice.removed_at, notice.removed_by_id = now, actor.id
    log_change(
        "notices.remove",
        notice,
        actor=actor,
        before=_values(notice),
        complex_id=notice.complex_id,
    )
    return notice
