"""Deleting one's own account: the person goes, what they gave the complex stays."""

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from gachi.auth.operations import WrongPassword, end_all_sessions
from gachi.auth.passwords import verify_password
from gachi.core.audit import log_change
from gachi.core.errors import NotAllowed
from gachi.core.time import utcnow
from gachi.extensions import db
from gachi.notifications.models import Notification, NotificationPreference, OutboxMessage
from gachi.people.models import ERASED_NAME
from gachi.people.operations import erase_person_fields
from gachi.programs.bookings.models import Booking, BookingStatus
from gachi.programs.bookings.operations import BookingClosed, cancel_booking
from gachi.programs.calendar.models import CalendarToken
from gachi.programs.sessions.models import ProgramSession
from gachi.workshops.models import WorkshopAttendance

# What neighbours see in place of the name on problems, comments and past bookings.
FORMER_RESIDENT_NAME = "탈퇴한 주민"


class DeletionRefused(NotAllowed):
    code = "deletion_refused"
    default_message = _l(
        "Accounts of coordinators, partners and center staff are closed by the "
        "center. Please ask an administrator."
    )


def can_delete_own_account(user):
    """Residents close their own accounts; the center closes everyone else's."""
    return user.is_authenticated and user.is_resident


def _cancel_future_bookings(user, actor, now):
    """Through the programmes' own cancel, so each waiting list moves in this transaction.

    A booking past its programme's cancel deadline stays: the coordinator sees it under
    the pseudonym and can release it, as with any late cancellation by phone.
    """
    bookings = db.session.scalars(
        select(Booking)
        .join(ProgramSession, Booking.session_id == ProgramSession.id)
        .where(
            Booking.user_id == user.id,
            Booking.status != BookingStatus.CANCELLED,
            ProgramSession.starts_at > now,
        )
        .order_by(Booking.id)
    ).all()
    for booking in bookings:
        try:
            cancel_booking(booking, actor=actor, now=now)
        except BookingClosed:
            continue


def _erase_personal_fields(user, now):
    user.display_name = FORMER_RESIDENT_NAME
    user.username = f"former-{user.id}-{secrets.token_hex(8)}"
    user.phone = None
    user.email = None
    # Not an Argon2 hash, so no password can ever match it.
    user.password_hash = f"!deleted-{secrets.token_hex(16)}"
    user.active = False
    db.session.execute(
        update(Booking)
        .where(Booking.user_id == user.id)
        .values(dependants="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(CalendarToken)
        .where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(
        delete(NotificationPreference).where(NotificationPreference.user_id == user.id)
    )
    # The outbox keeps each message's address: theirs go, sent or waiting.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id))


def delete_own_account(user, password, actor, *, now=None):
    """Close `user`'s account at their own request, after they typed their password.

    Future bookings are released, personal fields erased and every session ended. Their
    problems and comments stay under the pseudonym; their votes stay counted (the roll
    keeps its row, and nothing links a choice to anyone). The audit entry names the id only.
    """
    now = now or utcnow()
    if not can_delete_own_account(user):
        raise DeletionRefused()
    if not verify_password(user.password_hash, password):
        raise WrongPassword()
    _cancel_future_bookings(user, actor, now)
    _erase_personal_fields(user, now)
    db.session.flush()
    end_all_sessions(user)
    log_change("account.deleted", user, actor=actor)


def erase_person(person, *, actor, now=None):
    """Erase a person without an account at their request (staff of the center only):
    their name, phone number and consent go, from their own row and from the bookings and
    workshop check-ins that named them; the rows stay, so the figures they are part of do
    not change, and the person counts still once, as "erased". Audited by id only."""
    now = now or utcnow()
    if not person.can_erase(actor):
        raise NotAllowed(_l("Only center staff erase a person, and only one without an account."))
    erase_person_fields(person, now)
    db.session.execute(
        update(Booking)
        .where(Booking.person_id == person.id)
        .values(name=ERASED_NAME, dependants="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(WorkshopAttendance)
        .where(WorkshopAttendance.person_id == person.id)
        .values(name=ERASED_NAME)
        .execution_options(synchronize_session=False)
    )
    log_change("person.erase", person, actor=actor, complex_id=person.complex_id)
