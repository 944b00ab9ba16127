"""iCalendar feeds: a resident's bookings and shifts, or a complex's public sessions.

Times are written in Asia/Seoul with a TZID and the VTIMEZONE that defines it, so any
calendar shows the session at the hour it happens in Seoul.
"""

from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone

from gachi.core.time import SEOUL, to_seoul, utcnow
from gachi.programs.bookings.models import BookingStatus
from gachi.programs.sessions.models import SessionState

PRODID = "-//Seoul Social Economy Center//gachi//KO"


def _calendar(name):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Seoul")
    calendar.add_component(Timezone.from_tzinfo(SEOUL, "Asia/Seoul"))
    return calendar


def _event(uid, program_session, *, summary, description="", stamp):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", to_seoul(program_session.starts_at))
    event.add("dtend", to_seoul(program_session.ends_at))
    event.add("summary", summary)
    if program_session.program.venue:
        event.add("location", program_session.program.venue)
    if description:
        event.add("description", description)
    event.add(
        "status", "CANCELLED" if program_session.state is SessionState.CANCELLED else "CONFIRMED"
    )
    return event


def personal_feed(user, bookings, shifts, *, host):
    """A resident's confirmed and waiting bookings, and their shifts."""
    stamp = utcnow()
    calendar = _calendar(f"{user.display_name} · gachi")
    for booking in bookings:
        if booking.status is BookingStatus.CANCELLED:
            continue
        summary = (
            _("%(title)s (on the waiting list)", title=booking.program_session.display_title)
            if booking.status is BookingStatus.WAITING
            else booking.program_session.display_title
        )
        calendar.add_component(
            _event(
                f"booking-{booking.id}@{host}",
                booking.program_session,
                summary=summary,
                description=_(
                    "Booking code %(code)s for %(count)s.",
                    code=booking.code,
                    count=booking.party_size,
                ),
                stamp=stamp,
            )
        )
    for entry in shifts:
        calendar.add_component(
            _event(
                f"shift-{entry.id}@{host}",
                entry.program_session,
                summary=f"{entry.program_session.display_title} · {entry.role.label}",
                stamp=stamp,
            )
        )
    return calendar.to_ical()


def complex_feed(complex_, sessions, *, host):
    stamp = utcnow()
    calendar = _calendar(f"{complex_.name} · gachi")
    for program_session in sessions:
        calendar.add_component(
            _event(
                f"session-{program_session.id}@{host}",
                program_session,
                summary=program_session.display_title,
                description=program_session.program.description,
                stamp=stamp,
            )
        )
    return calendar.to_ical()
