"""Notifications in the app: a line of text for one person, with a link to act on; each
person's choice of which kinds they get by which channel; and the outbox, where every
message to an address (e-mail, text, KakaoTalk) waits for the scheduler to send it."""

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from gachi.core.enums import LabelledEnum, enum_column_type
from gachi.core.time import utcnow
from gachi.extensions import db


def N_(message):
    """Mark a message for the catalogue; it is translated when shown, in the reader's language."""
    return message


class NotificationKind(LabelledEnum):
    """What a notification is about: each person chooses per kind how they hear of it."""

    BOOKINGS = ("bookings", _l("My bookings and the waiting list"))
    REMINDERS = ("reminders", _l("Reminders the day before a session"))
    SHIFTS = ("shifts", _l("Volunteer shifts"))
    BALLOTS = ("ballots", _l("Ballots opening and closing soon"))
    WORKSHOPS = ("workshops", _l("Workshop reminders"))
    NOTICES = ("notices", _l("Notices from my complex"))
    GENERAL = ("general", _l("Everything else (matches, plans, handovers)"))


class Channel(LabelledEnum):
    """How a message leaves the app for an address (the inbox is not one: it has no address)."""

    EMAIL = ("email", _l("E-mail"))
    SMS = ("sms", _l("Text message"))
    KAKAO = ("kakao", _l("KakaoTalk"))


class OutboxStatus(LabelledEnum):
    QUEUED = ("queued", _l("Waiting to be sent"))
    SENDING = ("sending", _l("Being sent"))
    SENT = ("sent", _l("Sent"))
    FAILED = ("failed", _l("Failed"))
    SKIPPED = ("skipped", _l("Not sent"))


# Where nobody has chosen: everything in the app, nothing by e-mail, text or KakaoTalk.
DEFAULT_IN_APP = True
DEFAULT_BY_EMAIL = False
DEFAULT_BY_SMS = False
DEFAULT_BY_KAKAO = False
# The wording a person agrees to when they let the service send them texts and KakaoTalk
# messages; a new wording gets a new version, and consents name the one they were given.
NOTICE_CONSENT_VERSION = "2026-12"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column_type(NotificationKind, "kind"),
        default=NotificationKind.GENERAL,
        server_default=NotificationKind.GENERAL.value,
    )
    # The English message id and its %(name)s values: each reader sees their own language.
    message: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    @property
    def text(self):
        return gettext(self.message, **(self.params or {}))

    def can_view(self, user):
        return user.is_authenticated and user.id == self.user_id


class NotificationPreference(db.Model):
    """One person's choice for one kind; a missing row means the defaults above."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column_type(NotificationKind, "kind"), primary_key=True
    )
    in_app: Mapped[bool] = mapped_column(default=DEFAULT_IN_APP)
    by_email: Mapped[bool] = mapped_column(default=DEFAULT_BY_EMAIL)
    by_sms: Mapped[bool] = mapped_column(default=DEFAULT_BY_SMS, server_default=false())
    by_kakao: Mapped[bool] = mapped_column(default=DEFAULT_BY_KAKAO, server_default=false())


class OutboxMessage(db.Model):
    """One message to one address on one channel, written in the transaction that causes
    it and sent by the scheduler (gachi/notifications/jobs.py), never by a request.

    The text is the English message id and its params, rendered in `language` when sent;
    the address is the one the person had when it was queued. `user_id` is empty for a
    person without an account; `complex_id` says whose coordinators see it.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        Index("ix_outbox_messages_complex_created", "complex_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(enum_column_type(NotificationKind, "kind"))
    channel: Mapped[Channel] = mapped_column(enum_column_type(Channel, "channel"))
    address: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    complex_id: Mapped[int | None] = mapped_column(ForeignKey("complexes.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column_type(OutboxStatus, "status"), default=OutboxStatus.QUEUED
    )
    reason: Mapped[str] = mapped_column(String(500), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Claimed by a sender; `send_started_at` is committed just before the provider is
    # called, so a sender that died before it never reached the provider.
    claimed_at: Mapped[datetime | None]
    send_started_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The same notice to the same address is queued once ("session-cancelled:<id>:<addr>").
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    @property
    def shown_address(self):
        """An e-mail as it is; a phone with its middle hidden (01012345678 → 010****5678)."""
        if self.channel is Channel.EMAIL or len(self.address) < 8:
            return self.address
        return self.address[:3] + "*" * (len(self.address) - 7) + self.address[-4:]


class NoticeConsent(db.Model):
    """A person's consent to service notices by text and KakaoTalk: when, to which wording,
    and when they withdrew it. The current consent is the newest not withdrawn."""

    __tablename__ = "notice_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    wording_version: Mapped[str] = mapped_column(String(16))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]


class NoticeOptOut(db.Model):
    """An address that asked, from a message, to get no more notices on a channel."""

    __tablename__ = "notice_opt_outs"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column_type(Channel, "channel"))
    address: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SentReminder(db.Model):
    """One reminder sent to one person about one thing (`subject`, e.g. "ballot.closing",
    and its id). The unique row is the claim: a reminder whose row is already there is
    not sent again, however many schedulers run (gachi/notifications/operations.py,
    `claim_reminders`)."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("subject", "subject_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
