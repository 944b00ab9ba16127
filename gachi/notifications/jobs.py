"""The scheduler's `outbox.send` job: send what the outbox holds, each message at most once.

A run, for each channel:
1. claims due messages in one committed UPDATE (status 'queued' → 'sending', conditional
   on the status read; FOR UPDATE SKIP LOCKED under an advisory lock on PostgreSQL, the
   write lock on SQLite), no more than the channel's per-minute rate leaves room for, and
   no texts or KakaoTalk messages in the quiet hours (21:00–08:00 Seoul) unless urgent;
2. for each message, commits `send_started_at`, calls the provider, then commits the
   outcome: sent; queued again after 1, 2, 4… minutes for a transient failure (up to
   OUTBOX_MAX_ATTEMPTS); failed; or skipped when no provider is configured.

A message left 'sending' past OUTBOX_SENDING_TIMEOUT (its sender was killed) is looked
at by the next run. If its send never started it is queued again: the provider never saw
it. If its send had started, the provider may have taken it:
- a text or KakaoTalk message carries its outbox id to SOLAPI, so SOLAPI is asked: if it
  holds the message, it is marked sent with SOLAPI's id; if not, it was never handed
  over and is queued again; if SOLAPI cannot be asked, it stays in doubt and is asked
  again by the next run, for up to OUTBOX_IN_DOUBT_LIMIT after its claim, then failed
  "unknown". So each text is sent at most once, and eventually.
- an e-mail cannot be looked up at an SMTP server, so it is marked failed, "unknown",
  and NOT sent again: at most once beats twice for a reminder or a cancellation, and the
  coordinator's status page shows it to follow up by phone.
"""

import logging
from collections import Counter
from datetime import time, timedelta

from flask import current_app
from sqlalchemy import func, select, text, update

from gachi.core.db import rows_matched
from gachi.core.time import to_seoul
from gachi.extensions import db
from gachi.notifications.channels import (
    NoProvider,
    PermanentFailure,
    TransientFailure,
    find_text,
    send,
)
from gachi.notifications.models import Channel, OutboxMessage, OutboxStatus
from gachi.notifications.outbox import is_opted_out, rendered

log = logging.getLogger(__name__)

QUIET_FROM, QUIET_UNTIL = time(21, 0), time(8, 0)
QUIET_CHANNELS = (Channel.SMS, Channel.KAKAO)
CLAIM_LOCK = 0x6761_6368  # pg_advisory_xact_lock key: one claim at a time ("gach")
UNKNOWN = "unknown: the sender stopped while sending; not sent again so nobody gets it twice"
UNKNOWN_TEXT = "unknown: the sender stopped while sending and the provider could not be asked:"

LOOKUP_MARGIN = timedelta(hours=1)
STALLED_LABELS = {
    "sent": "found sent",
    "queued": "queued again",
    "in doubt": "still in doubt",
    "failed": "failed as unknown",
}


def in_quiet_hours(now):
    moment = to_seoul(now).time()
    return moment >= QUIET_FROM or moment < QUIET_UNTIL


def _requeue(where, reason):
    return db.session.execute(
        update(OutboxMessage)
        .where(where)
        .values(
            status=OutboxStatus.QUEUED,
            attempts=OutboxMessage.attempts - 1,
            claimed_at=None,
            send_started_at=None,
            reason=reason,
        )
        .execution_options(synchronize_session=False)
    )


def _settle_in_doubt(row, now):
    """Ask SOLAPI about one text whose sender died mid-send; 'sent', 'queued', 'failed'
    or None (still in doubt). Conditional on the row being as read: one recoverer wins."""
    same = (
        (OutboxMessage.id == row.id)
        & (OutboxMessage.status == OutboxStatus.SENDING)
        & (OutboxMessage.claimed_at == row.claimed_at)
    )
    try:
        # An hour's margin for the provider's clock: missing the text would send it twice.
        provider_id = find_text(row, since=row.send_started_at - LOOKUP_MARGIN)
    except TransientFailure as reason:
        if row.claimed_at > now - current_app.config["OUTBOX_IN_DOUBT_LIMIT"]:
            log.warning("Outbox message %s still in doubt: %s", row.id, reason)
            return None
        result = db.session.execute(
            update(OutboxMessage)
            .where(same)
            .values(status=OutboxStatus.FAILED, reason=f"{UNKNOWN_TEXT} {reason}"[:500])
            .execution_options(synchronize_session=False)
        )
        return "failed" if rows_matched(result) else None
    if provider_id is None:
        result = _requeue(same, "the sender stopped mid-send; the provider has no such text")
        return "queued" if rows_matched(result) else None
    result = db.session.execute(
        update(OutboxMessage)
        .where(same)
        .values(
            status=OutboxStatus.SENT,
            sent_at=row.send_started_at,
            provider_message_id=provider_id,
            reason="the sender stopped mid-send; the provider had it",
        )
        .execution_options(synchronize_session=False)
    )
    return "sent" if rows_matched(result) else None


def recover_stalled(now):
    """Messages whose sender died: queued again if never handed over; a text handed over
    settled by asking its provider; an e-mail handed over failed. What was done, counted."""
    stale = now - current_app.config["OUTBOX_SENDING_TIMEOUT"]
    sending = (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_at < stale)
    started = sending & OutboxMessage.send_started_at.is_not(None)
    done = Counter()
    done["queued"] = rows_matched(
        _requeue(
            sending & OutboxMessage.send_started_at.is_(None),
            "claimed by a sender that stopped before sending; queued again",
        )
    )
    done["failed"] = rows_matched(
        db.session.execute(
            update(OutboxMessage)
            .where(started, OutboxMessage.channel == Channel.EMAIL)
            .values(status=OutboxStatus.FAILED, reason=UNKNOWN)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    in_doubt = db.session.scalars(
        select(OutboxMessage)
        .where(started, OutboxMessage.channel.in_(QUIET_CHANNELS))
        .order_by(OutboxMessage.id)
    ).all()
    db.session.commit()  # no transaction held open while the provider is asked
    for row in in_doubt:
        settled = _settle_in_doubt(row, now)
        db.session.commit()
        done[settled or "in doubt"] += 1
    return done


def claim(channel, now):
    """Take this channel's due messages, as many as its rate allows; commit the claim."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
    rate = current_app.config["OUTBOX_RATE_PER_MINUTE"][channel.value]
    taken = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.channel == channel,
            OutboxMessage.claimed_at > now - timedelta(minutes=1),
        )
    )
    room = rate - taken
    due = select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.QUEUED,
        OutboxMessage.channel == channel,
        OutboxMessage.next_attempt_at <= now,
    )
    if channel in QUIET_CHANNELS and in_quiet_hours(now):
        due = due.where(OutboxMessage.urgent.is_(True))
    due = (
        due.order_by(OutboxMessage.urgent.desc(), OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(max(room, 0))
        .with_for_update(skip_locked=True)
    )
    # Two statements, not UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE): PostgreSQL
    # may run such a subquery again for each row, and rows this UPDATE has just changed
    # are skipped by the next run of it, so the LIMIT would take everything.
    chosen = db.session.scalars(due).all() if room > 0 else []
    claimed = []
    if chosen:
        claimed = db.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(chosen), OutboxMessage.status == OutboxStatus.QUEUED)
            .values(
                status=OutboxStatus.SENDING,
                claimed_at=now,
                send_started_at=None,
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).all()
    db.session.commit()
    return sorted(claimed)


def _started(message_id, now):
    """Commit that this sender is about to hand the message over; False if it is not ours."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(send_started_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return rows_matched(result) == 1


def _outcome(row, now):
    """Send `row` and return the values to record."""
    if is_opted_out(row.channel, row.address):
        return {"status": OutboxStatus.SKIPPED, "reason": "opted out"}
    try:
        provider_id = send(row, *rendered(row))
    except NoProvider as reason:
        return {"status": OutboxStatus.SKIPPED, "reason": str(reason)}
    except TransientFailure as reason:
        if row.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
            return {
                "status": OutboxStatus.FAILED,
                "reason": f"gave up after {row.attempts} attempts: {reason}",
            }
        wait = current_app.config["OUTBOX_RETRY_AFTER"] * 2 ** (row.attempts - 1)
        return {"status": OutboxStatus.QUEUED, "reason": str(reason), "next_attempt_at": now + wait}
    except PermanentFailure as reason:
        return {"status": OutboxStatus.FAILED, "reason": str(reason)}
    except Exception as error:  # a fault of ours mid-send: the provider may have it
        log.exception("Outbox message %s failed while sending", row.id)
        return {"status": OutboxStatus.FAILED, "reason": f"unknown: {error!r}"}
    return {
        "status": OutboxStatus.SENT,
        "reason": "",
        "sent_at": now,
        "provider_message_id": provider_id,
    }


def deliver(message_id, now):
    """Send one claimed message and commit what happened; its new status."""
    if not _started(message_id, now):
        return None
    row = db.session.get(OutboxMessage, message_id)
    values = _outcome(row, now)
    values["reason"] = values["reason"][:500]
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return values["status"]


def send_outbox(now):
    """The `outbox.send` job: what this run did, e.g. "sent 3, queued 1"."""
    stalled = recover_stalled(now)
    outcomes = Counter()
    for channel in Channel:
        for message_id in claim(channel, now):
            outcomes[deliver(message_id, now)] += 1
    summary = ", ".join(f"{status.value} {count}" for status, count in outcomes.items() if status)
    summary = summary or "nothing due"
    if stalled.total():
        summary += "; stalled: " + ", ".join(
            f"{stalled[what]} {label}" for what, label in STALLED_LABELS.items() if stalled[what]
        )
    return summary
