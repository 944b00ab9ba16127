"""The verbs of bookings: book seats (or items), cancel, move up the waiting list, take
walk-ins, check people in and mark no-shows.

Seats are counted by one conditional UPDATE in the booking's own transaction
(`seats_taken + n <= capacity`), which SQLite and PostgreSQL both apply atomically: many
people taking the last seats at once never take more than there are. A cancellation
and the move up the waiting list it allows happen in one transaction, the session's row
locked first so two cancellations move people up one after the other.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, union_all, update
from sqlalchemy.exc import IntegrityError

from gachi.core.audit import log_change
from gachi.core.codes import new_code, normalise_code
from gachi.core.errors import Conflict, DomainError, NotAllowed
from gachi.core.time import seoul_label, utcnow
from gachi.extensions import db
from gachi.notifications.models import N_, Channel, NotificationKind
from gachi.notifications.operations import notify
from gachi.notifications.outbox import queue_message
from gachi.people.operations import person_for, update_contact
from gachi.people.queries import contact_for_booking
from gachi.programs.bookings.models import Attendance, Booking, BookingChannel, BookingStatus
from gachi.programs.sessions import attendance as door
from gachi.programs.sessions.models import ProgramSession, SessionState


class BookingClosed(DomainError):
    code = "booking_closed"
    status = 409


class SessionFull(Conflict):
    code = "session_full"
    default_message = _l("There are not enough places left in this session.")


def session_link(program_session):
    return f"/sessions/{program_session.id}"


def tell_booking_holders(bookings, message, *, kind, link, dedupe, **params):
    """Tell whoever holds each booking: an account (or the account a person joined as)
    as they chose (`notify`); a person without an account by text message at their
    number, if they agreed to booking texts, once per `dedupe` key ("what:<id>", the
    address added). Returns how many were told."""
    user_ids, told = set(), 0
    for booking in bookings:
        contact = contact_for_booking(booking)
        if contact is None:
            continue
        if contact.user_id is not None:
            user_ids.add(contact.user_id)
        elif contact.phone and contact.texts_agreed:
            queue_message(
                channel=Channel.SMS,
                address=contact.phone,
                message=message,
                params=params,
                link=link,
                kind=kind,
                language=contact.language,
                complex_id=booking.program_session.program.complex_id,
                dedupe_key=f"{dedupe}:{contact.phone}",
            )
            told += 1
    notify(sorted(user_ids), message, link=link, kind=kind, **params)
    return told + len(user_ids)


# Seats ----------------------------------------------------------------------------------


def _take_seats(program_session, count):
    """Take `count` seats if they are free, atomically; True if taken."""
    result = db.session.execute(
        update(ProgramSession)
        .where(
            ProgramSession.id == program_session.id,
            ProgramSession.state == SessionState.SCHEDULED,
            ProgramSession.seats_taken + count <= ProgramSession.capacity,
        )
        .values(seats_taken=ProgramSession.seats_taken + count)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(program_session, ["seats_taken"])
    return result.rowcount == 1


def _give_back_seats(program_session, count):
    db.session.execute(
        update(ProgramSession)
        .where(ProgramSession.id == program_session.id)
        .values(seats_taken=ProgramSession.seats_taken - count)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(program_session, ["seats_taken"])


def _lock(program_session):
    """Hold the session's row until the transaction ends (SQLite's writers queue anyway)."""
    db.session.execute(
        select(ProgramSession.id).where(ProgramSession.id == program_session.id).with_for_update()
    )


def _someone_waiting(program_session, before_id=None):
    condition = [Booking.session_id == program_session.id, Booking.status == BookingStatus.WAITING]
    if before_id is not None:
        condition.append(Booking.id < before_id)
    return db.session.scalar(select(exists().where(*condition)))


def waiting_position(booking):
    """1 for the first in line; None when the booking is not waiting. Counted in id
    order, the order move_up_waiting confirms in; exact on PostgreSQL too because
    joining the line is serialised on the session's row (_join_the_line)."""
    if booking.status is not BookingStatus.WAITING:
        return None
    return db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.session_id == booking.session_id,
            Booking.status == BookingStatus.WAITING,
            Booking.id <= booking.id,
        )
    )


# Booking --------------------------------------------------------------------------------


def _check_open(program_session, *, now, online):
    """Refuse, with the reason, when `ProgramSession.is_bookable` says no."""
    if program_session.is_bookable(now, online=online):
        return
    if program_session.is_cancelled:
        raise BookingClosed(_l("This session is cancelled."))
    if not program_session.in_booking_stage:
        raise BookingClosed(_l("Sessions are booked while the programme is running."))
    if online and now < program_session.bookings_open_at:
        raise BookingClosed(
            _l("Bookings for this session open on %(when)s."),
            when=seoul_label(program_session.bookings_open_at),
        )
    raise BookingClosed(
        _l("Bookings for this session closed on %(when)s."),
        when=seoul_label(program_session.bookings_close_at(online=online)),
    )


def _join_the_line(program_session):
    """The waiting list's turnstile: the session's row locked (FOR UPDATE on PostgreSQL)
    before the booking gets its id, and held until it commits. Places in line are counted,
    and moved up, in id order; PostgreSQL hands out ids when rows are inserted, not when
    they commit, so without the lock a booking could count the line while one with a
    smaller id was still in flight, and be told a better place than it has (102 of 197
    in a 200-way race). SQLite's write lock orders them anyway.

    A place on the waiting list takes no seat, so the seats' conditional UPDATE does not
    guard it: the session's state is read here, under the lock (a cancellation then waits
    for the booking, which it will tell, or the booking waits and sees it)."""
    state = db.session.execute(
        select(ProgramSession.state)
        .where(ProgramSession.id == program_session.id)
        .with_for_update()
    ).scalar_one()
    if state is SessionState.CANCELLED:
        raise BookingClosed(_l("This session is cancelled."))


def _check_party(program_session, party_size):
    program = program_session.program
    if not isinstance(party_size, int) or party_size < 1:
        raise DomainError(_l("Book at least one place."))
    if party_size > program.max_party_size:
        raise DomainError(
            _l("At most %(count)s places can be booked at once."), count=program.max_party_size
        )
    if party_size > program_session.capacity:
        raise DomainError(
            _l("This session has only %(count)s places in all."), count=program_session.capacity
        )


def _check_who(program_session, *, actor, resident, name, channel):
    if channel is BookingChannel.ONLINE:
        if resident is None or resident.id != actor.id or not program_session.can_book(actor):
            raise NotAllowed(_l("Only residents of this complex can book this session."))
        return
    if not program_session.can_book_for_others(actor):
        raise NotAllowed()
    if resident is not None and resident.complex_id != program_session.program.complex_id:
        raise DomainError(_l("That resident does not live in this complex."))
    if resident is None and not name.strip():
        raise DomainError(_l("Choose a registered resident or write a name."))


def _someone(program_session, *, actor, resident, person, name, household, phone, consent, now):
    """The person booked or walking in without an account (gachi/people): the one chosen,
    or the one of `household` with this phone (or name) found again or written down now.
    None for a resident, or a name given without a household (nobody to find again)."""
    if resident is not None:
        return None
    complex_id = program_session.program.complex_id
    if person is not None:
        if person.complex_id != complex_id or person.is_erased:
            raise DomainError(_l("That person does not live in this complex."))
        return update_contact(person, phone=phone, consent=consent, now=now)
    if household is None:
        if phone or consent:
            raise DomainError(_l("Choose their household, so that they are found again by it."))
        return None
    if household.complex_id != complex_id:
        raise DomainError(_l("Choose a household of this complex."))
    return person_for(household, name=name, phone=phone, consent=consent, actor=actor, now=now)


def _existing(program_session, resident, request_key):
    """The booking this request made already (the same key: a form sent twice); a
    Conflict if the resident holds another one for this session; else None. One query
    asks both questions (a UNION, so that each half uses its index)."""
    asked = []
    if request_key:
        asked.append(select(Booking).where(Booking.request_key == request_key))
    if resident is not None:
        asked.append(
            select(Booking).where(
                Booking.session_id == program_session.id,
                Booking.user_id == resident.id,
                Booking.status != BookingStatus.CANCELLED,
            )
        )
    if not asked:
        return None
    found = db.session.scalars(select(Booking).from_statement(union_all(*asked))).all()
    for booking in found:
        if request_key and booking.request_key == request_key:
            if booking.session_id != program_session.id:
                raise Conflict()
            return booking
    if found:
        raise Conflict(
            _l("%(name)s already has a booking for this session."), name=resident.display_name
        )
    return None


def _check_not_booked(program_session, person):
    """A person holds one active booking per session, as a resident does."""
    if person is None:
        return
    if db.session.scalar(
        select(
            exists().where(
                Booking.session_id == program_session.id,
                Booking.person_id == person.id,
                Booking.status != BookingStatus.CANCELLED,
            )
        )
    ):
        raise Conflict(_l("%(name)s already has a booking for this session."), name=person.name)


def book_seat(
    program_session,
    *,
    actor,
    resident=None,
    name="",
    household=None,
    person=None,
    phone=None,
    consent=False,
    party_size=1,
    dependants="",
    channel=BookingChannel.ONLINE,
    request_key=None,
    now=None,
):
    """Book `party_size` places (a resident and their dependants, or items of a stock).

    Online a resident books for themselves; the coordinator books by phone for a resident,
    or for a person without an account (chosen, or found again or written down by their
    household and phone, with their consent to notices: gachi/people), or a name. Confirmed if the places are free, else on the waiting list (if the
    programme keeps one), else refused. The same `request_key` twice returns the first
    booking: a double-submitted form counts once.
    """
    now = now or utcnow()
    if person is not None and not name.strip():
        name = person.name
    _check_who(program_session, actor=actor, resident=resident, name=name, channel=channel)
    existing = _existing(program_session, resident, request_key)
    if existing is not None:
        return existing
    _check_open(program_session, now=now, online=channel is BookingChannel.ONLINE)
    _check_party(program_session, party_size)
    someone = _someone(
        program_session,
        actor=actor,
        resident=resident,
        person=person,
        name=name,
        household=household,
        phone=phone,
        consent=consent,
        now=now,
    )
    _check_not_booked(program_session, someone)
    booking = Booking(
        session_id=program_session.id,
        user_id=resident.id if resident else None,
        person_id=someone.id if someone else None,
        name="" if resident else someone.name if someone else name.strip(),
        household_id=(
            resident.household_id
            if resident
            else someone.household_id
            if someone
            else household.id
            if household
            else None
        ),
        party_size=party_size,
        dependants=dependants,
        status=BookingStatus.WAITING,
        channel=channel,
        code=new_code(),
        request_key=request_key or None,
        booked_by_id=actor.id,
    )
    try:
        # The seats first, then the booking, with its final status, in one INSERT; a
        # clash on the insert gives the seats back with the savepoint.
        with db.session.begin_nested():
            if not _someone_waiting(program_session) and _take_seats(program_session, party_size):
                booking.status, booking.confirmed_at = BookingStatus.CONFIRMED, now
            elif not program_session.program.waiting_list:
                raise SessionFull(
                    _l("Only %(count)s places are left in this session."),
                    count=program_session.seats_left,
                )
            else:
                _join_the_line(program_session)
            db.session.add(booking)
    except IntegrityError:
        # Someone (or the same form, sent twice) got there at the same moment.
        existing = _existing(program_session, resident, request_key)
        if existing is None:
            raise Conflict() from None
        return existing
    log_change(
        "booking.create",
        booking,
        actor=actor,
        complex_id=program_session.program.complex_id,
        after={
            "session_id": program_session.id,
            "party_size": party_size,
            "status": booking.status.value,
            "channel": channel.value,
        },
    )
    return booking


def cancel_booking(booking, *, actor, now=None):
    """Cancel, and in the same transaction move up whoever the freed places now fit.

    Residents cancel until the programme's deadline; the coordinator at any time before
    the session ends. Returns the bookings moved up.
    """
    now = now or utcnow()
    program_session = booking.program_session
    program = program_session.program
    if not booking.may_cancel(actor):
        raise NotAllowed()
    if now >= booking.cancel_closes_at(actor):  # Booking.can_cancel, with the reason
        if program.can_manage(actor):
            # Who came and who booked is the session's record once it is over (the figures).
            raise BookingClosed(_l("This session is over; its bookings stay as they were."))
        raise BookingClosed(
            _l(
                "Bookings for this session can be cancelled until %(when)s. "
                "Please call the coordinator."
            ),
            when=seoul_label(booking.cancel_deadline),
        )
    _lock(program_session)
    was_confirmed = (
        db.session.scalar(select(Booking.status).where(Booking.id == booking.id))
        is BookingStatus.CONFIRMED
    )
    result = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status != BookingStatus.CANCELLED)
        .values(status=BookingStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(_l("This booking is already cancelled."))
    db.session.refresh(booking)
    if was_confirmed:
        _give_back_seats(program_session, booking.party_size)
    moved = move_up_waiting(program_session, now=now)
    log_change(
        "booking.cancel",
        booking,
        actor=actor,
        complex_id=program.complex_id,
        before={"status": "confirmed" if was_confirmed else "waiting"},
        after={"status": "cancelled", "moved_up": ",".join(str(b.id) for b in moved)},
    )
    return moved


def move_up_waiting(program_session, *, now=None):
    """Confirm waiting bookings in the order they came while their places are free.

    Nobody jumps the line: when the first waiting party does not fit, the rest wait too.
    Each one moved up is told.
    """
    now = now or utcnow()
    if program_session.is_cancelled or program_session.starts_at <= now:
        return []
    _lock(program_session)
    moved = []
    waiting = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == program_session.id, Booking.status == BookingStatus.WAITING)
        .order_by(Booking.id)
    ).all()
    for booking in waiting:
        if not _take_seats(program_session, booking.party_size):
            break
        result = db.session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == BookingStatus.WAITING)
            .values(status=BookingStatus.CONFIRMED, confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            _give_back_seats(program_session, booking.party_size)
            continue
        db.session.refresh(booking)
        moved.append(booking)
        if booking.user_id is not None:
            notify(
                [booking.user_id],
                N_("A place came free: your booking for %(program)s on %(when)s is confirmed."),
                kind=NotificationKind.BOOKINGS,
                link=session_link(program_session),
                program=program_session.program.title,
                when=seoul_label(program_session.starts_at),
            )
    return moved


# At the door ----------------------------------------------------------------------------


def add_walk_in(
    program_session,
    *,
    actor,
    resident=None,
    name="",
    household=None,
    person=None,
    phone=None,
    consent=False,
    party_size=1,
    now=None,
):
    """Someone who came without booking: they take places (or items) if any are left.
    Someone without an account is the person of their household (gachi/people), found
    again by phone or name, when the household is given."""
    now = now or utcnow()
    door.check_taking_attendance(program_session, actor, now)
    if person is not None and not name.strip():
        name = person.name
    if resident is None and not name.strip():
        raise DomainError(_l("Choose a registered resident or write a name."))
    if resident is not None and resident.complex_id != program_session.program.complex_id:
        raise DomainError(_l("That resident does not live in this complex."))
    if not isinstance(party_size, int) or party_size < 1:
        raise DomainError(_l("Book at least one place."))
    someone = _someone(
        program_session,
        actor=actor,
        resident=resident,
        person=person,
        name=name,
        household=household,
        phone=phone,
        consent=consent,
        now=now,
    )
    _check_not_booked(program_session, someone)
    if not _take_seats(program_session, party_size):
        what = _l("items") if program_session.program.counts_stock else _l("places")
        raise SessionFull(
            _l("Only %(count)s %(what)s are left."), count=program_session.seats_left, what=what
        )
    booking = Booking(
        session_id=program_session.id,
        user_id=resident.id if resident else None,
        person_id=someone.id if someone else None,
        household_id=(
            resident.household_id if resident else someone.household_id if someone else None
        ),
        name="" if resident else someone.name if someone else name.strip(),
        party_size=party_size,
        status=BookingStatus.CONFIRMED,
        channel=BookingChannel.WALK_IN,
        code=new_code(),
        booked_by_id=actor.id,
        confirmed_at=now,
        attendance=Attendance.ATTENDED,
        checked_in_at=now,
        checked_in_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(booking)
    except IntegrityError:
        raise Conflict(
            _l("%(name)s already has a booking: check them in instead."),
            name=resident.display_name if resident else name,
        ) from None
    log_change(
        "booking.walk_in",
        booking,
        actor=actor,
        complex_id=program_session.program.complex_id,
        after={"session_id": program_session.id, "party_size": party_size},
    )
    return booking


def _set_attendance(booking, attendance, *, actor, now):
    program_session = booking.program_session
    door.check_taking_attendance(program_session, actor, now)
    if not booking.is_confirmed:
        raise Conflict(_l("Only a confirmed booking can be checked in."))
    return door.record_attendance(
        booking,
        attendance,
        actor=actor,
        now=now,
        action="booking",
        complex_id=program_session.program.complex_id,
        where=(Booking.status == BookingStatus.CONFIRMED,),
    )


def check_in(booking, *, actor, now=None):
    """Mark the booking attended; checking in twice changes nothing (returns False).
    A booking marked as a no-show needs a correction instead (`correct_attendance`)."""
    return _set_attendance(booking, Attendance.ATTENDED, actor=actor, now=now or utcnow())


def mark_no_show(booking, *, actor, now=None):
    return _set_attendance(booking, Attendance.NO_SHOW, actor=actor, now=now or utcnow())


def correct_attendance(booking, attendance, *, actor, reason, now=None):
    """Change attendance already recorded (attended ↔ no-show), with a reason: an audit
    entry of its own, before and after. Allowed after the window for recording closes,
    until the evaluation is signed off (`ProgramSession.takes_attendance_corrections`);
    the figures follow at the next KPI refresh, as for any change to a booking."""
    program_session = booking.program_session
    reason = door.check_taking_corrections(program_session, actor, now or utcnow(), reason)
    return door.correct_attendance(
        booking,
        attendance,
        actor=actor,
        reason=reason,
        action="booking",
        complex_id=program_session.program.complex_id,
        where=(Booking.status == BookingStatus.CONFIRMED,),
    )


def booking_by_code(program_session, code):
    """The session's booking with this code (as typed: any case, dashes or spaces), or None."""
    return db.session.scalar(
        select(Booking).where(
            Booking.session_id == program_session.id, Booking.code == normalise_code(code)
        )
    )
