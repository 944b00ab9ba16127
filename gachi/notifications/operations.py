"""The verbs of notifications: notify people as each has chosen, mark what they have read,
and keep their choices."""

from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gachi.auth.models import User
from gachi.complexes.models import Household
from gachi.core.audit import log_change
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.notifications.models import (
    DEFAULT_BY_EMAIL,
    DEFAULT_BY_KAKAO,
    DEFAULT_BY_SMS,
    DEFAULT_IN_APP,
    NOTICE_CONSENT_VERSION,
    Channel,
    NoticeConsent,
    Notification,
    NotificationKind,
    NotificationPreference,
    SentReminder,
)
from gachi.notifications.outbox import queue_message


class Choice(NamedTuple):
    """How one person hears of one kind of notice."""

    in_app: bool = DEFAULT_IN_APP
    email: bool = DEFAULT_BY_EMAIL
    sms: bool = DEFAULT_BY_SMS
    kakao: bool = DEFAULT_BY_KAKAO


def _chosen(value, default):
    return default if value is None else value


# The inbox, as one of the ways `notify(via=...)` may use; Channel has the others.
IN_APP = "in_app"


def notify(user_ids, message, *, link="", kind=NotificationKind.GENERAL, via=None, **params):
    """Tell each (active) user in `user_ids`, in the app and on the channels they chose.

    `via` narrows the ways the sender allows (IN_APP and Channel members; None: all), as
    a coordinator ticks them for a notice: nobody gets a way they did not choose.

    `message` is an English message id marked with N_(); it is translated when read,
    with `params` (plain strings and numbers) filled into its %(name)s places. E-mail,
    texts and KakaoTalk are queued in the outbox in this transaction, in each person's
    language, and sent by the scheduler (gachi/notifications/jobs.py); texts and
    KakaoTalk only to those who consented to service notices.
    """
    if not user_ids:
        return []
    preference = NotificationPreference
    rows = db.session.execute(
        select(
            User.id,
            User.email,
            User.phone,
            User.language,
            Household.complex_id,
            preference.in_app,
            preference.by_email,
            preference.by_sms,
            preference.by_kakao,
        )
        .outerjoin(Household, Household.id == User.household_id)
        .outerjoin(preference, (preference.user_id == User.id) & (preference.kind == kind))
        .where(User.id.in_(set(user_ids)), User.active.is_(True))
        .order_by(User.id)
    ).all()
    consented = consenting_users([row.id for row in rows])
    notifications = []
    for row in rows:
        if (via is None or IN_APP in via) and _chosen(row.in_app, DEFAULT_IN_APP):
            notifications.append(
                Notification(user_id=row.id, kind=kind, message=message, params=params, link=link)
            )
        wanted = {
            Channel.EMAIL: row.email and _chosen(row.by_email, DEFAULT_BY_EMAIL),
            Channel.SMS: row.phone and row.id in consented and _chosen(row.by_sms, DEFAULT_BY_SMS),
            Channel.KAKAO: row.phone
            and row.id in consented
            and _chosen(row.by_kakao, DEFAULT_BY_KAKAO),
        }
        for channel, chosen in wanted.items():
            if chosen and (via is None or channel in via):
                queue_message(
                    channel=channel,
                    address=row.email if channel is Channel.EMAIL else row.phone,
                    message=message,
                    params=params,
                    link=link,
                    kind=kind,
                    language=row.language,
                    user_id=row.id,
                    complex_id=row.complex_id,
                )
    db.session.add_all(notifications)
    return notifications


def consenting_users(user_ids):
    """Those of `user_ids` whose consent to service notices stands."""
    return set(
        db.session.scalars(
            select(NoticeConsent.user_id).where(
                NoticeConsent.user_id.in_(user_ids), NoticeConsent.withdrawn_at.is_(None)
            )
        )
    )


def current_consent(user):
    return db.session.scalar(
        select(NoticeConsent)
        .where(NoticeConsent.user_id == user.id, NoticeConsent.withdrawn_at.is_(None))
        .order_by(NoticeConsent.given_at.desc(), NoticeConsent.id.desc())
    )


def set_consent(user, consents, *, now=None):
    """Record consent to the current wording, or withdraw it; unchanged if already so."""
    now = now or utcnow()
    consent = current_consent(user)
    if consents and (consent is None or consent.wording_version != NOTICE_CONSENT_VERSION):
        if consent is not None:
            consent.withdrawn_at = now
        db.session.add(
            NoticeConsent(user_id=user.id, wording_version=NOTICE_CONSENT_VERSION, given_at=now)
        )
    elif not consents and consent is not None:
        consent.withdrawn_at = now
    db.session.flush()


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
    """{kind: Choice} for every kind, the defaults where nothing was chosen."""
    chosen = {
        row.kind: Choice(row.in_app, row.by_email, row.by_sms, row.by_kakao)
        for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    return {kind: chosen.get(kind, Choice()) for kind in NotificationKind}


def save_preferences(user, choices, *, actor):
    """`choices`: {kind: Choice (or a tuple in its order)}; kinds left out keep theirs."""
    before = preferences_of(user)
    for kind, values in choices.items():
        choice = Choice(*values)
        preference = db.session.get(NotificationPreference, (user.id, kind))
        if preference is None:
            preference = NotificationPreference(user_id=user.id, kind=kind)
            db.session.add(preference)
        preference.in_app, preference.by_email = bool(choice.in_app), bool(choice.email)
        preference.by_sms, preference.by_kakao = bool(choice.sms), bool(choice.kakao)
    log_change(
        "notifications.preferences",
        user,
        actor=actor,
        before={kind.value: str(tuple(value)) for kind, value in before.items()},
        after={kind.value: str(tuple(Choice(*value))) for kind, value in choices.items()},
    )
    return preferences_of(user)


def save_profile(user, *, phone, email, language, consents, choices, actor, now=None):
    """A person's own contact details, language, consent and choices, in one change."""
    before = {"phone": user.phone, "email": user.email, "language": user.language}
    user.phone, user.email, user.language = phone or None, email or None, language
    after = {"phone": user.phone, "email": user.email, "language": user.language}
    # Which details changed, not the numbers and addresses themselves: the audit log
    # is read by staff who need to know that, not what.
    changed = sorted(field for field in before if before[field] != after[field])
    log_change("notifications.profile", user, actor=actor, after={"changed": changed})
    set_consent(user, consents, now=now)
    return save_preferences(user, choices, actor=actor)


def claim_reminders(subject, subject_id, user_ids, now):
    """Claim the reminder about (`subject`, `subject_id`) for each of `user_ids`: a row in
    sent_reminders, inserted unless one is there (ON CONFLICT DO NOTHING, so two
    schedulers at once never both claim it). Returns the ids claimed now, in order."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    claimed = []
    for user_id in sorted(set(user_ids)):
        result = db.session.execute(
            insert(SentReminder)
            .values(subject=subject, subject_id=subject_id, user_id=user_id, sent_at=now)
            .on_conflict_do_nothing(index_elements=["subject", "subject_id", "user_id"])
            .returning(SentReminder.id)
        )
        if result.scalar() is not None:  # no row back: it was claimed before
            claimed.append(user_id)
    return claimed


def send_reminder(subject, subject_id, user_ids, now, message, *, kind, link="", **params):
    """Tell each of `user_ids` not yet reminded of (`subject`, `subject_id`), once.
    Returns how many were reminded now."""
    claimed = claim_reminders(subject, subject_id, user_ids, now)
    notify(claimed, message, link=link, kind=kind, **params)
    return len(claimed)
